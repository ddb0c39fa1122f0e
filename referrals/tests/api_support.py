"""Fixtures of the referrals API tests: a case of `org` (opened by its lawyer, with a named
survivor whose name must never appear), her consent to share some categories with
`other_org`; referrals made and answered through the real services.

`cast["outsider"]` is a coordinator of `other_org` (she decides); the tests' `receiver` is a
lawyer of `other_org` (she works cases there but decides nothing)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from audit.models import AuditEvent
from cases.services import note_add
from conftest import open_case
from proceedings.tests.api_support import membership
from referrals import services
from referrals.models import Referral
from survivors.services import Identity, consent_record

NAME = "Zenobia Quispe Achuri"
SHARED = ["incidents", "notes"]


def today() -> dt.date:
    return timezone.localdate()


def in_days(days: int) -> str:
    return (today() + dt.timedelta(days=days)).isoformat()


def consent(case: Any, user: Any, recipient: Any, categories: list[str] | None = None) -> Any:
    return consent_record(
        membership=membership(user),
        survivor=case.survivor,
        purpose="sharing",
        given_by="survivor",
        given_on=today(),
        recipient=recipient,
        categories=SHARED if categories is None else categories,
    )


def refer(case: Any, user: Any, to: Any, purpose: str = "legal", **extra: Any) -> Referral:
    return services.referral_create(
        membership=membership(user),
        case=case,
        purpose=purpose,
        expires_on=extra.pop("expires_on", today() + dt.timedelta(days=30)),
        to_organisation=to,
        categories=extra.pop("categories", SHARED),
    )


def accept(referral: Referral, decider: Any, *assignees: Any) -> Referral:
    return services.referral_accept(
        membership=membership(decider), referral=referral, assignees=list(assignees or [decider])
    )


def written() -> tuple[int, ...]:
    """Rows a refused request must leave alone."""
    return (
        Referral.objects.count(),
        Referral.objects.filter(status="accepted").count(),
        Referral.objects.filter(status="declined").count(),
        AuditEvent.objects.count(),
    )


def clean(response: Any) -> bool:
    return NAME not in response.content.decode() and "Zenobia" not in response.content.decode()


def cases_path(case: Any, rest: str = "") -> str:
    return f"/api/v1/cases/{case.pk}/referrals{rest}"


def inbox_path(referral: Any, rest: str = "") -> str:
    return f"/api/v1/referrals/{referral.pk}{rest}"


def case_with_notes(user: Any) -> Any:
    """Her case, opened by `user` (who leads it), with a note for whoever sees the case and
    one for the team only."""
    case = open_case(user, identity=Identity(full_name=NAME))
    lead = membership(user)
    note_add(membership=lead, case=case, body="Acompañada a la fiscalía.", sensitivity="normal")
    note_add(membership=lead, case=case, body="Solo el equipo lo sabe.", sensitivity="team")
    return case
