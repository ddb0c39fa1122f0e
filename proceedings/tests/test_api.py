"""The proceedings API inside a case: proceedings, charges, accused, procedural acts and
deadlines. The same gate, services and audit as the pages; bad input answers 400 (or 422 for
a body that does not fit the schema) with field errors and writes nothing; whatever is not in
a case the caller may open is 404."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.selectors import incident_list
from conftest import open_case
from proceedings.models import (
    Accused,
    Charge,
    OfficeKind,
    ProceduralEvent,
    Proceeding,
)
from proceedings.tests.api_support import (
    ACCUSED_NAME,
    NUREJ,
    PROSECUTOR_NUMBER,
    Json,
    base,
    office,
    proceeding_for,
    record,
    token_client,
)

DENUNCIA_ON = dt.date(2026, 3, 2)


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"])


@pytest.fixture
def court(cast):
    return office(cast["coordinator"], name="Juzgado de Instrucción Penal 1.º de El Alto")


@pytest.fixture
def fiscalia(cast):
    return office(cast["coordinator"], kind=OfficeKind.PROSECUTOR, name="Fiscalía de El Alto")


@pytest.fixture
def proceeding(case, cast):
    return proceeding_for(case, cast["lawyer"])


@pytest.fixture
def lawyer(client, cast):
    return token_client(client, cast["lawyer"])


def _written() -> tuple[int, ...]:
    return (
        Proceeding.objects.count(),
        Charge.objects.count(),
        Accused.objects.count(),
        ProceduralEvent.objects.count(),
        AuditEvent.objects.exclude(action=Action.VIEW).count(),
    )


# ----------------------------------------------------------------------------- proceedings


def test_it_opens_a_proceeding_and_shows_it_with_a_token(case, cast, lawyer, court, fiscalia):
    incident = incident_list(case=case).get()
    response = lawyer.post(
        f"/api/v1/cases/{case.pk}/proceedings",
        {
            "department": "02",
            "prosecutor_number": PROSECUTOR_NUMBER,
            "nurej": NUREJ,
            "court_id": court.pk,
            "prosecutor_office_id": fiscalia.pk,
            "incident_id": incident.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["department"] == {"code": "02", "name": "La Paz"}
    assert body["jurisdiction"] == "bo"
    assert body["stage"]["code"] == "start"
    assert (body["prosecutor_number"], body["nurej"]) == (PROSECUTOR_NUMBER, NUREJ)
    assert body["court"]["id"] == court.pk
    assert body["court"]["kind"]["code"] == "investigating"
    assert body["prosecutor_office"]["name"] == "Fiscalía de El Alto"
    assert body["incident_id"] == incident.pk
    assert (body["charges"], body["accused"], body["deadlines"]) == ([], [], [])
    saved = Proceeding.objects.get(pk=body["id"])
    assert saved.case_id == case.pk
    assert saved.nurej == NUREJ


def test_it_lists_proceedings_without_their_identifiers(case, cast, lawyer):
    proceeding_for(case, cast["lawyer"], prosecutor_number=PROSECUTOR_NUMBER, nurej=NUREJ)
    response = lawyer.get(f"/api/v1/cases/{case.pk}/proceedings")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert "nurej" not in response.json()["items"][0]
    assert PROSECUTOR_NUMBER not in response.content.decode()
    assert NUREJ not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.VIEW, object_type="proceedings.proceeding")


def test_it_records_who_read_the_identifiers(case, cast, lawyer):
    proceeding = proceeding_for(case, cast["lawyer"], nurej=NUREJ)
    response = lawyer.get(base(proceeding))
    assert response.status_code == 200
    assert response.json()["nurej"] == NUREJ
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="proceedings.proceeding")
    assert event.object_id == str(proceeding.pk)
    assert event.actor_id == cast["lawyer"].pk
    assert event.fields == ["nurej", "prosecutor_number"]
    assert NUREJ not in str(AuditEvent.objects.values_list("fields", flat=True))


def test_it_lists_in_a_constant_number_of_queries(case, cast, lawyer, court):
    proceeding_for(case, cast["lawyer"], court=court)
    lawyer.get(f"/api/v1/cases/{case.pk}/proceedings")  # the token's first use is recorded
    with CaptureQueriesContext(connection) as one:
        assert lawyer.get(f"/api/v1/cases/{case.pk}/proceedings").status_code == 200
    for _ in range(3):
        proceeding_for(case, cast["lawyer"], court=office(cast["coordinator"]))
    with CaptureQueriesContext(connection) as four:
        assert lawyer.get(f"/api/v1/cases/{case.pk}/proceedings").json()["count"] == 4
    assert len(four) == len(one)


def test_it_replaces_the_proceeding_with_put(proceeding, lawyer, court):
    response = lawyer.put(
        base(proceeding), {"department": "02", "nurej": NUREJ, "court_id": court.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["court"]["id"] == court.pk
    proceeding.refresh_from_db()
    assert (proceeding.nurej, proceeding.court_id) == (NUREJ, court.pk)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department": "99"}, "department"),
        ({"department": ""}, "department"),
        ({"court_id": 999999}, "court_id"),
        ({"court_id": "fiscalia"}, "court_id"),  # a prosecutor's office is not a court
        ({"prosecutor_office_id": "court"}, "prosecutor_office_id"),
        ({"incident_id": "other"}, "incident_id"),
        ({"incident_id": 999999}, "incident_id"),
    ],
)
def test_it_refuses_bad_proceeding_input(
    case, cast, lawyer, court, fiscalia, proceeding, change, field
):
    other_incident = incident_list(case=open_case(cast["lawyer"])).get()
    ids = {"fiscalia": fiscalia.pk, "court": court.pk, "other": other_incident.pk}
    body = {"department": "02", **{k: ids.get(v, v) for k, v in change.items()}}
    before = _written()
    created = lawyer.post(f"/api/v1/cases/{case.pk}/proceedings", body)
    assert created.status_code == 400, created.content
    assert field in created.json()["error"]["fields"]
    replaced = lawyer.put(base(proceeding), body)
    assert replaced.status_code == 400
    assert field in replaced.json()["error"]["fields"]
    assert _written() == before
    proceeding.refresh_from_db()
    assert proceeding.court_id is None


def test_it_refuses_a_body_that_does_not_fit(case, lawyer):
    before = _written()
    response = lawyer.post(
        f"/api/v1/cases/{case.pk}/proceedings", {"department": "02", "nurej": "x" * 61}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert "data.nurej" in response.json()["error"]["fields"]
    assert _written() == before


def test_it_refuses_a_proceeding_in_a_closed_case(case, cast, lawyer):
    from cases.services import case_close
    from proceedings.tests.api_support import membership

    case_close(
        membership=membership(cast["lawyer"]),
        case=case,
        reason="survivor_decision",
        closed_on=timezone.localdate(),
    )
    before = _written()
    response = lawyer.post(f"/api/v1/cases/{case.pk}/proceedings", {"department": "02"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "rejected"
    assert _written() == before


# ----------------------------------------------------------------------------- the gate


@pytest.mark.parametrize("who", ["outsider", "social_worker", "analyst", "org_admin"])
def test_it_hides_proceedings_from_people_who_may_not_open_the_case(client, cast, proceeding, who):
    api = token_client(client, cast[who])
    before = _written()
    assert api.get(f"/api/v1/cases/{proceeding.case_id}/proceedings").status_code == 404
    assert api.get(base(proceeding)).status_code == 404
    # 404 whatever the body: the case is checked before the body is read.
    assert api.post(f"{base(proceeding)}/events", {"nonsense": True}).status_code == 404
    assert api.put(base(proceeding), {"department": "02"}).status_code == 404
    assert _written() == before
    assert not AuditEvent.objects.filter(action=Action.VIEW)


def test_it_answers_404_for_a_proceeding_of_another_case(client, cast, proceeding, lawyer):
    other_case = open_case(cast["lawyer"])
    wrong = f"/api/v1/cases/{other_case.pk}/proceedings/{proceeding.pk}"
    assert lawyer.get(wrong).status_code == 404
    assert lawyer.get(wrong + "/events").status_code == 404
    before = _written()
    response = lawyer.post(wrong + "/events", {"type": "denuncia", "occurred_on": "2026-03-02"})
    assert response.status_code == 404
    assert _written() == before


def test_it_answers_401_without_credentials(client, proceeding):
    assert client.get(base(proceeding)).status_code == 401
    assert Json(client, "not-a-token").get(base(proceeding)).status_code == 401


def test_the_whole_caseload_roles_and_the_session_work_too(client_for, cast, proceeding):
    for role in ("coordinator", "supervisor"):
        assert Json(client_for(cast[role])).get(base(proceeding)).status_code == 200


# ----------------------------------------------------------------------------- charges


def test_it_reclassifies_and_keeps_the_history(proceeding, lawyer):
    first = lawyer.post(
        f"{base(proceeding)}/charges",
        {"offences": ["308", "270"], "basis": "complaint", "on": "2026-03-02"},
    )
    assert first.status_code == 200, first.content
    assert sorted(c["offence"]["code"] for c in first.json()) == ["270", "308"]
    second = lawyer.post(
        f"{base(proceeding)}/charges", {"offences": ["308"], "basis": "charge", "on": "2026-04-01"}
    )
    assert [c["offence"]["code"] for c in second.json()] == ["308"]
    history = lawyer.get(f"{base(proceeding)}/charges").json()
    ended = [c for c in history if c["until_on"]]
    assert [(c["offence"]["code"], c["until_on"]) for c in ended] == [("270", "2026-04-01")]
    assert ended[0]["ended_by_basis"]["code"] == "charge"
    assert ended[0]["basis"] == {"code": "complaint", "label": "Denuncia"}
    detail = lawyer.get(base(proceeding)).json()
    assert [c["offence"]["code"] for c in detail["charges"]] == ["308"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"offences": ["nope"], "basis": "charge", "on": "2026-03-02"}, 400, "offences"),
        ({"offences": [], "basis": "charge", "on": "2026-03-02"}, 400, "offences"),
        ({"offences": ["308"], "basis": "charge", "on": "2999-01-01"}, 400, "on"),
        ({"offences": ["308"], "basis": "rumour", "on": "2026-03-02"}, 422, "basis"),
        ({"offences": ["308"], "basis": "charge"}, 422, "on"),
    ],
)
def test_it_refuses_bad_charges(proceeding, lawyer, body, status, field):
    before = _written()
    response = lawyer.post(f"{base(proceeding)}/charges", body)
    assert response.status_code == status, response.content
    assert (field if status == 400 else f"data.{field}") in response.json()["error"]["fields"]
    assert _written() == before


# ----------------------------------------------------------------------------- accused


def test_it_adds_an_accused_and_never_returns_the_name(proceeding, lawyer):
    response = lawyer.post(
        f"{base(proceeding)}/accused",
        {"relationship": "partner", "sex": "male", "name": ACCUSED_NAME},
    )
    assert response.status_code == 201, response.content
    assert response.json()["relationship"]["code"] == "partner"
    assert "name" not in response.json()
    accused = Accused.objects.get(pk=response.json()["id"])
    assert accused.name == ACCUSED_NAME
    detail = lawyer.get(base(proceeding))
    assert [a["id"] for a in detail.json()["accused"]] == [accused.pk]
    assert ACCUSED_NAME not in (response.content + detail.content).decode()
    assert "Ruperto" not in detail.content.decode()


def test_it_removes_an_accused(proceeding, lawyer):
    added = lawyer.post(f"{base(proceeding)}/accused", {"relationship": "stranger"}).json()
    response = lawyer.post(f"{base(proceeding)}/accused/{added['id']}/remove")
    assert response.status_code == 204
    assert lawyer.get(base(proceeding)).json()["accused"] == []
    assert Accused.objects.get(pk=added["id"]).removed_at is not None
    again = lawyer.post(f"{base(proceeding)}/accused/{added['id']}/remove")
    assert again.status_code == 404


def test_it_refuses_a_bad_accused(case, cast, proceeding, lawyer):
    before = _written()
    response = lawyer.post(f"{base(proceeding)}/accused", {"relationship": "nemesis"})
    assert response.status_code == 422
    assert "data.relationship" in response.json()["error"]["fields"]
    too_long = lawyer.post(
        f"{base(proceeding)}/accused", {"relationship": "partner", "name": "x" * 201}
    )
    assert too_long.status_code == 422
    other = proceeding_for(case, cast["lawyer"])
    foreign = Accused.objects.create(
        proceeding=other, relationship="partner", created_by=cast["lawyer"]
    )
    before = _written()
    assert lawyer.post(f"{base(proceeding)}/accused/{foreign.pk}/remove").status_code == 404
    assert _written() == before
    assert Accused.objects.get(pk=foreign.pk).removed_at is None


# ----------------------------------------------------------------------------- acts


def test_it_records_acts_and_derives_the_stage(proceeding, lawyer):
    response = lawyer.post(
        f"{base(proceeding)}/events", {"type": "denuncia", "occurred_on": "2026-03-02"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == {"code": "denuncia", "label": "Denuncia o querella"}
    assert body["is_effective"] is True
    assert body["recorded_by"]["name"]
    detail = lawyer.get(base(proceeding)).json()
    assert detail["stage"]["code"] == "preliminary"
    assert (detail["stage_since"], detail["complaint_on"]) == ("2026-03-02", "2026-03-02")
    assert [d["rule"]["code"] for d in detail["deadlines"]] == ["duracion_maxima"]


def test_it_refuses_an_act_the_stage_does_not_allow(proceeding, cast, lawyer):
    record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    before = _written()
    response = lawyer.post(
        f"{base(proceeding)}/events", {"type": "acusacion", "occurred_on": "2026-04-01"}
    )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["type"][0]
    assert "Acusación" in message
    assert "Investigación preliminar" in message
    assert "Etapa preparatoria" in message
    assert _written() == before
    proceeding.refresh_from_db()
    assert proceeding.stage == "preliminary"


def test_it_explains_in_english_when_asked(client, cast, proceeding):
    api = token_client(client, cast["lawyer"], language="en")
    response = api.post(
        f"{base(proceeding)}/events", {"type": "acusacion", "occurred_on": "2026-04-01"}
    )
    assert response.status_code == 400
    record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    detail = api.get(base(proceeding)).json()
    assert detail["stage"] == {"code": "preliminary", "label": "Preliminary investigation"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"type": "nope", "occurred_on": "2026-03-02"}, 400, "type"),
        ({"type": "denuncia", "occurred_on": "2999-03-02"}, 400, "occurred_on"),
        ({"type": "denuncia", "occurred_on": "1980-03-02"}, 400, "occurred_on"),
        (
            {"type": "denuncia", "occurred_on": "2026-03-02", "outcome": "conviction"},
            400,
            "outcome",
        ),
        ({"type": "denuncia", "occurred_on": "2 de marzo"}, 422, "occurred_on"),
        ({"occurred_on": "2026-03-02"}, 422, "type"),
    ],
)
def test_it_refuses_bad_acts(proceeding, lawyer, body, status, field):
    before = _written()
    response = lawyer.post(f"{base(proceeding)}/events", body)
    assert response.status_code == status, response.content
    assert (field if status == 400 else f"data.{field}") in response.json()["error"]["fields"]
    assert _written() == before


def test_it_asks_a_sentence_for_its_outcome(proceeding, cast, lawyer):
    record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    record(proceeding, cast["lawyer"], "procedimiento_abreviado", dt.date(2026, 5, 4))
    path = f"{base(proceeding)}/events"
    missing = lawyer.post(path, {"type": "sentencia", "occurred_on": "2026-06-01"})
    assert missing.status_code == 400
    assert "outcome" in missing.json()["error"]["fields"]
    response = lawyer.post(
        path,
        {
            "type": "sentencia",
            "occurred_on": "2026-06-01",
            "outcome": "conviction",
            "sentence_years": "15.5",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["outcome"]["code"] == "conviction"
    assert response.json()["sentence_years"] == "15.5"
    assert lawyer.get(base(proceeding)).json()["stage"]["code"] == "sentenced"


def test_it_corrects_an_act_and_keeps_the_history(proceeding, cast, lawyer):
    wrong = record(proceeding, cast["lawyer"], "denuncia", dt.date(2026, 3, 20))
    response = lawyer.post(
        f"{base(proceeding)}/events/{wrong.pk}/correct",
        {"type": "denuncia", "occurred_on": "2026-03-02"},
    )
    assert response.status_code == 201, response.content
    fixed = response.json()
    assert fixed["supersedes_id"] == wrong.pk
    history = lawyer.get(f"{base(proceeding)}/events").json()
    old = next(e for e in history if e["id"] == wrong.pk)
    assert (old["superseded_by_id"], old["is_effective"]) == (fixed["id"], False)
    assert lawyer.get(base(proceeding)).json()["complaint_on"] == "2026-03-02"
    before = _written()
    again = lawyer.post(
        f"{base(proceeding)}/events/{wrong.pk}/correct",
        {"type": "denuncia", "occurred_on": "2026-03-03"},
    )
    assert again.status_code == 400
    assert _written() == before


def test_it_voids_an_act(proceeding, cast, lawyer):
    denuncia = record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    aviso = record(proceeding, cast["lawyer"], "aviso_inicio", dt.date(2026, 3, 3))
    response = lawyer.post(f"{base(proceeding)}/events/{aviso.pk}/void")
    assert response.status_code == 201, response.content
    assert (response.json()["is_void"], response.json()["supersedes_id"]) == (True, aviso.pk)
    assert response.json()["is_effective"] is False
    detail = lawyer.get(base(proceeding)).json()
    assert "investigacion_preliminar" not in [d["rule"]["code"] for d in detail["deadlines"]]
    # The denuncia is now the only act: voiding it leaves the proceeding without acts.
    assert lawyer.post(f"{base(proceeding)}/events/{denuncia.pk}/void").status_code == 201
    assert lawyer.get(base(proceeding)).json()["stage"]["code"] == "start"
    before = _written()
    assert lawyer.post(f"{base(proceeding)}/events/{aviso.pk}/void").status_code == 400
    assert lawyer.post(f"{base(proceeding)}/events/999999/void").status_code == 404
    assert _written() == before


def test_it_refuses_to_void_an_act_the_later_ones_depend_on(proceeding, cast, lawyer):
    denuncia = record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    record(proceeding, cast["lawyer"], "imputacion", dt.date(2026, 4, 1))
    before = _written()
    response = lawyer.post(f"{base(proceeding)}/events/{denuncia.pk}/void")
    assert response.status_code == 400
    assert "type" in response.json()["error"]["fields"]
    assert _written() == before


# ----------------------------------------------------------------------------- deadlines


def test_it_lists_the_deadlines_with_their_rules(proceeding, cast, lawyer):
    record(proceeding, cast["lawyer"], "denuncia", DENUNCIA_ON)
    record(proceeding, cast["lawyer"], "aviso_inicio", dt.date(2026, 3, 2))
    response = lawyer.get(f"{base(proceeding)}/deadlines")
    assert response.status_code == 200
    rows = {d["rule"]["code"]: d for d in response.json()}
    preliminary = rows["investigacion_preliminar"]
    assert (preliminary["duration"], preliminary["unit"]) == (20, "business_days")
    assert preliminary["article"] == "CPP 300"
    assert preliminary["rule_status"] == "confirmed"
    assert preliminary["state"]["code"] == "running"
    assert preliminary["overdue"] is True  # 20 business days from March 2026 are long past
    assert preliminary["due_at"].endswith("-04:00")
    assert dt.datetime.fromisoformat(preliminary["due_at"]).date() > dt.date(2026, 3, 27)
    assert rows["duracion_maxima"]["overdue"] is False
    record(proceeding, cast["lawyer"], "imputacion", dt.date(2026, 3, 20))
    after = {d["rule"]["code"]: d for d in lawyer.get(f"{base(proceeding)}/deadlines").json()}
    assert after["investigacion_preliminar"]["state"]["code"] == "met"
    assert after["investigacion_preliminar"]["overdue"] is False
    assert after["investigacion_preliminar"]["end_event_id"] is not None
