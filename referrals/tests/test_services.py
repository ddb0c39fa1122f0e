"""The referral services, on the real database: each good path writes its rows, its audit
events in the right organisations' trails and its line on the referring case's timeline, all
in one transaction; each bad input is refused with a clear Spanish message and writes nothing;
and only the right people may act (anyone else gets a 404, as if nothing were there)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import Http404
from django.utils import timezone

from access.policy import can_read_referred
from audit.models import Action, AuditEvent
from cases.models import Case, CaseEvent, CaseStatus, ClosureReason, EventKind
from cases.selectors import case_visible_to
from cases.services import case_close
from conftest import open_case
from organisations.models import Membership
from referrals.models import DeclineReason, Purpose, Referral, Status
from referrals.selectors import inbox, reads_of, referred_case_get
from referrals.services import (
    read_record,
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    referral_revoke,
)
from referrals.tests.conftest import Network, record_consent
from survivors.models import SharedCategory
from survivors.services import consent_withdraw

CONSENTED = [SharedCategory.IDENTITY, SharedCategory.INCIDENTS, SharedCategory.PROCEEDINGS]
SHARED = [SharedCategory.INCIDENTS, SharedCategory.PROCEEDINGS]


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def snapshot() -> tuple[Any, ...]:
    """Everything a referral service may write."""
    return (
        Referral.objects.count(),
        AuditEvent.objects.count(),
        CaseEvent.objects.count(),
        sorted(
            Referral.objects.values_list(
                "pk", "status", "decline_reason", "decided_by", "ended_by", "expires_on"
            )
        ),
        sorted(Referral.assignees.through.objects.values_list("referral_id", "user_id")),
    )


def refused(call: Callable[[], object], field: str, words: str) -> None:
    """`call` is refused with a message on `field` containing `words`, and writes nothing."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    messages = caught.value.message_dict.get(field, [])
    assert any(words in message for message in messages), caught.value.message_dict
    assert snapshot() == before


def not_found(call: Callable[[], object]) -> None:
    """`call` answers as if the referral or case did not exist, and writes nothing."""
    before = snapshot()
    with pytest.raises(Http404):
        call()
    assert snapshot() == before


def trail(referral: Referral) -> list[tuple[int | None, str, int | None, list[str]]]:
    """The audit events about `referral`: (organisation, action, actor, fields)."""
    return list(
        AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
        .order_by("pk")
        .values_list("organisation_id", "action", "actor_id", "fields")
    )


def lines(case: Case, referral: Referral) -> list[dict[str, Any]]:
    """The referral's lines on the case timeline, oldest first."""
    return [
        event.data
        for event in CaseEvent.objects.filter(case=case, object_id=referral.pk).order_by("pk")
        if event.data.get("referral") == referral.pk
    ]


@contextmanager
def database_fails_on_insert(table: str, after: int = 0) -> Iterator[None]:
    """The database refuses the INSERTs into `table` after the first `after` ones (through
    Django's own hook around query execution)."""
    seen = 0

    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            seen += 1
            if seen > after:
                raise DatabaseError(f"injected failure on {table}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def refer(
    network: Network,
    case: Case,
    *,
    by: str = "a_lead",
    to: Any = "b",
    categories: Any = tuple(SHARED),
    expires_on: dt.date | None = None,
    purpose: str = Purpose.LEGAL,
    external_service: str = "",
) -> Referral:
    to_organisation = {"b": network.b, "c": network.c, "a": network.a}.get(to, to)
    return referral_create(
        membership=network.m(by),
        case=case,
        purpose=purpose,
        expires_on=in_days(30) if expires_on is None else expires_on,
        to_organisation=to_organisation,
        external_service=external_service,
        categories=categories,
    )


def fresh(referral: Referral) -> Referral:
    """The referral as the next request reads it."""
    return Referral.objects.select_related("case__survivor__data_key", "consent").get(
        pk=referral.pk
    )


@pytest.fixture
def consent(network: Network, case: Case) -> Any:
    return record_consent(case, network.b, CONSENTED, expires_on=in_days(200))


@pytest.fixture
def pending(network: Network, case: Case, consent: Any) -> Referral:
    return refer(network, case)


