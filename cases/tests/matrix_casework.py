"""Authorization matrix for the case page and the forms that add to a case.

The sample `{case}` is led by the lawyer; coordinators and supervisors see the whole caseload
(see cases/tests/matrix_cases.py). Everyone who can open the case may add to it; team changes,
closing and reopening are for the lead, coordinators and supervisors, which here are the same
three relationships. POST data is invalid wherever a valid POST would need many fields, so an
allowed person gets 400 and a forbidden one 404 (and nothing is written either way).
"""

from __future__ import annotations

from access.policy import Capability
from access.tests.matrix import case_team, members_with

CASE = "/cases/{case}/"

URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    ("cases/<int:case_id>/", "GET"): (CASE, {}, case_team(200)),
    ("cases/<int:case_id>/reveal/", "POST"): (CASE + "reveal/", {}, case_team(200)),
    # The method is refused before anything is looked up.
    ("cases/<int:case_id>/reveal/", "GET"): (
        CASE + "reveal/",
        {},
        members_with(Capability.SEE_SURVIVORS, 405),
    ),
    ("cases/<int:case_id>/identity/", "GET"): (CASE + "identity/", {}, case_team(200)),
    ("cases/<int:case_id>/identity/", "POST"): (
        CASE + "identity/",
        {"birth_date": "not a date"},
        case_team(400),
    ),
    ("cases/<int:case_id>/incidents/new/", "GET"): (CASE + "incidents/new/", {}, case_team(200)),
    ("cases/<int:case_id>/incidents/new/", "POST"): (
        CASE + "incidents/new/",
        {},
        case_team(400),
    ),
    ("cases/<int:case_id>/notes/new/", "GET"): (CASE + "notes/new/", {}, case_team(200)),
    ("cases/<int:case_id>/notes/new/", "POST"): (
        CASE + "notes/new/",
        {"body": "Llamó", "sensitivity": "normal"},
        case_team(302),
    ),
    ("cases/<int:case_id>/tasks/new/", "GET"): (CASE + "tasks/new/", {}, case_team(200)),
    ("cases/<int:case_id>/tasks/new/", "POST"): (CASE + "tasks/new/", {}, case_team(400)),
    ("cases/<int:case_id>/tasks/<int:task_id>/done/", "POST"): (
        CASE + "tasks/{task}/done/",
        {},
        case_team(302),
    ),
    ("cases/<int:case_id>/testimonies/new/", "GET"): (
        CASE + "testimonies/new/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/testimonies/new/", "POST"): (
        CASE + "testimonies/new/",
        {},
        case_team(400),
    ),
    ("cases/<int:case_id>/team/", "GET"): (CASE + "team/", {}, case_team(200)),
    ("cases/<int:case_id>/team/", "POST"): (CASE + "team/", {}, case_team(400)),
    ("cases/<int:case_id>/team/<int:user_id>/remove/", "POST"): (
        CASE + "team/{team_user}/remove/",
        {},
        case_team(302),
    ),
    ("cases/<int:case_id>/close/", "GET"): (CASE + "close/", {}, case_team(200)),
    ("cases/<int:case_id>/close/", "POST"): (CASE + "close/", {}, case_team(400)),
    # The sample case is open: reopening it is refused with a message.
    ("cases/<int:case_id>/reopen/", "POST"): (CASE + "reopen/", {}, case_team(400)),
    ("cases/<int:case_id>/consents/new/", "GET"): (CASE + "consents/new/", {}, case_team(200)),
    ("cases/<int:case_id>/consents/new/", "POST"): (
        CASE + "consents/new/",
        {},
        case_team(400),
    ),
    ("cases/<int:case_id>/consents/<int:consent_id>/withdraw/", "POST"): (
        CASE + "consents/{consent}/withdraw/",
        {},
        case_team(302),
    ),
}
