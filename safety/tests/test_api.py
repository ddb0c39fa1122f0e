from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from safety.models import RiskAssessment, SafetyStep
from safety.services import safety_step_add

DANGER = "danger_assessment_bo"


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _base(case):
    return f"/api/v1/cases/{case.pk}"


def test_it_records_an_assessment(cast, client_for, adult_case):
    client = client_for(cast["lawyer"])
    response = _post(
        client,
        f"{_base(adult_case)}/assessments",
        {
            "instrument_code": DANGER,
            "answers": {"strangulation": True, "stalking": "no"},
            "assessed_on": "2026-03-10",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["answers"] == {"strangulation": "yes", "stalking": "no"}
    assert (body["score"], body["level"], body["score_level"]) == (4, "high", "low")
    assert body["critical_items"] == ["strangulation"]
    assert body["raised_by_critical"] is True
    adult_case.refresh_from_db()
    assert adult_case.risk_level == "high"

    listed = client.get(f"{_base(adult_case)}/assessments").json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument_code": DANGER, "answers": {"nope": "yes"}}, "answers"),
        ({"instrument_code": "child_risk_bo", "answers": {}}, "instrument_code"),
        (
            {
                "instrument_code": DANGER,
                "assessed_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            },
            "assessed_on",
        ),
    ],
)
def test_it_refuses_bad_assessments_in_the_one_error_shape(
    body, field, cast, client_for, adult_case
):
    response = _post(client_for(cast["lawyer"]), f"{_base(adult_case)}/assessments", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rejected"
    assert field in error["fields"]
    assert not RiskAssessment.objects.exists()


def test_it_adds_lists_and_completes_steps(cast, client_for, adult_case):
    client = client_for(cast["lawyer"])
    response = _post(
        client,
        f"{_base(adult_case)}/safety-plan/steps",
        {"section": "contact", "text": "Llamar a la vecina", "due_on": "2026-04-01"},
    )
    assert response.status_code == 201
    step = response.json()
    assert (step["section"], step["text"], step["done_on"]) == (
        "contact",
        "Llamar a la vecina",
        None,
    )

    plan = client.get(f"{_base(adult_case)}/safety-plan").json()
    assert [s["id"] for s in plan["steps"]] == [step["id"]]
    assert plan["updated_at"] is not None

    done = client.post(f"{_base(adult_case)}/safety-plan/steps/{step['id']}/done")
    assert done.status_code == 200
    assert done.json()["done_on"] == timezone.localdate().isoformat()
    again = client.post(f"{_base(adult_case)}/safety-plan/steps/{step['id']}/done")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "rejected"


def test_it_shows_an_empty_plan(cast, client_for, adult_case):
    plan = client_for(cast["lawyer"]).get(f"{_base(adult_case)}/safety-plan").json()
    assert plan == {"updated_at": None, "steps": []}


def test_it_refuses_an_unknown_section(cast, client_for, adult_case):
    response = _post(
        client_for(cast["lawyer"]),
        f"{_base(adult_case)}/safety-plan/steps",
        {"section": "garden", "text": "x"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert not SafetyStep.objects.exists()


@pytest.mark.parametrize("who", ["social_worker", "outsider", "analyst", "org_admin"])
def test_it_hides_the_case_from_people_who_cannot_see_it(
    who, cast, client_for, adult_case, membership_of
):
    step = safety_step_add(
        membership=membership_of(cast["lawyer"]), case=adult_case, section="home", text="x"
    )
    events = CaseEvent.objects.count()
    client = client_for(cast[who])
    base = _base(adult_case)
    responses = [
        client.get(f"{base}/assessments"),
        client.get(f"{base}/safety-plan"),
        _post(client, f"{base}/assessments", {"instrument_code": DANGER, "answers": {}}),
        _post(client, f"{base}/safety-plan/steps", {"section": "home", "text": "x"}),
        client.post(f"{base}/safety-plan/steps/{step.pk}/done"),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "No encontrado."}}
    assert not RiskAssessment.objects.exists()
    assert SafetyStep.objects.count() == 1
    assert CaseEvent.objects.count() == events
    step.refresh_from_db()
    assert step.done_on is None


def test_it_answers_401_without_a_membership(cast, client_for, adult_case):
    response = client_for(cast["deactivated"]).get(f"{_base(adult_case)}/assessments")
    assert response.status_code == 401
