"""The receiving side: the inbox, deciding (and each refusal), closing, and the referred case
as the assigned people may read it — only the consented categories, each read recorded, and
404 from the request after the referral ends."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import services as case_services
from cases.models import CaseEvent
from conftest import open_case
from referrals.models import Referral, Status
from referrals.tests.views_setup import (
    NAME,
    accept,
    membership_of,
    refer,
    share,
    shared_case,
    written,
)
from survivors.models import Consent
from survivors.services import Identity, consent_withdraw

TODAY = timezone.localdate


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"], identity=Identity(full_name=NAME, phone="71234567"))


@pytest.fixture
def outsider(cast, client_for):
    return client_for(cast["outsider"])


@pytest.fixture
def other_lawyer(other_org, make_member):
    """A lawyer of the receiving organisation (works cases, does not decide)."""
    return make_member("lawyer", other_org)


@pytest.fixture
def pending(cast, case, other_org):
    share(cast["lawyer"], case, other_org)
    return refer(cast["lawyer"], case, other_org)


def _note(user, case, body, sensitivity="normal"):
    return case_services.note_add(
        membership=membership_of(user), case=case, body=body, sensitivity=sensitivity
    )


def _reads(referral, organisation):
    return list(
        AuditEvent.objects.filter(
            action=Action.VIEW,
            object_type="referrals.referral",
            object_id=str(referral.pk),
            organisation=organisation,
        ).values_list("fields", flat=True)
    )


# --- Inbox --------------------------------------------------------------------------------


def test_it_shows_a_coordinator_the_referrals_waiting_for_an_answer(outsider, pending):
    response = outsider.get("/referrals/")
    text = response.text
    assert response.status_code == 200
    assert pending.case.survivor.code in text
    assert "Casa Prueba" in text
    assert "Representación legal" in text
    assert "Hechos, Notas" in text
    assert f"{pending.expires_on:%d/%m/%Y}" in text
    assert f"/referrals/{pending.pk}/" in text
    assert NAME not in text


def test_it_sorts_the_inbox_into_pending_accepted_and_closed(cast, case, outsider, other_org):
    share(cast["lawyer"], case, other_org)
    waiting = refer(cast["lawyer"], case, other_org, purpose="legal")
    taken = accept(
        cast["outsider"],
        refer(cast["lawyer"], case, other_org, purpose="health"),
        [cast["outsider"]],
    )
    lapsed = refer(cast["lawyer"], case, other_org, purpose="shelter")
    Referral.objects.filter(pk=lapsed.pk).update(expires_on=TODAY() - dt.timedelta(days=1))

    def shown(view):
        text = outsider.get(f"/referrals/?view={view}").text
        return {r.pk for r in (waiting, taken, lapsed) if f"/referrals/{r.pk}/" in text}

    assert shown("pending") == {waiting.pk}
    assert shown("accepted") == {taken.pk}
    assert shown("closed") == {lapsed.pk}
    assert "Vencida" in outsider.get("/referrals/?view=closed").text


def test_it_shows_an_assignee_only_the_referrals_assigned_to_her(
    cast, case, other_org, other_lawyer, client_for, make_member
):
    colleague = make_member("psychologist", other_org)
    referral = shared_case(
        cast["lawyer"], cast["outsider"], other_org, case, assignees=[other_lawyer]
    )
    share(cast["lawyer"], open_case(cast["lawyer"]), other_org)
    mine = client_for(other_lawyer).get("/referrals/").text
    assert f"/referrals/{referral.pk}/" in mine
    assert "Por responder" not in mine  # she does not decide
    theirs = client_for(colleague).get("/referrals/").text
    assert f"/referrals/{referral.pk}/" not in theirs
    assert "No tienes derivaciones asignadas." in theirs


def test_it_says_when_nothing_waits(outsider):
    assert "Ninguna derivación espera respuesta." in outsider.get("/referrals/").text


def test_it_pages_the_inbox(cast, case, outsider, other_org):
    for _ in range(26):
        Referral.objects.create(
            case=case,
            from_organisation=case.organisation,
            to_organisation=other_org,
            purpose="legal",
            categories=["incidents"],
            expires_on=TODAY() + dt.timedelta(days=30),
            status=Status.PENDING,
            requested_by=cast["lawyer"],
        )
    first = outsider.get("/referrals/").text
    assert len(re.findall(r'<a href="/referrals/\d+/">', first)) == 25
    assert "Página 1 de 2" in first
    assert "?view=pending&amp;page=2" in first
    second = outsider.get("/referrals/?view=pending&page=2").text
    assert len(re.findall(r'<a href="/referrals/\d+/">', second)) == 1


def test_it_shows_the_inbox_in_a_constant_number_of_queries(cast, outsider, other_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(purpose):
        case = open_case(cast["lawyer"])
        share(cast["lawyer"], case, other_org)
        accept(
            cast["outsider"],
            refer(cast["lawyer"], case, other_org, purpose=purpose),
            [cast["outsider"]],
        )

    add("legal")
    outsider.get("/referrals/?view=accepted")  # session and caches settle
    with CaptureQueriesContext(connection) as one:
        outsider.get("/referrals/?view=accepted")
    for purpose in ("health", "shelter", "other"):
        add(purpose)
    with CaptureQueriesContext(connection) as four:
        response = outsider.get("/referrals/?view=accepted")
    assert len(re.findall(r'<a href="/referrals/\d+/">', response.text)) == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_it_keeps_other_organisations_referrals_out_of_the_inbox(cast, client_for, pending):
    text = client_for(cast["coordinator"]).get("/referrals/").text
    assert f"/referrals/{pending.pk}/" not in text
    assert client_for(cast["coordinator"]).get(f"/referrals/{pending.pk}/").status_code == 404


def test_the_menu_links_to_the_inbox_for_people_who_work_cases(cast, client_for):
    assert 'href="/referrals/"' in client_for(cast["lawyer"]).get("/").text
    assert 'href="/referrals/"' not in client_for(cast["analyst"]).get("/").text


# --- Deciding -----------------------------------------------------------------------------


def test_it_offers_the_receiving_organisations_casework_members(
    outsider, pending, other_lawyer, cast
):
    text = outsider.get(f"/referrals/{pending.pk}/").text
    assert f'value="{other_lawyer.pk}"' in text
    assert f'value="{cast["outsider"].pk}"' in text
    assert f'value="{cast["lawyer"].pk}"' not in text  # the referring organisation's lawyer
    assert "Aceptar la derivación" in text
    assert "Sin capacidad para recibir más casos" in text
    assert NAME not in text


def test_it_accepts_a_referral_with_its_assignees(cast, case, outsider, pending, other_lawyer):
    response = outsider.post(
        f"/referrals/{pending.pk}/", {"action": "accept", "assignees": [other_lawyer.pk]}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == Status.ACCEPTED
    assert referral.decided_by == cast["outsider"]
    assert list(referral.assignees.all()) == [other_lawyer]
    assert CaseEvent.objects.filter(case=case, data__what="accepted").exists()


@pytest.mark.parametrize(
    ("assignees", "message"),
    [
        ([], "Asigna al menos una persona que atenderá el caso."),
        (["lawyer"], "Asigna personas activas de tu organización que trabajan casos."),
        (["analyst"], "Asigna personas activas de tu organización que trabajan casos."),
    ],
    ids=["nobody", "from-another-organisation", "does-not-work-cases"],
)
def test_it_refuses_bad_assignees_and_writes_nothing(
    cast, outsider, pending, other_org, make_member, assignees, message
):
    make_member("analyst", other_org, "analyst-otra@example.org")
    people = {"lawyer": cast["lawyer"].pk}
    from accounts.models import User

    people["analyst"] = User.objects.get(email="analyst-otra@example.org").pk
    before = written()
    response = outsider.post(
        f"/referrals/{pending.pk}/",
        {"action": "accept", "assignees": [people[a] for a in assignees]},
    )
    assert response.status_code == 400
    assert message in response.text
    assert written() == before
    assert Referral.objects.get().status == Status.PENDING


def test_it_refuses_to_accept_twice(cast, outsider, pending, other_lawyer):
    accept(cast["outsider"], pending, [cast["outsider"]])
    before = written()
    response = outsider.post(
        f"/referrals/{pending.pk}/", {"action": "accept", "assignees": [other_lawyer.pk]}
    )
    assert response.status_code == 400
    assert "Esta derivación ya fue respondida o cerrada." in response.text
    assert written() == before
    assert list(Referral.objects.get().assignees.all()) == [cast["outsider"]]


def test_it_declines_a_referral_with_a_reason(cast, case, outsider, pending):
    response = outsider.post(
        f"/referrals/{pending.pk}/", {"action": "decline", "reason": "out_of_area"}
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == "out_of_area"
    assert CaseEvent.objects.filter(case=case, data__what="declined").exists()


def test_it_refuses_to_decline_without_a_reason(outsider, pending):
    before = written()
    response = outsider.post(f"/referrals/{pending.pk}/", {"action": "decline", "reason": ""})
    assert response.status_code == 400
    assert "Elige el motivo." in response.text
    assert written() == before
    assert Referral.objects.get().status == Status.PENDING


def test_it_asks_to_choose_accept_or_decline(outsider, pending):
    before = written()
    response = outsider.post(f"/referrals/{pending.pk}/", {"action": "maybe"})
    assert response.status_code == 400
    assert "Elige aceptar o rechazar." in response.text
    assert written() == before


def test_it_lets_only_coordinators_and_supervisors_decide(
    cast, case, other_org, other_lawyer, client_for
):
    referral = shared_case(
        cast["lawyer"], cast["outsider"], other_org, case, assignees=[other_lawyer]
    )
    assignee = client_for(other_lawyer)
    page = assignee.get(f"/referrals/{referral.pk}/")
    assert page.status_code == 200
    assert "Ver el caso compartido" in page.text
    assert "Marcar como concluida" not in page.text
    before = written()
    assert assignee.post(f"/referrals/{referral.pk}/", {"action": "decline"}).status_code == 404
    assert assignee.post(f"/referrals/{referral.pk}/complete/").status_code == 404
    assert written()[:2] == before[:2]
    assert Referral.objects.get().status == Status.ACCEPTED


def test_it_completes_an_accepted_referral_and_reading_ends(cast, case, other_org, outsider):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    assert outsider.get(f"/referrals/{referral.pk}/case/").status_code == 200
    assert outsider.post(f"/referrals/{referral.pk}/complete/").status_code == 302
    assert Referral.objects.get().status == Status.COMPLETED
    assert outsider.get(f"/referrals/{referral.pk}/case/").status_code == 404


def test_it_refuses_to_complete_a_declined_referral(outsider, pending, cast):
    from referrals.services import referral_decline

    referral_decline(membership=membership_of(cast["outsider"]), referral=pending, reason="other")
    before = written()
    response = outsider.post(f"/referrals/{pending.pk}/complete/")
    assert response.status_code == 400
    assert "Esta derivación ya no está abierta." in response.text
    assert written() == before


# --- The referred case --------------------------------------------------------------------


def test_it_shows_only_the_consented_categories_and_records_each_read(
    cast, case, org, other_org, outsider
):
    _note(cast["lawyer"], case, "Llegó con su hermana.")
    _note(cast["lawyer"], case, "Solo para el equipo.", "team")
    _note(cast["lawyer"], case, "Confidencial de abogacía.", "discipline")
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    response = outsider.get(f"/referrals/{referral.pk}/case/")
    text = response.text
    assert response.status_code == 200
    assert 'id="hechos"' in text
    assert "Violación" in text.split('id="hechos"')[1]
    assert 'id="notas"' in text
    assert "Llegó con su hermana." in text
    assert "Solo para el equipo." not in text
    assert "Confidencial de abogacía." not in text
    assert 'id="procesos"' not in text  # not consented: absent
    assert 'id="identidad"' not in text
    assert NAME not in text
    assert "71234567" not in text
    expected = [["category:notes"], ["category:incidents"]]
    assert sorted(_reads(referral, org)) == sorted(expected)
    assert sorted(_reads(referral, other_org)) == sorted(expected)


def test_it_shows_the_proceedings_read_only(cast, case, other_org, outsider):
    from proceedings.tests.hearings_setup import in_days, make_court, make_proceeding, schedule

    proceeding = make_proceeding(cast["lawyer"], case, nurej="201234567", prosecutor_number="F-99")
    court = make_court(cast["lawyer"])
    schedule(cast["lawyer"], case, proceeding, court, in_days(5))
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case, ["proceedings"])
    text = outsider.get(f"/referrals/{referral.pk}/case/").text
    section = text.split('id="procesos"')[1]
    assert "Etapa" in section
    assert "Próximo plazo" in section
    assert court.name in section
    assert f"{in_days(5):%d/%m/%Y} 09:00" in section
    assert "Programada" in section
    assert "201234567" not in text
    assert "F-99" not in text
    assert f"/cases/{case.pk}/proceedings/" not in text  # not the editable pages
    assert 'id="hechos"' not in text
    assert 'id="notas"' not in text


def test_it_answers_404_to_everyone_but_the_assignees(
    cast, case, other_org, other_lawyer, client_for
):
    referral = shared_case(
        cast["lawyer"], cast["outsider"], other_org, case, assignees=[other_lawyer]
    )
    assert client_for(other_lawyer).get(f"/referrals/{referral.pk}/case/").status_code == 200
    for user in (cast["outsider"], cast["lawyer"], cast["coordinator"]):  # decider, referrers
        assert client_for(user).get(f"/referrals/{referral.pk}/case/").status_code == 404


def test_a_pending_referral_shows_nothing(cast, other_org, outsider, pending):
    assert outsider.get(f"/referrals/{pending.pk}/case/").status_code == 404


@pytest.mark.parametrize("how", ["revoked", "expired", "consent_withdrawn"])
def test_it_answers_404_from_the_next_request_after_access_ends(
    cast, case, other_org, outsider, client_for, how
):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    assert outsider.get(f"/referrals/{referral.pk}/case/").status_code == 200
    if how == "revoked":
        client_for(cast["lawyer"]).post(f"/cases/{case.pk}/referrals/{referral.pk}/revoke/")
    elif how == "expired":
        Referral.objects.filter(pk=referral.pk).update(expires_on=TODAY() - dt.timedelta(days=1))
    else:
        consent_withdraw(membership=membership_of(cast["lawyer"]), consent=Consent.objects.get())
    reads = AuditEvent.objects.filter(action=Action.VIEW).count()
    assert outsider.get(f"/referrals/{referral.pk}/case/").status_code == 404
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == reads


# --- Identity -----------------------------------------------------------------------------


def test_it_keeps_identity_hidden_until_revealed(cast, case, org, other_org, sudo_client_for):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case, ["identity"])
    client = sudo_client_for(cast["outsider"])
    page = client.get(f"/referrals/{referral.pk}/case/").text
    assert "La identidad está oculta." in page
    assert f'action="/referrals/{referral.pk}/identity/"' in page
    assert NAME not in page
    assert _reads(referral, org) == []  # nothing of her was shown
    revealed = client.post(f"/referrals/{referral.pk}/identity/")
    assert revealed.status_code == 200
    assert NAME in revealed.text
    assert "71234567" in revealed.text
    assert _reads(referral, org) == [["category:identity"]]
    assert _reads(referral, other_org) == [["category:identity"]]


def test_revealing_identity_asks_to_confirm_the_password(cast, case, org, other_org, outsider):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case, ["identity"])
    response = outsider.post(f"/referrals/{referral.pk}/identity/")
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert _reads(referral, org) == []


def test_it_does_not_reveal_an_identity_she_did_not_consent_to_share(
    cast, case, org, other_org, sudo_client_for
):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    response = sudo_client_for(cast["outsider"]).post(f"/referrals/{referral.pk}/identity/")
    assert response.status_code == 404
    assert NAME not in response.text
    assert _reads(referral, org) == []
