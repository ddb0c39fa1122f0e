"""Reads for the case page and the proceedings list: each proceeding of a case with its next
running deadline and its next scheduled hearing, in a constant number of queries.

`case` comes from `cases.selectors.case_get_for_user`: the access gate has been passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cases.models import Case
from proceedings.models import Deadline, DeadlineState, Hearing, HearingStatus, Proceeding
from proceedings.selectors import proceeding_list


@dataclass(frozen=True)
class ProceedingSummary:
    proceeding: Proceeding
    next_deadline: Deadline | None
    next_hearing: Hearing | None


def _start_of_today() -> dt.datetime:
    today = timezone.localdate()
    return dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())


def proceeding_summaries(*, case: Case) -> list[ProceedingSummary]:
    """Every proceeding of the case, oldest first (three queries; one without proceedings)."""
    proceedings = list(proceeding_list(case=case))
    if not proceedings:
        return []
    deadlines: dict[int, Deadline] = {}
    for deadline in Deadline.objects.filter(
        proceeding__in=proceedings, state=DeadlineState.RUNNING
    ).order_by("due_at", "pk"):
        deadlines.setdefault(deadline.proceeding_id, deadline)
    hearings: dict[int, Hearing] = {}
    for hearing in (
        Hearing.objects.filter(
            proceeding__in=proceedings,
            status=HearingStatus.SCHEDULED,
            starts_at__gte=_start_of_today(),
        )
        .select_related("court")
        .order_by("starts_at", "pk")
    ):
        hearings.setdefault(hearing.proceeding_id, hearing)
    return [ProceedingSummary(p, deadlines.get(p.pk), hearings.get(p.pk)) for p in proceedings]