@pytest.fixture
def accepted(network: Network, pending: Referral) -> Referral:
    return referral_accept(
        membership=network.m("b_coordinator"),
        referral=fresh(pending),
        assignees=[network.people["b_lawyer"]],
    )


# ---------------------------------------------------------------- referring: good paths


def test_a_referral_to_a_partner_writes_the_row_its_audit_and_a_timeline_line(
    network, case, consent
):
    referral = refer(network, case, categories=[SharedCategory.PROCEEDINGS, "incidents"])

    referral.refresh_from_db()
    assert referral.case == case
    assert referral.from_organisation == network.a
    assert referral.to_organisation == network.b
    assert referral.external_service == ""
    assert referral.status == Status.PENDING
    assert referral.categories == ["incidents", "proceedings"]
    assert referral.consent == consent
    assert referral.expires_on == in_days(30)
    assert referral.requested_by == network.people["a_lead"]
    assert referral.decided_by is None
    assert list(referral.assignees.all()) == []
    # In A's trail, by A's lead, field names only.
    assert trail(referral) == [
        (
            network.a.pk,
            Action.CREATE,
            network.people["a_lead"].pk,
            [
                "category:incidents",
                "category:proceedings",
                "expires_on",
                "purpose",
                "to_organisation",
            ],
        )
    ]
    (event,) = [
        e
        for e in CaseEvent.objects.filter(case=case, object_id=referral.pk)
        if e.data.get("referral") == referral.pk
    ]
    assert event.kind == EventKind.STATUS
    assert event.actor == network.people["a_lead"]
    assert event.data == {"referral": referral.pk, "what": "referred", "purpose": "legal"}
    # Pending grants nothing yet.
    assert not can_read_referred(network.m("b_coordinator"), fresh(referral))


@pytest.mark.parametrize("who", ["a_coordinator", "a_supervisor"])
def test_the_referring_coordination_may_refer_a_case_it_does_not_lead(network, case, consent, who):
    referral = refer(network, case, by=who)
    assert referral.requested_by == network.people[who]
    assert trail(referral)[0][:3] == (network.a.pk, Action.CREATE, network.people[who].pk)


def test_a_referral_may_share_every_consented_category_and_last_until_her_consent_ends(
    network, case, consent
):
    referral = refer(network, case, categories=CONSENTED, expires_on=in_days(200))
    assert referral.categories == sorted(CONSENTED)
    assert referral.expires_on == consent.expires_on


def test_a_consent_without_an_end_allows_a_referral_of_up_to_a_year(network, case):
    record_consent(case, network.b, CONSENTED)
    referral = refer(network, case, expires_on=in_days(366))
    assert referral.expires_on == in_days(366)


def test_a_second_referral_to_the_same_partner_for_another_purpose_is_allowed(
    network, pending, case
):
    other = refer(network, case, purpose=Purpose.PSYCHOLOGICAL)
    assert other.status == Status.PENDING
    assert Referral.objects.filter(case=case).count() == 2


def test_after_a_referral_ends_the_case_may_be_referred_again_for_the_same(network, case, accepted):
    referral_complete(membership=network.m("b_coordinator"), referral=fresh(accepted))
    again = refer(network, case)
    assert again.status == Status.PENDING


def test_an_expired_referral_does_not_block_its_renewal(network, case, pending):
    Referral.objects.filter(pk=pending.pk).update(expires_on=in_days(-1))
    renewed = refer(network, case)
    assert renewed.status == Status.PENDING
    assert renewed.pk != pending.pk


