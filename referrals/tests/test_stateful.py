"""An organisation never sees a case without an active referral.

Hypothesis drives random sequences of everything that can happen to the referrals of one
case of organisation A: her consents to share with B or C (given, withdrawn, lapsed), referrals
(made, accepted with random people assigned, declined, revoked, completed, expired) and the
people of B and C (deactivated, reactivated), plus reads by people of A, B and C. The test
keeps its own plain model of what should be, and after every step asks the real gate, for
every person of B and C and every category, whether she may read the case: the answer must be
yes exactly when the model holds an accepted, unexpired, unrevoked, uncompleted referral of the
case to her organisation, assigned to her, with her membership active and the survivor's
consent active and covering the category. And the case never enters B's or C's own caseload.

Each example runs inside a savepoint rolled back at its end, over organisations, people and a
case created once for the test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from access.policy import can_read_referred, membership_for
from accounts.models import User
from audit.models import Action, AuditEvent
from cases.models import Case
from cases.selectors import case_visible_to
from organisations.models import Membership, Organisation, Role
from referrals.models import DeclineReason, Purpose, Referral, Status
from referrals.selectors import referred_case_get
from referrals.services import (
    read_record,
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    referral_revoke,
)
from referrals.tests.conftest import Network, record_consent
from survivors.models import Consent, SharedCategory
from survivors.services import consent_withdraw

CATEGORIES = list(SharedCategory.values)
PURPOSES = [Purpose.LEGAL, Purpose.PSYCHOLOGICAL]
# The model's own list of who works cases (not read from the code under test).
CASEWORK = {
    Role.COORDINATOR,
    Role.SUPERVISOR,
    Role.LAWYER,
    Role.PSYCHOLOGIST,
    Role.SOCIAL_WORKER,
    Role.LAW_STUDENT,
}
DECIDERS = {"b": ["b_coordinator", "b_supervisor"], "c": ["c_coordinator"]}

# (person, organisation) pairs: every membership of B and C, including the person who
# works for both, and A's people who read (and must never read through a referral).
READERS = [
    ("b_coordinator", "b"),
    ("b_supervisor", "b"),
    ("b_lawyer", "b"),
    ("b_psychologist", "b"),
    ("b_analyst", "b"),
    ("b_gone", "b"),
    ("both", "b"),
    ("both", "c"),
    ("c_coordinator", "c"),
    ("c_lawyer", "c"),
]
A_READERS = [("a_lead", "a"), ("a_coordinator", "a"), ("a_psychologist", "a")]
# Who the deciders may try to assign (some may not be assigned: wrong organisation, analyst,
# deactivated).
CANDIDATES = [
    "b_supervisor",
    "b_lawyer",
    "b_psychologist",
    "b_analyst",
    "b_gone",
    "both",
    "c_lawyer",
    "a_psychologist",
]
# B's people who work cases, whom the first acceptance assigns.
B_CASEWORK = ["b_supervisor", "b_lawyer", "b_psychologist", "both"]
# Memberships the machine deactivates and reactivates (never B's and C's coordinators', so
# decisions stay possible; "b_gone" starts deactivated).
TOGGLED = [
    ("b_supervisor", "b"),
    ("b_lawyer", "b"),
    ("b_psychologist", "b"),
    ("both", "b"),
    ("both", "c"),
    ("c_lawyer", "c"),
    ("b_gone", "b"),
]


@dataclass
class ConsentModel:
    pk: int
    org: str
    categories: frozenset[str]
    expires_on: dt.date | None
    withdrawn: bool = False
    lapsed: bool = False

    def active(self, today: dt.date) -> bool:
        return (
            not self.withdrawn
            and not self.lapsed
            and (self.expires_on is None or self.expires_on >= today)
        )


@dataclass
class ReferralModel:
    pk: int
    org: str
    purpose: str
    categories: frozenset[str]
    consent: ConsentModel
    expires_on: dt.date
    status: str = Status.PENDING
    assignees: set[str] = field(default_factory=set)

    def expired(self, today: dt.date) -> bool:
        return self.expires_on < today

    def in_force(self, today: dt.date) -> bool:
        return self.status in (Status.PENDING, Status.ACCEPTED) and not self.expired(today)


@dataclass
class World:
    network: Network
    case: Case
    users: dict[str, User]
    orgs: dict[str, Organisation]
    roles: dict[tuple[str, str], str]  # (person, org) -> role
    membership_ids: dict[tuple[str, str], int]


class ReferralMachine(RuleBasedStateMachine):
    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.today = timezone.localdate()
        self.consents: list[ConsentModel] = []
        self.referrals: list[ReferralModel] = []
        self.active = {
            key: Membership.objects.filter(pk=pk, is_active=True).exists()
            for key, pk in self.world.membership_ids.items()
        }

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # ------------------------------------------------------------------ the model

    def acts(self, person: str, org: str) -> Membership | None:
        """The membership a request by `person` acting for `org` would carry (None when
        deactivated, as the middleware would find none)."""
        return membership_for(self.world.users[person], self.world.orgs[org].pk)

    def works_cases(self, person: str, org: str) -> bool:
        role = self.world.roles.get((person, org))
        return role in CASEWORK and self.active.get((person, org), False)

    def may_read(self, person: str, org: str, referral: ReferralModel, category: str) -> bool:
        return (
            referral.org == org
            and referral.status == Status.ACCEPTED
            and not referral.expired(self.today)
            and referral.consent.active(self.today)
            and (not category or category in referral.categories)
            and person in referral.assignees
            and self.works_cases(person, org)
        )

    def latest_consent(self, org: str) -> ConsentModel | None:
        active = [c for c in self.consents if c.org == org and c.active(self.today)]
        return active[-1] if active else None

    def decider(self, referral: ReferralModel, which: int = 0) -> Membership | None:
        """One of the receiving organisation's active coordinators or supervisors."""
        names = [n for n in DECIDERS[referral.org] if self.active[(n, referral.org)]]
        return self.acts(names[which % len(names)], referral.org)

    def pick(self, index: int) -> ReferralModel:
        return self.referrals[index % len(self.referrals)]

    def row(self, referral: ReferralModel) -> Referral:
        """The referral as the next request reads it."""
        return Referral.objects.select_related("case__survivor__data_key", "consent").get(
            pk=referral.pk
        )

    def count(self) -> tuple[int, int]:
        return Referral.objects.count(), AuditEvent.objects.count()

    # ------------------------------------------------------------------ referrals
    # (The rules that move the story on take one argument each: Hypothesis tries rules
    # with fewer arguments first, so they come up more often than the ones that end it.)

    @rule(
        plan=st.tuples(
            st.sampled_from(["b", "c"]),
            st.sets(st.sampled_from(CATEGORIES)),
            st.booleans(),
            st.sampled_from(PURPOSES),
            st.sampled_from([15, 1, 30, 366]),
        )
    )
    def refer(self, plan: tuple[str, set[str], bool, str, int]) -> None:
        """A's lead refers the case to B or C, for one of two purposes, until a day from
        tomorrow to a year ahead. The categories are drawn from what she consented to share
        with it (when she did), or, half the time, from anything (none included)."""
        org, wanted, beyond_consent, purpose, days = plan
        expires_on = self.today + dt.timedelta(days=days)
        consent = self.latest_consent(org)
        categories = set(wanted)
        if not beyond_consent and consent is not None:
            categories = (categories & consent.categories) or set(consent.categories)
        expected = (
            consent is not None
            and bool(categories)
            and categories <= consent.categories
            and (consent.expires_on is None or expires_on <= consent.expires_on)
            and not any(
                r.org == org and r.purpose == purpose and r.in_force(self.today)
                for r in self.referrals
            )
        )
        lead = self.acts("a_lead", "a")
        assert lead is not None
        before = self.count()
        call = lambda: referral_create(  # noqa: E731
            membership=lead,
            case=self.world.case,
            purpose=purpose,
            expires_on=expires_on,
            to_organisation=self.world.orgs[org],
            categories=sorted(categories),
        )
        if not expected:
            with pytest.raises(ValidationError):
                call()
            assert self.count() == before
            return
        referral = call()
        assert consent is not None
        assert referral.consent_id == consent.pk
        self.referrals.append(
            ReferralModel(referral.pk, org, purpose, frozenset(categories), consent, expires_on)
        )

    @precondition(lambda self: self.referrals)
    @rule(
        plan=st.tuples(
            st.integers(min_value=0, max_value=50),
            st.integers(min_value=0, max_value=1),
            st.sets(st.sampled_from(CANDIDATES), min_size=1, max_size=3),
            st.sampled_from(["working", "colleagues", "anyone", "no one"]),
        )
    )
    def accept(self, plan: tuple[int, int, set[str], str]) -> None:
        """The receiving coordination accepts, assigning people: some of its active
        casework people; or of its people, active or not, analysts included; or anyone; or
        no one."""
        index, decider, wanted, mode = plan
        referral = self.pick(index)
        assignees = set(wanted)
        if mode == "working":
            working = {n for n in CANDIDATES if self.works_cases(n, referral.org)}
            assignees = (assignees & working) or set(sorted(working)[:1])
        elif mode == "colleagues":
            assignees = {n for n in wanted if (n, referral.org) in self.world.roles}
        elif mode == "no one":
            assignees = set()
        users = [self.world.users[name] for name in sorted(assignees)]
        actor = self.decider(referral, decider)
        assert actor is not None
        expected = (
            referral.status == Status.PENDING
            and not referral.expired(self.today)
            and referral.consent.active(self.today)
            and bool(assignees)
            and all(self.works_cases(name, referral.org) for name in assignees)
        )
        before = self.count()
        if not expected:
            with pytest.raises(ValidationError):
                referral_accept(membership=actor, referral=self.row(referral), assignees=users)
            assert self.count() == before
            return
        referral_accept(membership=actor, referral=self.row(referral), assignees=users)
        referral.status = Status.ACCEPTED
        referral.assignees = set(assignees)

    @precondition(lambda self: self.referrals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        who=st.sampled_from([("b_lawyer", "b"), ("a_coordinator", "a"), ("c_lawyer", "c")]),
    )
    def accept_as_someone_who_may_not(self, index: int, who: tuple[str, str]) -> None:
        """A lawyer of B, the referring organisation itself, a lawyer of C: 404, whatever
        the referral's state (her membership row as it is, active or not)."""
        referral = self.pick(index)
        before = self.count()
        held = Membership.objects.select_related("organisation", "user").get(
            pk=self.world.membership_ids[who]
        )
        with pytest.raises(Http404):
            referral_accept(
                membership=held,
                referral=self.row(referral),
                assignees=[self.world.users["b_lawyer"]],
            )
        assert self.count() == before

    @precondition(lambda self: self.referrals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        reason=st.sampled_from([*DeclineReason.values, "", "porque sí"]),
    )
    def decline(self, index: int, reason: str) -> None:
        referral = self.pick(index)
        actor = self.decider(referral)
        assert actor is not None
        before = self.count()
        if referral.status != Status.PENDING or reason not in DeclineReason.values:
            with pytest.raises(ValidationError):
                referral_decline(membership=actor, referral=self.row(referral), reason=reason)
            assert self.count() == before
            return
        referral_decline(membership=actor, referral=self.row(referral), reason=reason)
        referral.status = Status.DECLINED

    @precondition(lambda self: self.referrals)
    @rule(
        index=st.integers(min_value=0, max_value=50),
        by=st.sampled_from(["a_lead", "a_coordinator"]),
    )
    def revoke(self, index: int, by: str) -> None:
        referral = self.pick(index)
        actor = self.acts(by, "a")
        assert actor is not None
        before = self.count()
        call = lambda: referral_revoke(  # noqa: E731
            membership=actor, case=self.world.case, referral=self.row(referral)
        )
        if referral.status not in (Status.PENDING, Status.ACCEPTED):
            with pytest.raises(ValidationError):
                call()
            assert self.count() == before
            return
        call()
        referral.status = Status.REVOKED

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(min_value=0, max_value=50), side=st.sampled_from(["a", "receiving"]))
    def complete(self, index: int, side: str) -> None:
        referral = self.pick(index)
        actor = self.acts("a_lead", "a") if side == "a" else self.decider(referral)
        assert actor is not None
        before = self.count()
        if referral.status != Status.ACCEPTED:
            with pytest.raises(ValidationError):
                referral_complete(membership=actor, referral=self.row(referral))
            assert self.count() == before
            return
        referral_complete(membership=actor, referral=self.row(referral))
        referral.status = Status.COMPLETED

    @precondition(lambda self: self.referrals)
    @rule(index=st.integers(min_value=0, max_value=50))
    def expire(self, index: int) -> None:
        """Time passes for one referral: its last day was yesterday."""
        referral = self.pick(index)
        referral.expires_on = self.today - dt.timedelta(days=1)
        Referral.objects.filter(pk=referral.pk).update(expires_on=referral.expires_on)

    # ------------------------------------------------------------------ her consents

    @initialize(
        consent=st.tuples(
            st.sets(st.sampled_from(CATEGORIES), min_size=1),
            st.sampled_from([None, 20, 400]),
        ),
        referral=st.tuples(
            st.sets(st.sampled_from(CATEGORIES)),
            st.sampled_from(PURPOSES),
            st.sampled_from([15, 1]),
        ),
        answer=st.tuples(
            st.booleans(),
            st.integers(min_value=0, max_value=1),
            st.sets(st.sampled_from(B_CASEWORK), min_size=1),
        ),
    )
    def the_story_so_far(
        self,
        consent: tuple[set[str], int | None],
        referral: tuple[set[str], str, int],
        answer: tuple[bool, int, set[str]],
    ) -> None:
        """Every story starts with her consent to share some of her case with B, a referral
        to B within it, and perhaps B's acceptance, assigning some of its casework people
        (C gets a consent or a referral only later, if ever)."""
        self.give_consent("b", consent)
        wanted, purpose, days = referral
        self.refer(("b", wanted, False, purpose, days))
        pending, decider, wanted_people = answer
        if not pending:
            self.accept((0, decider, wanted_people, "working"))

    @rule(
        org=st.sampled_from(["b", "c"]),
        plan=st.tuples(
            st.sets(st.sampled_from(CATEGORIES), min_size=1),
            st.sampled_from([None, 20, 400]),
        ),
    )
    def give_consent(self, org: str, plan: tuple[set[str], int | None]) -> None:
        """She consents to share some categories with B or C, for good or until a day."""
        categories, ends_in = plan
        ends = None if ends_in is None else self.today + dt.timedelta(days=ends_in)
        consent = record_consent(
            self.world.case, self.world.orgs[org], sorted(categories), expires_on=ends
        )
        self.consents.append(ConsentModel(consent.pk, org, frozenset(categories), ends))

    @precondition(lambda self: self.consents)
    @rule(
        plan=st.tuples(
            st.integers(min_value=0, max_value=50),
            st.sampled_from(["withdrawn", "lapsed"]),
            st.booleans(),
        )
    )
    def consent_ends(self, plan: tuple[int, str, bool]) -> None:
        """She withdraws a consent (through the service), or its end date passes: one a
        referral was made under, or, half the time, any of hers."""
        index, how, any_of_hers = plan
        behind = [r.consent for r in self.referrals if r.status == Status.ACCEPTED]
        pool = self.consents if any_of_hers or not behind else behind
        consent = pool[index % len(pool)]
        if how == "lapsed":
            Consent.objects.filter(pk=consent.pk).update(
                expires_on=self.today - dt.timedelta(days=1)
            )
            consent.lapsed = True
            return
        row = Consent.objects.get(pk=consent.pk)
        lead = self.acts("a_lead", "a")
        assert lead is not None
        if consent.withdrawn:
            with pytest.raises(ValidationError):
                consent_withdraw(membership=lead, consent=row)
            return
        consent_withdraw(membership=lead, consent=row)
        consent.withdrawn = True

    # ------------------------------------------------------------------ people

    @precondition(lambda self: any(r.assignees for r in self.referrals))
    @rule(plan=st.tuples(st.integers(min_value=0, max_value=50), st.integers(0, 3)))
    def deactivate_an_assignee(self, plan: tuple[int, int]) -> None:
        """One of the people a referral was assigned to leaves the receiving organisation
        (her membership there is deactivated; the assignment stays)."""
        index, which = plan
        assigned = [r for r in self.referrals if r.assignees]
        referral = assigned[index % len(assigned)]
        people = sorted(referral.assignees)
        who = (people[which % len(people)], referral.org)
        Membership.objects.filter(pk=self.world.membership_ids[who]).update(is_active=False)
        self.active[who] = False

    @rule(who=st.sampled_from(TOGGLED), active=st.booleans())
    def set_membership_active(self, who: tuple[str, str], active: bool) -> None:
        """Someone of B or C is deactivated (or comes back)."""
        Membership.objects.filter(pk=self.world.membership_ids[who]).update(is_active=active)
        self.active[who] = active

    # ------------------------------------------------------------------ reads

    @precondition(lambda self: self.referrals)
    @rule(
        plan=st.tuples(
            st.integers(min_value=0, max_value=50),
            st.sampled_from(READERS + A_READERS),
            st.sampled_from(["", *CATEGORIES]),
        )
    )
    def read(self, plan: tuple[int, tuple[str, str], str]) -> None:
        """Someone of A, B or C asks to read the referred case (or one category of it)
        through a referral; an allowed read is recorded in both organisations' trails."""
        index, (person, org), category = plan
        referral = self.pick(index)
        membership = self.acts(person, org)
        if not self.may_read(person, org, referral, category):
            with pytest.raises(Http404):
                referred_case_get(membership=membership, referral_id=referral.pk, category=category)
            return
        assert membership is not None
        got = referred_case_get(membership=membership, referral_id=referral.pk, category=category)
        assert got.case_id == self.world.case.pk
        before = AuditEvent.objects.count()
        read_record(membership=membership, referral=got, category=category)
        events = AuditEvent.objects.order_by("-pk")[: AuditEvent.objects.count() - before]
        assert sorted((e.organisation_id, e.action, e.actor_id) for e in events) == sorted(
            [
                (self.world.orgs[org].pk, Action.VIEW, self.world.users[person].pk),
                (self.world.orgs["a"].pk, Action.VIEW, self.world.users[person].pk),
            ]
        )

    # ------------------------------------------------------------------ the invariant

    @invariant()
    def the_rows_are_what_the_model_says(self) -> None:
        rows = dict(Referral.objects.filter(case=self.world.case).values_list("pk", "status"))
        assert rows == {r.pk: r.status for r in self.referrals}

    @invariant()
    def only_an_active_referral_lets_anyone_of_b_or_c_read_the_case(self) -> None:
        case_id = self.world.case.pk
        rows = {
            row.pk: row
            for row in Referral.objects.select_related(
                "case__survivor__data_key", "consent"
            ).filter(case_id=case_id)
        }
        # Each membership freshly read, as the next request reads it; a deactivated one is
        # passed as it is too (a caller holding on to it must be refused all the same), and
        # a request through it would carry none.
        held = Membership.objects.select_related("organisation", "user").in_bulk(
            [self.world.membership_ids[reader] for reader in READERS]
        )
        for person, org in READERS:
            membership = held[self.world.membership_ids[(person, org)]]
            assert membership.is_active == self.active[(person, org)]
            acting = membership if membership.is_active else None
            # Her own organisation's gate is untouched: A's case is never in her caseload.
            assert not case_visible_to(membership=membership).filter(pk=case_id).exists()
            for referral in self.referrals:
                row = rows[referral.pk]
                for category in ["", *CATEGORIES]:
                    expected = self.may_read(person, org, referral, category)
                    assert can_read_referred(membership, row, category) is expected, (
                        person,
                        org,
                        referral,
                        category,
                    )
                # The selector a page goes through, for every allowed read (the refused
                # ones through it are drawn by the `read` rule: each costs a full fetch).
                if self.may_read(person, org, referral, ""):
                    got = referred_case_get(membership=acting, referral_id=referral.pk)
                    assert got.case_id == case_id


@pytest.fixture
def world(network: Network, case: Case, make_member: Any) -> World:
    both = make_member(Role.LAWYER, network.b, "both@example.org")
    make_member(Role.PSYCHOLOGIST, network.c, "both@example.org")
    users = {**network.people, "both": both}
    orgs = {"a": network.a, "b": network.b, "c": network.c}
    roles: dict[tuple[str, str], str] = {}
    ids: dict[tuple[str, str], int] = {}
    for key, org in orgs.items():
        for m in Membership.objects.filter(organisation=org).select_related("user"):
            name = next((n for n, u in users.items() if u.pk == m.user_id), None)
            if name is not None:
                roles[(name, key)] = m.role
                ids[(name, key)] = m.pk
    for pair in READERS + A_READERS + TOGGLED:
        assert pair in ids, pair
    return World(
        network=network, case=case, users=users, orgs=orgs, roles=roles, membership_ids=ids
    )


def test_an_organisation_never_sees_a_case_without_an_active_referral(world: World) -> None:
    ReferralMachine.world = world
    run_state_machine_as_test(
        ReferralMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
