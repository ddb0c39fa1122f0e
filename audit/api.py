from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from api.schemas import ErrorOut
from audit.models import Action
from audit.selectors import AuditFilters, audit_events_visible_to
from audit.services import audit_record

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    fields: list[str]
    request_id: str


class AuditQuery(Schema):
    actor_id: int | None = None
    action: Action | None = None
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


@router.get("/events", response={200: list[AuditEventOut], 404: ErrorOut, 400: ErrorOut})
@paginate(LimitOffsetPagination)
def events(request: HttpRequest, q: Query[AuditQuery]) -> Any:
    if q.date_from and q.date_to and q.date_from > q.date_to:
        raise ValidationError(_("La fecha «desde» es posterior a la fecha «hasta»."))
    filters = AuditFilters(
        actor_id=q.actor_id,
        action=q.action.value if q.action else "",
        object_type=q.object_type,
        object_id=q.object_id,
        date_from=q.date_from,
        date_to=q.date_to,
    )
    events = audit_events_visible_to(membership=request.membership, filters=filters)  # type: ignore[attr-defined]
    used = [name for name, value in vars(filters).items() if value]
    audit_record(action=Action.VIEW, object_type="audit.auditevent", fields=used)
    return events
