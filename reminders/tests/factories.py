"""Sample cases with a hearing to remind, built through the real services where they exist
(intake, consent, proceeding, denuncia) and with `Hearing(...).save()` for the hearing."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import count
from typing import Any

from django.utils import timezone

from cases.models import Case
from conftest import open_case
from organisations.models import Membership
from proceedings.models import Hearing, JusticeOffice, OfficeKind, Proceeding
from proceedings.services import EventData, ProceedingData, event_record, proceeding_create
from reminders.models import ReminderWindow
from survivors.services import Identity, consent_record

# A Monday morning in La Paz, far enough ahead that every hearing below is in the future.
NOW = datetime(2030, 6, 3, 10, 0, tzinfo=timezone.get_default_timezone())
ALL_DAY = (time.min, time.max)
_phones = count(1)


def member(user: Any) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def next_phone() -> str:
    return f"7{next(_phones):07d}"


def case_with_phone(user: Any, *, phone: str | None = None) -> Case:
    return open_case(user, identity=Identity(phone=next_phone() if phone is None else phone))


def consent(case: Case, user: Any, channel: str) -> Any:
    return consent_record(
        membership=member(user),
        survivor=case.survivor,
        purpose="contact",
        given_by="survivor",
        given_on=date(2026, 3, 2),
        channel=channel,
    )


def window(case: Case, user: Any, channel: str, safe: tuple[time, time]) -> ReminderWindow:
    row = ReminderWindow(
        case=case, channel=channel, safe_from=safe[0], safe_until=safe[1], created_by=user
    )
    row.save()
    return row


def proceeding(case: Case, user: Any) -> Proceeding:
    membership = member(user)
    created = proceeding_create(
        membership=membership, case=case, data=ProceedingData(department=case.department)
    )
    event_record(
        membership=membership,
        case=case,
        proceeding=created,
        data=EventData(type="denuncia", occurred_on=date(2026, 3, 2)),
    )
    return created


def court(case: Case, user: Any) -> JusticeOffice:
    office, _created = JusticeOffice.objects.get_or_create(
        department=case.department,
        kind=OfficeKind.SENTENCING_COURT,
        name="Tribunal de Sentencia 1",
        defaults={"created_by": user},
    )
    return office


def hearing(
    case: Case,
    user: Any,
    starts_at: datetime,
    *,
    remind: bool = True,
    of: Proceeding | None = None,
    rescheduled_from: Hearing | None = None,
) -> Hearing:
    row = Hearing(
        proceeding=of or proceeding(case, user),
        organisation_id=case.organisation_id,
        type="juicio",
        starts_at=starts_at,
        court=court(case, user),
        remind_survivor=remind,
        rescheduled_from=rescheduled_from,
        created_by=user,
    )
    row.save()
    return row


def remindable(
    user: Any,
    starts_at: datetime,
    *,
    channels: tuple[str, ...] = ("sms",),
    safe: tuple[time, time] | None = (time(18), time(20)),
) -> Hearing:
    """A case led by `user` with her phone, contact consent and a safe window on each of
    `channels` (no window if `safe` is None), and a hearing at `starts_at` to remind."""
    case = case_with_phone(user)
    for channel in channels:
        consent(case, user, channel)
        if safe is not None:
            window(case, user, channel, safe)
    return hearing(case, user, starts_at)
