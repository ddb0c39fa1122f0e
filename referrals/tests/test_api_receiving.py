"""The referrals API from the receiving side: the inbox, accepting and declining, and the
referred data, read only by the assigned people, only in the consented categories, only
while the referral grants access; each read recorded. Never her name, never identifiers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Action, AuditEvent
from conftest import open_case
from proceedings.models import OfficeKind
from proceedings.tests.api_support import (
    NUREJ,
    PROSECUTOR_NUMBER,
    office,
    proceeding_for,
    record,
    token_client,
)
from referrals.models import Referral
from referrals.tests.api_support import (
    accept,
    case_with_notes,
    clean,
    consent,
    in_days,
    inbox_path,
    refer,
    written,
)


@pytest.fixture
def our_case(cast):
    return case_with_notes(cast["lawyer"])


@pytest.fixture
def shared(our_case, cast, other_org):
    """She consented to share her incidents and notes with `other_org`."""
    return consent(our_case, cast["lawyer"], other_org)


@pytest.fixture
def lawyer_api(client, cast):
    return token_client(client, cast["lawyer"])


@pytest.fixture
def outsider_api(client, cast):
    return token_client(client, cast["outsider"])


@pytest.fixture
def receiver(make_member, other_org):
    """A lawyer of `other_org`: she works cases there but decides nothing."""
    return make_member("lawyer", other_org)


@pytest.fixture
def receiver_api(client, receiver):
    return token_client(client, receiver)


# the token, her membership, the page, its assignees, the count
INBOX_QUERIES = 5


def _reads() -> int:
    return AuditEvent.objects.filter(action=Action.VIEW, object_type="referrals.referral").count()


# ----------------------------------------------------------------------------- the inbox


def test_it_shows_every_referral_to_deciders_and_only_assigned_ones_to_the_others(
    our_case, shared, outsider_api, receiver_api, receiver, cast, other_org
):
    pending = refer(our_case, cast["lawyer"], other_org, purpose="psychological")
    mine = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"], receiver)
    ids = [r["id"] for r in outsider_api.get("/api/v1/referrals").json()["items"]]
    assert sorted(ids) == sorted([pending.pk, mine.pk])
    response = receiver_api.get("/api/v1/referrals")
    assert [r["id"] for r in response.json()["items"]] == [mine.pk]
    assert clean(response)
    assert receiver_api.get(inbox_path(pending)).status_code == 404
    assert receiver_api.get(inbox_path(mine)).json()["status"]["code"] == "accepted"


def test_it_keeps_the_referring_organisation_out_of_the_inbox(
    our_case, shared, lawyer_api, cast, other_org
):
    referral = refer(our_case, cast["lawyer"], other_org)
    assert lawyer_api.get("/api/v1/referrals").json()["count"] == 0
    assert lawyer_api.get(inbox_path(referral)).status_code == 404
    assert lawyer_api.post(inbox_path(referral, "/accept"), {"assignee_ids": []}).status_code == 404


def test_it_lists_the_inbox_in_a_fixed_number_of_queries(
    our_case, shared, outsider_api, cast, other_org
):
    accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert outsider_api.get("/api/v1/referrals").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the token's first use of the day is recorded once
    one = queries()
    for purpose in ("psychological", "social_work", "health"):
        referral = refer(our_case, cast["lawyer"], other_org, purpose=purpose)
        accept(referral, cast["outsider"])
    Referral.objects.filter(purpose="health").update(status="revoked", ended_by=cast["lawyer"])
    assert queries() == one == INBOX_QUERIES


def test_it_shows_an_expired_referral_as_expired(our_case, shared, outsider_api, cast, other_org):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    Referral.objects.filter(pk=referral.pk).update(expires_on=in_days(-1))
    assert outsider_api.get(inbox_path(referral)).json()["status"]["code"] == "expired"
    assert outsider_api.get(inbox_path(referral, "/incidents")).status_code == 404


# ----------------------------------------------------------------------------- deciding


def test_it_refuses_to_accept_twice(our_case, shared, outsider_api, cast, other_org):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    before = written()
    again = outsider_api.post(
        inbox_path(referral, "/accept"), {"assignee_ids": [cast["outsider"].pk]}
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "rejected"
    assert "status" in again.json()["error"]["fields"]
    assert written() == before


def test_it_refuses_an_assignee_of_another_organisation(
    our_case, shared, outsider_api, cast, other_org
):
    referral = refer(our_case, cast["lawyer"], other_org)
    before = written()
    response = outsider_api.post(
        inbox_path(referral, "/accept"), {"assignee_ids": [cast["social_worker"].pk]}
    )
    assert response.status_code == 400
    assert "assignee_ids" in response.json()["error"]["fields"]
    assert written() == before
    assert Referral.objects.get(pk=referral.pk).assignees.count() == 0


def test_it_refuses_to_accept_without_assignees(our_case, shared, outsider_api, cast, other_org):
    referral = refer(our_case, cast["lawyer"], other_org)
    before = written()
    response = outsider_api.post(inbox_path(referral, "/accept"), {"assignee_ids": []})
    assert response.status_code == 400
    assert "assignee_ids" in response.json()["error"]["fields"]
    assert written() == before
    missing = outsider_api.post(inbox_path(referral, "/accept"), {})
    assert missing.status_code == 422
    assert "data.assignee_ids" in missing.json()["error"]["fields"]
    assert written() == before


def test_it_declines_with_a_reason_and_refuses_without_one(
    our_case, shared, outsider_api, cast, other_org
):
    referral = refer(our_case, cast["lawyer"], other_org)
    before = written()
    for body in ({}, {"reason": ""}, {"reason": "bored"}):
        response = outsider_api.post(inbox_path(referral, "/decline"), body)
        assert response.status_code == 422, body
        assert "data.reason" in response.json()["error"]["fields"]
    assert written() == before
    declined = outsider_api.post(inbox_path(referral, "/decline"), {"reason": "no_capacity"})
    assert declined.status_code == 200
    assert declined.json()["status"]["code"] == "declined"
    assert declined.json()["decline_reason"]["code"] == "no_capacity"
    again = outsider_api.post(inbox_path(referral, "/decline"), {"reason": "other"})
    assert again.status_code == 400


def test_it_lets_only_coordinators_and_supervisors_decide(
    our_case, shared, receiver_api, receiver, cast, other_org
):
    """An assigned lawyer of the receiving organisation reads, but neither decides nor
    completes: 404 before the body."""
    pending = refer(our_case, cast["lawyer"], other_org, purpose="psychological")
    mine = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"], receiver)
    before = written()
    assert receiver_api.post(inbox_path(pending, "/accept"), {"x": 1}).status_code == 404
    assert receiver_api.post(inbox_path(pending, "/decline"), {}).status_code == 404
    assert receiver_api.post(inbox_path(mine, "/complete")).status_code == 404
    assert written() == before
    assert receiver_api.get(inbox_path(mine, "/incidents")).status_code == 200


def test_it_completes_from_the_receiving_side(our_case, shared, outsider_api, cast, other_org):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    done = outsider_api.post(inbox_path(referral, "/complete"))
    assert done.status_code == 200
    assert done.json()["status"]["code"] == "completed"
    assert outsider_api.get(inbox_path(referral, "/notes")).status_code == 404
    assert outsider_api.post(inbox_path(referral, "/complete")).status_code == 400


# ----------------------------------------------------------------------------- reading


def test_it_answers_404_to_a_member_of_the_receiving_organisation_not_assigned(
    our_case, shared, receiver_api, cast, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    before = _reads()
    for rest in ("", "/incidents", "/notes", "/proceedings"):
        assert receiver_api.get(inbox_path(referral, rest)).status_code == 404, rest
    assert receiver_api.get("/api/v1/referrals").json()["count"] == 0
    assert _reads() == before


def test_it_answers_404_to_a_decider_who_is_not_assigned(
    our_case, shared, outsider_api, receiver, cast, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"], receiver)
    assert outsider_api.get(inbox_path(referral)).status_code == 200
    assert outsider_api.get(inbox_path(referral, "/incidents")).status_code == 404


def test_it_answers_404_to_a_category_she_did_not_consent_to_share(
    our_case, shared, outsider_api, cast, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    before = _reads()
    response = outsider_api.get(inbox_path(referral, "/proceedings"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _reads() == before


def test_it_answers_404_to_a_category_consented_but_not_referred(
    our_case, cast, outsider_api, other_org
):
    consent(our_case, cast["lawyer"], other_org, ["incidents", "notes", "proceedings"])
    referral = accept(
        refer(our_case, cast["lawyer"], other_org, categories=["incidents"]), cast["outsider"]
    )
    assert outsider_api.get(inbox_path(referral, "/incidents")).status_code == 200
    assert outsider_api.get(inbox_path(referral, "/notes")).status_code == 404


def test_it_stops_reads_once_she_withdraws_her_consent(
    our_case, shared, outsider_api, cast, other_org
):
    from survivors.services import consent_withdraw

    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    assert outsider_api.get(inbox_path(referral, "/incidents")).status_code == 200
    from proceedings.tests.api_support import membership

    consent_withdraw(membership=membership(cast["lawyer"]), consent=shared)
    assert outsider_api.get(inbox_path(referral, "/incidents")).status_code == 404


def test_it_shows_only_the_notes_for_whoever_sees_the_case(
    our_case, shared, outsider_api, cast, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    response = outsider_api.get(inbox_path(referral, "/notes"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [(n["sensitivity"], n["body"]) for n in body["items"]] == [
        ("normal", "Acompañada a la fiscalía.")
    ]
    assert "Solo el equipo" not in response.content.decode()


def test_it_shows_where_the_proceedings_stand_without_identifiers(client, cast, other_org):
    our_case = open_case(cast["lawyer"])
    consent(our_case, cast["lawyer"], other_org, ["proceedings"])
    court = office(cast["coordinator"], name="Juzgado de Instrucción Penal 2.º de La Paz")
    fiscalia = office(cast["coordinator"], kind=OfficeKind.PROSECUTOR, name="Fiscalía La Paz")
    proceeding = proceeding_for(
        our_case,
        cast["lawyer"],
        court=court,
        prosecutor_office=fiscalia,
        nurej=NUREJ,
        prosecutor_number=PROSECUTOR_NUMBER,
    )
    record(proceeding, cast["lawyer"], "denuncia", dt.date(2026, 3, 2))
    from django.utils import timezone

    from proceedings import services_hearings
    from proceedings.tests.api_support import membership

    services_hearings.hearing_schedule(
        membership=membership(cast["lawyer"]),
        case=our_case,
        proceeding=proceeding,
        data=services_hearings.HearingData(
            type="cautelares", starts_at=timezone.now() + dt.timedelta(days=5), court=court
        ),
    )
    referral = accept(
        refer(our_case, cast["lawyer"], other_org, categories=["proceedings"]), cast["outsider"]
    )
    response = token_client(client, cast["outsider"]).get(inbox_path(referral, "/proceedings"))
    assert response.status_code == 200, response.content
    [seen] = response.json()
    assert seen["stage"]["code"] != "start"
    assert seen["stage"]["label"]
    assert seen["stage_since"] == "2026-03-02"
    assert seen["deadlines"]
    assert {"rule", "due_at", "state", "overdue"} == set(seen["deadlines"][0])
    [hearing] = seen["hearings"]
    assert hearing["court"] == court.name
    assert hearing["status"]["code"] == "scheduled"
    text = response.content.decode()
    assert NUREJ not in text
    assert PROSECUTOR_NUMBER not in text
    assert "Fiscalía La Paz" not in text


def test_it_never_exposes_her_identity(our_case, outsider_api, cast, other_org):
    """Even shared with her consent, identity is read in the web pages after re-entering
    one's password; the API has no route for it."""
    consent(our_case, cast["lawyer"], other_org, ["identity", "incidents"])
    referral = accept(
        refer(our_case, cast["lawyer"], other_org, categories=["identity", "incidents"]),
        cast["outsider"],
    )
    assert outsider_api.get(inbox_path(referral, "/identity")).status_code == 404
    for rest in ("", "/incidents"):
        response = outsider_api.get(inbox_path(referral, rest))
        assert response.status_code == 200
        assert clean(response)
