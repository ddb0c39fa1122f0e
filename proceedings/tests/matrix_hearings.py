"""Hearing pages, the calendars and the iCal feed in the authorization matrix (see
access/tests/matrix.py).

`{hr_case}` is opened by the lawyer, who leads it and is its only team member (`case_team`
applies unchanged); its proceeding `{hr_proceeding}` has a denuncia and a hearing
`{hr_hearing}` ahead, at the court `{hr_court}`. `{hr_secret}` is the secret of the lawyer's
iCal feed.

Empty POSTs are refused with 400 (nothing written) wherever someone may post. The calendars
hold hearings of the cases each member may open, so every role that works cases gets 200
(the outsider sees her own organisation's, none of these). Making a feed answers 200 (the page
that shows its URL once); revoking one redirects. The public `.ics` URL has no session: the
secret is the credential, so whoever holds it gets 200, signed in or not.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from access.policy import Capability
from access.tests.matrix import case_team, everyone, members_with

P = "/cases/{hr_case}/proceedings/{hr_proceeding}/"
PR = "cases/<int:case_id>/proceedings/<int:proceeding_id>/"
CASEWORK = members_with(Capability.SEE_SURVIVORS, 200)


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from django.utils import timezone

    from conftest import open_case
    from proceedings.services_feeds import feed_create
    from proceedings.services_hearings import HearingData, hearing_schedule
    from proceedings.tests.hearings_setup import make_court, make_proceeding, membership_of

    case = open_case(cast["lawyer"])
    proceeding = make_proceeding(cast["lawyer"], case, complaint_on=date(2026, 3, 2))
    court = make_court(cast["coordinator"], "Juzgado 4.º de Instrucción Penal (matriz)")
    lawyer = membership_of(cast["lawyer"])
    hearing = hearing_schedule(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        data=HearingData(
            type="cautelares", starts_at=timezone.now() + timedelta(days=3), court=court
        ),
    )
    _feed, secret = feed_create(membership=lawyer)
    return {
        "hr_case": str(case.pk),
        "hr_proceeding": str(proceeding.pk),
        "hr_hearing": str(hearing.pk),
        "hr_court": str(court.pk),
        "hr_secret": secret,
    }


URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    (PR + "hearings/new/", "GET"): (P + "hearings/new/", {}, case_team(200)),
    (PR + "hearings/new/", "POST"): (P + "hearings/new/", {}, case_team(400)),
    (PR + "hearings/<int:hearing_id>/", "GET"): (
        P + "hearings/{hr_hearing}/",
        {},
        case_team(200),
    ),
    (PR + "hearings/<int:hearing_id>/", "POST"): (
        P + "hearings/{hr_hearing}/",
        {},
        case_team(400),
    ),
    (PR + "hearings/<int:hearing_id>/reschedule/", "GET"): (
        P + "hearings/{hr_hearing}/reschedule/",
        {},
        case_team(200),
    ),
    (PR + "hearings/<int:hearing_id>/reschedule/", "POST"): (
        P + "hearings/{hr_hearing}/reschedule/",
        {},
        case_team(400),
    ),
    ("justice/hearings/", "GET"): ("/justice/hearings/", {}, CASEWORK),
    ("justice/hearings/court/<int:court_id>/", "GET"): (
        "/justice/hearings/court/{hr_court}/",
        {},
        CASEWORK,
    ),
    ("justice/calendar-feed/", "GET"): ("/justice/calendar-feed/", {}, CASEWORK),
    ("justice/calendar-feed/", "POST"): ("/justice/calendar-feed/", {}, CASEWORK),
    ("justice/calendar-feed/revoke/", "POST"): (
        "/justice/calendar-feed/revoke/",
        {},
        members_with(Capability.SEE_SURVIVORS, 302),
    ),
    ("ical/<str:secret>.ics", "GET"): ("/ical/{hr_secret}.ics", {}, everyone(200)),
}
