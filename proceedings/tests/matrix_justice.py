"""Authorization matrix for protection measures, the network-wide deadline list, deadline
alerts and the directory of courts and prosecutors (see access/tests/matrix.py).

`{jx_case}` is opened by the lawyer, who leads it and is its only team member (`case_team`
applies unchanged); it has a proceeding `{jx_proceeding}` with a denuncia (so a deadline
runs), a requested protection measure `{jx_measure}`, and a deadline alert `{jx_alert}` for the
lawyer. `{jx_office}` is a court of the network directory, which is common to every
organisation: the outsider, a coordinator elsewhere, maintains it like the coordinator here.

Empty POSTs are refused with 400 (nothing written) wherever someone may post.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from access.policy import Capability
from access.tests.matrix import case_team, members_with

P = "/cases/{jx_case}/proceedings/{jx_proceeding}/"
PR = "cases/<int:case_id>/proceedings/<int:proceeding_id>/"


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from proceedings.models import Deadline, DeadlineAlert
    from proceedings.services import office_create
    from proceedings.services_measures import measure_request
    from proceedings.tests.justice_fixtures import la_paz, member, proceeding_for

    lawyer = cast["lawyer"]
    case, proceeding = proceeding_for(lawyer, events=[("denuncia", date(2026, 3, 2))])
    protection = measure_request(
        membership=member(lawyer),
        case=case,
        proceeding=proceeding,
        measure="prohibicion_acercamiento",
        requested_on=date(2026, 3, 3),
    )
    deadline = Deadline.objects.filter(proceeding=proceeding).first()
    assert deadline is not None
    alert = DeadlineAlert.objects.create(deadline=deadline, user=lawyer, lead=timedelta(days=30))
    office = office_create(
        membership=member(cast["coordinator"]),
        kind="investigating",
        name="Juzgado 1.º de Instrucción Penal (matriz)",
        department=la_paz(),
    )
    return {
        "jx_case": str(case.pk),
        "jx_proceeding": str(proceeding.pk),
        "jx_measure": str(protection.pk),
        "jx_alert": str(alert.pk),
        "jx_office": str(office.pk),
    }


_WORKS_CASES = members_with(Capability.SEE_SURVIVORS, 200)

URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    (PR + "measures/new/", "GET"): (P + "measures/new/", {}, case_team(200)),
    (PR + "measures/new/", "POST"): (P + "measures/new/", {}, case_team(400)),
    (PR + "measures/<int:measure_id>/", "GET"): (P + "measures/{jx_measure}/", {}, case_team(200)),
    (PR + "measures/<int:measure_id>/", "POST"): (
        P + "measures/{jx_measure}/",
        {},
        case_team(400),
    ),
    (PR + "measures/<int:measure_id>/breaches/new/", "POST"): (
        P + "measures/{jx_measure}/breaches/new/",
        {},
        case_team(400),
    ),
    # The method is refused before anything is looked up.
    (PR + "measures/<int:measure_id>/breaches/new/", "GET"): (
        P + "measures/{jx_measure}/breaches/new/",
        {},
        members_with(Capability.SEE_SURVIVORS, 405),
    ),
    ("justice/deadlines/", "GET"): ("/justice/deadlines/", {}, _WORKS_CASES),
    # Only the alert's own recipient may mark it seen; to everyone else it does not exist.
    ("justice/alerts/<int:alert_id>/seen/", "POST"): (
        "/justice/alerts/{jx_alert}/seen/",
        {},
        members_with(Capability.SEE_SURVIVORS, 404, lawyer=302),
    ),
    ("justice/alerts/<int:alert_id>/seen/", "GET"): (
        "/justice/alerts/{jx_alert}/seen/",
        {},
        members_with(Capability.SEE_SURVIVORS, 405),
    ),
    ("justice/directory/", "GET"): ("/justice/directory/", {}, _WORKS_CASES),
    ("justice/directory/new/", "GET"): (
        "/justice/directory/new/",
        {},
        members_with(Capability.MANAGE_DIRECTORY, 200),
    ),
    ("justice/directory/new/", "POST"): (
        "/justice/directory/new/",
        {},
        members_with(Capability.MANAGE_DIRECTORY, 400),
    ),
    ("justice/directory/<int:office_id>/edit/", "GET"): (
        "/justice/directory/{jx_office}/edit/",
        {},
        members_with(Capability.MANAGE_DIRECTORY, 200),
    ),
    ("justice/directory/<int:office_id>/edit/", "POST"): (
        "/justice/directory/{jx_office}/edit/",
        {},
        members_with(Capability.MANAGE_DIRECTORY, 400),
    ),
}