def test_an_external_service_referral_is_recorded_needs_no_consent_and_grants_nothing(
    network, case
):
    referral = refer(
        network,
        case,
        to=None,
        categories=[],
        external_service="  Centro de salud Villa Fátima ",
        purpose=Purpose.HEALTH,
    )

    referral.refresh_from_db()
    assert referral.status == Status.RECORDED
    assert referral.external_service == "Centro de salud Villa Fátima"
    assert referral.to_organisation is None
    assert referral.consent is None
    assert referral.categories == []
    assert referral.is_external
    assert not referral.grants_access()
    assert trail(referral) == [
        (
            network.a.pk,
            Action.CREATE,
            network.people["a_lead"].pk,
            ["expires_on", "purpose", "to_organisation"],
        )
    ]
    assert lines(case, referral) == [
        {"referral": referral.pk, "what": "referred", "purpose": "health"}
    ]
    # Grants nothing to anyone anywhere: not readable, not in any inbox, not acceptable.
    for name in network.people:
        member = network.m(name)
        assert not can_read_referred(member, fresh(referral))
        for category in ["", *SharedCategory.values]:
            with pytest.raises(Http404):
                referred_case_get(membership=member, referral_id=referral.pk, category=category)
        assert not inbox(membership=member).filter(pk=referral.pk).exists()
    not_found(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=fresh(referral),
            assignees=[network.people["b_lawyer"]],
        )
    )
    # It is not "open": it does not need revoking, and cannot be completed.
    refused(
        lambda: referral_revoke(
            membership=network.m("a_lead"), case=case, referral=fresh(referral)
        ),
        "status",
        "ya no está abierta",
    )


# ------------------------------------------------------------------ referring: bad input


def test_a_referral_without_her_consent_is_refused(network, case):
    refused(lambda: refer(network, case), "categories", "no dio su consentimiento")


def test_a_consent_to_share_with_another_organisation_does_not_count(network, case):
    record_consent(case, network.c, CONSENTED)
    refused(lambda: refer(network, case), "categories", "no dio su consentimiento")


def test_a_withdrawn_consent_does_not_count(network, case, consent):
    consent_withdraw(membership=network.m("a_lead"), consent=consent)
    refused(lambda: refer(network, case), "categories", "no dio su consentimiento")


def test_an_expired_consent_does_not_count(network, case):
    old = record_consent(case, network.b, CONSENTED, expires_on=in_days(10))
    type(old).objects.filter(pk=old.pk).update(expires_on=in_days(-1))
    refused(
        lambda: refer(network, case, expires_on=in_days(5)),
        "categories",
        "no dio su consentimiento",
    )


def test_a_referral_sharing_more_than_she_consented_to_is_refused(network, case):
    record_consent(case, network.b, [SharedCategory.INCIDENTS])
    refused(
        lambda: refer(network, case, categories=[SharedCategory.INCIDENTS, SharedCategory.NOTES]),
        "categories",
        "Solo se puede compartir lo que ella aceptó: Hechos.",
    )


def test_a_referral_to_a_partner_sharing_nothing_is_refused(network, case, consent):
    refused(lambda: refer(network, case, categories=[]), "categories", "Elige qué partes")


def test_an_unknown_category_is_refused(network, case, consent):
    refused(
        lambda: refer(network, case, categories=["incidents", "bank_account"]),
        "categories",
        "Categoría desconocida.",
    )


def test_an_unknown_purpose_is_refused(network, case, consent):
    refused(lambda: refer(network, case, purpose="fun"), "purpose", "Elige para qué se deriva.")


def test_a_referral_to_the_own_organisation_is_refused(network, case):
    record_consent(case, network.a, CONSENTED)
    refused(
        lambda: refer(network, case, to="a"),
        "to_organisation",
        "Un caso no se deriva a la propia organización.",
    )


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (-1, "debe ser posterior a hoy"),
        (0, "debe ser posterior a hoy"),
        (367, "como máximo un año"),
        (800, "como máximo un año"),
    ],
    ids=["past", "today", "a-year-and-a-day", "two-years"],
)
def test_a_referral_expiring_outside_tomorrow_to_a_year_is_refused(network, case, days, words):
    record_consent(case, network.b, CONSENTED)
    refused(lambda: refer(network, case, expires_on=in_days(days)), "expires_on", words)


def test_a_referral_without_an_expiry_is_refused(network, case, consent):
    refused(
        lambda: referral_create(
            membership=network.m("a_lead"),
            case=case,
            purpose=Purpose.LEGAL,
            expires_on=None,
            to_organisation=network.b,
            categories=SHARED,
        ),
        "expires_on",
        "Indica hasta cuándo vale la derivación.",
    )


