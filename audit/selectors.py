from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from access.policy import Capability, require_capability
from audit.models import AuditEvent
from organisations.models import Membership


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_visible_to(
    *, membership: Membership | None, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """An organisation admin's view of her organisation's trail, filtered."""
    admin = require_capability(membership, Capability.VIEW_AUDIT)
    qs = AuditEvent.objects.filter(organisation_id=admin.organisation_id).select_related("actor")
    f = filters or AuditFilters()
    if f.actor_id:
        qs = qs.filter(actor_id=f.actor_id)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.date_from:
        qs = qs.filter(at__gte=_start_of(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_start_of(f.date_to) + timedelta(days=1))
    return qs.order_by("-at", "-id")


def audit_events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """For tests and internal checks of what the trail recorded about one object."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
