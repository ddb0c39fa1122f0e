"""Authorization matrix of the match notices, erasure and retention API (survivors/api.py).

`{notice}` comes from cases/tests/matrix_cases.py, `{case}` too; `{erasure}` from
matrix_survivors.py (asked by the coordinator, so her confirming it is refused: 400). The
matrix sends an empty form, which the JSON API cannot parse: an allowed write with a body
answers 400, a forbidden one 404 (checked before the body is read); 401 without a membership.
"""

from __future__ import annotations

from access.policy import Capability
from access.tests.matrix import RELATIONSHIPS, SIGNED_OUT, members_with

CASEWORK = Capability.SEE_SURVIVORS
_OUT = {"out": 401, "no_member": 401}


def _coordinators(ok: int, *, outsider: int = 404) -> dict[str, int]:
    """Erasure is a coordinators' matter (the outsider is a coordinator elsewhere)."""
    no_member = {"deactivated", "platform_admin"}
    return {
        rel: 401 if rel in SIGNED_OUT | no_member else ok if rel == "coordinator" else 404
        for rel in RELATIONSHIPS
    } | {"outsider": outsider}


API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    # The holding organisation's coordinators and supervisors (the outsider: her own, none).
    ("/api/v1/match-notices", "GET"): (
        "/api/v1/match-notices",
        members_with(CASEWORK, 404, coordinator=200, supervisor=200, outsider=200, **_OUT),
    ),
    ("/api/v1/match-notices/{notice_id}/close", "POST"): (
        "/api/v1/match-notices/{notice}/close",
        members_with(CASEWORK, 404, coordinator=204, supervisor=204, **_OUT),
    ),
    ("/api/v1/erasures", "GET"): ("/api/v1/erasures", _coordinators(200, outsider=200)),
    ("/api/v1/erasures/cases/{case_id}", "POST"): (
        "/api/v1/erasures/cases/{case}",
        _coordinators(400),
    ),
    ("/api/v1/erasures/{request_id}/confirm", "POST"): (
        "/api/v1/erasures/{erasure}/confirm",
        _coordinators(400),
    ),
    ("/api/v1/erasures/{request_id}/cancel", "POST"): (
        "/api/v1/erasures/{erasure}/cancel",
        _coordinators(204),
    ),
    ("/api/v1/retention", "GET"): (
        "/api/v1/retention",
        members_with(Capability.MANAGE_MEMBERS, 200, **_OUT),
    ),
    ("/api/v1/retention", "PUT"): (
        "/api/v1/retention",
        members_with(Capability.MANAGE_MEMBERS, 400, **_OUT),
    ),
}
