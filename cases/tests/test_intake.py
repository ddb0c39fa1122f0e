"""The short intake (three steps) and what happens when she may already be registered."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.forms_intake import SESSION_KEY
from cases.models import Case, CaseEvent, CaseMember, DatePrecision, EventKind, Incident
from conftest import open_case
from organisations.models import Role
from survivors.models import MatchNotice, Survivor
from survivors.services import Identity

INTAKE = "/cases/intake/"
MATCH = "/cases/intake/match/"
CANCEL = "/cases/intake/cancel/"
NAME = "Rosa Quispe Mamani"
DOCUMENT = "4829113 LP"
PHONE = "+591 71234567"
BIRTH = "2001-05-14"


def _age(born: date) -> int:
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


AGE = str(_age(date.fromisoformat(BIRTH)))

STEP1 = {
    "safe_to_talk": "yes",
    "channels": ["call", "whatsapp"],
    "safe_hours": "mañanas",
    "may_leave_message": "no",
    "code_word": "girasol",
}
STEP2 = {
    "age": AGE,
    "sex": "female",
    "municipality": "020105",
    "languages": ["es", "ay"],
    "disability": "none",
    "full_name": NAME,
    "document_number": DOCUMENT,
    "phone": PHONE,
    "birth_date": BIRTH,
}
STEP3 = {
    "violence_type": "rape",
    "date_precision": "month",
    "month": "3",
    "year": "2026",
    "intake_channel": "felcv",
    "summary": "Acudió con su hermana.",
}


def _post(client: Client, step: int, data: dict, action: str = "next"):
    return client.post(INTAKE, {**data, "step": str(step), "action": action})


def _walk(client: Client, step1=STEP1, step2=STEP2, step3=STEP3):
    assert _post(client, 1, step1).status_code == 302
    assert _post(client, 2, step2).status_code == 302
    return _post(client, 3, step3)


def _counts() -> tuple[int, int, int]:
    return Survivor.objects.count(), Case.objects.count(), Incident.objects.count()


@pytest.fixture
def lawyer(cast, client_for) -> Client:
    return client_for(cast["lawyer"])


def test_it_opens_a_case_after_three_steps(cast, lawyer):
    response = _walk(lawyer)

    case = Case.objects.select_related("survivor").get()
    assert response.status_code == 302
    assert response.url == f"/cases/{case.pk}/"
    survivor = case.survivor
    assert survivor.code.startswith("LPZ-")
    assert survivor.age_band == ("18-24" if int(AGE) <= 24 else "25-34")
    assert survivor.municipality.code == "020105"
    assert survivor.department.abbreviation == "LPZ"
    assert survivor.languages == ["ay", "es"]
    assert survivor.full_name == NAME
    assert survivor.birth_date == BIRTH
    assert case.intake_channel == "felcv"
    assert case.safe_to_talk is True
    assert case.may_leave_message is False
    assert case.contact_channels == ["call", "whatsapp"]
    assert case.code_word == "girasol"
    assert case.summary == "Acudió con su hermana."
    # The success message names the code.
    follow = lawyer.get(INTAKE)
    assert survivor.code in follow.text


def test_it_stores_her_identity_encrypted(cast, lawyer):
    _walk(lawyer)
    survivor = Survivor.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name, document_number, phone FROM survivors_survivor WHERE id = %s",
            [survivor.pk],
        )
        stored = " ".join(cursor.fetchone())
    for value in (NAME, DOCUMENT, PHONE, "Quispe"):
        assert value not in stored
    assert survivor.document_index
    assert survivor.phone_index
    assert survivor.name_dob_index


def test_it_records_the_first_incident_on_the_first_of_the_month(cast, lawyer):
    _walk(lawyer, step3={**STEP3, "month": "2", "year": "2025"})
    incident = Incident.objects.get()
    assert incident.occurred_on == date(2025, 2, 1)
    assert incident.date_precision == DatePrecision.MONTH
    assert incident.violence_type == "rape"
    assert incident.municipality.code == "020105"


def test_it_keeps_an_exact_date_when_she_knows_it(cast, lawyer):
    _walk(lawyer, step3={**STEP3, "date_precision": "exact", "occurred_on": "2025-07-19"})
    incident = Incident.objects.get()
    assert incident.occurred_on == date(2025, 7, 19)
    assert incident.date_precision == DatePrecision.EXACT


def test_it_makes_the_creator_lead_and_team_and_writes_the_timeline_and_trail(cast, lawyer):
    _walk(lawyer)
    case = Case.objects.get()
    assert case.lead == cast["lawyer"]
    assert case.created_by == cast["lawyer"]
    team = CaseMember.objects.filter(case=case, removed_at__isnull=True)
    assert [(m.user, m.role) for m in team] == [(cast["lawyer"], Role.LAWYER)]
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {EventKind.INTAKE, EventKind.INCIDENT} <= kinds
    created = set(
        AuditEvent.objects.filter(action=Action.CREATE, actor=cast["lawyer"]).values_list(
            "object_type", flat=True
        )
    )
    assert {"survivors.survivor", "cases.case", "cases.incident"} <= created
    survivor_event = AuditEvent.objects.get(object_type="survivors.survivor")
    assert "full_name" in survivor_event.fields
    assert all(NAME not in f for e in AuditEvent.objects.all() for f in e.fields)


def test_it_opens_a_case_with_only_the_minimum(cast, lawyer):
    """Not safe to talk: only age, municipality, kind of violence and approximate date."""
    response = _walk(
        lawyer,
        step1={"safe_to_talk": "no", "safe_hours": "martes 10:00"},
        step2={"age": "15", "municipality": "070101"},
        step3={"violence_type": "sexual_assault", "month": "1", "year": "2026"},
    )
    assert response.status_code == 302
    case = Case.objects.select_related("survivor").get()
    assert case.safe_to_talk is False
    assert case.safe_hours == "martes 10:00"
    assert case.survivor.code.startswith("SCZ-")
    assert case.survivor.is_child
    assert case.survivor.full_name == ""
    assert case.intake_channel == "walk_in"


def test_it_shows_a_calm_message_when_it_is_not_safe_to_talk(cast, lawyer):
    _post(lawyer, 1, {"safe_to_talk": "no"})
    page = lawyer.get(INTAKE)
    assert "Ahora no es seguro hablar" in page.text
    assert "acuerden un momento seguro" in page.text
    assert "<details" in page.text  # identity folded away


def test_it_shows_the_step_indicator_and_says_a_code_will_be_generated(cast, lawyer):
    page = lawyer.get(INTAKE)
    assert page.status_code == 200
    assert "Paso 1 de 3" in page.text
    assert 'aria-current="step"' in page.text
    _post(lawyer, 1, STEP1)
    page = lawyer.get(INTAKE)
    assert "Paso 2 de 3" in page.text
    assert "Amparo genera un código" in page.text


def test_it_lists_municipalities_by_department(cast, lawyer):
    _post(lawyer, 1, STEP1)
    page = lawyer.get(INTAKE).text
    assert '<optgroup label="La Paz">' in page
    assert '<option value="020105">El Alto (La Paz)</option>' in page


def test_it_asks_for_age_and_municipality_in_step_two(cast, lawyer):
    _post(lawyer, 1, STEP1)
    response = _post(lawyer, 2, {"full_name": NAME})
    assert response.status_code == 400
    assert "Indica la edad, aunque sea aproximada." in response.text
    assert "Elige el municipio." in response.text
    assert "Paso 2 de 3" in response.text
    assert _counts() == (0, 0, 0)


def test_it_asks_for_the_kind_of_violence_and_date_in_step_three(cast, lawyer):
    _post(lawyer, 1, STEP1)
    _post(lawyer, 2, STEP2)
    response = _post(lawyer, 3, {"date_precision": "month"})
    assert response.status_code == 400
    assert "Elige el tipo de violencia." in response.text
    assert "Indica el mes aproximado." in response.text
    assert "Indica el año aproximado." in response.text
    exact = _post(lawyer, 3, {"violence_type": "rape", "date_precision": "exact"})
    assert exact.status_code == 400
    assert "Indica la fecha exacta." in exact.text
    assert _counts() == (0, 0, 0)


def test_it_rejects_an_unknown_municipality_code(cast, lawyer):
    _post(lawyer, 1, STEP1)
    response = _post(lawyer, 2, {**STEP2, "municipality": "999999"})
    assert response.status_code == 400
    assert "No conocemos ese municipio. Elige uno de la lista." in response.text


@pytest.mark.parametrize("age", ["-1", "121", "veinte"])
def test_it_rejects_an_age_out_of_range(cast, lawyer, age):
    _post(lawyer, 1, STEP1)
    response = _post(lawyer, 2, {**STEP2, "age": age, "birth_date": ""})
    assert response.status_code == 400
    assert 'id="id_age_error"' in response.text or "errorlist" in response.text
    assert _counts() == (0, 0, 0)


def test_it_rejects_an_age_that_contradicts_the_birth_date(cast, lawyer):
    _post(lawyer, 1, STEP1)
    response = _post(lawyer, 2, {**STEP2, "age": str(int(AGE) + 10)})
    assert response.status_code == 400
    assert "La edad no coincide con la fecha de nacimiento." in response.text


def test_it_rejects_dates_in_the_future(cast, lawyer):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    _post(lawyer, 1, STEP1)
    born = _post(lawyer, 2, {**STEP2, "birth_date": (today + timedelta(days=1)).isoformat()})
    assert born.status_code == 400
    assert "La fecha no puede estar en el futuro." in born.text
    _post(lawyer, 2, STEP2)
    month = _post(
        lawyer, 3, {**STEP3, "month": str(next_month.month), "year": str(next_month.year)}
    )
    assert month.status_code == 400
    assert "La fecha no puede estar en el futuro." in month.text
    exact = _post(
        lawyer,
        3,
        {**STEP3, "date_precision": "exact", "occurred_on": (today + timedelta(1)).isoformat()},
    )
    assert exact.status_code == 400
    assert "La fecha no puede estar en el futuro." in exact.text
    assert _counts() == (0, 0, 0)


def test_it_goes_back_without_losing_what_she_typed(cast, lawyer):
    _post(lawyer, 1, STEP1)
    assert _post(lawyer, 2, {**STEP2, "age": ""}, action="back").status_code == 302
    step1 = lawyer.get(INTAKE).text
    assert "Paso 1 de 3" in step1
    assert 'value="girasol"' in step1
    _post(lawyer, 1, STEP1)
    step2 = lawyer.get(INTAKE).text
    assert f'value="{NAME}"' in step2


def test_it_ignores_a_post_for_another_step(cast, lawyer):
    response = _post(lawyer, 3, STEP3)
    assert response.status_code == 302
    assert "Paso 1 de 3" in lawyer.get(INTAKE).text


def _session_data(client: Client) -> dict:
    return Session.objects.get(session_key=client.session.session_key).get_decoded()


def test_it_keeps_the_draft_encrypted_in_the_session(cast, lawyer):
    _post(lawyer, 1, STEP1)
    _post(lawyer, 2, STEP2)
    stored = _session_data(lawyer)
    assert SESSION_KEY in stored
    plain = json.dumps(stored)
    for value in ("Rosa", "Quispe", DOCUMENT, "girasol", "71234567"):
        assert value not in plain


def test_it_clears_the_draft_on_cancel(cast, lawyer):
    _post(lawyer, 1, STEP1)
    _post(lawyer, 2, STEP2)
    response = lawyer.post(CANCEL)
    assert response.status_code == 302
    assert SESSION_KEY not in _session_data(lawyer)
    assert "Paso 1 de 3" in lawyer.get(INTAKE).text
    assert _counts() == (0, 0, 0)


def test_it_clears_the_draft_when_the_case_is_opened(cast, lawyer):
    _walk(lawyer)
    assert SESSION_KEY not in _session_data(lawyer)


def test_it_drops_a_draft_started_for_another_organisation(cast, lawyer, other_org, make_member):
    from organisations.middleware import SESSION_ACTING_ORG

    make_member(Role.LAWYER, other_org, cast["lawyer"].email)
    _post(lawyer, 1, STEP1)
    _post(lawyer, 2, STEP2)
    session = lawyer.session
    session[SESSION_ACTING_ORG] = other_org.pk
    session.save()
    assert "Paso 1 de 3" in lawyer.get(INTAKE).text


# --- Possible duplicates -------------------------------------------------------------------


@pytest.mark.parametrize(
    "identity",
    [
        {"document_number": "4829113-LP"},  # normalised: the same document
        {"phone": "+59171234567"},
        {"full_name": "rosa quispe mamani", "birth_date": BIRTH},
    ],
    ids=["document", "phone", "name-and-birth-date"],
)
def test_it_stops_a_second_intake_of_the_same_person_in_the_organisation(cast, lawyer, identity):
    _walk(lawyer)
    before = _counts()
    notices = MatchNotice.objects.count()
    step2 = {"age": AGE, "municipality": "020105", **identity}
    response = _walk(lawyer, step2=step2)
    assert response.status_code == 400
    assert "Esta persona ya está registrada en tu organización" in response.text
    assert "Es otra persona: continuar" not in response.text
    assert _counts() == before
    # Insisting changes nothing either: the service refuses it inside the organisation.
    again = lawyer.post(MATCH, {"action": "new_person"})
    assert again.status_code == 400
    assert _counts() == before
    assert MatchNotice.objects.count() == notices


def test_it_links_to_her_case_when_the_duplicate_is_visible(cast, lawyer):
    _walk(lawyer)
    case = Case.objects.get()
    response = _walk(lawyer)
    assert f'href="/cases/{case.pk}/"' in response.text


def test_it_tells_a_colleague_off_the_team_to_ask_her_coordinator(cast, lawyer, client_for):
    _walk(lawyer)
    colleague = client_for(cast["social_worker"])
    response = _walk(colleague)
    assert response.status_code == 400
    assert "pide a tu coordinadora" in response.text
    assert "/cases/" + str(Case.objects.get().pk) not in response.text


@pytest.fixture
def theirs(cast):
    """A survivor registered by the other organisation, with the same identity."""
    return open_case(
        cast["outsider"],
        identity=Identity(
            full_name=NAME, document_number=DOCUMENT, phone=PHONE, birth_date=date(2001, 5, 14)
        ),
    ).survivor


def test_it_names_only_the_organisation_that_holds_a_match(cast, lawyer, theirs):
    before = _counts()
    response = _walk(lawyer)
    assert response.status_code == 400
    assert "Otra Org" in response.text
    assert theirs.code not in response.text
    assert NAME not in response.text
    assert DOCUMENT not in response.text
    assert "Pedir derivación a Otra Org" in response.text
    assert "Es otra persona: continuar" in response.text
    assert _counts() == before
    # Coming back to the intake shows the same page, still naming nothing else.
    page = lawyer.get(INTAKE)
    assert page.status_code == 200
    assert "Otra Org" in page.text
    assert theirs.code not in page.text


def test_it_asks_the_holder_for_a_referral(
    cast, lawyer, theirs, client_for, make_member, other_org
):
    _walk(lawyer)
    response = lawyer.post(MATCH, {"action": "referral", "organisation": str(other_org.pk)})
    assert response.status_code == 302
    notice = MatchNotice.objects.get()
    assert notice.survivor == theirs
    assert notice.holder == other_org
    assert notice.requester == cast["lawyer"].memberships.get().organisation
    assert notice.referral_requested
    assert AuditEvent.objects.filter(object_type="survivors.matchnotice", action="create").exists()
    # Asking twice makes one notice; the draft is kept so she can go on.
    lawyer.post(MATCH, {"action": "referral", "organisation": str(other_org.pk)})
    assert MatchNotice.objects.count() == 1
    page = lawyer.get(INTAKE)
    assert "Derivación pedida" in page.text
    assert SESSION_KEY in _session_data(lawyer)
    # The holder's coordinator sees it; the holder's lawyer does not.
    coordinator = client_for(cast["outsider"]).get("/cases/matches/")
    assert coordinator.status_code == 200
    assert theirs.code in coordinator.text
    assert "Casa Prueba" in coordinator.text
    their_lawyer = make_member(Role.LAWYER, other_org, "their-lawyer@example.org")
    assert client_for(their_lawyer).get("/cases/matches/").status_code == 404
    # The requesting organisation's coordinator has no notice about it.
    ours = client_for(cast["coordinator"]).get("/cases/matches/")
    assert theirs.code not in ours.text
    assert "No hay avisos de coincidencia pendientes." in ours.text


def test_it_refuses_a_referral_to_an_organisation_that_holds_no_match(cast, lawyer, theirs, org):
    _walk(lawyer)
    response = lawyer.post(MATCH, {"action": "referral", "organisation": str(org.pk)})
    assert response.status_code == 400
    assert MatchNotice.objects.count() == 0


def test_it_opens_the_case_when_she_is_someone_else(cast, lawyer, theirs):
    _walk(lawyer)
    before = _counts()
    response = lawyer.post(MATCH, {"action": "new_person"})
    assert response.status_code == 302
    assert _counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    case = Case.objects.get(organisation__slug="casa")
    assert response.url == f"/cases/{case.pk}/"
    assert case.survivor != theirs
    assert SESSION_KEY not in _session_data(lawyer)


def test_it_lets_her_review_the_data_after_a_match(cast, lawyer, theirs):
    _walk(lawyer)
    assert lawyer.post(MATCH, {"action": "review"}).status_code == 302
    assert "Paso 2 de 3" in lawyer.get(INTAKE).text
    cleared = {**STEP2, "document_number": "", "phone": "", "birth_date": ""}
    assert _post(lawyer, 2, cleared).status_code == 302
    response = _post(lawyer, 3, STEP3)
    assert response.status_code == 302
    assert Case.objects.filter(organisation__slug="casa").count() == 1


def test_it_answers_the_match_page_before_anything_else(cast, lawyer, theirs):
    _walk(lawyer)
    assert _post(lawyer, 3, STEP3).status_code == 302
    assert lawyer.post(MATCH, {"action": "dance"}).status_code == 400
    assert Case.objects.filter(organisation__slug="casa").count() == 0


# --- Match notices -------------------------------------------------------------------------


@pytest.fixture
def notice(cast, lawyer, theirs, other_org):
    _walk(lawyer)
    lawyer.post(MATCH, {"action": "referral", "organisation": str(other_org.pk)})
    return MatchNotice.objects.get()


def test_it_lets_the_holders_coordinator_close_a_notice(cast, client_for, notice):
    coordinator = client_for(cast["outsider"])
    response = coordinator.post(f"/cases/matches/{notice.pk}/close/")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == MatchNotice.State.CLOSED
    event = AuditEvent.objects.get(object_type="survivors.matchnotice", action="update")
    assert event.fields == ["state"]
    assert "No hay avisos de coincidencia pendientes." in coordinator.get("/cases/matches/").text
    again = coordinator.post(f"/cases/matches/{notice.pk}/close/", follow=True)
    assert "Este aviso ya estaba atendido." in again.text


def test_it_hides_notices_from_the_requesting_organisation(cast, client_for, notice):
    response = client_for(cast["coordinator"]).post(f"/cases/matches/{notice.pk}/close/")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.state == MatchNotice.State.OPEN


def test_it_links_the_notice_to_the_holders_case(cast, client_for, notice, theirs):
    case = Case.objects.get(survivor=theirs)
    page = client_for(cast["outsider"]).get("/cases/matches/")
    assert f'href="/cases/{case.pk}/"' in page.text
    assert "documento" in page.text


def test_it_lists_notices_in_few_queries(
    cast, client_for, notice, theirs, django_assert_max_num_queries
):
    for _ in range(5):
        MatchNotice.objects.create(
            survivor=theirs,
            holder=notice.holder,
            requester=notice.requester,
            requested_by=cast["lawyer"],
            matched_on=["phone_index"],
        )
    coordinator = client_for(cast["outsider"])
    with django_assert_max_num_queries(10):
        response = coordinator.get("/cases/matches/")
    assert response.text.count("Marcar como atendido") == 6


def test_it_shows_the_links_in_the_navigation_to_those_who_may_use_them(cast, client_for):
    coordinator = client_for(cast["coordinator"]).get("/").text
    assert 'href="/cases/matches/"' in coordinator
    assert 'href="/cases/intake/"' in coordinator
    lawyer = client_for(cast["lawyer"]).get("/").text
    assert 'href="/cases/matches/"' not in lawyer
    assert 'href="/cases/intake/"' in lawyer
    analyst = client_for(cast["analyst"]).get("/").text
    assert 'href="/cases/intake/"' not in analyst