def test_a_referral_outlasting_her_consent_is_refused(network, case, consent):
    day = in_days(200).strftime("%d/%m/%Y")
    refused(
        lambda: refer(network, case, expires_on=in_days(201)),
        "expires_on",
        f"Su consentimiento vence el {day}: la derivación no puede durar más.",
    )


def test_a_referral_to_an_inactive_organisation_is_refused(network, case, consent):
    network.b.is_active = False
    network.b.save(update_fields=["is_active"])
    refused(lambda: refer(network, case), "to_organisation", "Esa organización no está activa.")


def test_a_referral_to_both_a_partner_and_an_external_service_is_refused(network, case, consent):
    refused(
        lambda: refer(network, case, external_service="Hospital de Clínicas"),
        "to_organisation",
        "no ambos",
    )


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_referral_to_no_one_is_refused(network, case, blank):
    refused(
        lambda: refer(network, case, to=None, categories=[], external_service=blank),
        "to_organisation",
        "Elige a quién se deriva.",
    )


def test_an_external_service_referral_sharing_categories_is_refused(network, case):
    refused(
        lambda: refer(network, case, to=None, external_service="Hospital de Clínicas"),
        "categories",
        "no da acceso a nada en Amparo",
    )


def test_an_external_service_with_a_too_long_name_is_refused(network, case):
    refused(
        lambda: refer(network, case, to=None, categories=[], external_service="x" * 201),
        "external_service",
        "El nombre es demasiado largo.",
    )


@pytest.mark.parametrize("state", ["pending", "accepted"])
def test_a_second_open_referral_to_the_same_partner_for_the_same_is_refused(
    request, network, case, state
):
    request.getfixturevalue(state)
    refused(
        lambda: refer(network, case, categories=[SharedCategory.INCIDENTS]),
        "to_organisation",
        "Ya hay una derivación abierta a esa organización para lo mismo.",
    )


def test_a_closed_case_is_not_referred(network, case, consent):
    case_close(
        membership=network.m("a_lead"),
        case=case,
        reason=ClosureReason.SURVIVOR_DECISION,
        closed_on=timezone.localdate(),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    refused(lambda: refer(network, case), "case", "El caso está cerrado: reábrelo para derivarlo.")


# ------------------------------------------------------------------- referring: who acts


@pytest.mark.parametrize("who", ["a_psychologist", "a_analyst", "b_coordinator", "c_coordinator"])
def test_only_the_lead_and_the_coordination_of_the_case_may_refer_it(network, case, consent, who):
    """A casework member not leading the case, an analyst, or anyone of another
    organisation: 404, nothing written."""
    not_found(lambda: refer(network, case, by=who))


def test_a_deactivated_lead_may_not_refer(network, case, consent):
    Membership.objects.filter(pk=network.m("a_lead").pk).update(is_active=False)
    not_found(lambda: refer(network, case))


# ------------------------------------------------------------------ receiving: accepting


@pytest.mark.parametrize("who", ["b_coordinator", "b_supervisor"])
def test_accepting_assigns_people_who_may_then_read_what_she_consented(network, pending, who):
    referral = referral_accept(
        membership=network.m(who),
        referral=fresh(pending),
        assignees=[network.people["b_lawyer"], network.people["b_psychologist"]],
    )

    referral = fresh(referral)
    assert referral.status == Status.ACCEPTED
    assert referral.decided_by == network.people[who]
    assert referral.decided_at is not None
    assert set(referral.assignees.all()) == {
        network.people["b_lawyer"],
        network.people["b_psychologist"],
    }
    actor = network.people[who].pk
    # In B's trail (who acted) and in A's (whose case it is).
    assert trail(referral) == [
        (network.a.pk, Action.CREATE, network.people["a_lead"].pk, trail(referral)[0][3]),
        (network.b.pk, Action.UPDATE, actor, ["assignees", "status"]),
        (network.a.pk, Action.UPDATE, actor, ["assignees", "status"]),
    ]
    assert lines(pending.case, referral) == [
        {"referral": referral.pk, "what": "referred", "purpose": "legal"},
        {"referral": referral.pk, "what": "accepted"},
    ]

    for name in ["b_lawyer", "b_psychologist"]:
        member = network.m(name)
        assert can_read_referred(member, referral)
        for category in SHARED:
            assert (
                referred_case_get(
                    membership=member, referral_id=referral.pk, category=category
                ).case
                == pending.case
            )
        # Consented to B, but not shared by this referral; and never consented.
        for category in [SharedCategory.IDENTITY, SharedCategory.NOTES, "bogus"]:
            assert not can_read_referred(member, referral, category)
        # The own-organisation gate is untouched: the case is not among B's cases.
        assert not case_visible_to(membership=member).filter(pk=pending.case.pk).exists()
    # The deciders were not assigned, nor anyone of A or C.
    for name in ["b_coordinator", "b_supervisor", "a_lead", "a_coordinator", "c_coordinator"]:
        assert not can_read_referred(network.m(name), referral)


def test_accepting_twice_is_refused(network, accepted):
    refused(
        lambda: referral_accept(
            membership=network.m("b_supervisor"),
            referral=fresh(accepted),
            assignees=[network.people["b_psychologist"]],
        ),
        "status",
        "Esta derivación ya fue respondida o cerrada.",
    )


@pytest.mark.parametrize("end", ["declined", "revoked"])
def test_accepting_a_decided_or_revoked_referral_is_refused(network, case, pending, end):
    if end == "declined":
        referral_decline(
            membership=network.m("b_coordinator"),
            referral=fresh(pending),
            reason=DeclineReason.NO_CAPACITY,
        )
    else:
        referral_revoke(membership=network.m("a_lead"), case=case, referral=fresh(pending))
    refused(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=fresh(pending),
            assignees=[network.people["b_lawyer"]],
        ),
        "status",
        "ya fue respondida o cerrada",
    )


