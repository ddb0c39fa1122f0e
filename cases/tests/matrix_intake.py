"""Authorization matrix for the intake and the notices of possible duplicates
(see access/tests/matrix.py; `{notice}` comes from matrix_cases.py)."""

from __future__ import annotations

from access.policy import Capability
from access.tests.matrix import members_with

CASEWORK = Capability.SEE_SURVIVORS

URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    ("cases/intake/", "GET"): ("/cases/intake/", {}, members_with(CASEWORK, 200)),
    # Step 1 with a contact channel that does not exist: rejected, nothing kept.
    ("cases/intake/", "POST"): (
        "/cases/intake/",
        {"step": "1", "action": "next", "channels": "pigeon"},
        members_with(CASEWORK, 400),
    ),
    ("cases/intake/cancel/", "POST"): ("/cases/intake/cancel/", {}, members_with(CASEWORK, 302)),
    # No intake waiting on a match: back to the intake.
    ("cases/intake/match/", "POST"): (
        "/cases/intake/match/",
        {"action": "new_person"},
        members_with(CASEWORK, 302),
    ),
    # Coordinators and supervisors read their organisation's notices (the outsider, her own
    # organisation's: none); the other casework roles are refused.
    ("cases/matches/", "GET"): (
        "/cases/matches/",
        {},
        members_with(CASEWORK, 404, coordinator=200, supervisor=200, outsider=200),
    ),
    ("cases/matches/<int:notice_id>/close/", "POST"): (
        "/cases/matches/{notice}/close/",
        {},
        members_with(CASEWORK, 404, coordinator=302, supervisor=302),
    ),
}
