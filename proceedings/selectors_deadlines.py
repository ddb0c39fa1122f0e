"""Network-wide reads behind the deadline list and "Mi trabajo": running legal deadlines and
protection measures about to expire, of the cases the member may open (everything starts from
`proceedings.selectors.visible_deadlines` / `visible_measures_expiring`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from organisations.models import Membership
from proceedings.models import Deadline, ProtectionMeasure
from proceedings.selectors import visible_deadlines, visible_measures_expiring

OVERDUE, SOON, ALL = "overdue", "soon", "all"


@dataclass(frozen=True)
class DeadlineCounts:
    overdue: int
    soon: int
    running: int


def _overdue(now: dt.datetime) -> Q:
    return Q(due_at__lt=now)


def _soon(now: dt.datetime, days: int) -> Q:
    return Q(due_at__gte=now, due_at__lte=now + dt.timedelta(days=days))


def deadline_counts(
    *, membership: Membership | None, now: dt.datetime, days: int
) -> DeadlineCounts:
    """How many running deadlines are overdue, due within `days`, and running at all."""
    counts = visible_deadlines(membership=membership).aggregate(
        overdue=Count("pk", filter=_overdue(now)),
        soon=Count("pk", filter=_soon(now, days)),
        running=Count("pk"),
    )
    return DeadlineCounts(**counts)


def deadlines_for_tab(
    *, membership: Membership | None, tab: str, now: dt.datetime, days: int
) -> QuerySet[Deadline]:
    """Running deadlines of one tab, soonest (or most overdue) first, with what a row shows."""
    deadlines = visible_deadlines(membership=membership).select_related("proceeding__case__lead")
    if tab == OVERDUE:
        return deadlines.filter(_overdue(now))
    if tab == SOON:
        return deadlines.filter(_soon(now, days))
    return deadlines


def measures_expiring(
    *, membership: Membership | None, within_days: int = 14
) -> QuerySet[ProtectionMeasure]:
    """Granted measures in force that expire within `within_days` (or already did)."""
    return (
        visible_measures_expiring(membership=membership, within_days=within_days)
        .select_related("proceeding__case__lead", "proceeding__department__jurisdiction")
        .order_by("expires_on", "pk")
    )