def test_accepting_an_expired_referral_is_refused(network, pending):
    Referral.objects.filter(pk=pending.pk).update(expires_on=in_days(-1))
    assert fresh(pending).effective_status() == "expired"
    refused(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=fresh(pending),
            assignees=[network.people["b_lawyer"]],
        ),
        "status",
        "Esta derivación venció: la organización que deriva debe renovarla.",
    )


def test_a_referral_is_still_acceptable_on_its_last_day(network, pending):
    Referral.objects.filter(pk=pending.pk).update(expires_on=in_days(0))
    referral = referral_accept(
        membership=network.m("b_coordinator"),
        referral=fresh(pending),
        assignees=[network.people["b_lawyer"]],
    )
    assert can_read_referred(network.m("b_lawyer"), fresh(referral))


def test_accepting_after_her_consent_was_withdrawn_is_refused(network, pending, consent):
    referral = fresh(pending)  # read before the withdrawal, as a page open in another tab
    consent_withdraw(membership=network.m("a_lead"), consent=consent)
    refused(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=referral,
            assignees=[network.people["b_lawyer"]],
        ),
        "status",
        "El consentimiento de la sobreviviente ya no está vigente: no se puede aceptar.",
    )


def test_accepting_after_her_consent_lapsed_is_refused(network, pending, consent):
    type(consent).objects.filter(pk=consent.pk).update(expires_on=in_days(-1))
    refused(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=fresh(pending),
            assignees=[network.people["b_lawyer"]],
        ),
        "status",
        "ya no está vigente",
    )


@pytest.mark.parametrize(
    "assignees",
    [
        ["c_lawyer"],
        ["a_lead"],
        ["b_lawyer", "a_psychologist"],
        ["b_gone"],
        ["b_analyst"],
        ["b_admin"],
    ],
    ids=["other-org", "referring-org", "one-foreign", "deactivated", "analyst", "org-admin"],
)
def test_assignees_must_be_active_casework_members_of_the_receiving_org(
    network, pending, assignees
):
    refused(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=fresh(pending),
            assignees=[network.people[name] for name in assignees],
        ),
        "assignees",
        "Asigna personas activas de tu organización que trabajan casos.",
    )


def test_accepting_without_assigning_anyone_is_refused(network, pending):
    refused(
        lambda: referral_accept(
            membership=network.m("b_coordinator"), referral=fresh(pending), assignees=[]
        ),
        "assignees",
        "Asigna al menos una persona que atenderá el caso.",
    )


