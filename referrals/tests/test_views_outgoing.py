"""The referring side, inside a case: listing, referring (and each refusal), following a
referral with every read the other organisation made, revoking and completing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import CaseEvent
from conftest import open_case
from referrals.models import Referral, Status
from referrals.tests.views_setup import NAME, accept, refer, share, shared_case, written
from survivors.services import Identity

TODAY = timezone.localdate


def _url(case, tail=""):
    return f"/cases/{case.pk}/referrals/{tail}"


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"], identity=Identity(full_name=NAME))


@pytest.fixture
def lawyer(cast, client_for):
    return client_for(cast["lawyer"])


def _form(to="", **data):
    base = {
        "to_organisation": str(to),
        "external_service": "",
        "purpose": "legal",
        "categories": ["incidents"],
        "expires_on": (TODAY() + dt.timedelta(days=30)).isoformat(),
    }
    return {**base, **data}


# --- List ---------------------------------------------------------------------------------


def test_it_says_when_a_case_was_not_referred(case, lawyer):
    response = lawyer.get(_url(case))
    assert response.status_code == 200
    assert "Este caso no fue derivado." in response.text
    assert _url(case, "new/") in response.text


def test_it_lists_the_referrals_of_the_case_with_their_status(cast, case, lawyer, other_org):
    share(cast["lawyer"], case, other_org)
    referral = refer(cast["lawyer"], case, other_org)
    response = lawyer.get(_url(case))
    assert "Otra Org" in response.text
    assert "Representación legal" in response.text
    assert "Pendiente de respuesta" in response.text
    assert _url(case, f"{referral.pk}/") in response.text


def test_it_shows_an_open_referral_past_its_expiry_as_expired(cast, case, lawyer, other_org):
    share(cast["lawyer"], case, other_org)
    referral = refer(cast["lawyer"], case, other_org)
    Referral.objects.filter(pk=referral.pk).update(expires_on=TODAY() - dt.timedelta(days=1))
    assert "Vencida" in lawyer.get(_url(case)).text
    assert "Vencida" in lawyer.get(_url(case, f"{referral.pk}/")).text


def test_it_lets_the_team_see_referrals_but_only_managers_refer(cast, case, client_for):
    from cases.models import CaseMember

    CaseMember.objects.create(case=case, user=cast["social_worker"], role="social_worker")
    worker = client_for(cast["social_worker"])
    page = worker.get(_url(case))
    assert page.status_code == 200
    assert _url(case, "new/") not in page.text
    assert worker.get(_url(case, "new/")).status_code == 404
    assert worker.post(_url(case, "new/"), _form(external_service="Hospital")).status_code == 404
    assert Referral.objects.count() == 0


def test_it_hides_the_referrals_of_a_case_from_people_who_cannot_open_it(cast, case, client_for):
    for who in ("social_worker", "outsider"):
        assert client_for(cast[who]).get(_url(case)).status_code == 404


def test_it_lists_referrals_in_a_constant_number_of_queries(cast, case, lawyer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from organisations.models import Organisation

    def add(i):
        partner = Organisation.objects.create(name=f"Red {i}", slug=f"red-{i}", kind="ngo")
        share(cast["lawyer"], case, partner)
        refer(cast["lawyer"], case, partner)

    add(0)
    lawyer.get(_url(case))  # session and caches settle
    with CaptureQueriesContext(connection) as one:
        lawyer.get(_url(case))
    for i in range(1, 5):
        add(i)
    with CaptureQueriesContext(connection) as five:
        response = lawyer.get(_url(case))
    assert response.text.count("Pendiente de respuesta") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# --- New ----------------------------------------------------------------------------------


def test_it_shows_what_she_consented_to_share_and_defaults_the_expiry(
    cast, case, lawyer, other_org
):
    share(cast["lawyer"], case, other_org, ["incidents", "notes"])
    response = lawyer.get(_url(case, "new/"))
    assert response.status_code == 200
    assert "Lo que ella aceptó compartir" in response.text
    assert "<strong>Otra Org</strong>: Hechos, Notas" in response.text
    default = (TODAY() + dt.timedelta(days=90)).isoformat()
    assert f'value="{default}"' in response.text
    assert "Casa Prueba" not in response.text.split("<form")[-1]  # not to its own organisation


def test_it_refers_a_case_to_an_organisation_of_the_network(cast, case, lawyer, other_org):
    consent = share(cast["lawyer"], case, other_org, ["incidents", "notes"])
    response = lawyer.post(_url(case, "new/"), _form(other_org.pk, categories=["notes"]))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(case, f"{referral.pk}/")
    assert referral.status == Status.PENDING
    assert referral.to_organisation == other_org
    assert referral.categories == ["notes"]
    assert referral.consent == consent
    assert referral.requested_by == cast["lawyer"]
    line = CaseEvent.objects.get(case=case, kind="status")
    assert line.data["what"] == "referred"
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="referrals.referral", actor=cast["lawyer"]
    ).exists()


def test_it_records_a_referral_to_an_outside_service(case, lawyer):
    form = _form(external_service="Centro de Salud Villa Adela", categories=[])
    assert lawyer.post(_url(case, "new/"), form).status_code == 302
    referral = Referral.objects.get()
    assert referral.status == Status.RECORDED
    assert referral.to_organisation is None
    assert referral.categories == []
    detail = lawyer.get(_url(case, f"{referral.pk}/")).text
    assert "Centro de Salud Villa Adela" in detail
    assert "Registrada (servicio externo)" in detail


@pytest.mark.parametrize(
    ("consented", "data", "message"),
    [
        (
            None,
            {},
            "La sobreviviente no dio su consentimiento para compartir su caso con esa "
            "organización. Regístralo primero.",
        ),
        (
            ["incidents"],
            {"categories": ["incidents", "notes"]},
            "Solo se puede compartir lo que ella aceptó: Hechos.",
        ),
        (
            ["incidents"],
            {"expires_on": "yesterday"},
            "La fecha de vencimiento debe ser posterior a hoy.",
        ),
        (
            ["incidents"],
            {"external_service": "Hospital de Clínicas"},
            "Elige una organización de la red o un servicio externo, no ambos.",
        ),
        (["incidents"], {"to_organisation": "", "categories": []}, "Elige a quién se deriva."),
    ],
    ids=["no-consent", "beyond-consent", "past-expiry", "both", "nobody"],
)
def test_it_refuses_a_bad_referral_and_writes_nothing(
    cast, case, lawyer, other_org, consented, data, message
):
    if consented:
        share(cast["lawyer"], case, other_org, consented)
    if data.get("expires_on") == "yesterday":
        data = {**data, "expires_on": (TODAY() - dt.timedelta(days=1)).isoformat()}
    before = written()
    response = lawyer.post(_url(case, "new/"), _form(other_org.pk, **data))
    assert response.status_code == 400
    assert message in response.text
    assert written() == before


def test_it_refuses_to_refer_a_case_to_its_own_organisation(cast, case, lawyer, org):
    before = written()
    response = lawyer.post(_url(case, "new/"), _form(org.pk))
    assert response.status_code == 400
    assert "Un caso no se deriva a la propia organización." in response.text
    assert written() == before


def test_it_refuses_an_unknown_organisation(case, lawyer):
    before = written()
    response = lawyer.post(_url(case, "new/"), _form(999999))
    assert response.status_code == 400
    assert "Organización desconocida." in response.text
    assert written() == before


# --- Detail -------------------------------------------------------------------------------


def test_it_shows_who_decided_who_was_assigned_and_every_read(
    cast, case, lawyer, other_org, make_member, client_for
):
    helper = make_member("psychologist", other_org, "psico-otra@example.org")
    referral = shared_case(
        cast["lawyer"], cast["outsider"], other_org, case, assignees=[cast["outsider"], helper]
    )
    assert client_for(helper).get(f"/referrals/{referral.pk}/case/").status_code == 200
    response = lawyer.get(_url(case, f"{referral.pk}/"))
    text = response.text
    assert response.status_code == 200
    assert "Aceptada" in text
    assert "Hechos, Notas" in text
    assert f"dado el {TODAY():%d/%m/%Y}" in text  # the consent
    assert "Respondió" in text
    reads = text.split("Qué leyó la otra organización")[1]
    assert reads.count("Psychologist") == 2  # one read per category shown
    assert "Hechos" in reads
    assert "Notas" in reads
    people = text.split("Personas asignadas")[1].split("</dd>")[0]
    assert "Coordinator" in people
    assert "Psychologist" in people


def test_it_says_when_nothing_was_read_yet(cast, case, lawyer, other_org):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    assert "Todavía no leyó nada del caso." in lawyer.get(_url(case, f"{referral.pk}/")).text


def test_it_does_not_show_a_referral_of_another_case(cast, case, lawyer, other_org):
    other = open_case(cast["lawyer"])
    share(cast["lawyer"], other, other_org)
    referral = refer(cast["lawyer"], other, other_org)
    assert lawyer.get(_url(case, f"{referral.pk}/")).status_code == 404
    assert lawyer.post(_url(case, f"{referral.pk}/revoke/")).status_code == 404
    assert Referral.objects.get().status == Status.PENDING


# --- Revoke and complete ------------------------------------------------------------------


def test_it_revokes_a_referral_and_access_ends_at_once(cast, case, lawyer, other_org, client_for):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    outsider = client_for(cast["outsider"])
    assert outsider.get(f"/referrals/{referral.pk}/case/").status_code == 200
    detail = lawyer.get(_url(case, f"{referral.pk}/")).text
    assert "Revocar la derivación" in detail
    response = lawyer.post(_url(case, f"{referral.pk}/revoke/"))
    assert response.status_code == 302
    assert Referral.objects.get().status == Status.REVOKED
    assert outsider.get(f"/referrals/{referral.pk}/case/").status_code == 404
    assert CaseEvent.objects.filter(case=case, data__what="revoked").exists()


def test_it_refuses_to_revoke_a_closed_referral(cast, case, lawyer, other_org):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    lawyer.post(_url(case, f"{referral.pk}/revoke/"))
    before = written()
    response = lawyer.post(_url(case, f"{referral.pk}/revoke/"))
    assert response.status_code == 400
    assert "Esta derivación ya no está abierta." in response.text
    assert written() == before


def test_it_lets_only_managers_revoke(cast, case, other_org, client_for):
    from cases.models import CaseMember

    CaseMember.objects.create(case=case, user=cast["social_worker"], role="social_worker")
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    worker = client_for(cast["social_worker"])
    assert "Revocar la derivación" not in worker.get(_url(case, f"{referral.pk}/")).text
    assert worker.post(_url(case, f"{referral.pk}/revoke/")).status_code == 404
    assert Referral.objects.get().status == Status.ACCEPTED


def test_it_completes_an_accepted_referral(cast, case, lawyer, other_org, client_for):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    assert lawyer.post(_url(case, f"{referral.pk}/complete/")).status_code == 302
    assert Referral.objects.get().status == Status.COMPLETED
    assert client_for(cast["outsider"]).get(f"/referrals/{referral.pk}/case/").status_code == 404


def test_it_refuses_to_complete_a_pending_referral(cast, case, lawyer, other_org):
    share(cast["lawyer"], case, other_org)
    referral = refer(cast["lawyer"], case, other_org)
    before = written()
    response = lawyer.post(_url(case, f"{referral.pk}/complete/"))
    assert response.status_code == 400
    assert "Solo se concluye una derivación aceptada: si ya no hace falta, revócala." in (
        response.text
    )
    assert written() == before


# --- The case page ------------------------------------------------------------------------


def test_the_case_page_shows_its_referrals_and_their_story(cast, case, lawyer, other_org):
    referral = shared_case(cast["lawyer"], cast["outsider"], other_org, case)
    text = lawyer.get(f"/cases/{case.pk}/").text
    section = text.split('id="derivaciones"')[1].split("</section>")[0]
    assert "Otra Org" in section
    assert "Aceptada" in section
    assert f"{referral.expires_on:%d/%m/%Y}" in section
    assert _url(case, "new/") in section
    story = text.split('id="timeline"')[1]
    assert "Caso derivado: Representación legal" in story
    assert "Derivación aceptada por la organización que la recibe" in story


def test_the_case_page_tells_a_decline_and_a_revocation(cast, case, lawyer, other_org):
    from referrals.services import referral_decline
    from referrals.tests.views_setup import membership_of

    share(cast["lawyer"], case, other_org)
    declined = refer(cast["lawyer"], case, other_org)
    referral_decline(
        membership=membership_of(cast["outsider"]), referral=declined, reason="no_capacity"
    )
    revoked = refer(cast["lawyer"], case, other_org)
    accept(cast["outsider"], revoked, [cast["outsider"]])
    lawyer.post(_url(case, f"{revoked.pk}/revoke/"))
    story = lawyer.get(f"/cases/{case.pk}/").text.split('id="timeline"')[1]
    assert "Derivación rechazada: Sin capacidad para recibir más casos" in story
    assert "Derivación revocada: el acceso terminó" in story


def test_the_case_page_offers_to_refer_only_to_managers(cast, case, client_for):
    from cases.models import CaseMember

    CaseMember.objects.create(case=case, user=cast["social_worker"], role="social_worker")
    text = client_for(cast["social_worker"]).get(f"/cases/{case.pk}/").text
    section = text.split('id="derivaciones"')[1].split("</section>")[0]
    assert "Este caso no fue derivado." in section
    assert _url(case, "new/") not in section


def test_it_shows_a_referral_in_a_constant_number_of_queries(
    cast, case, lawyer, other_org, client_for, make_member
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    readers = [make_member("lawyer", other_org, f"reader{i}@example.org") for i in range(3)]
    referral = shared_case(
        cast["lawyer"], cast["outsider"], other_org, case, assignees=[cast["outsider"], *readers]
    )
    url = _url(case, f"{referral.pk}/")
    client_for(cast["outsider"]).get(f"/referrals/{referral.pk}/case/")
    lawyer.get(url)  # session and caches settle
    with CaptureQueriesContext(connection) as few:
        lawyer.get(url)
    for reader in readers:
        client_for(reader).get(f"/referrals/{referral.pk}/case/")
    with CaptureQueriesContext(connection) as many:
        response = lawyer.get(url)
    assert response.text.split("Qué leyó la otra organización")[1].count("<time") == 8
    assert len(many.captured_queries) == len(few.captured_queries)
