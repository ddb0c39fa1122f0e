"""The proceeding pages in the authorization matrix (see access/tests/matrix.py).

`objects()` opens `{pr_case}` by the lawyer (who leads it and is its only team member, so
`case_team` applies unchanged) with a proceeding `{pr_proceeding}`, its denuncia
`{pr_event}` and an accused `{pr_accused}`, all through the real services.

Forms are posted empty: an allowed person gets 400 and nothing is written. Revealing a name
answers the page itself (200); removing an accused and voiding the only act are valid and
redirect (302). Each request runs in its own rolled-back transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from access.policy import Capability
from access.tests.matrix import case_team, members_with


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from conftest import open_case
    from proceedings.tests.pr_setup import add_accused, new_proceeding, record

    case = open_case(cast["lawyer"])
    proceeding = new_proceeding(cast["lawyer"], case, nurej="NUREJ-MATRIX")
    event = record(cast["lawyer"], proceeding, "denuncia", date(2026, 3, 2))
    accused = add_accused(cast["lawyer"], proceeding)
    return {
        "pr_case": str(case.pk),
        "pr_proceeding": str(proceeding.pk),
        "pr_event": str(event.pk),
        "pr_accused": str(accused.pk),
    }


R = "cases/<int:case_id>/proceedings/"
P = R + "<int:proceeding_id>/"
CASE = "/cases/{pr_case}/proceedings/"
PROC = CASE + "{pr_proceeding}/"

URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    (R, "GET"): (CASE, {}, case_team(200)),
    (R + "new/", "GET"): (CASE + "new/", {}, case_team(200)),
    (R + "new/", "POST"): (CASE + "new/", {}, case_team(400)),
    (P, "GET"): (PROC, {}, case_team(200)),
    (P + "edit/", "GET"): (PROC + "edit/", {}, case_team(200)),
    (P + "edit/", "POST"): (PROC + "edit/", {}, case_team(400)),
    (P + "charges/", "GET"): (PROC + "charges/", {}, case_team(200)),
    (P + "charges/", "POST"): (PROC + "charges/", {}, case_team(400)),
    (P + "accused/new/", "GET"): (PROC + "accused/new/", {}, case_team(200)),
    (P + "accused/new/", "POST"): (PROC + "accused/new/", {}, case_team(400)),
    (P + "accused/<int:accused_id>/reveal/", "POST"): (
        PROC + "accused/{pr_accused}/reveal/",
        {},
        case_team(200),
    ),
    # The method is refused before anything is looked up.
    (P + "accused/<int:accused_id>/reveal/", "GET"): (
        PROC + "accused/{pr_accused}/reveal/",
        {},
        members_with(Capability.SEE_SURVIVORS, 405),
    ),
    (P + "accused/<int:accused_id>/remove/", "POST"): (
        PROC + "accused/{pr_accused}/remove/",
        {},
        case_team(302),
    ),
    (P + "events/new/", "GET"): (PROC + "events/new/", {}, case_team(200)),
    (P + "events/new/", "POST"): (PROC + "events/new/", {}, case_team(400)),
    (P + "events/<int:event_id>/correct/", "GET"): (
        PROC + "events/{pr_event}/correct/",
        {},
        case_team(200),
    ),
    (P + "events/<int:event_id>/correct/", "POST"): (
        PROC + "events/{pr_event}/correct/",
        {},
        case_team(400),
    ),
    (P + "events/<int:event_id>/void/", "POST"): (
        PROC + "events/{pr_event}/void/",
        {},
        case_team(302),
    ),
}