@pytest.mark.parametrize(
    "who",
    [
        "b_lawyer",
        "b_psychologist",
        "b_analyst",
        "b_admin",
        "a_coordinator",
        "a_lead",
        "c_coordinator",
    ],
)
def test_only_the_receiving_coordination_may_accept(network, pending, who):
    """A lawyer of the receiving organisation, its analyst or admin, the referring
    organisation itself, or a third organisation: 404, nothing written."""
    not_found(
        lambda: referral_accept(
            membership=network.m(who),
            referral=fresh(pending),
            assignees=[network.people["b_lawyer"]],
        )
    )


def test_a_deactivated_coordinator_may_not_accept(network, pending):
    Membership.objects.filter(pk=network.m("b_coordinator").pk).update(is_active=False)
    not_found(
        lambda: referral_accept(
            membership=network.m("b_coordinator"),
            referral=fresh(pending),
            assignees=[network.people["b_lawyer"]],
        )
    )


# ------------------------------------------------------------------ receiving: declining


def test_declining_records_the_reason_in_both_trails_and_on_the_timeline(network, pending):
    referral = referral_decline(
        membership=network.m("b_supervisor"),
        referral=fresh(pending),
        reason=DeclineReason.OUT_OF_AREA,
    )

    referral = fresh(referral)
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == DeclineReason.OUT_OF_AREA
    assert referral.decided_by == network.people["b_supervisor"]
    actor = network.people["b_supervisor"].pk
    assert trail(referral)[1:] == [
        (network.b.pk, Action.UPDATE, actor, ["decline_reason", "status"]),
        (network.a.pk, Action.UPDATE, actor, ["decline_reason", "status"]),
    ]
    assert lines(pending.case, referral)[-1] == {
        "referral": referral.pk,
        "what": "declined",
        "reason": "out_of_area",
    }
    assert not referral.grants_access()


@pytest.mark.parametrize("reason", ["", "because", None])
def test_declining_without_a_valid_reason_is_refused(network, pending, reason):
    refused(
        lambda: referral_decline(
            membership=network.m("b_coordinator"), referral=fresh(pending), reason=reason
        ),
        "reason",
        "Elige el motivo.",
    )


def test_declining_an_accepted_referral_is_refused(network, accepted):
    refused(
        lambda: referral_decline(
            membership=network.m("b_coordinator"),
            referral=fresh(accepted),
            reason=DeclineReason.CONFLICT,
        ),
        "status",
        "ya fue respondida o cerrada",
    )


@pytest.mark.parametrize("who", ["b_lawyer", "a_coordinator", "c_coordinator"])
def test_only_the_receiving_coordination_may_decline(network, pending, who):
    not_found(
        lambda: referral_decline(
            membership=network.m(who), referral=fresh(pending), reason=DeclineReason.OTHER
        )
    )


# ------------------------------------------------------------------ revoking, completing


@pytest.mark.parametrize("state", ["pending", "accepted"])
@pytest.mark.parametrize("who", ["a_lead", "a_coordinator"])
def test_revoking_ends_access_at_once(request, network, case, state, who):
    referral = request.getfixturevalue(state)
    revoked = referral_revoke(membership=network.m(who), case=case, referral=fresh(referral))

    revoked = fresh(revoked)
    assert revoked.status == Status.REVOKED
    assert revoked.ended_by == network.people[who]
    assert revoked.ended_at is not None
    assert trail(revoked)[-1] == (network.a.pk, Action.UPDATE, network.people[who].pk, ["status"])
    # Only in A's trail: A acted on its own case (B's trail holds only B's acceptance).
    in_b = [row for row in trail(revoked) if row[0] == network.b.pk]
    assert len(in_b) == (1 if state == "accepted" else 0)
    assert lines(case, revoked)[-1] == {"referral": revoked.pk, "what": "revoked"}
    assert not can_read_referred(network.m("b_lawyer"), revoked)
    with pytest.raises(Http404):
        referred_case_get(membership=network.m("b_lawyer"), referral_id=revoked.pk)


