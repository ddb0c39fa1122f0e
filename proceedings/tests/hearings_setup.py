"""Building blocks for the hearings tests: a court, a proceeding with its denuncia recorded
through the real services, and aware datetimes in La Paz."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseMember
from jurisdictions.models import Department
from organisations.models import Membership
from proceedings.models import Hearing, JusticeOffice, OfficeKind, Proceeding
from proceedings.services import EventData, ProceedingData, event_record, proceeding_create
from proceedings.services_hearings import HearingData, hearing_schedule

LA_PAZ = ZoneInfo("America/La_Paz")
COMPLAINT_ON = dt.date(2026, 3, 2)


def membership_of(user: User) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def join_team(case: Case, user: User) -> CaseMember:
    """Put `user` on the team of `case` with her organisation role, as a plain row (no timeline
    line, no audit event): a companion who does not see the whole caseload must be on the team."""
    return CaseMember.objects.create(case=case, user=user, role=membership_of(user).role)


def make_court(
    user: User,
    name: str = "Juzgado 1º de Instrucción Penal de El Alto",
    *,
    kind: str = OfficeKind.INVESTIGATING_COURT,
    department: str = "02",
    active: bool = True,
) -> JusticeOffice:
    return JusticeOffice.objects.create(
        kind=kind,
        name=name,
        department=Department.objects.get(code=department),
        is_active=active,
        created_by=user,
    )


def make_proceeding(
    user: User,
    case: Case,
    *,
    complaint_on: dt.date | None = COMPLAINT_ON,
    nurej: str = "",
    prosecutor_number: str = "",
) -> Proceeding:
    """A proceeding of `case` in La Paz, with its denuncia (unless `complaint_on` is None)."""
    membership = membership_of(user)
    proceeding = proceeding_create(
        membership=membership,
        case=case,
        data=ProceedingData(
            department=Department.objects.get(code="02"),
            nurej=nurej,
            prosecutor_number=prosecutor_number,
        ),
    )
    if complaint_on is not None:
        event_record(
            membership=membership,
            case=case,
            proceeding=proceeding,
            data=EventData(type="denuncia", occurred_on=complaint_on),
        )
    return Proceeding.objects.select_related(
        "case__survivor__data_key", "department__jurisdiction"
    ).get(pk=proceeding.pk)


def in_days(days: float, hour: int = 9) -> dt.datetime:
    """`days` from today at `hour` o'clock in La Paz."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LA_PAZ)


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LA_PAZ)


def schedule(
    user: User,
    case: Case,
    proceeding: Proceeding,
    court: JusticeOffice,
    starts_at: dt.datetime,
    **extra: Any,
) -> Hearing:
    return hearing_schedule(
        membership=membership_of(user),
        case=case,
        proceeding=proceeding,
        data=HearingData(type="cautelares", starts_at=starts_at, court=court, **extra),
    )
