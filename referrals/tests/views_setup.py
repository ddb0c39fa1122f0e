"""Building blocks for the referral page tests, through the real services: a sharing consent,
a referral from the lawyer's case in `org` to `other_org`, and its acceptance there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases.models import Case, CaseEvent
from organisations.models import Membership, Organisation
from referrals.models import Referral
from referrals.services import referral_accept, referral_create
from survivors.models import Consent
from survivors.services import consent_record

NAME = "Rosa Quispe Mamani"


def membership_of(user: User) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def share(
    user: User,
    case: Case,
    recipient: Organisation,
    categories: Sequence[str] = ("incidents", "notes"),
    expires_on: dt.date | None = None,
) -> Consent:
    return consent_record(
        membership=membership_of(user),
        survivor=case.survivor,
        purpose="sharing",
        given_by="survivor",
        given_on=timezone.localdate(),
        recipient=recipient,
        categories=list(categories),
        expires_on=expires_on,
    )


def refer(
    user: User,
    case: Case,
    to: Organisation,
    categories: Sequence[str] = ("incidents", "notes"),
    purpose: str = "legal",
    days: int = 30,
) -> Referral:
    return referral_create(
        membership=membership_of(user),
        case=case,
        purpose=purpose,
        to_organisation=to,
        categories=list(categories),
        expires_on=timezone.localdate() + dt.timedelta(days=days),
    )


def accept(decider: User, referral: Referral, assignees: Sequence[User]) -> Referral:
    return referral_accept(
        membership=membership_of(decider), referral=referral, assignees=list(assignees)
    )


def shared_case(
    lawyer: User,
    outsider: User,
    other_org: Organisation,
    case: Case,
    categories: Sequence[str] = ("incidents", "notes"),
    assignees: Sequence[User] | None = None,
) -> Referral:
    """`case` referred to `other_org` with `categories`, accepted by `outsider`, who assigns
    `assignees` (herself by default)."""
    share(lawyer, case, other_org, categories)
    referral = refer(lawyer, case, other_org, categories)
    return accept(outsider, referral, assignees or [outsider])


def written() -> tuple[int, int, int, int]:
    """Rows a refused request must not add: referrals, assignments, audit, timeline."""
    return (
        Referral.objects.count(),
        Referral.assignees.through.objects.count(),
        AuditEvent.objects.exclude(action="permission_denied").count(),
        CaseEvent.objects.count(),
    )
