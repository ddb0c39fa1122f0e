from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import CaseEvent
from safety.models import RiskAssessment, SafetyStep
from safety.selectors import safety_step_get, safety_summary_for_case
from safety.services import risk_assess, safety_step_add, safety_step_done

DANGER = "danger_assessment_bo"
CHILD = "child_risk_bo"


def _url(case, rest=""):
    return f"/cases/{case.pk}/safety/{rest}"


def _add_steps(membership, case, n):
    return [
        safety_step_add(membership=membership, case=case, section="home", text=f"Paso {i}")
        for i in range(n)
    ]


def _add_assessments(membership, case, n):
    for i in range(n):
        risk_assess(
            membership=membership,
            case=case,
            instrument_code=DANGER,
            answers={"stalking": "yes"},
            assessed_on=date(2026, 1, 1) + timedelta(days=i),
        )


# The assessment form -------------------------------------------------------------------------


def test_it_renders_the_instrument_as_a_form_from_its_data(cast, client_for, adult_case):
    response = client_for(cast["lawyer"]).get(_url(adult_case, f"assess/{DANGER}/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "¿Su pareja o expareja ha amenazado con quitarle la vida? (pregunta crítica)" in html
    assert 'type="radio"' in html
    assert "Sin respuesta" in html
    assert "(pregunta crítica)" in html
    assert "Pregunta crítica: si la respuesta es «sí», el nivel es Alto o más." in html
    assert "nunca bloquea un servicio" in html
    assert "Instrumento en validación" in html
    assert 'type="date"' in html


def test_it_renders_the_instrument_in_english(cast, client_for, adult_case):
    client = client_for(cast["lawyer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_url(adult_case, f"assess/{DANGER}/")).content.decode()
    assert "Has your partner or ex-partner threatened to kill you?" in html


def test_it_marks_critical_options_of_a_choice_item_in_words(cast, client_for, child_case):
    html = client_for(cast["lawyer"]).get(_url(child_case, f"assess/{CHILD}/")).content.decode()
    assert "Vive en la misma casa" in html
    assert "No se sabe" in html
    assert "Ante la duda" in html  # the item's help text


def test_it_records_an_assessment_and_shows_the_result(cast, client_for, adult_case):
    client = client_for(cast["lawyer"])
    response = client.post(
        _url(adult_case, f"assess/{DANGER}/"),
        {"assessed_on": "2026-03-10", "strangulation": "yes", "stalking": "no", "isolation": ""},
    )
    assessment = RiskAssessment.objects.get(case=adult_case)
    assert response.status_code == 302
    assert response.url == _url(adult_case, f"assessments/{assessment.pk}/")
    assert assessment.answers == {"strangulation": "yes", "stalking": "no"}
    adult_case.refresh_from_db()
    assert adult_case.risk_level == "high"

    html = client.get(response.url).content.decode()
    assert "Alto" in html
    assert "4 de 39" in html
    assert "por el puntaje solo, el nivel sería Bajo" in html
    assert "Respuestas críticas que elevaron el nivel" in html
    assert "El nivel de riesgo orienta al equipo; nunca bloquea un servicio." in html
    assert "17 preguntas sin responder" in html


def test_it_refuses_a_future_date_on_the_form_and_writes_nothing(cast, client_for, adult_case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(cast["lawyer"]).post(
        _url(adult_case, f"assess/{DANGER}/"), {"assessed_on": tomorrow, "stalking": "yes"}
    )
    assert response.status_code == 400
    assert "La fecha no puede estar en el futuro." in response.content.decode()
    assert not RiskAssessment.objects.exists()


def test_it_refuses_an_answer_not_offered_and_writes_nothing(cast, client_for, adult_case):
    response = client_for(cast["lawyer"]).post(
        _url(adult_case, f"assess/{DANGER}/"), {"assessed_on": "2026-03-10", "stalking": "maybe"}
    )
    assert response.status_code == 400
    assert not RiskAssessment.objects.exists()


def test_it_explains_when_an_instrument_is_for_the_other_age_group(cast, client_for, adult_case):
    client = client_for(cast["lawyer"])
    response = client.get(_url(adult_case, f"assess/{CHILD}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "la sobreviviente de este caso es una persona adulta" in html
    assert 'type="radio"' not in html
    response = client.post(_url(adult_case, f"assess/{CHILD}/"), {"assessed_on": "2026-03-10"})
    assert response.status_code == 400
    assert "persona adulta" in response.content.decode()
    assert not RiskAssessment.objects.exists()


def test_it_answers_404_for_an_unknown_instrument(cast, client_for, adult_case):
    response = client_for(cast["lawyer"]).get(_url(adult_case, "assess/nothing_like_it/"))
    assert response.status_code == 404


# The safety page ----------------------------------------------------------------------------


def test_it_shows_empty_states(cast, client_for, adult_case):
    response = client_for(cast["lawyer"]).get(_url(adult_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Todavía no hay evaluaciones de riesgo en este caso." in html
    assert "El plan de seguridad no tiene pasos todavía." in html
    assert f"assess/{DANGER}/" in html
    assert f"assess/{CHILD}/" not in html  # only instruments for her age group


def test_it_shows_the_history_and_the_plan_by_section(cast, client_for, adult_case, membership_of):
    lawyer = membership_of(cast["lawyer"])
    _add_assessments(lawyer, adult_case, 2)
    safety_step_add(
        membership=lawyer,
        case=adult_case,
        section="contact",
        text="Llamar a la tía",
        due_on=date(2026, 4, 2),
    )
    html = client_for(cast["coordinator"]).get(_url(adult_case)).content.decode()
    assert "02/01/2026" in html
    assert "01/01/2026" in html
    assert "Valoración de peligro en violencia de pareja" in html
    assert "Contactos de emergencia" in html
    assert "Llamar a la tía" in html
    assert "Para el 02/04/2026" in html
    assert "Marcar cumplido" in html


def test_it_records_who_read_the_safety_page(cast, client_for, adult_case):
    client_for(cast["lawyer"]).get(_url(adult_case))
    event = AuditEvent.objects.get(action="view", object_type="cases.case")
    assert event.object_id == str(adult_case.pk)
    assert event.fields == ["risk_assessments", "safety_plan"]


def test_it_adds_a_step(cast, client_for, adult_case):
    response = client_for(cast["lawyer"]).post(
        _url(adult_case), {"section": "mobility", "text": "Cambiar de ruta", "due_on": ""}
    )
    assert response.status_code == 302
    assert response.url == _url(adult_case) + "#plan"
    step = SafetyStep.objects.get()
    assert (step.section, step.due_on) == ("mobility", None)


def test_it_refuses_an_empty_step_with_errors_next_to_the_field(cast, client_for, adult_case):
    response = client_for(cast["lawyer"]).post(_url(adult_case), {"section": "home", "text": ""})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not SafetyStep.objects.exists()


def test_it_marks_a_step_done_with_todays_date(cast, client_for, adult_case, membership_of):
    (step,) = _add_steps(membership_of(cast["lawyer"]), adult_case, 1)
    client = client_for(cast["lawyer"])
    response = client.post(_url(adult_case, f"steps/{step.pk}/done/"))
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_on == timezone.localdate()
    html = client.get(_url(adult_case)).content.decode()
    assert f"Cumplido el {timezone.localdate():%d/%m/%Y}" in html


def test_it_withdraws_a_step_and_lists_it_apart(cast, client_for, adult_case, membership_of):
    (step,) = _add_steps(membership_of(cast["lawyer"]), adult_case, 1)
    client = client_for(cast["lawyer"])
    assert client.post(_url(adult_case, f"steps/{step.pk}/remove/")).status_code == 302
    step.refresh_from_db()
    assert step.removed_at is not None
    html = client.get(_url(adult_case)).content.decode()
    assert "1 paso retirado del plan" in html
    assert "El plan de seguridad no tiene pasos todavía." in html


def test_it_says_when_a_step_was_already_done(cast, client_for, adult_case, membership_of):
    lawyer = membership_of(cast["lawyer"])
    (step,) = _add_steps(lawyer, adult_case, 1)
    safety_step_done(membership=lawyer, step=safety_step_get(case=adult_case, step_id=step.pk))
    client = client_for(cast["lawyer"])
    response = client.post(_url(adult_case, f"steps/{step.pk}/done/"), follow=True)
    assert "Este paso ya estaba cumplido." in response.content.decode()


@pytest.mark.parametrize("n", [1, 10])
def test_it_reads_the_safety_page_in_a_constant_number_of_queries(
    n, cast, client_for, adult_case, membership_of, django_assert_num_queries
):
    lawyer = membership_of(cast["lawyer"])
    _add_assessments(lawyer, adult_case, n)
    steps = _add_steps(lawyer, adult_case, n)
    safety_step_done(membership=lawyer, step=safety_step_get(case=adult_case, step_id=steps[0].pk))
    client = client_for(cast["lawyer"])
    client.get(_url(adult_case))  # warm the session
    # Session, user, memberships, user again (middleware); the case, the assessments, the
    # steps, the audit event, the plan; the session's save (in a savepoint: 3).
    with django_assert_num_queries(12):
        response = client.get(_url(adult_case))
    assert response.status_code == 200


# Who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["social_worker", "outsider", "analyst", "org_admin"])
def test_it_hides_the_safety_pages_from_people_who_cannot_see_the_case(
    who, cast, client_for, adult_case, membership_of
):
    lawyer = membership_of(cast["lawyer"])
    (step,) = _add_steps(lawyer, adult_case, 1)
    _add_assessments(lawyer, adult_case, 1)
    assessment = RiskAssessment.objects.get()
    before = (RiskAssessment.objects.count(), SafetyStep.objects.count(), CaseEvent.objects.count())
    client = client_for(cast[who])
    gets = ["", f"assess/{DANGER}/", f"assessments/{assessment.pk}/"]
    posts = {
        "": {"section": "home", "text": "x"},
        f"assess/{DANGER}/": {"assessed_on": "2026-03-01"},
        f"steps/{step.pk}/done/": {},
        f"steps/{step.pk}/remove/": {},
    }
    for rest in gets:
        assert client.get(_url(adult_case, rest)).status_code == 404, rest
    for rest, data in posts.items():
        assert client.post(_url(adult_case, rest), data).status_code == 404, rest
    after = (RiskAssessment.objects.count(), SafetyStep.objects.count(), CaseEvent.objects.count())
    assert after == before
    step.refresh_from_db()
    assert step.done_on is None
    assert step.removed_at is None


def test_it_answers_404_for_a_step_or_assessment_of_another_case(
    cast, client_for, adult_case, make_case, membership_of
):
    lawyer = membership_of(cast["lawyer"])
    other = make_case(cast["lawyer"])
    (step,) = _add_steps(lawyer, other, 1)
    _add_assessments(lawyer, other, 1)
    assessment = RiskAssessment.objects.get()
    client = client_for(cast["lawyer"])
    assert client.get(_url(adult_case, f"assessments/{assessment.pk}/")).status_code == 404
    assert client.post(_url(adult_case, f"steps/{step.pk}/done/")).status_code == 404
    step.refresh_from_db()
    assert step.done_on is None


# The case page's section --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 10])
def test_it_summarises_safety_for_the_case_page_in_two_queries(
    n, cast, adult_case, membership_of, django_assert_num_queries
):
    lawyer = membership_of(cast["lawyer"])
    _add_assessments(lawyer, adult_case, n)
    steps = _add_steps(lawyer, adult_case, n)
    safety_step_done(membership=lawyer, step=safety_step_get(case=adult_case, step_id=steps[0].pk))
    with django_assert_num_queries(2):
        summary = safety_summary_for_case(case=adult_case)
    assert summary.latest_assessment.assessed_on == date(2026, 1, n)
    assert summary.plan.open_steps == n - 1
    adult_case.refresh_from_db()
    with django_assert_num_queries(0):
        html = render_to_string(
            "safety/_case_section.html",
            {
                "case": adult_case,
                "latest_assessment": summary.latest_assessment,
                "plan": summary.plan,
            },
        )
    assert "Bajo" in html
    assert f"última evaluación el {n:02d}/01/2026" in html
    if n > 1:
        assert f"{n - 1} pasos pendientes" in html
    else:
        assert "sin pasos pendientes" in html


def test_it_shows_an_empty_case_section(cast, adult_case):
    summary = safety_summary_for_case(case=adult_case)
    html = render_to_string(
        "safety/_case_section.html",
        {"case": adult_case, "latest_assessment": None, "plan": summary.plan},
    )
    assert "Sin evaluaciones de riesgo todavía." in html
    assert "Sin plan de seguridad todavía." in html
    assert "Sin evaluar" in html
