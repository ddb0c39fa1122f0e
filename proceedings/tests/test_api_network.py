"""Network-wide proceedings data over the API: deadlines and hearings of the cases one may
open, the directory of courts and prosecutors (coordinators maintain it), the pack's procedure
as reference data, and the OpenAPI document."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Action, AuditEvent
from conftest import open_case
from proceedings import services_hearings
from proceedings.models import JusticeOffice, OfficeKind
from proceedings.tests.api_support import (
    Json,
    la_paz,
    membership,
    office,
    proceeding_for,
    record,
    token_client,
)

LA_PAZ = ZoneInfo("America/La_Paz")


@pytest.fixture
def lawyer(client, cast):
    return token_client(client, cast["lawyer"])


@pytest.fixture
def court(cast):
    return office(cast["coordinator"], name="Juzgado de Sentencia 4.º de La Paz")


def _running(user, *, arrested_today: bool = False):
    """A case of `user` with a proceeding whose investigation deadline is long overdue and
    whose duracion_maxima runs for years; with `arrested_today`, an arrest at midnight
    today starts the 24-hour rule, due at the end of the day."""
    case = open_case(user)
    proceeding = proceeding_for(case, user)
    record(proceeding, user, "denuncia", dt.date(2026, 3, 2))
    record(proceeding, user, "aviso_inicio", dt.date(2026, 3, 2))
    if arrested_today:
        record(proceeding, user, "aprehension", timezone.localdate(), dt.time(0, 0))
    return proceeding


def _hearing(proceeding, user, court, days: int, companions=()):
    day = timezone.localdate() + dt.timedelta(days=days)
    return services_hearings.hearing_schedule(
        membership=membership(user),
        case=proceeding.case,
        proceeding=proceeding,
        data=services_hearings.HearingData(
            type="juicio",
            starts_at=dt.datetime.combine(day, dt.time(9, 30), tzinfo=LA_PAZ),
            court=court,
            companions=list(companions),
        ),
    )


# ----------------------------------------------------------------------------- deadlines


def test_it_lists_the_running_deadlines_of_my_cases(cast, lawyer, client):
    mine = _running(cast["lawyer"], arrested_today=True)
    _running(cast["social_worker"])  # a case the lawyer is not on
    response = lawyer.get("/api/v1/deadlines")
    assert response.status_code == 200
    rows = response.json()["items"]
    assert {r["proceeding_id"] for r in rows} == {mine.pk}
    assert [r["rule"]["code"] for r in rows] == [
        "investigacion_preliminar",
        "imputacion_24h",
        "duracion_maxima",
    ]
    assert rows[0]["case_code"] == mine.case.survivor.code
    assert rows[0]["case_id"] == mine.case_id
    assert {r["state"]["code"] for r in rows} == {"running"}
    overdue = lawyer.get("/api/v1/deadlines", {"overdue": "true"}).json()["items"]
    assert [r["rule"]["code"] for r in overdue] == ["investigacion_preliminar"]
    assert overdue[0]["overdue"] is True
    soon = lawyer.get("/api/v1/deadlines", {"within_days": 1}).json()["items"]
    assert [r["rule"]["code"] for r in soon] == ["investigacion_preliminar", "imputacion_24h"]
    coordinator = token_client(client, cast["coordinator"]).get("/api/v1/deadlines").json()
    assert coordinator["count"] == 5  # she sees the whole caseload: 3 + 2
    assert token_client(client, cast["outsider"]).get("/api/v1/deadlines").json()["count"] == 0


def test_it_labels_deadlines_in_the_language_asked(cast, client):
    _running(cast["lawyer"])
    english = token_client(client, cast["lawyer"], language="en").get("/api/v1/deadlines")
    labels = {r["rule"]["code"]: r["rule"]["label"] for r in english.json()["items"]}
    assert labels["investigacion_preliminar"] == "End of the preliminary investigation"


def test_it_refuses_bad_deadline_filters(lawyer):
    response = lawyer.get("/api/v1/deadlines", {"within_days": -1})
    assert response.status_code == 422
    assert lawyer.get("/api/v1/deadlines", {"within_days": "soon"}).status_code == 422


@pytest.mark.parametrize("who", ["analyst", "org_admin"])
def test_people_who_do_not_work_cases_see_no_calendars(client, cast, who):
    api = token_client(client, cast[who])
    assert api.get("/api/v1/deadlines").status_code == 404
    assert api.get("/api/v1/hearings").status_code == 404


def test_the_deadline_list_does_not_grow_in_queries(cast, lawyer):
    _running(cast["lawyer"])
    lawyer.get("/api/v1/deadlines")  # the token's first use is recorded
    with CaptureQueriesContext(connection) as one:
        lawyer.get("/api/v1/deadlines")
    _running(cast["lawyer"])
    _running(cast["lawyer"])
    with CaptureQueriesContext(connection) as three:
        assert lawyer.get("/api/v1/deadlines").json()["count"] == 6
    assert len(three) == len(one)


# ----------------------------------------------------------------------------- hearings


def test_it_lists_hearings_by_period_person_and_court(cast, client, lawyer, court):
    other_court = office(cast["coordinator"], name="Juzgado de Sentencia 5.º de La Paz")
    mine = _running(cast["lawyer"])
    theirs = _running(cast["coordinator"])  # a case the lawyer is not on
    soon = _hearing(mine, cast["lawyer"], court, days=3)
    accompanied = _hearing(mine, cast["lawyer"], court, days=5, companions=[cast["coordinator"]])
    their_own = _hearing(theirs, cast["coordinator"], court, days=10)
    later = _hearing(mine, cast["lawyer"], other_court, days=40)
    coordinator = token_client(client, cast["coordinator"])

    everything = coordinator.get("/api/v1/hearings").json()
    assert [h["id"] for h in everything["items"]] == [
        soon.pk,
        accompanied.pk,
        their_own.pk,
        later.pk,
    ]
    row = everything["items"][0]
    assert row["case_code"] == mine.case.survivor.code
    assert row["type"] == {"code": "juicio", "label": "Juicio oral"}
    assert row["starts_at"].endswith("T09:30:00-04:00")
    assert row["court"]["name"] == court.name
    assert set(row) == {
        "id",
        "case_id",
        "case_code",
        "proceeding_id",
        "type",
        "starts_at",
        "court",
        "status",
        "survivor_must_attend",
    }

    lawyers = lawyer.get("/api/v1/hearings").json()["items"]
    assert [h["id"] for h in lawyers] == [soon.pk, accompanied.pk, later.pk]
    # Hers: the cases on whose team she is, and the hearings she accompanies.
    mine_only = coordinator.get("/api/v1/hearings", {"mine": "true"}).json()["items"]
    assert [h["id"] for h in mine_only] == [accompanied.pk, their_own.pk]
    by_court = coordinator.get("/api/v1/hearings", {"court_id": other_court.pk}).json()
    assert [h["id"] for h in by_court["items"]] == [later.pk]
    start = (timezone.localdate() + dt.timedelta(days=4)).isoformat() + "T00:00:00"
    end = (timezone.localdate() + dt.timedelta(days=30)).isoformat() + "T00:00:00-04:00"
    window = coordinator.get("/api/v1/hearings", {"start": start, "end": end}).json()
    assert [h["id"] for h in window["items"]] == [accompanied.pk, their_own.pk]
    assert token_client(client, cast["outsider"]).get("/api/v1/hearings").json()["count"] == 0


def test_it_refuses_a_period_that_ends_before_it_starts(lawyer):
    response = lawyer.get(
        "/api/v1/hearings", {"start": "2026-05-02T00:00:00", "end": "2026-05-01T00:00:00"}
    )
    assert response.status_code == 400
    assert "end" in response.json()["error"]["fields"]
    assert lawyer.get("/api/v1/hearings", {"start": "pronto"}).status_code == 422


# ----------------------------------------------------------------------------- directory


def test_every_member_reads_the_directory(client, cast, court):
    office(cast["coordinator"], kind=OfficeKind.PROSECUTOR, name="Fiscalía Departamental")
    office(cast["coordinator"], name="Juzgado cerrado", is_active=False)
    santa_cruz = office(
        cast["coordinator"],
        name="Juzgado de Santa Cruz",
        department=la_paz().__class__.objects.get(code="07"),
    )
    analyst = token_client(client, cast["analyst"])
    everything = analyst.get("/api/v1/directory/offices").json()
    assert everything["count"] == 3
    courts = analyst.get("/api/v1/directory/offices", {"kind": "court"}).json()["items"]
    assert {o["id"] for o in courts} == {court.pk, santa_cruz.pk}
    in_la_paz = analyst.get("/api/v1/directory/offices", {"department": "02", "kind": "court"})
    assert [o["name"] for o in in_la_paz.json()["items"]] == [court.name]
    prosecutors = analyst.get("/api/v1/directory/offices", {"kind": "prosecutor"}).json()
    assert [o["kind"]["code"] for o in prosecutors["items"]] == ["prosecutor"]
    with_closed = analyst.get("/api/v1/directory/offices", {"include_inactive": "true"})
    assert with_closed.json()["count"] == 4
    bad = analyst.get("/api/v1/directory/offices", {"kind": "bakery"})
    assert bad.status_code == 400
    assert "kind" in bad.json()["error"]["fields"]


def _offices() -> tuple[int, int]:
    return JusticeOffice.objects.count(), AuditEvent.objects.filter(action=Action.CREATE).count()


def test_a_coordinator_adds_and_updates_an_office(client, cast):
    coordinator = token_client(client, cast["coordinator"])
    response = coordinator.post(
        "/api/v1/directory/offices",
        {"kind": "sentencing", "name": "Tribunal de Sentencia 1.º de El Alto", "department": "02"},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["kind"]["code"], created["department"]["code"]) == ("sentencing", "02")
    assert created["is_court"] is True
    path = f"/api/v1/directory/offices/{created['id']}"
    updated = coordinator.put(
        path,
        {
            "kind": "sentencing",
            "name": "Tribunal de Sentencia 1.º de El Alto",
            "department": "02",
            "is_active": False,
        },
    )
    assert updated.status_code == 200, updated.content
    assert updated.json()["is_active"] is False
    assert JusticeOffice.objects.get(pk=created["id"]).is_active is False
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="proceedings.justiceoffice"
    ).exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "sentencing", "name": "  ", "department": "02"}, 400, "name"),
        ({"kind": "sentencing", "name": "Tribunal X", "department": "99"}, 400, "department"),
        ({"kind": "investigating", "name": "existing", "department": "02"}, 400, "name"),
        ({"kind": "bakery", "name": "Tribunal X", "department": "02"}, 422, "data.kind"),
        ({"kind": "sentencing", "department": "02"}, 422, "data.name"),
    ],
)
def test_it_refuses_a_bad_office(client, cast, court, body, status, field):
    body = {**body, "name": court.name} if body.get("name") == "existing" else body
    other = office(cast["coordinator"], kind=OfficeKind.SENTENCING_COURT, name="Tribunal 9.º")
    coordinator = token_client(client, cast["coordinator"])
    before = _offices()
    response = coordinator.post("/api/v1/directory/offices", body)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    updated = coordinator.put(f"/api/v1/directory/offices/{other.pk}", body)
    assert updated.status_code == status
    assert field in updated.json()["error"]["fields"]
    assert _offices() == before
    other.refresh_from_db()
    assert (other.kind, other.name, other.department.code) == ("sentencing", "Tribunal 9.º", "02")


@pytest.mark.parametrize("who", ["lawyer", "supervisor", "analyst", "org_admin"])
def test_only_coordinators_maintain_the_directory(client, cast, court, who):
    api = token_client(client, cast[who])
    body = {"kind": "sentencing", "name": "Tribunal nuevo", "department": "02"}
    before = _offices()
    assert api.post("/api/v1/directory/offices", body).status_code == 404
    assert api.put(f"/api/v1/directory/offices/{court.pk}", body).status_code == 404
    assert api.post("/api/v1/directory/offices", {"kind": 1}).status_code == 404
    assert _offices() == before
    court.refresh_from_db()
    assert court.name == "Juzgado de Sentencia 4.º de La Paz"


def test_it_answers_404_for_an_unknown_office(client, cast):
    coordinator = token_client(client, cast["coordinator"])
    body = {"kind": "sentencing", "name": "Tribunal", "department": "02"}
    assert coordinator.put("/api/v1/directory/offices/999999", body).status_code == 404


# ----------------------------------------------------------------------------- reference data


def test_it_serves_the_procedure_of_a_pack(lawyer):
    response = lawyer.get("/api/v1/jurisdictions/bo/procedure")
    assert response.status_code == 200
    body = response.json()
    assert body["jurisdiction"] == "bo"
    stages = {s["code"]: s for s in body["stages"]}
    assert stages["preliminary"]["label"] == "Investigación preliminar"
    assert stages["final"]["ends"] is True
    events = {e["code"]: e for e in body["events"]}
    assert events["acusacion"]["from_stages"] == ["preparatory"]
    assert events["acusacion"]["to"] == "accused"
    assert events["sentencia"]["sentence"] is True
    assert events["denuncia"]["from_stages"] == ["start"]
    rules = {d["code"]: d for d in body["deadlines"]}
    assert (rules["imputacion_24h"]["duration"], rules["imputacion_24h"]["unit"]) == (24, "hours")
    assert rules["imputacion_24h"]["status"] == "confirmed"
    assert rules["imputacion_24h"]["alert_before_hours"] == [12, 4]
    assert rules["etapa_preparatoria"]["alert_before_hours"] == [30 * 24, 7 * 24]
    assert rules["detencion_sin_acusacion"]["not_for_offences"] == ["252bis", "308bis", "258"]
    assert "juicio" in {h["code"] for h in body["hearing_types"]}
    measures = {m["code"]: m for m in body["measures"]}
    assert measures["salida_agresor"]["applies_to"] == "both"
    assert "judge_absent" in {r["code"] for r in body["suspension_reasons"]}


def test_it_labels_the_procedure_in_english(client, cast):
    english = token_client(client, cast["analyst"], language="en")
    body = english.get("/api/v1/jurisdictions/bo/procedure").json()
    stages = {s["code"]: s["label"] for s in body["stages"]}
    assert stages["preliminary"] == "Preliminary investigation"
    events = {e["code"]: e["label"] for e in body["events"]}
    assert events["acusacion"] == "Indictment (acusación)"


def test_it_answers_404_for_an_unknown_pack(lawyer):
    assert lawyer.get("/api/v1/jurisdictions/xx/procedure").status_code == 404
    assert lawyer.get("/api/v1/jurisdictions/..%2Fbo/procedure").status_code == 404


def test_reference_data_needs_a_member(client):
    assert client.get("/api/v1/jurisdictions/bo/procedure").status_code == 401
    assert client.get("/api/v1/directory/offices").status_code == 401
    assert Json(client, "forged").get("/api/v1/deadlines").status_code == 401


# ----------------------------------------------------------------------------- OpenAPI


def test_the_openapi_document_lists_every_operation(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    proceeding = "/api/v1/cases/{case_id}/proceedings/{proceeding_id}"
    expected = {
        "/api/v1/cases/{case_id}/proceedings": {"get", "post"},
        proceeding: {"get", "put"},
        proceeding + "/charges": {"get", "post"},
        proceeding + "/accused": {"post"},
        proceeding + "/accused/{accused_id}/remove": {"post"},
        proceeding + "/events": {"get", "post"},
        proceeding + "/events/{event_id}/correct": {"post"},
        proceeding + "/events/{event_id}/void": {"post"},
        proceeding + "/deadlines": {"get"},
        proceeding + "/hearings": {"get", "post"},
        proceeding + "/hearings/{hearing_id}": {"get", "put"},
        proceeding + "/hearings/{hearing_id}/outcome": {"post"},
        proceeding + "/hearings/{hearing_id}/reschedule": {"post"},
        proceeding + "/measures": {"get", "post"},
        proceeding + "/measures/{measure_id}/decision": {"post"},
        proceeding + "/measures/{measure_id}/end": {"post"},
        proceeding + "/measures/{measure_id}/breaches": {"post"},
        "/api/v1/deadlines": {"get"},
        "/api/v1/hearings": {"get"},
        "/api/v1/directory/offices": {"get", "post"},
        "/api/v1/directory/offices/{office_id}": {"put"},
        "/api/v1/jurisdictions/{code}/procedure": {"get"},
    }
    assert {path: set(paths.get(path, {})) for path in expected} == expected
    accused = paths[proceeding + "/accused"]["post"]["responses"]["201"]
    schema_name = accused["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "name" not in components[schema_name]["properties"]
