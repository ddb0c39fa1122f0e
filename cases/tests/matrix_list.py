"""Authorization matrix of the case list and the cases API (see access/tests/matrix.py; the
home page is declared there). `{case}`, `{task}` and `{consent}` come from matrix_cases.py.

The matrix posts an empty *form*, which the JSON API cannot parse: an allowed write answers
400 ("Cannot parse request body") while a forbidden one answers 404, because the gate runs
before the body is read. Operations without a body answer 204.
"""

from __future__ import annotations

from access.policy import Capability
from access.tests.matrix import case_team, members_with


def _casework_api(ok: int) -> dict[str, int]:
    return members_with(Capability.SEE_SURVIVORS, ok, out=401, no_member=401)


def _case_api(ok: int) -> dict[str, int]:
    """About `{case}`: its team and the whole-caseload roles; 401 without a membership."""
    return case_team(ok, out=401, deactivated=401, platform_admin=401)


URLS = {
    ("cases/", "GET"): ("/cases/", {}, members_with(Capability.SEE_SURVIVORS, 200)),
}

API = {
    ("/api/v1/cases", "GET"): ("/api/v1/cases", _casework_api(200)),
    ("/api/v1/cases", "POST"): ("/api/v1/cases", _casework_api(400)),
    ("/api/v1/cases/{case_id}", "GET"): ("/api/v1/cases/{case}", _case_api(200)),
    ("/api/v1/cases/{case_id}/incidents", "POST"): (
        "/api/v1/cases/{case}/incidents",
        _case_api(400),
    ),
    ("/api/v1/cases/{case_id}/notes", "GET"): ("/api/v1/cases/{case}/notes", _case_api(200)),
    ("/api/v1/cases/{case_id}/notes", "POST"): ("/api/v1/cases/{case}/notes", _case_api(400)),
    ("/api/v1/cases/{case_id}/tasks", "POST"): ("/api/v1/cases/{case}/tasks", _case_api(400)),
    ("/api/v1/cases/{case_id}/tasks/{task_id}/done", "POST"): (
        "/api/v1/cases/{case}/tasks/{task}/done",
        _case_api(204),
    ),
    ("/api/v1/cases/{case_id}/testimonies", "POST"): (
        "/api/v1/cases/{case}/testimonies",
        _case_api(400),
    ),
    ("/api/v1/cases/{case_id}/consents", "GET"): (
        "/api/v1/cases/{case}/consents",
        _case_api(200),
    ),
    ("/api/v1/cases/{case_id}/consents", "POST"): (
        "/api/v1/cases/{case}/consents",
        _case_api(400),
    ),
    ("/api/v1/cases/{case_id}/consents/{consent_id}/withdraw", "POST"): (
        "/api/v1/cases/{case}/consents/{consent}/withdraw",
        _case_api(204),
    ),
    # Past the gate, the form body is refused (400); with a JSON body a re-authenticated
    # session gets 200 and a token 403 (test_api.py).
    ("/api/v1/cases/{case_id}/reveal", "POST"): ("/api/v1/cases/{case}/reveal", _case_api(400)),
}
