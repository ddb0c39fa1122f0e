"""Building blocks for the proceeding pages' tests: offices in the directory, a case opened
through the real intake with a proceeding created and events recorded through the real
services (never rows written behind the services' back)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases.models import Case
from conftest import open_case
from jurisdictions.models import Department
from organisations.models import Membership
from proceedings.models import Accused, JusticeOffice, OfficeKind, ProceduralEvent, Proceeding
from proceedings.services import (
    EventData,
    ProceedingData,
    accused_add,
    event_record,
    proceeding_create,
)

LA_PAZ = "02"  # the department of the cases conftest.open_case opens (El Alto)
NUREJ = "NUREJ-20261234"
PROSECUTOR_NUMBER = "FIS-LP-998877"
ACCUSED_NAME = "Rogelio Quispe Mamani"


def membership_of(user: User) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def department(code: str = LA_PAZ) -> Department:
    return Department.objects.get(code=code)


def office(
    user: User,
    name: str,
    *,
    kind: str = OfficeKind.INVESTIGATING_COURT,
    code: str = LA_PAZ,
    active: bool = True,
) -> JusticeOffice:
    return JusticeOffice.objects.create(
        kind=kind, name=name, department=department(code), is_active=active, created_by=user
    )


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def new_proceeding(
    user: User,
    case: Case | None = None,
    *,
    nurej: str = "",
    prosecutor_number: str = "",
    **data: Any,
) -> Proceeding:
    case = case or open_case(user)
    return proceeding_create(
        membership=membership_of(user),
        case=case,
        data=ProceedingData(
            department=department(),
            nurej=nurej,
            prosecutor_number=prosecutor_number,
            **data,
        ),
    )


def record(
    user: User,
    proceeding: Proceeding,
    kind: str,
    on: dt.date,
    *,
    at: dt.time | None = None,
    outcome: str = "",
    years: str | None = None,
    corrects: ProceduralEvent | None = None,
) -> ProceduralEvent:
    return event_record(
        membership=membership_of(user),
        case=proceeding.case,
        proceeding=proceeding,
        data=EventData(
            type=kind,
            occurred_on=on,
            occurred_time=at,
            outcome=outcome,
            sentence_years=Decimal(years) if years else None,
        ),
        corrects=corrects,
    )


def add_accused(user: User, proceeding: Proceeding, name: str = ACCUSED_NAME) -> Accused:
    return accused_add(
        membership=membership_of(user),
        case=proceeding.case,
        proceeding=proceeding,
        relationship="former_partner",
        sex="male",
        name=name,
    )


def url(proceeding: Proceeding, rest: str = "") -> str:
    return f"/cases/{proceeding.case_id}/proceedings/{proceeding.pk}/{rest}"
