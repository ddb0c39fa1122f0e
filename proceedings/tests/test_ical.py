"""The iCal feed: a revocable secret URL whose events say only "Audiencia", the case code and
the court. Only the secret's hash is stored; unknown, revoked and no-longer-allowed all look
the same (404)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from audit.models import AuditEvent
from cases.services import team_add, team_remove
from conftest import open_case
from jurisdictions.models import Offence
from organisations.models import Membership
from proceedings.models import CalendarFeed
from proceedings.services import charges_reclassify
from proceedings.services_feeds import feed_create
from proceedings.services_hearings import hearing_record_outcome
from proceedings.tests.hearings_setup import (
    in_days,
    join_team,
    make_court,
    make_proceeding,
    membership_of,
    schedule,
)
from survivors.services import Identity

NAME = "Mariela Quispe Apaza"
NUREJ = "20123456789"
PROSECUTOR_NUMBER = "FIS-LPZ-1705432"
COMPANION = "Verónica Ticona"


@pytest.fixture
def world(cast: dict[str, Any]) -> dict[str, Any]:
    cast["psychologist"].name = COMPANION
    cast["psychologist"].save(update_fields=["name"])
    lawyer = cast["lawyer"]
    case = open_case(lawyer, identity=Identity(full_name=NAME, phone="+59171234567"))
    proceeding = make_proceeding(lawyer, case, nurej=NUREJ, prosecutor_number=PROSECUTOR_NUMBER)
    offence = Offence.objects.filter(jurisdiction__code="bo").order_by("pk").first()
    assert offence is not None
    charges_reclassify(
        membership=membership_of(lawyer),
        case=case,
        proceeding=proceeding,
        offences=[offence],
        basis="complaint",
        on=dt.date(2026, 3, 2),
    )
    court = make_court(cast["coordinator"], "Juzgado 2º de Instrucción Penal Cautelar")
    join_team(case, cast["psychologist"])  # a companion must be able to open the case
    ahead = schedule(
        lawyer, case, proceeding, court, in_days(5, hour=10), companions=[cast["psychologist"]]
    )
    suspended = schedule(lawyer, case, proceeding, court, in_days(8, hour=14))
    hearing_record_outcome(
        membership=membership_of(lawyer),
        case=case,
        proceeding=proceeding,
        hearing=suspended,
        status="suspended",
        suspension_reason="judge_absent",
    )
    # A hearing of a case the lawyer is not on: never in her feed.
    other_case = open_case(cast["social_worker"])
    other = schedule(
        cast["social_worker"],
        other_case,
        make_proceeding(cast["social_worker"], other_case),
        court,
        in_days(6),
    )
    return {
        "case": case,
        "offence": offence,
        "ahead": ahead,
        "suspended": suspended,
        "other": other,
        "court": court,
    }


def _secret(user: Any) -> str:
    return feed_create(membership=membership_of(user))[1]


def _calendar(secret: str, client: Client | None = None) -> tuple[Any, str]:
    response = (client or Client()).get(f"/ical/{secret}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    return Calendar.from_ical(body), body


def _events(calendar: Any) -> dict[str, Any]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_it_lists_my_hearings_with_only_the_word_the_code_and_the_court(cast, world):
    calendar, _body = _calendar(_secret(cast["lawyer"]))
    events = _events(calendar)
    ahead, suspended = world["ahead"], world["suspended"]
    assert set(events) == {f"hearing-{ahead.pk}@amparo", f"hearing-{suspended.pk}@amparo"}
    event = events[f"hearing-{ahead.pk}@amparo"]
    assert str(event["SUMMARY"]) == "Audiencia"
    assert str(event["DESCRIPTION"]) == f"Caso {world['case'].survivor.code}"
    assert str(event["LOCATION"]) == "Juzgado 2º de Instrucción Penal Cautelar"
    assert event.decoded("DTSTART") == ahead.starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=1)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(events[f"hearing-{suspended.pk}@amparo"]["STATUS"]) == "CANCELLED"


def test_it_never_carries_names_offence_or_official_numbers(cast, world):
    _parsed, body = _calendar(_secret(cast["lawyer"]))
    unfolded = body.replace("\r\n ", "")
    for secret_text in (
        NAME,
        "Quispe",
        NUREJ,
        PROSECUTOR_NUMBER,
        world["offence"].name,
        COMPANION,
        "+59171234567",
        "medidas cautelares",
        "judge_absent",
        "Ausencia del juez",
    ):
        assert secret_text not in unfolded, secret_text


def test_it_says_audiencia_in_english_too(cast, world):
    client = Client(headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    calendar, _body = _calendar(_secret(cast["lawyer"]), client)
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Audiencia"}


def test_it_includes_hearings_where_i_accompany_her(cast, world):
    calendar, _body = _calendar(_secret(cast["coordinator"]))
    assert set(_events(calendar)) == set()  # coordinator: not on the team, no companion
    schedule(
        cast["lawyer"],
        world["case"],
        world["ahead"].proceeding,
        world["court"],
        in_days(9),
        companions=[cast["coordinator"]],
    )
    calendar, _body = _calendar(_secret(cast["coordinator"]))
    assert len(_events(calendar)) == 1


def test_it_stores_only_the_hash_and_records_the_use(cast, world):
    secret = _secret(cast["lawyer"])
    feed = CalendarFeed.objects.get()
    assert feed.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(CalendarFeed.objects.values().get())
    assert feed.last_used_at is None
    _calendar(secret)
    feed.refresh_from_db()
    assert feed.last_used_at is not None


@pytest.mark.parametrize("secret", ["nothing-here", "x" * 101, "%20"])
def test_it_answers_404_to_an_unknown_secret(db, secret):
    assert Client().get(f"/ical/{secret}.ics").status_code == 404


def test_a_new_feed_ends_the_old_one(cast, world):
    old = _secret(cast["lawyer"])
    new = _secret(cast["lawyer"])
    assert Client().get(f"/ical/{old}.ics").status_code == 404
    _calendar(new)
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


def test_it_stops_for_a_deactivated_membership(cast, world):
    secret = _secret(cast["lawyer"])
    Membership.objects.filter(user=cast["lawyer"]).update(is_active=False)
    assert Client().get(f"/ical/{secret}.ics").status_code == 404


def test_it_stops_for_a_disabled_account(cast, world):
    secret = _secret(cast["lawyer"])
    cast["lawyer"].is_active = False
    cast["lawyer"].save(update_fields=["is_active"])
    assert Client().get(f"/ical/{secret}.ics").status_code == 404


def test_it_drops_a_case_she_was_removed_from(cast, world):
    coordinator = membership_of(cast["coordinator"])
    other_case = world["other"].proceeding.case
    team_add(membership=coordinator, case=other_case, user_id=cast["lawyer"].pk)
    secret = _secret(cast["lawyer"])
    assert f"hearing-{world['other'].pk}@amparo" in _events(_calendar(secret)[0])
    team_remove(membership=coordinator, case=other_case, user_id=cast["lawyer"].pk)
    assert f"hearing-{world['other'].pk}@amparo" not in _events(_calendar(secret)[0])


def test_it_drops_a_hearing_she_accompanies_once_she_leaves_the_team(cast, world):
    secret = _secret(cast["psychologist"])
    ahead = f"hearing-{world['ahead'].pk}@amparo"
    assert ahead in _events(_calendar(secret)[0])
    team_remove(
        membership=membership_of(cast["coordinator"]),
        case=world["case"],
        user_id=cast["psychologist"].pk,
    )
    assert list(world["ahead"].companions.all()) == [cast["psychologist"]]  # still named
    assert _events(_calendar(secret)[0]) == {}


def test_it_answers_only_get(cast, world):
    secret = _secret(cast["lawyer"])
    assert Client().post(f"/ical/{secret}.ics").status_code == 405


# ----------------------------------------------------------------------------- the page


def test_the_page_shows_the_url_once(sudo_client_for, cast, world):
    client = sudo_client_for(cast["lawyer"])
    page = client.get("/justice/calendar-feed/").content.decode()
    assert "No tienes un enlace de calendario activo." in page
    response = client.post("/justice/calendar-feed/")
    assert response.status_code == 200
    match = re.search(r"http://testserver/ical/([A-Za-z0-9_\-]+)\.ics", response.content.decode())
    assert match is not None
    _calendar(match.group(1))
    again = client.get("/justice/calendar-feed/").content.decode()
    assert match.group(1) not in again
    assert "Tienes un enlace activo" in again
    audit = AuditEvent.objects.filter(object_type="proceedings.calendarfeed").get()
    assert (audit.action, audit.fields, audit.actor_id) == (
        "create",
        ["secret_hash"],
        cast["lawyer"].pk,
    )


def test_the_page_revokes_the_feed(client_for, cast, world):
    secret = _secret(cast["lawyer"])
    client = client_for(cast["lawyer"])
    response = client.post("/justice/calendar-feed/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/justice/calendar-feed/"
    assert Client().get(f"/ical/{secret}.ics").status_code == 404
    assert AuditEvent.objects.filter(
        object_type="proceedings.calendarfeed", action="update", fields=["revoked_at"]
    ).exists()
    assert "No tienes un enlace" in client.get("/justice/calendar-feed/").content.decode()
    assert client.post("/justice/calendar-feed/revoke/").status_code == 302  # nothing to revoke


def test_a_revoke_touches_only_my_own_feed(client_for, cast, world):
    mine = _secret(cast["lawyer"])
    theirs = _secret(cast["social_worker"])
    client_for(cast["lawyer"]).post("/justice/calendar-feed/revoke/")
    assert Client().get(f"/ical/{mine}.ics").status_code == 404
    _calendar(theirs)


@pytest.mark.parametrize("role", ["analyst", "org_admin"])
def test_roles_without_casework_have_no_feed(sudo_client_for, cast, role):
    client = sudo_client_for(cast[role])
    assert client.get("/justice/calendar-feed/").status_code == 404
    assert client.post("/justice/calendar-feed/").status_code == 404
    assert not CalendarFeed.objects.exists()


def test_making_a_feed_asks_to_sign_in_again(client_for, cast):
    response = client_for(cast["lawyer"]).post("/justice/calendar-feed/")
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not CalendarFeed.objects.exists()


def _queries(secret: str) -> int:
    with CaptureQueriesContext(connection) as context:
        _calendar(secret)
    return len(context.captured_queries)


def test_it_reads_the_feed_in_a_fixed_number_of_queries(cast, world):
    secret = _secret(cast["lawyer"])
    before = _queries(secret)
    for days in (10, 11, 12):
        schedule(
            cast["lawyer"], world["case"], world["ahead"].proceeding, world["court"], in_days(days)
        )
    assert _queries(secret) == before
