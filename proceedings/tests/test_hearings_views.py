"""Hearing pages inside a proceeding: schedule, see and record the outcome, correct,
reschedule; and the hearings section of the proceeding page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from conftest import open_case
from proceedings.models import Hearing, HearingStatus
from proceedings.services_hearings import hearing_record_outcome, hearing_reschedule
from proceedings.tests.hearings_setup import (
    in_days,
    join_team,
    make_court,
    make_proceeding,
    membership_of,
    schedule,
)
from survivors.services import Identity

NAME = "Rosalía Condori Apaza"


@pytest.fixture
def setting(cast: dict[str, Any]) -> dict[str, Any]:
    case = open_case(cast["lawyer"], identity=Identity(full_name=NAME))
    proceeding = make_proceeding(cast["lawyer"], case)
    base = f"/cases/{case.pk}/proceedings/{proceeding.pk}/"
    return {
        "case": case,
        "proceeding": proceeding,
        "court": make_court(cast["coordinator"]),
        "base": base,
    }


def _form(setting: dict[str, Any], **changes: Any) -> dict[str, Any]:
    day = (dt.date.today() + dt.timedelta(days=5)).isoformat()  # noqa: DTZ011 a date, any zone
    return {
        "type": "juicio",
        "date": day,
        "time": "09:30",
        "court": str(setting["court"].pk),
        **changes,
    }


# ----------------------------------------------------------------------------- new


def test_it_shows_the_form_with_the_pack_hearing_types(client_for, cast, setting):
    response = client_for(cast["lawyer"]).get(setting["base"] + "hearings/new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Juicio oral" in body
    assert setting["court"].name in body
    assert NAME not in body


def test_it_offers_as_companions_only_people_who_may_open_the_case(client_for, cast, setting):
    join_team(setting["case"], cast["social_worker"])
    body = client_for(cast["lawyer"]).get(setting["base"] + "hearings/new/").content.decode()
    offered = {int(pk) for pk in re.findall(r'name="companions" value="(\d+)"', body)}
    assert offered == {
        cast[who].pk for who in ("lawyer", "social_worker", "coordinator", "supervisor")
    }
    assert cast["psychologist"].pk not in offered  # works cases here, but not on this team


def test_it_refuses_a_companion_who_cannot_open_the_case(client_for, cast, setting):
    response = client_for(cast["lawyer"]).post(
        setting["base"] + "hearings/new/",
        _form(setting, companions=[str(cast["psychologist"].pk)]),
    )
    assert response.status_code == 400
    assert 'id="id_companions_error"' in response.content.decode()
    assert not Hearing.objects.exists()


def test_it_schedules_a_hearing_in_la_paz_time(client_for, cast, setting):
    join_team(setting["case"], cast["psychologist"])
    response = client_for(cast["lawyer"]).post(
        setting["base"] + "hearings/new/",
        _form(setting, companions=[str(cast["psychologist"].pk)], survivor_must_attend="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == setting["base"] + "#audiencias"
    hearing = Hearing.objects.get()
    # 09:30 in La Paz (UTC-4) is 13:30 UTC.
    assert hearing.starts_at.astimezone(dt.UTC).time() == dt.time(13, 30)
    assert hearing.type == "juicio"
    assert hearing.survivor_must_attend
    assert list(hearing.companions.all()) == [cast["psychologist"]]


def test_it_refuses_a_date_before_the_denuncia_and_writes_nothing(client_for, cast, setting):
    response = client_for(cast["lawyer"]).post(
        setting["base"] + "hearings/new/", _form(setting, date="2026-02-27")
    )
    assert response.status_code == 400
    assert "anterior a la denuncia (02/03/2026)" in response.content.decode()
    assert not Hearing.objects.exists()


def test_it_refuses_an_incomplete_form(client_for, cast, setting):
    response = client_for(cast["lawyer"]).post(
        setting["base"] + "hearings/new/", _form(setting, time="", court="")
    )
    assert response.status_code == 400
    assert not Hearing.objects.exists()


def test_it_refuses_a_companion_from_another_organisation(client_for, cast, setting):
    response = client_for(cast["lawyer"]).post(
        setting["base"] + "hearings/new/",
        _form(setting, companions=[str(cast["outsider"].pk)]),
    )
    assert response.status_code == 400
    assert not Hearing.objects.exists()


def test_it_warns_when_the_denuncia_is_missing(client_for, cast, setting):
    proceeding = make_proceeding(cast["lawyer"], setting["case"], complaint_on=None)
    url = f"/cases/{setting['case'].pk}/proceedings/{proceeding.pk}/hearings/new/"
    client = client_for(cast["lawyer"])
    assert "Registra primero la denuncia" in client.get(url).content.decode()
    response = client.post(url, _form(setting))
    assert response.status_code == 400
    assert not Hearing.objects.exists()


@pytest.mark.parametrize("who", ["social_worker", "outsider", "analyst"])
def test_it_hides_the_proceeding_from_whoever_cannot_open_the_case(client_for, cast, setting, who):
    client = client_for(cast[who])
    assert client.get(setting["base"] + "hearings/new/").status_code == 404
    assert client.post(setting["base"] + "hearings/new/", _form(setting)).status_code == 404
    assert not Hearing.objects.exists()


# ----------------------------------------------------------------------------- detail


def test_it_shows_a_hearing_without_the_survivors_name(client_for, cast, setting):
    join_team(setting["case"], cast["psychologist"])
    hearing = schedule(
        cast["lawyer"],
        setting["case"],
        setting["proceeding"],
        setting["court"],
        in_days(2),
        companions=[cast["psychologist"]],
    )
    response = client_for(cast["lawyer"]).get(setting["base"] + f"hearings/{hearing.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Audiencia de medidas cautelares" in body
    assert cast["psychologist"].display_name in body
    assert "Registrar resultado" in body
    assert NAME not in body


def test_it_records_a_suspension_from_the_hearing_page(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    url = setting["base"] + f"hearings/{hearing.pk}/"
    response = client_for(cast["lawyer"]).post(
        url, {"action": "outcome", "status": "suspended", "suspension_reason": "accused_absent"}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    hearing.refresh_from_db()
    assert (hearing.status, hearing.suspension_reason) == ("suspended", "accused_absent")


def test_it_refuses_a_held_outcome_before_the_hearing(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    response = client_for(cast["lawyer"]).post(
        setting["base"] + f"hearings/{hearing.pk}/", {"status": "held"}
    )
    assert response.status_code == 400
    assert "antes de su hora" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SCHEDULED


def test_it_explains_why_a_hearing_with_an_outcome_takes_no_other(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(-1)
    )
    hearing_record_outcome(
        membership=membership_of(cast["lawyer"]),
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=hearing,
        status="held",
    )
    response = client_for(cast["lawyer"]).post(
        setting["base"] + f"hearings/{hearing.pk}/", {"status": "cancelled"}
    )
    assert response.status_code == 400
    assert "ya tiene resultado" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.HELD


def test_it_corrects_a_scheduled_hearing_from_its_page(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    url = setting["base"] + f"hearings/{hearing.pk}/"
    response = client_for(cast["lawyer"]).post(
        url, {"action": "update", **_form(setting, time="15:00", type="conclusiva")}
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.type == "conclusiva"
    assert hearing.starts_at.astimezone(dt.UTC).time() == dt.time(19, 0)


def test_it_refuses_a_bad_correction(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    response = client_for(cast["lawyer"]).post(
        setting["base"] + f"hearings/{hearing.pk}/",
        {"action": "update", **_form(setting, type="tea_party")},
    )
    assert response.status_code == 400
    hearing.refresh_from_db()
    assert hearing.type == "cautelares"


def test_it_answers_404_for_a_hearing_of_another_proceeding(client_for, cast, setting):
    other_case = open_case(cast["lawyer"])
    other = make_proceeding(cast["lawyer"], other_case)
    hearing = schedule(cast["lawyer"], other_case, other, setting["court"], in_days(2))
    client = client_for(cast["lawyer"])
    assert client.get(setting["base"] + f"hearings/{hearing.pk}/").status_code == 404
    assert (
        client.post(setting["base"] + f"hearings/{hearing.pk}/", {"status": "cancelled"})
    ).status_code == 404
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SCHEDULED


# ----------------------------------------------------------------------------- reschedule


def test_it_reschedules_from_its_page(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    url = setting["base"] + f"hearings/{hearing.pk}/reschedule/"
    client = client_for(cast["lawyer"])
    assert "¿Por qué se suspendió?" in client.get(url).content.decode()
    new_day = (dt.date.today() + dt.timedelta(days=40)).isoformat()  # noqa: DTZ011
    response = client.post(
        url, {"date": new_day, "time": "08:00", "suspension_reason": "schedule_conflict"}
    )
    assert response.status_code == 302
    new = Hearing.objects.get(rescheduled_from=hearing)
    assert response["Location"] == setting["base"] + f"hearings/{new.pk}/"
    hearing.refresh_from_db()
    assert hearing.suspension_reason == "schedule_conflict"
    page = client.get(response["Location"]).content.decode()
    assert "Reprogramada de" in page


def test_it_refuses_a_reschedule_without_the_reason(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    new_day = (dt.date.today() + dt.timedelta(days=40)).isoformat()  # noqa: DTZ011
    response = client_for(cast["lawyer"]).post(
        setting["base"] + f"hearings/{hearing.pk}/reschedule/", {"date": new_day, "time": "08:00"}
    )
    assert response.status_code == 400
    assert Hearing.objects.count() == 1


def test_it_explains_that_a_rescheduled_hearing_is_not_rescheduled_again(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    hearing_reschedule(
        membership=membership_of(cast["lawyer"]),
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=hearing,
        starts_at=in_days(9),
        suspension_reason="other",
    )
    url = setting["base"] + f"hearings/{hearing.pk}/reschedule/"
    client = client_for(cast["lawyer"])
    assert "ya fue reprogramada" in client.get(url).content.decode()
    new_day = (dt.date.today() + dt.timedelta(days=40)).isoformat()  # noqa: DTZ011
    response = client.post(url, {"date": new_day, "time": "08:00"})
    assert response.status_code == 400
    assert "ya fue reprogramada" in response.content.decode()
    assert Hearing.objects.count() == 2


# ----------------------------------------------------------------------------- section


def _section(setting: dict[str, Any]) -> str:
    request = RequestFactory().get("/")
    return render_to_string(
        "proceedings/_hearings.html",
        {"case": setting["case"], "proceeding": setting["proceeding"]},
        request=request,
    )


def test_the_section_shows_the_next_hearing_first_and_the_chain(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    lawyer = membership_of(cast["lawyer"])
    past = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(-10)
    )
    hearing_record_outcome(
        membership=lawyer,
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=past,
        status="suspended",
        suspension_reason="prosecutor_absent",
    )
    later = hearing_reschedule(
        membership=lawyer,
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=past,
        starts_at=in_days(12),
    )
    soon = schedule(
        cast["lawyer"],
        setting["case"],
        setting["proceeding"],
        setting["court"],
        in_days(3),
        companions=[cast["psychologist"]],
        survivor_must_attend=True,
    )
    html = _section(setting)
    rows = html.split("<tr>")[2:]  # after the header row
    assert all(f"hearings/{h.pk}/" in row for row, h in zip(rows, [soon, later, past], strict=True))
    assert "Próxima" in rows[0]
    assert "Próxima" not in rows[1]
    assert cast["psychologist"].display_name in rows[0]
    assert "La sobreviviente debe asistir" in rows[0]
    assert "reprogramada de la del" in rows[1]
    assert "Suspendida: Ausencia del fiscal" in rows[2]
    assert "reprogramada para el" in rows[2]
    assert "hearings/new/" in html
    assert NAME not in html


def test_the_section_says_when_there_are_no_hearings(setting):
    html = _section(setting)
    assert "No hay audiencias registradas en este proceso." in html
    assert "hearings/new/" in html


def test_the_section_reads_the_hearings_in_a_fixed_number_of_queries(
    cast, setting, django_assert_num_queries
):
    join_team(setting["case"], cast["psychologist"])
    for days in (3, 4, 5):
        schedule(
            cast["lawyer"],
            setting["case"],
            setting["proceeding"],
            setting["court"],
            in_days(days),
            companions=[cast["psychologist"], cast["lawyer"]],
        )
    with django_assert_num_queries(2):  # the hearings, their companions
        _section(setting)


def test_the_proceeding_page_includes_the_section(client_for, cast, setting):
    hearing = schedule(
        cast["lawyer"], setting["case"], setting["proceeding"], setting["court"], in_days(2)
    )
    response = client_for(cast["lawyer"]).get(setting["base"])
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="audiencias"' in body
    assert setting["base"] + f"hearings/{hearing.pk}/" in body