@pytest.mark.parametrize("end", ["declined", "revoked", "completed"])
def test_revoking_a_closed_referral_is_refused(network, case, accepted, pending, end):
    if end == "declined":
        other = refer(network, case, purpose=Purpose.PSYCHOLOGICAL)
        referral_decline(
            membership=network.m("b_coordinator"),
            referral=fresh(other),
            reason=DeclineReason.NO_CAPACITY,
        )
        target = other
    elif end == "revoked":
        referral_revoke(membership=network.m("a_lead"), case=case, referral=fresh(accepted))
        target = accepted
    else:
        referral_complete(membership=network.m("a_lead"), referral=fresh(accepted))
        target = accepted
    refused(
        lambda: referral_revoke(membership=network.m("a_lead"), case=case, referral=fresh(target)),
        "status",
        "Esta derivación ya no está abierta.",
    )


@pytest.mark.parametrize("who", ["a_psychologist", "b_coordinator", "b_lawyer", "c_coordinator"])
def test_only_the_referring_side_may_revoke(network, case, accepted, who):
    not_found(
        lambda: referral_revoke(membership=network.m(who), case=case, referral=fresh(accepted))
    )


def test_a_referral_is_revoked_only_through_its_own_case(network, case, accepted):
    other_case = open_case(network.people["a_lead"])
    not_found(
        lambda: referral_revoke(
            membership=network.m("a_lead"), case=other_case, referral=fresh(accepted)
        )
    )


def test_the_receiving_side_completing_writes_in_both_trails(network, case, accepted):
    completed = referral_complete(membership=network.m("b_coordinator"), referral=fresh(accepted))

    completed = fresh(completed)
    assert completed.status == Status.COMPLETED
    assert completed.ended_by == network.people["b_coordinator"]
    actor = network.people["b_coordinator"].pk
    assert trail(completed)[-2:] == [
        (network.b.pk, Action.UPDATE, actor, ["status"]),
        (network.a.pk, Action.UPDATE, actor, ["status"]),
    ]
    assert lines(case, completed)[-1] == {"referral": completed.pk, "what": "completed"}
    assert not can_read_referred(network.m("b_lawyer"), completed)


def test_the_referring_side_completing_writes_in_its_trail(network, case, accepted):
    before = len(trail(accepted))
    completed = referral_complete(membership=network.m("a_lead"), referral=fresh(accepted))
    assert fresh(completed).status == Status.COMPLETED
    assert trail(completed)[before:] == [
        (network.a.pk, Action.UPDATE, network.people["a_lead"].pk, ["status"])
    ]


def test_completing_a_pending_referral_is_refused(network, pending):
    refused(
        lambda: referral_complete(membership=network.m("b_coordinator"), referral=fresh(pending)),
        "status",
        "Solo se concluye una derivación aceptada: si ya no hace falta, revócala.",
    )


@pytest.mark.parametrize("who", ["b_lawyer", "a_psychologist", "c_coordinator", "a_analyst"])
def test_only_the_lead_or_the_coordination_of_either_side_may_complete(network, accepted, who):
    not_found(lambda: referral_complete(membership=network.m(who), referral=fresh(accepted)))


# ------------------------------------------------------------------------------ reading


def test_a_read_is_recorded_in_both_trails_and_shown_to_the_referring_side(network, accepted):
    reader = network.m("b_lawyer")
    referral = referred_case_get(
        membership=reader, referral_id=accepted.pk, category=SharedCategory.INCIDENTS
    )
    read_record(membership=reader, referral=referral, category=SharedCategory.INCIDENTS)

    views = [row for row in trail(referral) if row[1] == Action.VIEW]
    actor = network.people["b_lawyer"].pk
    assert views == [
        (network.b.pk, Action.VIEW, actor, ["category:incidents"]),
        (network.a.pk, Action.VIEW, actor, ["category:incidents"]),
    ]
    assert [
        (e.organisation_id, e.action) for e in reads_of(referral=referral) if e.action == "view"
    ] == [(network.a.pk, Action.VIEW)]


