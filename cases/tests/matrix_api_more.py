"""Authorization matrix of the cases API's identity, team, closing and reopening operations,
and of the safety plan's step withdrawal (see access/tests/matrix.py and matrix_list.py).

`{case}` and `{team_user}` come from matrix_cases.py; `{safety_case}` and `{safety_step}` from
safety/tests/matrix_safety.py. The matrix sends an empty *form* (with PUT too), which the JSON
API cannot parse: an allowed write answers 400 while a forbidden one answers 404, because the
case is checked before the body is read. Operations without a body answer 204 (200 with the
step), except reopening the sample case, which is open (400).
"""

from __future__ import annotations

from access.tests.matrix import case_team


def _case_api(ok: int) -> dict[str, int]:
    """About `{case}`: its team and the whole-caseload roles (here also the people who manage
    it: the lead, coordinators, supervisors); 401 without a membership."""
    return case_team(ok, out=401, deactivated=401, platform_admin=401)


API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    # With a JSON body: a session re-authenticated in the last 10 minutes gets 204, a token
    # 403 (test_api_more.py).
    ("/api/v1/cases/{case_id}/identity", "PUT"): ("/api/v1/cases/{case}/identity", _case_api(400)),
    ("/api/v1/cases/{case_id}/team", "POST"): ("/api/v1/cases/{case}/team", _case_api(400)),
    ("/api/v1/cases/{case_id}/team/{user_id}/remove", "POST"): (
        "/api/v1/cases/{case}/team/{team_user}/remove",
        _case_api(204),
    ),
    ("/api/v1/cases/{case_id}/close", "POST"): ("/api/v1/cases/{case}/close", _case_api(400)),
    ("/api/v1/cases/{case_id}/reopen", "POST"): ("/api/v1/cases/{case}/reopen", _case_api(400)),
    ("/api/v1/cases/{case_id}/safety-plan/steps/{step_id}/remove", "POST"): (
        "/api/v1/cases/{safety_case}/safety-plan/steps/{safety_step}/remove",
        _case_api(200),
    ),
}
