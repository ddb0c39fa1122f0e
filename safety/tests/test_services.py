from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, CaseEvent, EventKind
from safety.instruments import get_instrument
from safety.models import RiskAssessment, SafetyPlan, SafetyStep
from safety.selectors import safety_step_get
from safety.services import (
    risk_assess,
    safety_step_add,
    safety_step_done,
    safety_step_remove,
)

DANGER = "danger_assessment_bo"
CHILD = "child_risk_bo"


def _snapshot(case: Case) -> tuple[int, int, int, int, str]:
    case.refresh_from_db()
    return (
        RiskAssessment.objects.count(),
        SafetyStep.objects.count(),
        CaseEvent.objects.filter(case=case).count(),
        AuditEvent.objects.count(),
        case.risk_level,
    )


def _assess(membership, case, answers, day=date(2026, 3, 10), code=DANGER):
    return risk_assess(
        membership=membership,
        case=case,
        instrument_code=code,
        answers=answers,
        assessed_on=day,
    )


def test_it_stores_the_engines_result(cast, adult_case, membership_of):
    assessment = _assess(
        membership_of(cast["lawyer"]), adult_case, {"strangulation": "yes", "stalking": "no"}
    )
    assessment.refresh_from_db()
    assert assessment.instrument_code == DANGER
    assert assessment.instrument_version == get_instrument(DANGER).version
    assert assessment.answers == {"strangulation": "yes", "stalking": "no"}
    assert assessment.score == 4
    assert assessment.score_level == "low"
    assert assessment.level == "high"
    assert assessment.critical_items == ["strangulation"]
    assert assessment.raised_by_critical is True
    assert assessment.complete is False
    assert len(assessment.missing) == len(get_instrument(DANGER).items) - 2
    assert "strangulation" not in assessment.missing
    assert assessment.assessed_by == cast["lawyer"]
    assert assessment.assessed_on == date(2026, 3, 10)


def test_it_stores_boolean_answers_as_yes_and_no(cast, adult_case, membership_of):
    assessment = _assess(membership_of(cast["lawyer"]), adult_case, {"stalking": True})
    assert assessment.answers == {"stalking": "yes"}
    assert assessment.score == 2


def test_it_scores_a_choice_item_for_a_child(cast, child_case, membership_of):
    assessment = _assess(
        membership_of(cast["lawyer"]),
        child_case,
        {"aggressor_contact": "lives_with", "self_harm_or_suicidal": "yes"},
        code=CHILD,
    )
    assert assessment.score == 8
    assert assessment.level == "high"
    assert assessment.critical_items == ["self_harm_or_suicidal"]


def test_it_sets_the_case_risk_level_to_the_latest_assessment(cast, adult_case, membership_of):
    lawyer = membership_of(cast["lawyer"])
    _assess(lawyer, adult_case, {"strangulation": "yes"}, day=date(2026, 3, 10))
    adult_case.refresh_from_db()
    assert adult_case.risk_level == "high"

    # An older assessment recorded later does not override the newer one.
    _assess(lawyer, adult_case, {"stalking": "no"}, day=date(2026, 2, 1))
    adult_case.refresh_from_db()
    assert adult_case.risk_level == "high"

    # Same date: the one recorded last is the latest.
    _assess(lawyer, adult_case, {"stalking": "no"}, day=date(2026, 3, 10))
    adult_case.refresh_from_db()
    assert adult_case.risk_level == "low"


def test_it_writes_a_timeline_line_and_an_audit_event_without_values(
    cast, adult_case, membership_of
):
    assessment = _assess(membership_of(cast["lawyer"]), adult_case, {"strangulation": "yes"})
    event = CaseEvent.objects.get(case=adult_case, kind=EventKind.ASSESSMENT)
    assert event.object_id == assessment.pk
    assert event.data == {
        "instrument": DANGER,
        "version": 1,
        "level": "high",
        "assessed_on": "2026-03-10",
    }
    audit = AuditEvent.objects.get(object_type="safety.riskassessment")
    assert audit.object_id == str(assessment.pk)
    assert audit.fields == ["answers", "assessed_on", "instrument_code", "level", "score"]


