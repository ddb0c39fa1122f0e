"""The cases API: the same gate, services and audit as the pages; never identity, except the
reveal, which only a freshly re-authenticated browser session obtains."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.services import api_token_create
from audit.models import Action, AuditEvent
from cases.models import Case, CaseMember, Incident, Note, Task
from cases.models import Testimony as StatementRow
from conftest import grant_sudo, open_case
from organisations.models import Membership
from survivors.models import Consent, Survivor
from survivors.services import Identity

API = "/api/v1/cases"
NAME = "Zenobia Quispe Achuri"
DOCUMENT = "4829113 LP"
PHONE = "+591 71234567"
API_LIST_QUERIES = 8
SECRETS = (NAME, "Zenobia", DOCUMENT, "4829113", PHONE, "71234567")


def _clean(body: bytes) -> bool:
    text = body.decode()
    return not any(secret in text for secret in SECRETS)


class Bearer:
    """A client that sends a personal API token, as a script would."""

    def __init__(self, client, secret):
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self.auth)

    def post(self, path, body=None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", **self.auth
        )


def _session_post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def token_for(client, org, other_org):
    def make(user):
        organisation = Membership.objects.get(user=user, is_active=True).organisation_id
        _token, secret = api_token_create(
            user=user, organisation_id=organisation, name="script", days=30
        )
        return Bearer(client, secret)

    return make


@pytest.fixture
def case(cast):
    return open_case(
        cast["lawyer"],
        identity=Identity(full_name=NAME, document_number=DOCUMENT, phone=PHONE),
    )


def _intake(**overrides):
    body = {
        "contact": {"safe_to_talk": True, "channels": ["call"], "code_word": "girasol"},
        "identity": {"full_name": NAME, "document_number": DOCUMENT, "phone": PHONE},
        "profile": {"age": 24, "municipality": "020105", "sex": "female", "languages": ["ay"]},
        "incident": {
            "violence_type": "sexual_assault",
            "occurred_on": "2026-03-10",
            "date_precision": "exact",
            "offences": ["308"],
            "perpetrator_relationship": "neighbour",
        },
        "intake_channel": "felcv",
    }
    for key, value in overrides.items():
        part, _, name = key.partition("__")
        if name:
            body[part] = {**body[part], name: value}
        else:
            body[part] = value
    return body


def _written() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        Survivor.objects.count(),
        Incident.objects.count(),
        AuditEvent.objects.filter(action=Action.CREATE).count(),
    )


# ---- authentication and the gate


def test_it_lists_with_a_token_and_with_the_session(cast, client_for, token_for, case):
    by_token = token_for(cast["lawyer"]).get(API)
    assert by_token.status_code == 200
    assert by_token.json()["count"] == 1
    row = by_token.json()["items"][0]
    assert row["code"] == case.survivor.code
    assert row["municipality"] == {
        "code": "020105",
        "name": "El Alto",
        "department_code": "02",
        "department": "La Paz",
    }
    assert row["lead"] == {"id": cast["lawyer"].pk, "name": cast["lawyer"].display_name}
    assert row["age_band"] == "25-34"
    by_session = client_for(cast["coordinator"]).get(API)
    assert by_session.status_code == 200
    assert [r["id"] for r in by_session.json()["items"]] == [case.pk]
    assert _clean(by_token.content)
    assert _clean(by_session.content)


def test_it_answers_401_without_credentials_and_404_to_roles_without_cases(
    cast, client, token_for, case
):
    assert client.get(API).status_code == 401
    for role in ("analyst", "org_admin"):
        caller = token_for(cast[role])
        assert caller.get(API).status_code == 404
        assert caller.post(API, _intake()).status_code == 404
        assert caller.get(f"{API}/{case.pk}").status_code == 404


def test_it_answers_404_for_cases_outside_the_team_or_organisation(cast, token_for, case):
    for who in ("social_worker", "outsider"):
        caller = token_for(cast[who])
        assert caller.get(f"{API}/{case.pk}").status_code == 404
        # Refused before the body is read: the same answer whatever is sent.
        assert caller.post(f"{API}/{case.pk}/notes", {"body": "x"}).status_code == 404
        assert caller.post(f"{API}/{case.pk}/notes", {"nonsense": 1}).status_code == 404
    assert token_for(cast["lawyer"]).get(f"{API}/999999").status_code == 404
    assert Note.objects.count() == 0


def test_it_shows_other_roles_only_their_team_cases(cast, token_for, case):
    assert token_for(cast["social_worker"]).get(API).json()["count"] == 0
    CaseMember.objects.create(case=case, user=cast["social_worker"], role="social_worker")
    assert token_for(cast["social_worker"]).get(API).json()["count"] == 1


# ---- list: filters and pages


def test_it_filters_the_list_like_the_page(cast, token_for, case):
    open_case(cast["lawyer"], municipality="010101", age=15)
    caller = token_for(cast["coordinator"])
    assert caller.get(API, {"department": "02"}).json()["count"] == 1
    assert caller.get(API, {"municipality": "010101"}).json()["count"] == 1
    assert caller.get(API, {"age_band": "14-17"}).json()["count"] == 1
    assert caller.get(API, {"status": "active"}).json()["count"] == 2
    assert caller.get(API, {"risk": "none"}).json()["count"] == 2
    assert caller.get(API, {"member": cast["lawyer"].pk}).json()["count"] == 2
    assert caller.get(API, {"offence": "308"}).json()["count"] == 0
    assert caller.get(API, {"code": case.survivor.code}).json()["items"][0]["id"] == case.pk
    codes = [r["code"] for r in caller.get(API, {"sort": "code"}).json()["items"]]
    assert codes == sorted(codes)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"municipality": "999999"}, "municipality"),
        ({"department": "77"}, "department"),
        ({"offence": "nope"}, "offence"),
        ({"sort": "name"}, "sort"),
        ({"department": "01", "municipality": "020105"}, "municipality"),
    ],
)
def test_it_refuses_unknown_filter_values_with_field_errors(cast, token_for, params, field):
    response = token_for(cast["coordinator"]).get(API, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rejected"
    assert list(error["fields"]) == [field]


def test_it_pages_with_limit_and_offset(cast, token_for):
    for _ in range(7):
        open_case(cast["lawyer"])
    caller = token_for(cast["lawyer"])
    first = caller.get(API, {"limit": 5, "sort": "code"}).json()
    second = caller.get(API, {"limit": 5, "offset": 5, "sort": "code"}).json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == 5
    assert len(second["items"]) == 2
    assert {r["id"] for r in first["items"]}.isdisjoint(r["id"] for r in second["items"])


def test_it_lists_in_a_fixed_number_of_queries(cast, token_for):
    """Token and membership; people, departments, municipalities and offences (the filters'
    check); count and rows (one join for code, place and lead)."""
    caller = token_for(cast["coordinator"])
    open_case(cast["lawyer"])
    caller.get(API)  # the token's last use is written at most once a while

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert caller.get(API).status_code == 200
        return len(queries)

    few = count()
    for _ in range(12):
        open_case(cast["lawyer"])
    assert count() == few == API_LIST_QUERIES


# ---- detail


def test_it_shows_the_case_with_incidents_testimonies_and_team(cast, token_for, case):
    membership = Membership.objects.get(user=cast["lawyer"])
    from cases import services

    services.testimony_add(
        membership=membership,
        case=case,
        taken_on=date(2026, 3, 11),
        interviewer="forensic",
        recorded=True,
        gesell_chamber=True,
    )
    caller = token_for(cast["lawyer"])
    body = caller.get(f"{API}/{case.pk}").json()
    assert body["code"] == case.survivor.code
    assert body["testimonies_count"] == 1
    assert body["revictimisation_warning"] is False
    assert body["team"] == [
        {
            "user_id": cast["lawyer"].pk,
            "name": cast["lawyer"].display_name,
            "role": "lawyer",
            "is_lead": True,
        }
    ]
    assert [i["violence_type"] for i in body["incidents"]] == ["rape"]
    assert body["incidents"][0]["municipality"]["name"] == "El Alto"
    services.testimony_add(
        membership=membership, case=case, taken_on=date(2026, 3, 20), interviewer="prosecutor"
    )
    again = caller.get(f"{API}/{case.pk}").json()
    assert again["testimonies_count"] == 2
    assert again["revictimisation_warning"] is True


def test_it_records_who_opened_the_case(cast, token_for, case):
    token_for(cast["coordinator"]).get(f"{API}/{case.pk}")
    assert AuditEvent.objects.filter(
        action=Action.VIEW, actor=cast["coordinator"], object_id=str(case.pk)
    ).exists()


# ---- intake


def test_it_opens_a_case_from_one_body(cast, token_for):
    response = token_for(cast["lawyer"]).post(API, _intake())
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["code"] == case.survivor.code
    assert body["lead"]["id"] == cast["lawyer"].pk
    assert body["intake_channel"] == "felcv"
    assert body["incidents"][0]["offences"] == ["308"]
    assert body["incidents"][0]["violence_type"] == "rape"  # the offence decides (GBVIMS)
    assert body["incidents"][0]["occurred_on"] == "2026-03-10"
    assert case.survivor.full_name == NAME
    assert case.code_word == "girasol"
    assert case.contact_channels == ["call"]
    assert _clean(response.content)
    assert "girasol" not in response.content.decode()


def test_it_stops_a_possible_duplicate_with_409_and_writes_nothing(cast, token_for):
    assert token_for(cast["lawyer"]).post(API, _intake()).status_code == 201
    before = _written()
    outsider = token_for(cast["outsider"])
    response = outsider.post(API, _intake(identity={"document_number": DOCUMENT}))
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "possible_duplicate",
            "message": response.json()["error"]["message"],
            "organisations": ["Casa Prueba"],
        }
    }
    assert "confirmed_new_person" in response.json()["error"]["message"]
    assert _written() == before
    assert _clean(response.content)
    confirmed = outsider.post(
        API, _intake(identity={"document_number": DOCUMENT}, confirmed_new_person=True)
    )
    assert confirmed.status_code == 201


def test_it_never_lets_a_match_in_the_same_organisation_through(cast, token_for):
    token_for(cast["lawyer"]).post(API, _intake())
    before = _written()
    response = token_for(cast["coordinator"]).post(
        API, _intake(identity={"phone": PHONE}, confirmed_new_person=True)
    )
    assert response.status_code == 409
    assert "ya está registrada en tu organización" in response.json()["error"]["message"]
    assert _written() == before


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"incident__occurred_on": "2999-01-01"}, 400, "occurred_on"),
        ({"identity__birth_date": "2999-01-01"}, 400, "birth_date"),
        ({"profile__municipality": "999999"}, 400, "profile.municipality"),
        ({"incident__municipality": "999999"}, 400, "incident.municipality"),
        ({"incident__offences": ["308", "nope"]}, 400, "incident.offences"),
        ({"incident__violence_type": "theft"}, 422, "data.incident.violence_type"),
        ({"profile__age": 130}, 422, "data.profile.age"),
        ({"intake_channel": "pigeon"}, 422, "data.intake_channel"),
    ],
)
def test_it_refuses_bad_intakes_field_by_field_and_writes_nothing(
    cast, token_for, overrides, status, field
):
    before = _written()
    response = token_for(cast["lawyer"]).post(API, _intake(**overrides))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == ("rejected" if status == 400 else "invalid")
    assert field in error["fields"]
    assert _written() == before
    assert _clean(response.content)


def test_it_says_why_a_date_in_the_future_is_refused(cast, token_for):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = token_for(cast["lawyer"]).post(API, _intake(incident__occurred_on=tomorrow))
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "occurred_on": ["La fecha no puede estar en el futuro."]
    }


# ---- incidents, notes, tasks, testimonies


def test_it_adds_an_incident_in_her_municipality_by_default(cast, token_for, case):
    caller = token_for(cast["lawyer"])
    response = caller.post(
        f"{API}/{case.pk}/incidents",
        {"violence_type": "psychological_abuse", "occurred_on": "2026-02-14", "offences": []},
    )
    assert response.status_code == 201, response.content
    assert response.json()["municipality"]["code"] == "020105"
    assert response.json()["occurred_on"] == "2026-02-01"  # month precision by default
    bad = caller.post(
        f"{API}/{case.pk}/incidents",
        {"violence_type": "rape", "occurred_on": "2026-02-14", "municipality": "000000"},
    )
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["municipality"]
    assert Incident.objects.filter(case=case).count() == 2


def test_it_writes_notes_and_shows_each_reader_only_hers_to_read(cast, token_for, case):
    lawyer = token_for(cast["lawyer"])
    for sensitivity in ("normal", "team", "discipline"):
        response = lawyer.post(
            f"{API}/{case.pk}/notes", {"body": f"Nota {sensitivity}", "sensitivity": sensitivity}
        )
        assert response.status_code == 201
    mine = lawyer.get(f"{API}/{case.pk}/notes").json()
    assert mine["count"] == 3
    assert mine["items"][0]["author"]["id"] == cast["lawyer"].pk
    supervisor = token_for(cast["supervisor"]).get(f"{API}/{case.pk}/notes").json()
    assert [n["body"] for n in supervisor["items"]] == ["Nota normal"]
    empty = lawyer.post(f"{API}/{case.pk}/notes", {"body": "   "})
    assert empty.status_code == 400
    assert empty.json()["error"]["fields"] == {"body": ["La nota está vacía."]}
    assert Note.objects.count() == 3


def test_it_adds_and_completes_tasks(cast, token_for, case):
    caller = token_for(cast["lawyer"])
    response = caller.post(f"{API}/{case.pk}/tasks", {"title": "Llamar", "due_on": "2026-12-01"})
    assert response.status_code == 201
    task_id = response.json()["id"]
    assert response.json()["assignee_id"] == cast["lawyer"].pk
    assert caller.post(f"{API}/{case.pk}/tasks/{task_id}/done").status_code == 204
    assert Task.objects.get(pk=task_id).done_at is not None
    twice = caller.post(f"{API}/{case.pk}/tasks/{task_id}/done")
    assert twice.status_code == 400
    assert twice.json()["error"]["code"] == "rejected"
    to_analyst = caller.post(
        f"{API}/{case.pk}/tasks", {"title": "x", "assignee_id": cast["analyst"].pk}
    )
    assert to_analyst.status_code == 400
    assert "assignee" in to_analyst.json()["error"]["fields"]


def test_it_does_not_complete_a_task_through_another_case(cast, token_for, case):
    other = open_case(cast["lawyer"])
    task = Task.objects.create(
        case=other, title="Ajena", assignee=cast["lawyer"], created_by=cast["lawyer"]
    )
    response = token_for(cast["lawyer"]).post(f"{API}/{case.pk}/tasks/{task.pk}/done")
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_it_records_testimonies_and_refuses_future_dates(cast, token_for, case):
    caller = token_for(cast["lawyer"])
    ok = caller.post(
        f"{API}/{case.pk}/testimonies",
        {"taken_on": "2026-03-11", "interviewer": "police", "recorded": True},
    )
    assert ok.status_code == 201
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = caller.post(f"{API}/{case.pk}/testimonies", {"taken_on": future, "interviewer": "dna"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"taken_on": ["La fecha no puede estar en el futuro."]}
    assert StatementRow.objects.count() == 1


# ---- consents


def test_it_records_lists_and_withdraws_consents(cast, token_for, case):
    caller = token_for(cast["lawyer"])
    created = caller.post(
        f"{API}/{case.pk}/consents",
        {"purpose": "statistics", "given_by": "survivor", "given_on": "2026-03-10"},
    )
    assert created.status_code == 201, created.content
    consent_id = created.json()["id"]
    listed = caller.get(f"{API}/{case.pk}/consents").json()
    assert [(c["id"], c["is_active"]) for c in listed] == [(consent_id, True)]
    done = caller.post(f"{API}/{case.pk}/consents/{consent_id}/withdraw")
    assert done.status_code == 204
    assert Consent.objects.get(pk=consent_id).withdrawn_at is not None
    assert caller.post(f"{API}/{case.pk}/consents/{consent_id}/withdraw").status_code == 400


def test_it_refuses_consents_to_unknown_organisations_and_without_a_recipient(
    cast, token_for, case, org
):
    caller = token_for(cast["lawyer"])
    body = {"purpose": "sharing", "given_by": "survivor", "given_on": "2026-03-10"}
    assert caller.post(f"{API}/{case.pk}/consents", body).status_code == 400
    own = caller.post(f"{API}/{case.pk}/consents", {**body, "recipient_id": org.pk})
    assert own.status_code == 400
    assert list(own.json()["error"]["fields"]) == ["recipient_id"]
    assert Consent.objects.count() == 0


def test_it_does_not_withdraw_a_consent_of_another_survivor(cast, token_for, case):
    other = open_case(cast["lawyer"])
    consent = Consent.objects.create(
        survivor=other.survivor,
        purpose="statistics",
        given_by="survivor",
        given_on=date(2026, 1, 1),
        recorded_by=cast["lawyer"],
    )
    response = token_for(cast["lawyer"]).post(f"{API}/{case.pk}/consents/{consent.pk}/withdraw")
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


# ---- reveal


def test_it_refuses_to_reveal_identity_to_a_token(cast, client, token_for, case):
    caller = token_for(cast["lawyer"])
    # Even a token sent along with a freshly re-authenticated session of the same person.
    client.force_login(cast["lawyer"])
    grant_sudo(client, cast["lawyer"])
    response = caller.post(f"{API}/{case.pk}/reveal", {"reason": "contact"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "reauthentication_required"
    assert _clean(response.content)
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_it_refuses_to_reveal_to_a_session_that_did_not_reauthenticate(cast, client_for, case):
    stale = client_for(cast["lawyer"])
    grant_sudo(stale, cast["lawyer"], seconds_ago=11 * 60)
    for client in (client_for(cast["lawyer"]), stale):
        response = _session_post(client, f"{API}/{case.pk}/reveal", {"reason": "contact"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "reauthentication_required"
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_it_reveals_to_a_freshly_reauthenticated_session_and_records_it(
    cast, sudo_client_for, case
):
    response = _session_post(
        sudo_client_for(cast["lawyer"]), f"{API}/{case.pk}/reveal", {"reason": "contact"}
    )
    assert response.status_code == 200
    assert response.json()["full_name"] == NAME
    assert response.json()["document_number"] == DOCUMENT
    event = AuditEvent.objects.get(action=Action.REVEAL, object_type="survivors.survivor")
    assert event.actor == cast["lawyer"]
    assert "reason:contact" in event.fields
    assert NAME not in json.dumps(event.fields)


def test_it_refuses_an_unknown_reveal_reason(cast, sudo_client_for, case):
    response = _session_post(
        sudo_client_for(cast["lawyer"]), f"{API}/{case.pk}/reveal", {"reason": "curiosity"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.REVEAL).exists()


def test_it_hides_the_reveal_from_people_outside_the_case_even_with_sudo(
    cast, sudo_client_for, case
):
    for who in ("social_worker", "outsider"):
        response = _session_post(sudo_client_for(cast[who]), f"{API}/{case.pk}/reveal")
        assert response.status_code == 404


# ---- never identity


def test_no_answer_but_the_reveal_carries_identity(cast, token_for, case):
    caller = token_for(cast["coordinator"])
    caller.post(f"{API}/{case.pk}/notes", {"body": "Primera entrevista"})
    caller.post(f"{API}/{case.pk}/tasks", {"title": "Llamar"})
    caller.post(
        f"{API}/{case.pk}/consents",
        {"purpose": "statistics", "given_by": "survivor", "given_on": "2026-03-10"},
    )
    for path in (
        API,
        f"{API}/{case.pk}",
        f"{API}/{case.pk}/notes",
        f"{API}/{case.pk}/consents",
        f"{API}?code={case.survivor.code}",
    ):
        response = caller.get(path)
        assert response.status_code == 200, path
        assert _clean(response.content), path


def test_every_error_has_the_one_shape(cast, client, token_for, case):
    caller = token_for(cast["lawyer"])
    answers = [
        client.get(API),
        caller.get(f"{API}/999999"),
        caller.get(API, {"municipality": "x"}),
        caller.post(API, {"profile": {}}),
        caller.post(f"{API}/{case.pk}/reveal"),
    ]
    for response in answers:
        body = response.json()
        assert list(body) == ["error"]
        assert {"code", "message"} <= set(body["error"])
        assert _clean(response.content)
