"""The forms that add to a case: good input writes the row, its timeline line and its audit
event; bad input answers 400 with a clear message and writes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import models, services
from cases.models import CaseEvent, CaseMember, CaseStatus, Incident, Note, Task
from cases.services import IncidentData
from conftest import open_case
from jurisdictions.models import Municipality
from organisations.models import Membership
from survivors.models import Consent
from survivors.services import Identity

NAME = "Rosa Condori"
TODAY = timezone.localdate


def _m(user):
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def _url(case, suffix=""):
    return f"/cases/{case.pk}/{suffix}"


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"], identity=Identity(full_name=NAME))


@pytest.fixture
def lawyer(cast, client_for):
    return client_for(cast["lawyer"])


def _written():
    """Everything a casework form may write."""
    return (
        Incident.objects.count(),
        Note.objects.count(),
        Task.objects.filter(done_at__isnull=False).count(),
        Task.objects.count(),
        models.Testimony.objects.count(),
        CaseMember.objects.filter(removed_at=None).count(),
        Consent.objects.filter(withdrawn_at=None).count(),
        Consent.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def _rejected(response, message, before):
    assert response.status_code == 400
    assert message in response.text
    assert _written() == before


def _events(case, kind):
    return CaseEvent.objects.filter(case=case, kind=kind)


def _audited(action, object_type, actor):
    return AuditEvent.objects.filter(action=action, object_type=object_type, actor=actor).exists()


@pytest.mark.parametrize(
    "suffix",
    [
        "incidents/new/",
        "notes/new/",
        "tasks/new/",
        "testimonies/new/",
        "team/",
        "close/",
        "consents/new/",
        "identity/",
    ],
)
def test_it_shows_each_form(case, lawyer, suffix):
    response = lawyer.get(_url(case, suffix))
    assert response.status_code == 200
    assert f"Volver al caso {case.survivor.code}" in response.text


# --- Incidents ----------------------------------------------------------------------------

INCIDENT = {
    "date_precision": "month",
    "month": "2",
    "year": "2026",
    "municipality": "020101",
    "violence_type": "sexual_assault",
    "offences": ["308"],
    "perpetrator_relationship": "stepfather",
    "perpetrator_sex": "male",
    "perpetrator_age_band": "35-44",
    "repeats_earlier": "on",
}


def test_it_records_an_incident_by_month(cast, case, lawyer):
    response = lawyer.post(_url(case, "incidents/new/"), INCIDENT, follow=True)
    assert response.redirect_chain == [(_url(case), 302)]
    assert "Hecho registrado." in response.text
    incident = Incident.objects.filter(case=case).latest("pk")
    assert incident.occurred_on == date(2026, 2, 1)
    assert incident.date_precision == "month"
    assert incident.violence_type == "rape"  # the offence's type comes first
    assert [o.code for o in incident.offences.all()] == ["308"]
    assert incident.municipality.code == "020101"
    assert incident.repeats_earlier
    assert _events(case, "incident").count() == 2  # the intake's and this one
    assert _audited(Action.CREATE, "cases.incident", cast["lawyer"])


def test_it_records_an_incident_on_an_exact_date(case, lawyer):
    data = {**INCIDENT, "date_precision": "exact", "occurred_on": "2025-12-24"}
    assert lawyer.post(_url(case, "incidents/new/"), data).status_code == 302
    assert Incident.objects.filter(case=case).latest("pk").occurred_on == date(2025, 12, 24)


def test_it_refuses_an_incident_dated_in_the_future(case, lawyer):
    before = _written()
    tomorrow = TODAY() + timedelta(days=1)
    data = {**INCIDENT, "date_precision": "exact", "occurred_on": tomorrow.isoformat()}
    _rejected(
        lawyer.post(_url(case, "incidents/new/"), data),
        "La fecha no puede estar en el futuro.",
        before,
    )


def test_it_refuses_an_incident_in_a_future_month(case, lawyer):
    before = _written()
    data = {**INCIDENT, "month": "1", "year": str(TODAY().year + 1)}
    _rejected(
        lawyer.post(_url(case, "incidents/new/"), data),
        "La fecha no puede estar en el futuro.",
        before,
    )


def test_it_refuses_an_unknown_municipality(case, lawyer):
    before = _written()
    data = {**INCIDENT, "municipality": "999999"}
    _rejected(lawyer.post(_url(case, "incidents/new/"), data), "999999", before)


def test_it_refuses_an_unknown_offence(case, lawyer):
    before = _written()
    data = {**INCIDENT, "offences": ["308", "999"]}
    _rejected(lawyer.post(_url(case, "incidents/new/"), data), "999", before)


def test_it_asks_for_the_month_of_an_approximate_date(case, lawyer):
    before = _written()
    data = {**INCIDENT, "month": ""}
    _rejected(lawyer.post(_url(case, "incidents/new/"), data), "Indica el mes.", before)


# --- Notes --------------------------------------------------------------------------------


def test_it_adds_a_note(cast, case, lawyer):
    response = lawyer.post(_url(case, "notes/new/"), {"body": "Llamó hoy", "sensitivity": "team"})
    assert response.status_code == 302
    note = Note.objects.get(case=case)
    assert note.body == "Llamó hoy"
    assert note.sensitivity == "team"
    assert note.discipline == "lawyer"
    assert _events(case, "note").get().data == {"sensitivity": "team"}
    assert _audited(Action.CREATE, "cases.note", cast["lawyer"])


def test_it_refuses_an_empty_note(case, lawyer):
    before = _written()
    response = lawyer.post(_url(case, "notes/new/"), {"body": "   ", "sensitivity": "normal"})
    _rejected(response, "Este campo es obligatorio.", before)


def test_it_lets_any_team_member_add_a_note(cast, case, client_for):
    services.team_add(membership=_m(cast["lawyer"]), case=case, user_id=cast["psychologist"].pk)
    response = client_for(cast["psychologist"]).post(
        _url(case, "notes/new/"), {"body": "Sesión", "sensitivity": "discipline"}
    )
    assert response.status_code == 302
    assert Note.objects.get(case=case).discipline == "psychologist"


# --- Tasks --------------------------------------------------------------------------------


def test_it_adds_a_task(cast, case, lawyer):
    due = TODAY() + timedelta(days=3)
    data = {"title": "Acompañar a la audiencia", "assignee": cast["psychologist"].pk}
    response = lawyer.post(_url(case, "tasks/new/"), {**data, "due_on": due.isoformat()})
    assert response.status_code == 302
    task = Task.objects.get(case=case)
    assert task.title == "Acompañar a la audiencia"
    assert task.assignee == cast["psychologist"]
    assert task.due_on == due
    assert _events(case, "task").get().data == {"due_on": due.isoformat()}
    assert _audited(Action.CREATE, "cases.task", cast["lawyer"])


@pytest.mark.parametrize("person", ["outsider", "org_admin", "analyst"])
def test_it_refuses_a_task_for_someone_who_does_not_work_cases_here(cast, case, lawyer, person):
    before = _written()
    data = {"title": "Llamar", "assignee": cast[person].pk}
    _rejected(lawyer.post(_url(case, "tasks/new/"), data), "Escoja una opción válida", before)


def test_it_marks_a_task_done_once(cast, case, lawyer):
    task = services.task_add(
        membership=_m(cast["lawyer"]),
        case=case,
        title="t",
        assignee_id=cast["lawyer"].pk,
        due_on=None,
    )
    response = lawyer.post(_url(case, f"tasks/{task.pk}/done/"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    assert _events(case, "task_done").count() == 1
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.task").exists()
    before = _written()
    _rejected(
        lawyer.post(_url(case, f"tasks/{task.pk}/done/")),
        "Esta tarea ya estaba cumplida.",
        before,
    )


def test_it_does_not_complete_a_task_through_another_case(cast, case, lawyer):
    other = open_case(cast["lawyer"])
    task = services.task_add(
        membership=_m(cast["lawyer"]),
        case=other,
        title="t",
        assignee_id=cast["lawyer"].pk,
        due_on=None,
    )
    assert lawyer.post(_url(case, f"tasks/{task.pk}/done/")).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


# --- Testimonies --------------------------------------------------------------------------


def test_it_records_a_testimony(cast, case, lawyer):
    data = {
        "taken_on": "2026-03-05",
        "interviewer": "prosecutor",
        "institution": "Fiscalía de El Alto",
        "recorded": "on",
        "gesell_chamber": "on",
    }
    assert lawyer.post(_url(case, "testimonies/new/"), data).status_code == 302
    testimony = models.Testimony.objects.get(case=case)
    assert testimony.recorded
    assert testimony.gesell_chamber
    assert _events(case, "testimony").get().data == {
        "interviewer": "prosecutor",
        "recorded": True,
        "gesell": True,
    }
    assert _audited(Action.CREATE, "cases.testimony", cast["lawyer"])


def test_it_refuses_a_testimony_in_the_future(case, lawyer):
    before = _written()
    data = {"taken_on": (TODAY() + timedelta(days=1)).isoformat(), "interviewer": "police"}
    _rejected(
        lawyer.post(_url(case, "testimonies/new/"), data),
        "La fecha no puede estar en el futuro.",
        before,
    )


def test_it_warns_before_asking_again_after_a_recorded_interview(cast, case, lawyer):
    services.testimony_add(
        membership=_m(cast["lawyer"]),
        case=case,
        taken_on=date(2026, 3, 1),
        interviewer="prosecutor",
        recorded=True,
    )
    text = lawyer.get(_url(case, "testimonies/new/")).text
    assert "Ya existe una entrevista grabada" in text


# --- Team ---------------------------------------------------------------------------------


def test_it_adds_to_the_team_and_changes_the_lead(cast, case, lawyer):
    data = {"user": cast["social_worker"].pk, "lead": "on"}
    assert lawyer.post(_url(case, "team/"), data).status_code == 302
    case.refresh_from_db()
    assert case.lead == cast["social_worker"]
    assert CaseMember.objects.filter(case=case, user=cast["social_worker"]).exists()
    assert _events(case, "team").get().data == {"added": cast["social_worker"].pk, "lead": True}
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.case", fields=["lead", "team"]
    ).exists()


def test_it_refuses_a_team_place_for_someone_outside_the_organisation(cast, case, lawyer):
    before = _written()
    response = lawyer.post(_url(case, "team/"), {"user": cast["outsider"].pk})
    _rejected(response, "Escoja una opción válida", before)


def test_it_removes_from_the_team(cast, case, lawyer):
    services.team_add(membership=_m(cast["lawyer"]), case=case, user_id=cast["psychologist"].pk)
    response = lawyer.post(_url(case, f"team/{cast['psychologist'].pk}/remove/"))
    assert response.status_code == 302
    assert not CaseMember.objects.filter(
        case=case, user=cast["psychologist"], removed_at=None
    ).exists()
    assert _events(case, "team").filter(data__removed=cast["psychologist"].pk).exists()


def test_it_keeps_the_lead_on_the_team(cast, case, client_for):
    coordinator = client_for(cast["coordinator"])
    before = _written()
    response = coordinator.post(_url(case, f"team/{cast['lawyer'].pk}/remove/"))
    _rejected(response, "Primero designa a otra persona responsable del caso.", before)


@pytest.mark.parametrize("suffix", ["team/", "close/"])
def test_it_leaves_team_changes_and_closing_to_the_lead_and_coordination(
    cast, case, client_for, suffix
):
    services.team_add(membership=_m(cast["lawyer"]), case=case, user_id=cast["psychologist"].pk)
    psychologist = client_for(cast["psychologist"])
    assert psychologist.get(_url(case)).status_code == 200
    assert psychologist.get(_url(case, suffix)).status_code == 404
    before = _written()
    assert psychologist.post(_url(case, suffix), {"user": cast["psychologist"].pk}).status_code == (
        404
    )
    assert _written() == before
    assert client_for(cast["supervisor"]).get(_url(case, suffix)).status_code == 200


def test_it_refuses_team_changes_from_a_member_who_does_not_lead(cast, case, client_for):
    services.team_add(membership=_m(cast["lawyer"]), case=case, user_id=cast["psychologist"].pk)
    url = _url(case, f"team/{cast['psychologist'].pk}/remove/")
    assert client_for(cast["psychologist"]).post(url).status_code == 404
    assert CaseMember.objects.filter(case=case, user=cast["psychologist"], removed_at=None)


# --- Closing and reopening ----------------------------------------------------------------


def _close(client, case, **data):
    return client.post(
        _url(case, "close/"),
        {"reason": "goals_met", "closed_on": TODAY().isoformat(), **data},
    )


def test_it_closes_and_reopens_a_case(cast, case, lawyer):
    assert _close(lawyer, case).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason == "goals_met"
    assert _events(case, "status").get().data == {"status": "closed", "reason": "goals_met"}
    assert "Caso cerrado: Objetivos del acompañamiento cumplidos" in lawyer.get(_url(case)).text
    assert lawyer.post(_url(case, "reopen/")).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED
    assert case.closed_on is None
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="cases.case", fields=["status"]
    ).exists()


def test_it_refuses_to_close_a_case_twice(case, lawyer):
    _close(lawyer, case)
    before = _written()
    _rejected(_close(lawyer, case), "El caso ya está cerrado.", before)


def test_it_refuses_a_closing_date_in_the_future(case, lawyer):
    before = _written()
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    _rejected(
        _close(lawyer, case, closed_on=tomorrow), "La fecha no puede estar en el futuro.", before
    )


def test_it_refuses_a_closing_date_before_the_opening(case, lawyer):
    before = _written()
    earlier = (case.opened_on - timedelta(days=1)).isoformat()
    _rejected(
        _close(lawyer, case, closed_on=earlier),
        "El cierre no puede ser anterior a la apertura.",
        before,
    )


def test_it_refuses_to_reopen_an_open_case(case, lawyer):
    before = _written()
    _rejected(lawyer.post(_url(case, "reopen/")), "El caso no está cerrado.", before)


# --- Consents -----------------------------------------------------------------------------


def _consent(client, case, **data):
    base = {"purpose": "case_management", "given_by": "survivor", "given_on": "2026-03-01"}
    return client.post(_url(case, "consents/new/"), {**base, **data})


def test_it_records_a_consent(cast, case, lawyer):
    assert _consent(lawyer, case).status_code == 302
    consent = Consent.objects.get(survivor=case.survivor)
    assert consent.purpose == "case_management"
    assert consent.recorded_by == cast["lawyer"]
    assert _events(case, "consent").get().data == {"purpose": "case_management"}
    assert _audited(Action.CREATE, "survivors.consent", cast["lawyer"])


def test_it_records_a_consent_to_share_with_an_organisation(case, lawyer, other_org):
    response = _consent(
        lawyer, case, purpose="sharing", recipient=other_org.pk, categories=["incidents"]
    )
    assert response.status_code == 302
    assert Consent.objects.get().recipient == other_org


def test_it_asks_with_whom_a_consent_shares(case, lawyer):
    before = _written()
    _rejected(
        _consent(lawyer, case, purpose="sharing"),
        "Indica con qué organización se comparte.",
        before,
    )


@pytest.fixture
def child_case(cast):
    """A girl whose guardian is her father; an incident names her father as the aggressor."""
    child = open_case(cast["lawyer"], age=10, guardian_relationship="father")
    services.incident_add(
        membership=_m(cast["lawyer"]),
        case=child,
        data=IncidentData(
            violence_type="rape",
            occurred_on=date(2026, 1, 1),
            municipality=Municipality.objects.get(code="020105"),
            perpetrator_relationship="father",
        ),
    )
    return child


def test_it_refuses_consent_from_a_guardian_who_is_the_alleged_aggressor(child_case, lawyer):
    before = _written()
    _rejected(
        _consent(lawyer, child_case, given_by="guardian", child_assent="true"),
        "La persona tutora está registrada como presunta agresora: no puede consentir.",
        before,
    )


def test_it_asks_for_a_childs_assent(cast, lawyer):
    child = open_case(cast["lawyer"], age=12, guardian_relationship="mother")
    before = _written()
    _rejected(
        _consent(lawyer, child, given_by="guardian"),
        "Registra si la niña, niño o adolescente asiente.",
        before,
    )
    assert _consent(lawyer, child, given_by="guardian", child_assent="true").status_code == 302
    assert Consent.objects.get(survivor=child.survivor).child_assent is True


def test_it_refuses_a_childs_own_consent_in_place_of_her_guardians(cast, lawyer):
    child = open_case(cast["lawyer"], age=12, guardian_relationship="mother")
    before = _written()
    _rejected(
        _consent(lawyer, child, given_by="survivor", child_assent="true"),
        "Para una niña, niño o adolescente consiente su madre, padre o persona tutora.",
        before,
    )


def test_it_withdraws_a_consent_once(cast, case, lawyer):
    _consent(lawyer, case)
    consent = Consent.objects.get()
    assert lawyer.post(_url(case, f"consents/{consent.pk}/withdraw/")).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast["lawyer"]
    assert _events(case, "consent").filter(data__withdrawn=True).exists()
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="survivors.consent", fields=["withdrawn_at"]
    ).exists()
    before = _written()
    _rejected(
        lawyer.post(_url(case, f"consents/{consent.pk}/withdraw/")),
        "Este consentimiento ya fue retirado.",
        before,
    )


def test_it_does_not_withdraw_another_survivors_consent(cast, case, lawyer):
    other = open_case(cast["lawyer"])
    _consent(lawyer, other)
    consent = Consent.objects.get()
    assert lawyer.post(_url(case, f"consents/{consent.pk}/withdraw/")).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# --- Identity -----------------------------------------------------------------------------


def _reveals():
    return AuditEvent.objects.filter(action=Action.REVEAL)


def test_it_shows_current_identity_only_after_reauthentication(cast, case, lawyer):
    response = lawyer.get(_url(case, "identity/"))
    assert response.status_code == 200
    assert NAME not in response.text
    assert "/accounts/reauthenticate/?next=" in response.text
    assert not _reveals().exists()


def test_it_shows_current_identity_to_edit_and_audits_it(cast, case, sudo_client_for):
    response = sudo_client_for(cast["lawyer"]).get(_url(case, "identity/"))
    assert response.status_code == 200
    assert f'value="{NAME}"' in response.text
    assert _reveals().filter(actor=cast["lawyer"], object_type="survivors.survivor").exists()


def test_it_asks_for_reauthentication_before_changing_identity(cast, case, lawyer):
    before = _written()
    response = lawyer.post(_url(case, "identity/"), {"full_name": "Otra"})
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert _written() == before


def test_it_updates_identity(cast, case, sudo_client_for):
    data = {"full_name": NAME, "document_number": "4567890 LP", "birth_date": "1999-04-02"}
    response = sudo_client_for(cast["lawyer"]).post(_url(case, "identity/"), data)
    assert response.status_code == 302
    survivor = case.survivor
    survivor.refresh_from_db()
    assert survivor.document_number == "4567890 LP"
    assert survivor.birth_date == "1999-04-02"
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="survivors.survivor").get()
    assert event.fields == ["birth_date", "document_number"]


def test_it_refuses_a_birth_date_in_the_future(cast, case, sudo_client_for):
    client = sudo_client_for(cast["lawyer"])
    before = _written()
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    response = client.post(_url(case, "identity/"), {"full_name": NAME, "birth_date": tomorrow})
    _rejected(response, "La fecha no puede estar en el futuro.", before)
