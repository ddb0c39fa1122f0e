"""The case page: who sees it, what it shows, how identity is revealed, the timeline, and a
constant number of queries however much the case holds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases import models, services
from cases.models import CaseEvent, CaseMember, Note
from cases.services import IncidentData
from conftest import open_case
from jurisdictions.models import Municipality, Offence
from organisations.models import Membership
from survivors.models import Consent
from survivors.services import Identity

NAME = "María Quispe Mamani"


def _m(user):
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def _url(case, suffix=""):
    return f"/cases/{case.pk}/{suffix}"


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"], identity=Identity(full_name=NAME, phone="70000001"))


def _join(case, user):
    services.team_add(membership=_m(case.lead), case=case, user_id=user.pk)


# --- Who sees the case --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["lawyer", "coordinator", "supervisor"])
def test_it_shows_the_case_to_its_team_and_to_the_caseload_roles(cast, case, client_for, role):
    response = client_for(cast[role]).get(_url(case))
    assert response.status_code == 200
    assert case.survivor.code in response.text


@pytest.mark.parametrize(
    "role", ["social_worker", "psychologist", "law_student", "analyst", "org_admin", "outsider"]
)
def test_it_hides_the_case_from_everyone_else(cast, case, client_for, role):
    assert client_for(cast[role]).get(_url(case)).status_code == 404


def test_it_shows_the_case_to_a_social_worker_once_she_joins_the_team(cast, case, client_for):
    social_worker = client_for(cast["social_worker"])
    assert social_worker.get(_url(case)).status_code == 404
    response = client_for(cast["lawyer"]).post(
        _url(case, "team/"), {"user": cast["social_worker"].pk}
    )
    assert response.status_code == 302
    assert social_worker.get(_url(case)).status_code == 200


def test_it_hides_the_case_again_when_she_leaves_the_team(cast, case, client_for):
    _join(case, cast["social_worker"])
    client_for(cast["lawyer"]).post(_url(case, f"team/{cast['social_worker'].pk}/remove/"))
    assert client_for(cast["social_worker"]).get(_url(case)).status_code == 404


def test_it_records_who_opened_the_case(cast, case, client_for):
    client_for(cast["coordinator"]).get(_url(case))
    assert AuditEvent.objects.filter(
        action=Action.VIEW,
        object_type="cases.case",
        object_id=str(case.pk),
        actor=cast["coordinator"],
    ).exists()


# --- What the page shows ------------------------------------------------------------------


def test_it_shows_the_header_without_identity(cast, case, client_for):
    text = client_for(cast["lawyer"]).get(_url(case)).text
    assert f"Caso {case.survivor.code}" in text
    assert "Riesgo: Sin evaluar" in text
    assert "25 a 34 años" in text
    assert "El Alto (La Paz)" in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
    assert NAME not in text
    assert "70000001" not in text
    assert NAME not in response_title(text)


def response_title(text: str) -> str:
    return text.split("<title>")[1].split("</title>")[0]


def test_it_shows_the_risk_level_in_words(cast, case, client_for):
    case.risk_level = "high"
    case.save(update_fields=["risk_level"])
    assert "Riesgo: Alto" in client_for(cast["lawyer"]).get(_url(case)).text


def test_it_says_what_is_missing(cast, case, client_for):
    text = client_for(cast["lawyer"]).get(_url(case)).text
    assert "Ningún hecho tiene delitos tipificados." in text
    assert "Sin consentimiento para la gestión del caso." in text
    assert "Riesgo sin evaluar." in text
    assert "Sin datos de identidad." not in text  # she gave her name


def test_it_says_when_no_identity_was_recorded(cast, client_for):
    case = open_case(cast["lawyer"])
    assert "Sin datos de identidad." in client_for(cast["lawyer"]).get(_url(case)).text


def test_it_shows_incidents_with_month_precision_offences_and_the_aggressor(cast, case, client_for):
    services.incident_add(
        membership=_m(cast["lawyer"]),
        case=case,
        data=IncidentData(
            violence_type="physical_assault",
            occurred_on=date(2025, 11, 20),
            date_precision="exact",
            municipality=Municipality.objects.get(code="020101"),
            offences=[Offence.objects.get(code="308bis")],
            perpetrator_relationship="stepfather",
            perpetrator_sex="male",
            perpetrator_age_band="35-44",
            repeats_earlier=True,
        ),
    )
    text = client_for(cast["lawyer"]).get(_url(case)).text
    assert "03/2026" in text  # the intake's incident: month and year only
    assert "20/11/2025" in text
    assert "Art. 308 bis: Violación de infante, niña, niño o adolescente" in text
    assert "Padrastro" in text
    assert "35 a 44 años" in text
    assert "Repite violencia anterior" in text
    assert "Era mayor de edad" in text


def _testimony(case, user, day, recorded):
    return services.testimony_add(
        membership=_m(user), case=case, taken_on=day, interviewer="prosecutor", recorded=recorded
    )


WARNING = "Ya existe una entrevista grabada: una nueva declaración puede revictimizarla"


def test_it_warns_when_she_was_asked_again_after_a_recorded_interview(cast, case, client_for):
    _testimony(case, cast["lawyer"], date(2026, 3, 2), recorded=True)
    assert WARNING not in client_for(cast["lawyer"]).get(_url(case)).text
    _testimony(case, cast["lawyer"], date(2026, 3, 9), recorded=False)
    assert WARNING in client_for(cast["lawyer"]).get(_url(case)).text


def test_it_lists_open_tasks_first_and_marks_overdue_ones_in_words(cast, case, client_for):
    lawyer = _m(cast["lawyer"])
    today = timezone.localdate()
    done = services.task_add(
        membership=lawyer, case=case, title="Hecha", assignee_id=lawyer.user_id, due_on=None
    )
    services.task_complete(membership=lawyer, task=done)
    services.task_add(
        membership=lawyer,
        case=case,
        title="Atrasada",
        assignee_id=lawyer.user_id,
        due_on=today - timedelta(days=2),
    )
    text = client_for(cast["lawyer"]).get(_url(case)).text
    assert text.index("Atrasada") < text.index("Hecha")
    assert "Vencida" in text


def test_it_shows_the_team_with_its_lead(cast, case, client_for):
    _join(case, cast["psychologist"])
    text = client_for(cast["lawyer"]).get(_url(case)).text
    section = text.split('id="equipo"')[1]
    assert "Responsable" in section
    assert cast["psychologist"].display_name in section
    assert "Quitar del equipo" in section


def test_it_shows_consents_by_state(cast, case, client_for):
    lawyer = _m(cast["lawyer"])
    active = services.case_consent_record(
        membership=lawyer,
        case=case,
        purpose="case_management",
        given_by="survivor",
        given_on=date(2026, 1, 5),
    )
    Consent.objects.create(
        survivor=case.survivor,
        purpose="statistics",
        given_by="survivor",
        given_on=date(2025, 1, 1),
        expires_on=date(2025, 6, 1),
        recorded_by=cast["lawyer"],
    )
    text = client_for(cast["lawyer"]).get(_url(case)).text
    assert "Vigente" in text
    assert "Vencido" in text
    assert f"/consents/{active.pk}/withdraw/" in text


# --- Notes by sensitivity -----------------------------------------------------------------


def _note(case, user, body, sensitivity):
    return services.note_add(membership=_m(user), case=case, body=body, sensitivity=sensitivity)


@pytest.fixture
def psychologist_b(cast, org, make_member):
    return make_member("psychologist", org, "psi2@example.org")


def test_it_keeps_discipline_notes_within_the_discipline(cast, case, client_for, psychologist_b):
    for person in (cast["psychologist"], psychologist_b):
        _join(case, person)
    _note(case, cast["psychologist"], "Sesión: confidencial psicológica", "discipline")
    _note(case, cast["lawyer"], "Nota de equipo", "team")
    _note(case, cast["lawyer"], "Nota para todos", "normal")

    psychologist = client_for(psychologist_b).get(_url(case)).text
    assert "Sesión: confidencial psicológica" in psychologist
    lawyer = client_for(cast["lawyer"]).get(_url(case)).text
    assert "Sesión: confidencial psicológica" not in lawyer
    assert "Nota de equipo" in lawyer
    coordinator = client_for(cast["coordinator"]).get(_url(case)).text  # sees, not on team
    assert "Nota para todos" in coordinator
    assert "Nota de equipo" not in coordinator
    assert "Sesión: confidencial psicológica" not in coordinator


def test_it_shows_a_notes_sensitivity(cast, case, client_for):
    _note(case, cast["lawyer"], "Solo equipo", "team")
    assert "Solo el equipo del caso" in client_for(cast["lawyer"]).get(_url(case)).text


# --- Revealing identity -------------------------------------------------------------------


def _reveals():
    return AuditEvent.objects.filter(action=Action.REVEAL)


def test_it_asks_for_reauthentication_before_revealing(cast, case, client_for):
    response = client_for(cast["lawyer"]).post(_url(case, "reveal/"), {"reason": "contact"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not _reveals().exists()


def test_it_reveals_identity_and_the_code_word_and_audits_the_reason(cast, case, sudo_client_for):
    case.code_word = "girasol"
    case.save(update_fields=["code_word"])
    response = sudo_client_for(cast["lawyer"]).post(_url(case, "reveal/"), {"reason": "contact"})
    assert response.status_code == 200
    assert NAME in response.text
    assert "girasol" in response.text
    assert '<details id="identidad" class="case-section card" open>' in response.text
    assert "no-store" in response["Cache-Control"]
    survivor_event = _reveals().get(object_type="survivors.survivor")
    assert survivor_event.actor == cast["lawyer"]
    assert "reason:contact" in survivor_event.fields
    assert "full_name" in survivor_event.fields
    assert _reveals().get(object_type="cases.case").fields == ["code_word", "reason:contact"]


def test_it_keeps_the_code_word_hidden_until_revealed(cast, case, client_for):
    case.code_word = "girasol"
    case.save(update_fields=["code_word"])
    text = client_for(cast["lawyer"]).get(_url(case)).text
    assert "girasol" not in text
    assert "Oculta: se muestra junto con la identidad" in text


def test_it_refuses_an_unknown_reveal_reason(cast, case, sudo_client_for):
    response = sudo_client_for(cast["lawyer"]).post(_url(case, "reveal/"), {"reason": "curious"})
    assert response.status_code == 400
    assert NAME not in response.text
    assert not _reveals().exists()


def test_it_answers_a_get_on_reveal_with_405(cast, case, sudo_client_for):
    assert sudo_client_for(cast["lawyer"]).get(_url(case, "reveal/")).status_code == 405
    assert not _reveals().exists()


def test_it_does_not_reveal_to_someone_outside_the_team(cast, case, sudo_client_for):
    response = sudo_client_for(cast["social_worker"]).post(_url(case, "reveal/"))
    assert response.status_code == 404
    assert not _reveals().exists()


# --- Timeline -----------------------------------------------------------------------------


def test_it_tells_the_story_in_the_timeline(cast, case, client_for):
    lawyer = _m(cast["lawyer"])
    _note(case, cast["lawyer"], "x", "team")
    task = services.task_add(
        membership=lawyer, case=case, title="t", assignee_id=lawyer.user_id, due_on=None
    )
    services.task_complete(membership=lawyer, task=task)
    services.testimony_add(
        membership=lawyer,
        case=case,
        taken_on=date(2026, 3, 3),
        interviewer="prosecutor",
        recorded=True,
    )
    _join(case, cast["psychologist"])
    text = client_for(cast["lawyer"]).get(_url(case)).text.split('id="timeline"')[1]
    assert "Ingreso del caso: Acudió directamente" in text
    assert "Hecho registrado: Violación, 03/2026" in text
    assert "Nota agregada (solo el equipo)" in text
    assert "Tarea cumplida" in text
    assert "Declaración ante Fiscal, grabada" in text
    assert f"{cast['psychologist'].display_name} se sumó al equipo" in text
    assert "x" not in text.split("Nota agregada")[0][-5:]  # the note's body is not in it


def test_it_filters_the_timeline_by_kind(cast, case, client_for):
    _note(case, cast["lawyer"], "x", "normal")
    text = client_for(cast["lawyer"]).get(_url(case) + "?kind=note").text
    timeline = text.split('id="timeline"')[1]
    assert "Nota agregada" in timeline
    assert "Hecho registrado" not in timeline
    assert 'value="note" checked' in text


def test_it_updates_only_the_timeline_for_htmx(cast, case, client_for):
    _note(case, cast["lawyer"], "x", "normal")
    response = client_for(cast["lawyer"]).get(
        _url(case) + "?kind=incident", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Hecho registrado" in response.text
    assert "Nota agregada" not in response.text
    assert not AuditEvent.objects.filter(action=Action.VIEW, object_type="cases.case").exists()


def test_it_ignores_unknown_kinds(cast, case, client_for):
    response = client_for(cast["lawyer"]).get(_url(case) + "?kind=nonsense")
    assert response.status_code == 200
    assert "Hecho registrado" in response.text


def test_it_pages_the_timeline_by_25(cast, case, client_for):
    for n in range(30):
        _note(case, cast["lawyer"], f"n{n}", "normal")
    client = client_for(cast["lawyer"])
    first = client.get(_url(case)).text.split('id="timeline"')[1]
    assert first.count("<li>") == 25
    assert "Página 1 de 2" in first
    second = client.get(_url(case) + "?page=2").text.split('id="timeline"')[1]
    assert second.split("</ol>")[0].count("<li>") == 7  # 30 notes, the intake and its incident


# --- Queries ------------------------------------------------------------------------------

PAGE_QUERIES = 25  # + safety summary (2), documents (1), proceedings (1) and referrals (1)


def _fill(case, user, others, n):
    """n of everything: incidents, notes, tasks, testimonies, team members, consents."""
    m = _m(user)
    place = Municipality.objects.get(code="020105")
    offences = list(Offence.objects.all()[:2])
    for i in range(n):
        services.incident_add(
            membership=m,
            case=case,
            data=IncidentData(
                violence_type="rape",
                occurred_on=date(2026, 1, 1),
                municipality=place,
                offences=offences,
            ),
        )
        _note(case, user, f"nota {i}", ["normal", "team", "discipline"][i % 3])
        task = services.task_add(
            membership=m, case=case, title=f"t{i}", assignee_id=user.pk, due_on=date(2026, 1, 1)
        )
        if i % 2:
            services.task_complete(membership=m, task=task)
        _testimony(case, user, date(2026, 2, 1), recorded=bool(i % 2))
        services.case_consent_record(
            membership=m,
            case=case,
            purpose="sharing",
            given_by="survivor",
            given_on=date(2026, 1, 1),
            recipient=others[0],
            categories=["incidents"],
        )
    for person in others[1][:n]:
        services.team_add(membership=m, case=case, user_id=person.pk)


@pytest.fixture
def many_people(org, make_member):
    return [make_member("social_worker", org, f"sw{i}@example.org") for i in range(10)]


def test_it_loads_the_case_page_in_a_constant_number_of_queries(
    cast, client_for, many_people, other_org, django_assert_num_queries
):
    small = open_case(cast["lawyer"], identity=Identity(full_name=NAME))
    big = open_case(cast["lawyer"], identity=Identity(full_name=NAME))
    _fill(small, cast["lawyer"], (other_org, many_people), 1)
    _fill(big, cast["lawyer"], (other_org, many_people), 10)
    assert CaseEvent.objects.filter(case=big).count() > 25
    assert Note.objects.filter(case=big).count() == 10
    assert models.Testimony.objects.filter(case=big).count() == 10
    assert CaseMember.objects.filter(case=big, removed_at=None).count() == 11
    client = client_for(cast["lawyer"])
    client.get(_url(small))  # session and caches settle
    with django_assert_num_queries(PAGE_QUERIES):
        small_page = client.get(_url(small))
    with django_assert_num_queries(PAGE_QUERIES):
        big_page = client.get(_url(big))
    assert small_page.status_code == big_page.status_code == 200
    assert "nota 9" in big_page.text


def test_it_describes_events_of_other_apps_by_their_codes(cast, case, client_for):
    services.case_note_event(
        case=case, kind="document", actor_id=cast["lawyer"].pk, file_kind="pdf"
    )
    services.case_note_event(
        case=case,
        kind="assessment",
        actor_id=cast["lawyer"].pk,
        plan_step="added",
        section="contact",
    )
    text = client_for(cast["lawyer"]).get(_url(case)).text.split('id="timeline"')[1]
    assert "Documento agregado (PDF)" in text
    assert "Plan de seguridad: paso añadido" in text