@pytest.mark.parametrize(
    ("fixture", "code", "words"),
    [
        ("adult_case", CHILD, "persona adulta"),
        ("child_case", DANGER, "para personas adultas"),
    ],
)
def test_it_refuses_an_instrument_for_the_other_age_group(
    request, cast, membership_of, fixture, code, words
):
    case = request.getfixturevalue(fixture)
    before = _snapshot(case)
    with pytest.raises(ValidationError) as caught:
        _assess(membership_of(cast["lawyer"]), case, {}, code=code)
    assert words in caught.value.message_dict["instrument_code"][0]
    assert _snapshot(case) == before


def test_it_refuses_a_future_date(cast, adult_case, membership_of):
    before = _snapshot(adult_case)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        _assess(membership_of(cast["lawyer"]), adult_case, {"stalking": "yes"}, day=tomorrow)
    assert "assessed_on" in caught.value.message_dict
    assert _snapshot(adult_case) == before


def test_it_refuses_an_unknown_item_with_the_engines_message(cast, adult_case, membership_of):
    before = _snapshot(adult_case)
    with pytest.raises(ValidationError) as caught:
        _assess(membership_of(cast["lawyer"]), adult_case, {"stalking": "yes", "nope": "yes"})
    assert "unknown item 'nope'" in caught.value.message_dict["answers"][0]
    assert _snapshot(adult_case) == before


def test_it_refuses_an_answer_the_item_does_not_take(cast, adult_case, membership_of):
    before = _snapshot(adult_case)
    with pytest.raises(ValidationError) as caught:
        _assess(membership_of(cast["lawyer"]), adult_case, {"stalking": "maybe"})
    assert "stalking" in caught.value.message_dict["answers"][0]
    assert _snapshot(adult_case) == before


def test_it_refuses_an_unknown_instrument(cast, adult_case, membership_of):
    before = _snapshot(adult_case)
    with pytest.raises(ValidationError):
        _assess(membership_of(cast["lawyer"]), adult_case, {}, code="nothing_like_it")
    assert _snapshot(adult_case) == before


def test_it_never_edits_an_assessment(cast, adult_case, membership_of):
    assessment = _assess(membership_of(cast["lawyer"]), adult_case, {})
    assessment.score = 30
    with pytest.raises(ValueError, match="never edited"):
        assessment.save()
    assessment.refresh_from_db()
    assert assessment.score == 0


@pytest.mark.parametrize("who", ["outsider", "analyst", "org_admin"])
def test_it_refuses_people_who_cannot_act_on_the_case(who, cast, adult_case, membership_of):
    before = _snapshot(adult_case)
    with pytest.raises(Http404):
        _assess(membership_of(cast[who]), adult_case, {"stalking": "yes"})
    with pytest.raises(Http404):
        safety_step_add(
            membership=membership_of(cast[who]), case=adult_case, section="home", text="x"
        )
    assert _snapshot(adult_case) == before


# Safety plan ----------------------------------------------------------------------------------


