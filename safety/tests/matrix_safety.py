"""The safety app's routes in the authorization matrix (see access/tests/matrix.py).

`{case}` comes from cases/tests/matrix_cases.py. The routes about one step or one assessment
need objects in the same case, so this module opens its own `{safety_case}` the same way (by
the lawyer, who leads it and is its only team member: `case_team` applies unchanged), with a
`{safety_step}` and a `{safety_assessment}` in it.

The matrix posts an empty form: the pages refuse it with 400 and write nothing; the API's
operations that take a JSON body refuse it with 400 too, once the case has been found visible
(the API checks the case while authenticating, as the cases router does, so a case one cannot
see is 404 before the body is read).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from access.tests.matrix import case_team

_API = {"out": 401, "deactivated": 401, "platform_admin": 401}


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from conftest import open_case
    from organisations.models import Membership
    from safety.services import risk_assess, safety_step_add

    case = open_case(cast["lawyer"])
    lawyer = Membership.objects.select_related("organisation", "user").get(
        user=cast["lawyer"], organisation=org
    )
    step = safety_step_add(membership=lawyer, case=case, section="contact", text="Llamar a X")
    assessment = risk_assess(
        membership=lawyer,
        case=case,
        instrument_code="danger_assessment_bo",
        answers={"death_threats": "yes"},
        assessed_on=date(2026, 3, 2),
    )
    return {
        "safety_case": str(case.pk),
        "safety_step": str(step.pk),
        "safety_assessment": str(assessment.pk),
    }


URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    ("cases/<int:case_id>/safety/", "GET"): ("/cases/{case}/safety/", {}, case_team(200)),
    ("cases/<int:case_id>/safety/", "POST"): ("/cases/{case}/safety/", {}, case_team(400)),
    ("cases/<int:case_id>/safety/assess/<slug:code>/", "GET"): (
        "/cases/{case}/safety/assess/danger_assessment_bo/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/safety/assess/<slug:code>/", "POST"): (
        "/cases/{case}/safety/assess/danger_assessment_bo/",
        {},
        case_team(400),
    ),
    ("cases/<int:case_id>/safety/assessments/<int:assessment_id>/", "GET"): (
        "/cases/{safety_case}/safety/assessments/{safety_assessment}/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/safety/steps/<int:step_id>/done/", "POST"): (
        "/cases/{safety_case}/safety/steps/{safety_step}/done/",
        {},
        case_team(302),
    ),
    ("cases/<int:case_id>/safety/steps/<int:step_id>/remove/", "POST"): (
        "/cases/{safety_case}/safety/steps/{safety_step}/remove/",
        {},
        case_team(302),
    ),
}

API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("/api/v1/cases/{case_id}/assessments", "GET"): (
        "/api/v1/cases/{case}/assessments",
        case_team(200, **_API),
    ),
    ("/api/v1/cases/{case_id}/assessments", "POST"): (
        "/api/v1/cases/{case}/assessments",
        case_team(400, **_API),
    ),
    ("/api/v1/cases/{case_id}/safety-plan", "GET"): (
        "/api/v1/cases/{case}/safety-plan",
        case_team(200, **_API),
    ),
    ("/api/v1/cases/{case_id}/safety-plan/steps", "POST"): (
        "/api/v1/cases/{case}/safety-plan/steps",
        case_team(400, **_API),
    ),
    ("/api/v1/cases/{case_id}/safety-plan/steps/{step_id}/done", "POST"): (
        "/api/v1/cases/{safety_case}/safety-plan/steps/{safety_step}/done",
        case_team(200, **_API),
    ),
}
