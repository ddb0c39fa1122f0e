"""A small network for the referral tests: the referring organisation A is `org` (every role
of `cast`; the case is opened by its lawyer, who leads it), the receiving organisation B is
`other_org` (its coordinator is `cast["outsider"]`), and a third organisation C."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from cases.models import Case
from conftest import open_case
from organisations.models import Membership, Organisation, OrganisationKind, Role
from survivors.models import Consent, ConsentPurpose, GivenBy
from survivors.services import consent_record


def membership(user: User, organisation: Organisation | int) -> Membership:
    """The membership through which `user` acts for `organisation`, freshly read (active or
    not: a request would not get an inactive one; the gate must refuse it anyway)."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return Membership.objects.select_related("organisation", "user").get(
        user=user, organisation_id=org_id
    )


def record_consent(
    case: Case,
    recipient: Organisation,
    categories: Sequence[str],
    *,
    expires_on: dt.date | None = None,
    by: Membership | None = None,
) -> Consent:
    """Her consent to share `categories` of her case with `recipient`, recorded through the
    real service by the case's lead."""
    assert case.lead is not None
    return consent_record(
        membership=by or membership(case.lead, case.organisation_id),
        survivor=case.survivor,
        purpose=ConsentPurpose.SHARING,
        given_by=GivenBy.SURVIVOR,
        given_on=timezone.localdate(),
        recipient=recipient,
        categories=categories,
        expires_on=expires_on,
    )


@dataclass
class Network:
    a: Organisation
    b: Organisation
    c: Organisation
    people: dict[str, User]

    def m(self, name: str) -> Membership:
        """The named person's membership in the organisation her name starts with."""
        org = {"a": self.a, "b": self.b, "c": self.c}[name[0]]
        return membership(self.people[name], org)


@pytest.fixture
def third_org(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Tercera Org", slug="tercera", kind=OrganisationKind.NGO
    )


@pytest.fixture
def network(
    cast: dict[str, User],
    org: Organisation,
    other_org: Organisation,
    third_org: Organisation,
    make_member: Callable[..., User],
) -> Network:
    people = {
        "a_lead": cast["lawyer"],
        "a_coordinator": cast["coordinator"],
        "a_supervisor": cast["supervisor"],
        "a_psychologist": cast["psychologist"],
        "a_analyst": cast["analyst"],
        "b_coordinator": cast["outsider"],
        "b_supervisor": make_member(Role.SUPERVISOR, other_org),
        "b_lawyer": make_member(Role.LAWYER, other_org),
        "b_psychologist": make_member(Role.PSYCHOLOGIST, other_org),
        "b_analyst": make_member(Role.ANALYST, other_org),
        "b_admin": make_member(Role.ORG_ADMIN, other_org),
        "b_gone": make_member(Role.SOCIAL_WORKER, other_org),
        "c_coordinator": make_member(Role.COORDINATOR, third_org),
        "c_lawyer": make_member(Role.LAWYER, third_org),
    }
    Membership.objects.filter(user=people["b_gone"]).update(is_active=False)
    return Network(a=org, b=other_org, c=third_org, people=people)


@pytest.fixture
def case(network: Network) -> Any:
    """Opened (and led) by A's lawyer."""
    return open_case(network.people["a_lead"])
