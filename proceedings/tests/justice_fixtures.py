"""Helpers for the justice tests (measures, deadline list, alerts, directory): a case opened
through the real intake, a proceeding in La Paz and procedural events recorded through the
real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from conftest import open_case
from jurisdictions.models import Department
from organisations.models import Membership
from proceedings.services import EventData, ProceedingData, event_record, proceeding_create

LA_PAZ = "02"


def member(user: Any) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def la_paz() -> Department:
    return Department.objects.get(code=LA_PAZ)


def proceeding_for(user: Any, *, events: list[tuple[str, date]] = (), **case: Any) -> tuple:
    """(case, proceeding) opened by `user` (lead and only team member), with `events`."""
    opened = open_case(user, **case)
    membership = member(user)
    proceeding = proceeding_create(
        membership=membership, case=opened, data=ProceedingData(department=la_paz())
    )
    for kind, on in events:
        record(user, opened, proceeding, kind, on)
    return opened, proceeding


def record(user: Any, case: Any, proceeding: Any, kind: str, on: date) -> Any:
    return event_record(
        membership=member(user),
        case=case,
        proceeding=proceeding,
        data=EventData(type=kind, occurred_on=on),
    )