def _raw_step_text(step_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM safety_safetystep WHERE id = %s", [step_id])
        return cursor.fetchone()[0]


def test_it_keeps_safety_steps_encrypted_at_rest(cast, adult_case, membership_of):
    step = safety_step_add(
        membership=membership_of(cast["lawyer"]),
        case=adult_case,
        section="contact",
        text="Llamar a su hermana Rosa al 71234567",
    )
    raw = _raw_step_text(step.pk)
    assert "Rosa" not in raw
    assert "71234567" not in raw
    assert raw.startswith("gAAAA")
    assert safety_step_get(case=adult_case, step_id=step.pk).text == (
        "Llamar a su hermana Rosa al 71234567"
    )


def test_it_makes_the_plan_on_the_first_step_and_dates_it(cast, adult_case, membership_of):
    lawyer = membership_of(cast["lawyer"])
    assert not SafetyPlan.objects.filter(case=adult_case).exists()
    step = safety_step_add(
        membership=lawyer,
        case=adult_case,
        section="legal",
        text="Pedir medida de protección",
        due_on=date(2026, 4, 1),
    )
    safety_step_add(membership=lawyer, case=adult_case, section="home", text="Cambiar la cerradura")
    plan = SafetyPlan.objects.get(case=adult_case)
    assert plan.steps.count() == 2
    assert step.due_on == date(2026, 4, 1)
    assert step.created_by == cast["lawyer"]
    event = CaseEvent.objects.get(case=adult_case, data__section="legal")
    assert event.object_id == step.pk
    assert event.data == {"plan_step": "added", "section": "legal", "due_on": "2026-04-01"}
    audit = AuditEvent.objects.get(object_type="safety.safetystep", object_id=str(step.pk))
    assert audit.fields == ["due_on", "section", "text"]


@pytest.mark.parametrize(
    ("section", "text", "field"),
    [("home", "   ", "text"), ("garden", "Algo", "section"), ("home", "x" * 1001, "text")],
)
def test_it_refuses_a_bad_step(section, text, field, cast, adult_case, membership_of):
    before = _snapshot(adult_case)
    with pytest.raises(ValidationError) as caught:
        safety_step_add(
            membership=membership_of(cast["lawyer"]), case=adult_case, section=section, text=text
        )
    assert field in caught.value.message_dict
    assert _snapshot(adult_case) == before
    assert not SafetyPlan.objects.filter(case=adult_case).exists()


def test_it_records_the_date_a_step_was_done(cast, adult_case, membership_of):
    lawyer = membership_of(cast["lawyer"])
    step = safety_step_add(membership=lawyer, case=adult_case, section="home", text="Llaves")
    step = safety_step_get(case=adult_case, step_id=step.pk)
    safety_step_done(membership=lawyer, step=step, done_on=date(2026, 3, 5))
    step.refresh_from_db()
    assert step.done_on == date(2026, 3, 5)
    before = _snapshot(adult_case)
    with pytest.raises(ValidationError):
        safety_step_done(membership=lawyer, step=step)
    assert _snapshot(adult_case) == before


def test_it_marks_a_step_done_today_by_default_and_never_in_the_future(
    cast, adult_case, membership_of
):
    lawyer = membership_of(cast["lawyer"])
    step = safety_step_add(membership=lawyer, case=adult_case, section="home", text="Llaves")
    step = safety_step_get(case=adult_case, step_id=step.pk)
    with pytest.raises(ValidationError):
        safety_step_done(
            membership=lawyer, step=step, done_on=timezone.localdate() + timedelta(days=1)
        )
    step.refresh_from_db()
    assert step.done_on is None
    safety_step_done(membership=lawyer, step=step)
    step.refresh_from_db()
    assert step.done_on == timezone.localdate()


def test_it_withdraws_a_step_but_keeps_it_in_the_history(cast, adult_case, membership_of):
    lawyer = membership_of(cast["lawyer"])
    step = safety_step_add(membership=lawyer, case=adult_case, section="home", text="Llaves")
    step = safety_step_get(case=adult_case, step_id=step.pk)
    safety_step_remove(membership=lawyer, step=step)
    step = safety_step_get(case=adult_case, step_id=step.pk)
    assert step.removed_at is not None
    assert step.removed_by == cast["lawyer"]
    assert step.text == "Llaves"
    before = _snapshot(adult_case)
    with pytest.raises(ValidationError):
        safety_step_remove(membership=lawyer, step=step)
    with pytest.raises(ValidationError):
        safety_step_done(membership=lawyer, step=step)
    assert _snapshot(adult_case) == before


def test_it_describes_its_timeline_lines_without_personal_data(cast, adult_case, membership_of):
    from safety.timeline import describe

    lawyer = membership_of(cast["lawyer"])
    _assess(lawyer, adult_case, {"strangulation": "yes"})
    safety_step_add(membership=lawyer, case=adult_case, section="legal", text="Pedir medidas")
    lines = [
        describe(e.data, {})
        for e in CaseEvent.objects.filter(case=adult_case, kind=EventKind.ASSESSMENT).order_by("pk")
    ]
    assert lines == [
        "Evaluación de riesgo (Valoración de peligro en violencia de pareja): nivel Alto",
        "Plan de seguridad: paso añadido en «Medidas de protección y trámites»",
    ]
