"""The hearing calendars: mine, my organisation's and a court's, a week at a time, each showing
only hearings of cases the member may open, with the case code and never the survivor's name.

The cast: the lawyer leads case A; the social worker leads case B, where the coordinator (who
sees the whole caseload, but is not on B's team) accompanies the survivor; the psychologist
leads case C. Each case has a hearing this week."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.services import team_add, team_remove
from conftest import open_case
from organisations.models import Membership
from proceedings.tests.hearings_setup import (
    at,
    join_team,
    make_court,
    make_proceeding,
    membership_of,
    schedule,
)
from survivors.services import Identity

NAMES = {"a": "Ana Mamani Quispe", "b": "Beatriz Choque Flores", "c": "Carla Huanca Rojas"}


def _monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


@pytest.fixture
def world(cast: dict[str, Any]) -> dict[str, Any]:
    courts = {
        "one": make_court(cast["coordinator"], "Juzgado 1º de Instrucción"),
        "two": make_court(cast["coordinator"], "Tribunal 3º de Sentencia"),
    }
    leads = {"a": "lawyer", "b": "social_worker", "c": "psychologist"}
    world: dict[str, Any] = {"courts": courts}
    monday = _monday()
    for key, role in leads.items():
        case = open_case(cast[role], identity=Identity(full_name=NAMES[key]))
        proceeding = make_proceeding(cast[role], case)
        court = courts["two"] if key == "c" else courts["one"]
        companions = [cast["coordinator"]] if key == "b" else []
        world[key] = schedule(
            cast[role],
            case,
            proceeding,
            court,
            at(monday + dt.timedelta(days=2), hour=9 + len(world)),
            companions=companions,
        )
    return world


def _page(client: Any, url: str = "/justice/hearings/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _shown(body: str, world: dict[str, Any]) -> set[str]:
    return {k for k in "abc" if world[k].proceeding.case.survivor.code in body}


def test_my_calendar_holds_the_hearings_of_my_cases(client_for, cast, world):
    assert _shown(_page(client_for(cast["lawyer"])), world) == {"a"}


def test_my_calendar_holds_the_hearings_where_i_accompany_her(client_for, cast, world):
    assert _shown(_page(client_for(cast["coordinator"])), world) == {"b"}


def test_the_organisation_calendar_holds_every_case_i_may_open(client_for, cast, world):
    assert _shown(_page(client_for(cast["coordinator"]), "/justice/hearings/?view=org"), world) == {
        "a",
        "b",
        "c",
    }
    assert _shown(_page(client_for(cast["supervisor"]), "/justice/hearings/?view=org"), world) == {
        "a",
        "b",
        "c",
    }


def test_the_organisation_calendar_stops_at_the_cases_i_may_open(client_for, cast, world):
    body = _page(client_for(cast["lawyer"]), "/justice/hearings/?view=org")
    assert _shown(body, world) == {"a"}


def test_another_organisation_sees_none_of_them(client_for, cast, world):
    client = client_for(cast["outsider"])
    for url in ("/justice/hearings/", "/justice/hearings/?view=org"):
        body = _page(client, url)
        assert _shown(body, world) == set()
        assert "esta semana" in body
    court = world["courts"]["one"]
    assert _shown(_page(client, f"/justice/hearings/court/{court.pk}/"), world) == set()


def test_a_member_removed_from_the_team_no_longer_sees_the_hearing(client_for, cast, world):
    coordinator = membership_of(cast["coordinator"])
    case_c = world["c"].proceeding.case
    team_add(membership=coordinator, case=case_c, user_id=cast["lawyer"].pk)
    client = client_for(cast["lawyer"])
    assert _shown(_page(client), world) == {"a", "c"}
    team_remove(membership=coordinator, case=case_c, user_id=cast["lawyer"].pk)
    assert _shown(_page(client), world) == {"a"}


def test_a_companion_removed_from_the_team_no_longer_sees_the_hearing(client_for, cast, world):
    # A companion who does not see the whole caseload must be on the team, and being on the
    # team already puts the case's hearings in "mine" (the coordinator's case B above proves
    # that accompanying alone does). What this proves: once she leaves the team, still being
    # named as a companion does not keep the hearing in her calendar.
    student = cast["law_student"]
    case_a, proceeding_a = world["a"].proceeding.case, world["a"].proceeding
    join_team(case_a, student)
    hearing = schedule(
        cast["lawyer"],
        case_a,
        proceeding_a,
        world["courts"]["one"],
        at(_monday() + dt.timedelta(days=3), hour=16),
        companions=[student],
    )
    client = client_for(student)
    assert _shown(_page(client), world) == {"a"}
    team_remove(membership=membership_of(cast["coordinator"]), case=case_a, user_id=student.pk)
    assert list(hearing.companions.all()) == [student]
    for url in ("/justice/hearings/", "/justice/hearings/?view=org"):
        assert _shown(_page(client, url), world) == set()
    court = world["courts"]["one"]
    assert _shown(_page(client, f"/justice/hearings/court/{court.pk}/"), world) == set()


def test_roles_without_casework_get_404(client_for, cast, world):
    for role in ("analyst", "org_admin", "platform_admin"):
        assert client_for(cast[role]).get("/justice/hearings/").status_code == 404


def test_rows_show_the_case_code_court_status_and_companions_but_no_names(client_for, cast, world):
    body = _page(client_for(cast["coordinator"]), "/justice/hearings/?view=org")
    hearing = world["b"]
    proceeding = hearing.proceeding
    assert f'href="/cases/{proceeding.case_id}/proceedings/{proceeding.pk}/"' in body
    assert "Juzgado 1º de Instrucción" in body
    assert "Audiencia de medidas cautelares" in body
    assert "Programada" in body
    assert cast["coordinator"].display_name in body
    for name in NAMES.values():
        assert name not in body


def test_it_moves_a_week_at_a_time(client_for, cast, world):
    monday = _monday()
    next_week = monday + dt.timedelta(days=7)
    lawyer = cast["lawyer"]
    case = world["a"].proceeding.case
    later = schedule(
        lawyer, case, world["a"].proceeding, world["courts"]["one"], at(next_week, hour=8)
    )
    client = client_for(lawyer)
    this_week = _page(client)
    assert f"hearings/court/{later.court_id}/" in this_week
    assert f"week={next_week.isoformat()}" in this_week
    assert "08:00" not in this_week
    following = _page(client, f"/justice/hearings/?week={(next_week + dt.timedelta(days=3))}")
    assert "08:00" in following
    assert f"Del {next_week:%d/%m/%Y}" in following
    assert "Esta semana" in following  # the link back to today
    assert f"week={monday.isoformat()}" in following  # previous week


@pytest.mark.parametrize("week", ["not-a-date", "9999-12-31", "0001-01-01", "2026-02-30"])
def test_it_falls_back_to_this_week_on_a_bad_week(client_for, cast, world, week):
    body = _page(client_for(cast["lawyer"]), f"/justice/hearings/?week={week}&view=nonsense")
    assert _shown(body, world) == {"a"}


def test_it_filters_by_court(client_for, cast, world):
    two = world["courts"]["two"]
    client = client_for(cast["coordinator"])
    body = _page(client, f"/justice/hearings/?view=org&court={two.pk}")
    assert _shown(body, world) == {"c"}
    assert f"/justice/hearings/court/{two.pk}/" in body
    assert _shown(_page(client, "/justice/hearings/?view=org&court=abc"), world) == {"a", "b", "c"}


def test_a_court_calendar_holds_that_courts_hearings_i_may_open(client_for, cast, world):
    one = world["courts"]["one"]
    url = f"/justice/hearings/court/{one.pk}/"
    assert _shown(_page(client_for(cast["coordinator"]), url), world) == {"a", "b"}
    assert _shown(_page(client_for(cast["lawyer"]), url), world) == {"a"}
    body = _page(client_for(cast["psychologist"]), url)
    assert _shown(body, world) == set()
    assert "No hay audiencias en este juzgado esta semana" in body


def test_a_court_calendar_is_404_for_a_prosecutors_office_or_unknown_id(client_for, cast, world):
    office = make_court(cast["coordinator"], "Fiscalía Departamental", kind="prosecutor")
    client = client_for(cast["coordinator"])
    assert client.get(f"/justice/hearings/court/{office.pk}/").status_code == 404
    assert client.get("/justice/hearings/court/999999/").status_code == 404


def test_empty_calendars_say_so(client_for, cast, world):
    client = client_for(cast["law_student"])
    assert "No tienes audiencias esta semana." in _page(client)
    assert "Tu organización no tiene audiencias esta semana." in _page(
        client, "/justice/hearings/?view=org"
    )


def test_a_deactivated_membership_sees_nothing(client_for, cast, world):
    Membership.objects.filter(user=cast["lawyer"]).update(is_active=False)
    assert client_for(cast["lawyer"]).get("/justice/hearings/").status_code == 404


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_calendar_reads_in_a_fixed_number_of_queries(client_for, cast, world):
    client = client_for(cast["coordinator"])
    url = "/justice/hearings/?view=org"
    client.get(url)  # the session's first request does more
    before = _queries(client, url)
    join_team(world["a"].proceeding.case, cast["psychologist"])
    for hour in (13, 14, 15):
        schedule(
            cast["lawyer"],
            world["a"].proceeding.case,
            world["a"].proceeding,
            world["courts"]["two"],
            at(_monday() + dt.timedelta(days=4), hour=hour),
            companions=[cast["psychologist"], cast["lawyer"]],
        )
    assert _queries(client, url) == before
    body = _page(client, url)
    assert body.count("<tr>") == 2 + 6  # a header for each of two days, six hearings
