"""Network-wide proceedings data over the API: the running deadlines and the hearings of the
cases the caller may open, the directory of courts and prosecutors' offices, and a pack's
procedure as reference data for clients.

Deadlines and hearings need the casework capability (they name case codes; never a name or
an offence). The directory and the procedure hold no survivor data: any member may read them,
like the rest of the API; the directory is maintained by coordinators (MANAGE_DIRECTORY),
checked while authenticating, so anyone else gets 404 whatever she sends.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from access.policy import Capability, has_capability
from api.auth import MemberSessionAuth, TokenAuth
from api.schemas import ErrorOut
from cases.api import CaseworkSessionAuth, CaseworkTokenAuth
from jurisdictions.procedure import rules_for
from organisations.models import Membership
from proceedings import schemas, selectors, services
from proceedings.api import Rows, department_by_code
from proceedings.models import OfficeKind
from proceedings.schemas import (
    CalendarHearingOut,
    DeadlineQuery,
    HearingQuery,
    NetworkDeadlineOut,
    OfficeIn,
    OfficeOut,
    OfficeQuery,
    OfficeUpdateIn,
    ProcedureOut,
)
from proceedings.selectors_api import jurisdiction_get


def _directory_gate(request: HttpRequest, user: Any) -> Any:
    if user is not None and not has_capability(
        request.membership,  # type: ignore[attr-defined]
        Capability.MANAGE_DIRECTORY,
    ):
        raise Http404
    return user


class DirectoryTokenAuth(TokenAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _directory_gate(request, super().authenticate(request, token))


class DirectorySessionAuth(MemberSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _directory_gate(request, super().authenticate(request, key))


router = Router(tags=["justice"])

_CASEWORK = [CaseworkTokenAuth(), CaseworkSessionAuth()]
_DIRECTORY = [DirectoryTokenAuth(), DirectorySessionAuth()]
_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


# ----------------------------------------------------------------------------- casework


@router.get("/deadlines", response={200: list[NetworkDeadlineOut], **_ERRORS}, auth=_CASEWORK)
@paginate(LimitOffsetPagination)
def deadline_list(request: HttpRequest, q: Query[DeadlineQuery]) -> Any:
    """Running legal deadlines of the cases I may open, soonest first. `overdue`: only those
    already past due; `within_days`: only those due within that many days (overdue included).
    """
    now = timezone.now()
    deadlines = selectors.visible_deadlines(membership=_membership(request))
    if q.overdue:
        deadlines = deadlines.filter(due_at__lt=now)
    if q.within_days is not None:
        deadlines = deadlines.filter(due_at__lte=now + dt.timedelta(days=q.within_days))
    return Rows(deadlines, lambda d: schemas.network_deadline_out(d, now))


@router.get("/hearings", response={200: list[CalendarHearingOut], **_ERRORS}, auth=_CASEWORK)
@paginate(LimitOffsetPagination)
def hearing_calendar(request: HttpRequest, q: Query[HearingQuery]) -> Any:
    """Hearings of the cases I may open, in time order: all of my organisation's, or `mine`
    (my cases and the hearings I accompany), or one court's. `start` and `end` bound the
    period (without an offset: local time)."""
    start, end = _aware(q.start), _aware(q.end)
    if start is not None and end is not None and end <= start:
        raise ValidationError({"end": _("El final del periodo debe ser posterior al inicio.")})
    hearings = selectors.visible_hearings(
        membership=_membership(request), start=start, end=end, mine=q.mine, court_id=q.court_id
    ).select_related("court__department", "proceeding__department__jurisdiction")
    return Rows(hearings, schemas.calendar_hearing_out)


# ----------------------------------------------------------------------------- directory


@router.get("/directory/offices", response={200: list[OfficeOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def office_list(request: HttpRequest, q: Query[OfficeQuery]) -> Any:
    """Courts and prosecutors' offices. `kind`: an office kind, or `court` for every court;
    `department`: its INE code."""
    if q.kind and q.kind not in {"court", *OfficeKind.values}:
        raise ValidationError({"kind": _("Tipo de oficina desconocido.")})
    offices = selectors.office_list(
        kind=q.kind, department_code=q.department.strip(), active_only=not q.include_inactive
    )
    return Rows(offices, schemas.office_out)  # type: ignore[arg-type]


@router.post("/directory/offices", response={201: OfficeOut, **_ERRORS}, auth=_DIRECTORY)
def office_create(request: HttpRequest, data: OfficeIn) -> Status[Any]:
    """For coordinators: a court or prosecutor's office, for the whole network."""
    errors: dict[str, str] = {}
    department = department_by_code(data.department, errors)
    if errors:
        raise ValidationError(errors)
    office = services.office_create(
        membership=_membership(request),
        kind=str(data.kind),
        name=data.name,
        department=department,
    )
    return Status(201, schemas.office_out(office))


@router.put("/directory/offices/{office_id}", response={200: OfficeOut, **_ERRORS}, auth=_DIRECTORY)
def office_update(request: HttpRequest, office_id: int, data: OfficeUpdateIn) -> Any:
    """For coordinators. An office no longer in use is deactivated (`is_active: false`), not
    deleted: proceedings and hearings keep pointing to it."""
    office = selectors.office_get(office_id=office_id)
    errors: dict[str, str] = {}
    department = department_by_code(data.department, errors)
    if errors:
        raise ValidationError(errors)
    office = services.office_update(
        membership=_membership(request),
        office=office,
        kind=str(data.kind),
        name=data.name,
        department=department,
        is_active=data.is_active,
    )
    return schemas.office_out(office)


# ----------------------------------------------------------------------------- reference


@router.get("/jurisdictions/{code}/procedure", response={200: ProcedureOut, **_ERRORS})
def procedure(request: HttpRequest, code: str) -> Any:
    """A jurisdiction pack's procedure: stages, acts with the stages they may be recorded in,
    legal deadlines (duration, unit, article and how sure the rule is), hearing types,
    protection measures and suspension reasons. Codes are stable; labels follow the
    request's language."""
    jurisdiction = jurisdiction_get(code=code)
    return schemas.procedure_out(rules_for(jurisdiction.code))
