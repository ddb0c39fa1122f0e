"""Hearings and protection measures of a proceeding over the API: the same services as the
pages; bad input answers 400 with field errors and writes nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from conftest import open_case
from proceedings.models import (
    Hearing,
    HearingStatus,
    MeasureBreach,
    OfficeKind,
    ProtectionMeasure,
)
from proceedings.tests.api_support import base, office, proceeding_for, record, token_client

LA_PAZ = ZoneInfo("America/La_Paz")
DENUNCIA_ON = dt.date(2026, 3, 2)


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"])


@pytest.fixture
def court(cast):
    return office(cast["coordinator"], name="Tribunal de Sentencia 2.º de La Paz")


@pytest.fixture
def proceeding(case, cast):
    proceeding = proceeding_for(case, cast["lawyer"])
    record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    return proceeding


@pytest.fixture
def lawyer(client, cast):
    return token_client(client, cast["lawyer"])


def _ahead(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LA_PAZ)


def _written() -> tuple[int, ...]:
    return (
        Hearing.objects.count(),
        Hearing.objects.exclude(status=HearingStatus.SCHEDULED).count(),
        ProtectionMeasure.objects.count(),
        ProtectionMeasure.objects.exclude(status="requested").count(),
        MeasureBreach.objects.count(),
        AuditEvent.objects.exclude(action=Action.VIEW).count(),
    )


def _schedule(lawyer, proceeding, court, **overrides):
    body = {"type": "cautelares", "starts_at": _ahead(7).isoformat(), "court_id": court.pk}
    return lawyer.post(f"{base(proceeding)}/hearings", {**body, **overrides})


# ----------------------------------------------------------------------------- hearings


def test_it_schedules_a_hearing(cast, proceeding, lawyer, court):
    response = _schedule(
        lawyer,
        proceeding,
        court,
        survivor_must_attend=True,
        remind_survivor=True,
        companion_ids=[cast["supervisor"].pk],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == {"code": "cautelares", "label": "Audiencia de medidas cautelares"}
    assert body["status"]["code"] == "scheduled"
    assert body["court"]["id"] == court.pk
    assert [c["id"] for c in body["companions"]] == [cast["supervisor"].pk]
    assert (body["survivor_must_attend"], body["remind_survivor"]) == (True, True)
    assert dt.datetime.fromisoformat(body["starts_at"]) == _ahead(7)
    assert body["starts_at"].endswith("-04:00")
    hearing = Hearing.objects.get(pk=body["id"])
    assert hearing.proceeding_id == proceeding.pk
    listed = lawyer.get(f"{base(proceeding)}/hearings").json()
    assert [h["id"] for h in listed] == [hearing.pk]
    assert lawyer.get(f"{base(proceeding)}/hearings/{hearing.pk}").json() == body


def test_a_time_without_offset_is_the_local_time_of_the_jurisdiction(proceeding, lawyer, court):
    naive = _ahead(3, hour=14).replace(tzinfo=None)
    response = _schedule(lawyer, proceeding, court, starts_at=naive.isoformat())
    assert response.status_code == 201, response.content
    saved = Hearing.objects.get(pk=response.json()["id"]).starts_at
    assert saved == _ahead(3, hour=14)
    assert saved.astimezone(dt.UTC).hour == 18


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"starts_at": "2026-02-27T09:00:00-04:00"}, 400, "starts_at"),  # before the denuncia
        ({"court_id": 999999}, 400, "court_id"),
        ({"court_id": "fiscalia"}, 400, "court_id"),
        ({"court_id": "closed"}, 400, "court_id"),
        ({"type": "karaoke"}, 400, "type"),
        ({"companion_ids": ["outsider"]}, 400, "companion_ids"),
        ({"companion_ids": ["analyst"]}, 400, "companion_ids"),
        ({"companion_ids": ["social_worker"]}, 400, "companion_ids"),  # not on the case's team
        ({"starts_at": "mañana"}, 422, "data.starts_at"),
        ({"court_id": None}, 422, "data.court_id"),
    ],
)
def test_it_refuses_a_bad_hearing(cast, proceeding, lawyer, court, overrides, status, field):
    ids = {
        "fiscalia": office(cast["coordinator"], kind=OfficeKind.PROSECUTOR).pk,
        "closed": office(cast["coordinator"], is_active=False).pk,
        "outsider": cast["outsider"].pk,
        "analyst": cast["analyst"].pk,
        "social_worker": cast["social_worker"].pk,
    }

    def resolve(value):
        if isinstance(value, list):
            return [ids.get(v, v) for v in value]
        return ids.get(value, value) if isinstance(value, str) else value

    before = _written()
    response = _schedule(lawyer, proceeding, court, **{k: resolve(v) for k, v in overrides.items()})
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    assert _written() == before


def test_it_refuses_a_hearing_before_any_denuncia(case, cast, lawyer, court):
    bare = proceeding_for(case, cast["lawyer"])
    before = _written()
    response = _schedule(lawyer, bare, court)
    assert response.status_code == 400
    assert "starts_at" in response.json()["error"]["fields"]
    assert _written() == before


def test_it_corrects_a_scheduled_hearing_with_put(cast, proceeding, lawyer, court):
    hearing = _schedule(lawyer, proceeding, court).json()
    path = f"{base(proceeding)}/hearings/{hearing['id']}"
    response = lawyer.put(
        path,
        {
            "type": "conclusiva",
            "starts_at": _ahead(8).isoformat(),
            "court_id": court.pk,
            "companion_ids": [cast["coordinator"].pk],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["type"]["code"] == "conclusiva"
    assert [c["id"] for c in response.json()["companions"]] == [cast["coordinator"].pk]
    before = _written()
    bad = lawyer.put(
        path, {"type": "conclusiva", "starts_at": "2020-01-01T09:00:00-04:00", "court_id": court.pk}
    )
    assert bad.status_code == 400
    assert "starts_at" in bad.json()["error"]["fields"]
    assert _written() == before
    assert Hearing.objects.get(pk=hearing["id"]).type == "conclusiva"


def test_it_records_a_suspension_and_reschedules(proceeding, lawyer, court):
    hearing = _schedule(lawyer, proceeding, court).json()
    path = f"{base(proceeding)}/hearings/{hearing['id']}"
    before = _written()
    no_reason = lawyer.post(f"{path}/outcome", {"status": "suspended"})
    assert no_reason.status_code == 400
    assert "suspension_reason" in no_reason.json()["error"]["fields"]
    assert lawyer.post(f"{path}/outcome", {"status": "adjourned"}).status_code == 422
    assert _written() == before

    suspended = lawyer.post(
        f"{path}/outcome", {"status": "suspended", "suspension_reason": "judge_absent"}
    )
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"]["code"] == "suspended"
    assert suspended.json()["suspension_reason"] == {
        "code": "judge_absent",
        "label": "Ausencia del juez",
    }

    before = _written()
    too_early = lawyer.post(f"{path}/reschedule", {"starts_at": _ahead(6).isoformat()})
    assert too_early.status_code == 400
    assert "starts_at" in too_early.json()["error"]["fields"]
    assert _written() == before
    moved = lawyer.post(f"{path}/reschedule", {"starts_at": _ahead(21).isoformat()})
    assert moved.status_code == 201, moved.content
    new = moved.json()
    assert (new["rescheduled_from_id"], new["status"]["code"]) == (hearing["id"], "scheduled")
    assert new["court"]["id"] == court.pk
    assert lawyer.get(path).json()["rescheduled_to_id"] == new["id"]
    again = lawyer.post(f"{path}/reschedule", {"starts_at": _ahead(30).isoformat()})
    assert again.status_code == 400


def test_it_suspends_a_scheduled_hearing_when_rescheduling_it(proceeding, lawyer, court):
    hearing = _schedule(lawyer, proceeding, court).json()
    path = f"{base(proceeding)}/hearings/{hearing['id']}/reschedule"
    before = _written()
    missing = lawyer.post(path, {"starts_at": _ahead(14).isoformat()})
    assert missing.status_code == 400
    assert "suspension_reason" in missing.json()["error"]["fields"]
    assert _written() == before
    response = lawyer.post(
        path, {"starts_at": _ahead(14).isoformat(), "suspension_reason": "not_notified"}
    )
    assert response.status_code == 201, response.content
    old = Hearing.objects.get(pk=hearing["id"])
    assert (old.status, old.suspension_reason) == ("suspended", "not_notified")


def test_it_refuses_to_hold_a_hearing_still_ahead(proceeding, lawyer, court):
    hearing = _schedule(lawyer, proceeding, court).json()
    before = _written()
    response = lawyer.post(
        f"{base(proceeding)}/hearings/{hearing['id']}/outcome", {"status": "held"}
    )
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    assert _written() == before


def test_it_answers_404_for_hearings_elsewhere(client, case, cast, proceeding, lawyer, court):
    hearing = _schedule(lawyer, proceeding, court).json()
    sibling = proceeding_for(case, cast["lawyer"])
    assert lawyer.get(f"{base(sibling)}/hearings/{hearing['id']}").status_code == 404
    outsider = token_client(client, cast["outsider"])
    path = f"{base(proceeding)}/hearings/{hearing['id']}"
    before = _written()
    assert outsider.get(path).status_code == 404
    assert outsider.post(f"{path}/outcome", {"status": "cancelled"}).status_code == 404
    assert (
        lawyer.post(
            f"{base(sibling)}/hearings/{hearing['id']}/outcome", {"status": "cancelled"}
        ).status_code
        == 404
    )
    assert _written() == before


# ----------------------------------------------------------------------------- measures


def _request(lawyer, proceeding, **overrides):
    body = {"measure": "prohibicion_acercamiento", "requested_on": "2026-03-03"}
    return lawyer.post(f"{base(proceeding)}/measures", {**body, **overrides})


def test_it_follows_a_measure_from_request_to_end(proceeding, lawyer):
    requested = _request(lawyer, proceeding)
    assert requested.status_code == 201, requested.content
    measure = requested.json()
    assert measure["measure"]["code"] == "prohibicion_acercamiento"
    assert measure["status"]["code"] == "requested"
    path = f"{base(proceeding)}/measures/{measure['id']}"

    granted = lawyer.post(
        f"{path}/decision",
        {"status": "granted", "decided_on": "2026-03-05", "expires_on": "2026-09-05"},
    )
    assert granted.status_code == 200, granted.content
    assert (granted.json()["status"]["code"], granted.json()["expires_on"]) == (
        "granted",
        "2026-09-05",
    )
    breach = lawyer.post(
        f"{path}/breaches",
        {"occurred_on": "2026-04-10", "reported_to_authority": True, "reported_on": "2026-04-11"},
    )
    assert breach.status_code == 201, breach.content
    assert breach.json()["reported_on"] == "2026-04-11"
    ended = lawyer.post(f"{path}/end", {"ended_on": "2026-06-01"})
    assert ended.status_code == 200
    assert ended.json()["status"]["code"] == "ended"
    assert [b["id"] for b in ended.json()["breaches"]] == [breach.json()["id"]]
    listed = lawyer.get(f"{base(proceeding)}/measures").json()
    assert [(m["id"], m["ended_on"]) for m in listed] == [(measure["id"], "2026-06-01")]


def test_a_granted_measure_is_recorded_as_an_act(proceeding, lawyer):
    measure = _request(lawyer, proceeding).json()
    lawyer.post(
        f"{base(proceeding)}/measures/{measure['id']}/decision",
        {"status": "granted", "decided_on": "2026-03-05"},
    )
    events = lawyer.get(f"{base(proceeding)}/events").json()
    assert [e["type"]["code"] for e in events] == ["denuncia", "medidas_proteccion"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"measure": "exile"}, 400, "measure"),
        ({"requested_on": "2999-01-01"}, 400, "requested_on"),
        ({"requested_on": None}, 422, "data.requested_on"),
    ],
)
def test_it_refuses_a_bad_request_for_a_measure(proceeding, lawyer, body, status, field):
    before = _written()
    response = _request(lawyer, proceeding, **body)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    assert _written() == before


def test_it_refuses_bad_decisions_ends_and_breaches(proceeding, lawyer):
    measure = _request(lawyer, proceeding).json()
    path = f"{base(proceeding)}/measures/{measure['id']}"
    before = _written()
    early = lawyer.post(f"{path}/decision", {"status": "granted", "decided_on": "2026-03-01"})
    assert early.status_code == 400
    assert "decided_on" in early.json()["error"]["fields"]
    undecided = lawyer.post(f"{path}/decision", {"status": "requested", "decided_on": "2026-03-05"})
    assert undecided.status_code == 400
    assert "status" in undecided.json()["error"]["fields"]
    assert lawyer.post(f"{path}/end", {"ended_on": "2026-06-01"}).status_code == 400
    assert lawyer.post(f"{path}/breaches", {"occurred_on": "2026-04-10"}).status_code == 400
    assert _written() == before

    lawyer.post(f"{path}/decision", {"status": "granted", "decided_on": "2026-03-05"})
    before = _written()
    twice = lawyer.post(f"{path}/decision", {"status": "denied", "decided_on": "2026-03-06"})
    assert twice.status_code == 400
    breach = lawyer.post(
        f"{path}/breaches", {"occurred_on": "2026-04-10", "reported_on": "2026-04-11"}
    )
    assert breach.status_code == 400
    assert "reported_on" in breach.json()["error"]["fields"]
    end = lawyer.post(f"{path}/end", {"ended_on": "2026-03-04"})
    assert end.status_code == 400
    assert "ended_on" in end.json()["error"]["fields"]
    assert _written() == before


def test_it_answers_404_for_measures_elsewhere(client, case, cast, proceeding, lawyer):
    measure = _request(lawyer, proceeding).json()
    sibling = proceeding_for(case, cast["lawyer"])
    outsider = token_client(client, cast["outsider"])
    before = _written()
    path = f"measures/{measure['id']}/decision"
    decision = {"status": "granted", "decided_on": "2026-03-05"}
    assert lawyer.post(f"{base(sibling)}/{path}", decision).status_code == 404
    assert outsider.post(f"{base(proceeding)}/{path}", decision).status_code == 404
    assert outsider.get(f"{base(proceeding)}/measures").status_code == 404
    assert _written() == before
