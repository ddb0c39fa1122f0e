"""Reads of proceedings and everything in them.

Per-case functions take a `case` that the caller obtained through
`cases.selectors.case_get_for_user` (the access gate has been passed): whatever is not in that
case is 404. Network-wide lists (deadlines, hearings, calendars) start from
`cases.selectors.case_visible_to`, so each person sees only what her case access allows.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case
from cases.selectors import case_visible_to
from jurisdictions.calendar import JudicialCalendar
from jurisdictions.procedure import Procedure, rules_for
from organisations.models import Membership
from proceedings.models import (
    COURT_KINDS,
    Accused,
    CalendarFeed,
    Charge,
    Deadline,
    DeadlineAlert,
    DeadlineState,
    Hearing,
    JusticeOffice,
    MeasureBreach,
    OfficeKind,
    ProceduralEvent,
    Proceeding,
    ProtectionMeasure,
)

# ----------------------------------------------------------------------------- directory


def office_list(*, kind: str = "", department_code: str = "", active_only: bool = True):  # type: ignore[no-untyped-def]
    """Courts and prosecutors' offices: a public directory, no survivor data."""
    offices = JusticeOffice.objects.select_related("department")
    if active_only:
        offices = offices.filter(is_active=True)
    if kind == "court":
        offices = offices.filter(kind__in=COURT_KINDS)
    elif kind:
        offices = offices.filter(kind=kind)
    if department_code:
        offices = offices.filter(department__code=department_code)
    return offices


def court_list(*, department_code: str = "") -> QuerySet[JusticeOffice]:
    return office_list(kind="court", department_code=department_code)


def prosecutor_office_list(*, department_code: str = "") -> QuerySet[JusticeOffice]:
    return office_list(kind=OfficeKind.PROSECUTOR, department_code=department_code)


def office_get(*, office_id: int) -> JusticeOffice:
    office = JusticeOffice.objects.select_related("department").filter(pk=office_id).first()
    if office is None:
        raise Http404
    return office


# ----------------------------------------------------------------------------- per case


def procedure_for(proceeding: Proceeding) -> Procedure:
    return rules_for(proceeding.department.jurisdiction.code)


def calendar_for(proceeding: Proceeding) -> JudicialCalendar:
    department = proceeding.department
    return JudicialCalendar(procedure_for(proceeding), department.code, department.iso_3166_2)


def proceeding_list(*, case: Case) -> QuerySet[Proceeding]:
    return Proceeding.objects.filter(case=case).select_related(
        "case__survivor__data_key",
        "department__jurisdiction",
        "court",
        "prosecutor_office",
        "incident",
    )


def proceeding_get(*, case: Case, proceeding_id: int) -> Proceeding:
    proceeding = proceeding_list(case=case).filter(pk=proceeding_id).first()
    if proceeding is None:
        raise Http404
    return proceeding


def proceeding_lock(*, proceeding: Proceeding) -> None:
    """Serialise writes that replay a proceeding's events (a no-op on SQLite, which locks the
    whole database for a write anyway)."""
    Proceeding.objects.select_for_update().filter(pk=proceeding.pk).values_list(
        "pk", flat=True
    ).first()


def event_history(*, proceeding: Proceeding) -> QuerySet[ProceduralEvent]:
    """Every event ever recorded, corrections and voided ones included, in date order."""
    return ProceduralEvent.objects.filter(proceeding=proceeding).select_related(
        "recorded_by", "supersedes"
    )


def effective_events(*, proceeding: Proceeding) -> QuerySet[ProceduralEvent]:
    """The events that count: not superseded, not void."""
    return event_history(proceeding=proceeding).filter(superseded_by__isnull=True, is_void=False)


def is_superseded(*, event: ProceduralEvent) -> bool:
    return ProceduralEvent.objects.filter(supersedes=event).exists()


def event_get(*, proceeding: Proceeding, event_id: int) -> ProceduralEvent:
    event = event_history(proceeding=proceeding).filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def accused_list(*, proceeding: Proceeding) -> QuerySet[Accused]:
    return Accused.objects.filter(proceeding=proceeding, removed_at__isnull=True).select_related(
        "proceeding__case__survivor__data_key"
    )


def accused_get(*, proceeding: Proceeding, accused_id: int) -> Accused:
    accused = accused_list(proceeding=proceeding).filter(pk=accused_id).first()
    if accused is None:
        raise Http404
    return accused


def charge_history(*, proceeding: Proceeding) -> QuerySet[Charge]:
    return Charge.objects.filter(proceeding=proceeding).select_related("offence")


def current_charges(*, proceeding: Proceeding) -> QuerySet[Charge]:
    return charge_history(proceeding=proceeding).filter(until_on__isnull=True)