@pytest.mark.parametrize(
    "change",
    ["expired", "consent_withdrawn", "consent_lapsed", "assignee_deactivated", "unassigned"],
)
def test_access_ends_on_the_next_request(network, accepted, consent, change):
    reader = "b_lawyer"
    if change == "expired":
        Referral.objects.filter(pk=accepted.pk).update(expires_on=in_days(-1))
    elif change == "consent_withdrawn":
        consent_withdraw(membership=network.m("a_lead"), consent=consent)
    elif change == "consent_lapsed":
        type(consent).objects.filter(pk=consent.pk).update(expires_on=in_days(-1))
    elif change == "assignee_deactivated":
        Membership.objects.filter(pk=network.m(reader).pk).update(is_active=False)
    else:
        reader = "b_psychologist"
    member = network.m(reader)
    assert not can_read_referred(member, fresh(accepted))
    for category in ["", *SHARED]:
        with pytest.raises(Http404):
            referred_case_get(membership=member, referral_id=accepted.pk, category=category)


# ------------------------------------------------------------------- one transaction each


def _create(network, case):
    return refer(network, case, purpose=Purpose.PSYCHOLOGICAL)


def _open(case, *statuses):
    statuses = statuses or (Status.PENDING,)
    return fresh(Referral.objects.get(case=case, status__in=statuses))


def _accept(network, case):
    return referral_accept(
        membership=network.m("b_coordinator"),
        referral=_open(case),
        assignees=[network.people["b_lawyer"]],
    )


def _decline(network, case):
    return referral_decline(
        membership=network.m("b_coordinator"), referral=_open(case), reason=DeclineReason.OTHER
    )


def _revoke(network, case):
    return referral_revoke(
        membership=network.m("a_lead"),
        case=case,
        referral=_open(case, Status.PENDING, Status.ACCEPTED),
    )


def _complete(network, case):
    return referral_complete(
        membership=network.m("b_coordinator"), referral=_open(case, Status.ACCEPTED)
    )


def _read(network, case):
    return read_record(
        membership=network.m("b_lawyer"), referral=_open(case, Status.ACCEPTED), category=""
    )


@pytest.mark.parametrize(
    ("state", "service", "table", "after"),
    [
        ("pending", _create, "referrals_referral", 0),
        ("pending", _create, "audit_auditevent", 0),
        ("pending", _create, "cases_caseevent", 0),
        ("pending", _accept, "audit_auditevent", 0),
        ("pending", _accept, "audit_auditevent", 1),
        ("pending", _accept, "cases_caseevent", 0),
        ("pending", _accept, "referrals_referral_assignees", 0),
        ("pending", _decline, "audit_auditevent", 1),
        ("pending", _decline, "cases_caseevent", 0),
        ("pending", _revoke, "audit_auditevent", 0),
        ("pending", _revoke, "cases_caseevent", 0),
        ("accepted", _revoke, "cases_caseevent", 0),
        ("accepted", _complete, "audit_auditevent", 1),
        ("accepted", _complete, "cases_caseevent", 0),
        ("accepted", _read, "audit_auditevent", 1),
    ],
)
def test_a_failure_half_way_leaves_nothing_behind(
    request, network, case, state, service, table, after
):
    """If any of the rows a service writes cannot be written (the referral, an audit event,
    the timeline line), none of the others stays: one transaction each."""
    request.getfixturevalue(state)
    before = snapshot()
    with database_fails_on_insert(table, after), pytest.raises(DatabaseError):
        service(network, case)
    assert snapshot() == before


# ------------------------------------------------------------- the gate, in depth


def test_a_row_sharing_more_than_her_consent_still_shows_only_what_she_consented(
    network, accepted, consent
):
    """Should a referral row ever name more than her consent does, the gate reads her
    consent too."""
    Referral.objects.filter(pk=accepted.pk).update(categories=[*SHARED, SharedCategory.NOTES])
    member = network.m("b_lawyer")
    assert can_read_referred(member, fresh(accepted), SharedCategory.INCIDENTS)
    assert not can_read_referred(member, fresh(accepted), SharedCategory.NOTES)


def test_a_row_pointing_at_a_consent_for_another_organisation_grants_nothing(
    network, case, accepted
):
    to_c = record_consent(case, network.c, CONSENTED)
    Referral.objects.filter(pk=accepted.pk).update(consent=to_c)
    assert not can_read_referred(network.m("b_lawyer"), fresh(accepted))