def deadline_list(*, proceeding: Proceeding) -> QuerySet[Deadline]:
    return Deadline.objects.filter(proceeding=proceeding).select_related("start_event", "end_event")


def hearing_list(*, proceeding: Proceeding) -> QuerySet[Hearing]:
    return (
        Hearing.objects.filter(proceeding=proceeding)
        .select_related("court", "rescheduled_from")
        .prefetch_related("companions")
    )


def hearing_get(*, proceeding: Proceeding, hearing_id: int) -> Hearing:
    hearing = hearing_list(proceeding=proceeding).filter(pk=hearing_id).first()
    if hearing is None:
        raise Http404
    return hearing


def measure_list(*, proceeding: Proceeding) -> QuerySet[ProtectionMeasure]:
    return ProtectionMeasure.objects.filter(proceeding=proceeding).prefetch_related("breaches")


def measure_get(*, proceeding: Proceeding, measure_id: int) -> ProtectionMeasure:
    measure = measure_list(proceeding=proceeding).filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    return measure


def breach_list(*, measure: ProtectionMeasure) -> QuerySet[MeasureBreach]:
    return MeasureBreach.objects.filter(measure=measure)


# ----------------------------------------------------------------------------- network-wide


def visible_deadlines(*, membership: Membership | None) -> QuerySet[Deadline]:
    """Running deadlines of the cases this member may open, soonest first."""
    if membership is None:
        return Deadline.objects.none()
    cases = case_visible_to(membership=membership)
    return (
        Deadline.objects.filter(
            organisation_id=membership.organisation_id,
            state=DeadlineState.RUNNING,
            proceeding__case__in=cases,
        )
        .select_related("proceeding__case__survivor", "proceeding__department__jurisdiction")
        .order_by("due_at", "pk")
    )


def visible_hearings(
    *,
    membership: Membership | None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    mine: bool = False,
    court_id: int | None = None,
) -> QuerySet[Hearing]:
    """Hearings of the cases this member may open, in time order. `mine`: the hearings of
    the cases she is on the team of, or where she accompanies the survivor."""
    if membership is None:
        return Hearing.objects.none()
    cases = case_visible_to(membership=membership)
    hearings = Hearing.objects.filter(
        organisation_id=membership.organisation_id, proceeding__case__in=cases
    )
    if mine:
        hearings = hearings.filter(
            Q(companions__id=membership.user_id)
            | Q(
                proceeding__case__members__user_id=membership.user_id,
                proceeding__case__members__removed_at__isnull=True,
            )
        ).distinct()
    if court_id is not None:
        hearings = hearings.filter(court_id=court_id)
    if start is not None:
        hearings = hearings.filter(starts_at__gte=start)
    if end is not None:
        hearings = hearings.filter(starts_at__lt=end)
    return hearings.select_related("proceeding__case__survivor", "court").order_by(
        "starts_at", "pk"
    )


def visible_measures_expiring(
    *, membership: Membership | None, within_days: int = 14
) -> QuerySet[ProtectionMeasure]:
    if membership is None:
        return ProtectionMeasure.objects.none()
    today = timezone.localdate()
    cases = case_visible_to(membership=membership)
    return ProtectionMeasure.objects.filter(
        organisation_id=membership.organisation_id,
        proceeding__case__in=cases,
        status="granted",
        expires_on__isnull=False,
        expires_on__lte=today + dt.timedelta(days=within_days),
        ended_on__isnull=True,
    ).select_related("proceeding__case__survivor")


def alerts_for(
    *, membership: Membership | None, unseen_only: bool = True
) -> QuerySet[DeadlineAlert]:
    """A member's deadline alerts, for cases she may still open."""
    if membership is None:
        return DeadlineAlert.objects.none()
    alerts = DeadlineAlert.objects.filter(
        user_id=membership.user_id,
        deadline__organisation_id=membership.organisation_id,
        deadline__proceeding__case__in=case_visible_to(membership=membership),
    )
    if unseen_only:
        alerts = alerts.filter(seen_at__isnull=True)
    return alerts.select_related("deadline__proceeding__case__survivor")


# ----------------------------------------------------------------------------- iCal feeds


def feed_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_by_secret(*, secret: str) -> CalendarFeed | None:
    """The live feed whose URL holds `secret`, or None (revoked, unknown)."""
    if not secret or len(secret) > 100:
        return None
    return (
        CalendarFeed.objects.filter(secret_hash=feed_hash(secret), revoked_at__isnull=True)
        .select_related("user", "organisation")
        .first()
    )


def feed_for(*, membership: Membership) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        user_id=membership.user_id,
        organisation_id=membership.organisation_id,
        revoked_at__isnull=True,
    ).first()
