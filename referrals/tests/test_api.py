"""The referrals API from the referring side, and the whole journey of a referral: refer,
accept, read, revoke. Bad input answers 400 with field errors (422 for a body that does not
fit the schema) and writes nothing; a case one may not open or manage is 404."""

import pytest

from audit.models import Action, AuditEvent
from cases.services import team_add
from conftest import open_case
from proceedings.tests.api_support import membership, token_client
from referrals.api import READS_SHOWN
from referrals.models import Referral
from referrals.services import read_record
from referrals.tests.api_support import (
    accept,
    case_with_notes,
    cases_path,
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


def _body(org_id, **extra):
    return {
        "to_organisation_id": org_id,
        "purpose": "legal",
        "categories": ["incidents", "notes"],
        "expires_on": in_days(30),
        **extra,
    }


# ----------------------------------------------------------------------------- the journey


def test_it_refers_accepts_reads_and_revokes_through_the_api(
    our_case, shared, lawyer_api, outsider_api, cast, other_org
):
    created = lawyer_api.post(cases_path(our_case), _body(other_org.pk))
    assert created.status_code == 201, created.content
    referral = created.json()
    assert referral["status"]["code"] == "pending"
    assert referral["case_code"] == our_case.survivor.code
    assert referral["to_organisation"] == {"id": other_org.pk, "name": other_org.name}
    assert [c["code"] for c in referral["categories"]] == ["incidents", "notes"]
    assert referral["reads"] == []
    assert clean(created)
    rid = referral["id"]

    inbox = outsider_api.get("/api/v1/referrals")
    assert inbox.status_code == 200
    assert inbox.json()["count"] == 1
    assert inbox.json()["items"][0]["id"] == rid
    assert clean(inbox)

    accepted = outsider_api.post(
        f"/api/v1/referrals/{rid}/accept", {"assignee_ids": [cast["outsider"].pk]}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"]["code"] == "accepted"
    assert [p["id"] for p in accepted.json()["assignees"]] == [cast["outsider"].pk]

    incidents = outsider_api.get(f"/api/v1/referrals/{rid}/incidents")
    assert incidents.status_code == 200
    assert [i["violence_type"] for i in incidents.json()] == ["rape"]
    notes = outsider_api.get(f"/api/v1/referrals/{rid}/notes")
    assert notes.status_code == 200
    assert [n["body"] for n in notes.json()["items"]] == ["Acompañada a la fiscalía."]
    assert clean(incidents)
    assert clean(notes)

    detail = lawyer_api.get(cases_path(our_case, f"/{rid}"))
    assert detail.status_code == 200
    reads = detail.json()["reads"]
    assert sorted(r["category"] for r in reads) == ["incidents", "notes"]
    assert {r["actor"]["id"] for r in reads} == {cast["outsider"].pk}
    assert {r["actor"]["name"] for r in reads} == {cast["outsider"].display_name}
    assert detail.json()["reads_count"] == 2

    revoked = lawyer_api.post(cases_path(our_case, f"/{rid}/revoke"))
    assert revoked.status_code == 200
    assert revoked.json()["status"]["code"] == "revoked"
    assert revoked.json()["ended_by"]["id"] == cast["lawyer"].pk

    after = outsider_api.get(f"/api/v1/referrals/{rid}/incidents")
    assert after.status_code == 404
    assert after.json()["error"]["code"] == "not_found"
    assert outsider_api.get(f"/api/v1/referrals/{rid}/notes").status_code == 404


def test_it_records_each_read_in_both_organisations_trails(
    our_case, shared, lawyer_api, outsider_api, cast, org, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    outsider_api.get(inbox_path(referral, "/notes"))
    reads = AuditEvent.objects.filter(
        action=Action.VIEW, object_type="referrals.referral", object_id=str(referral.pk)
    )
    assert sorted(reads.values_list("organisation_id", flat=True)) == sorted([org.pk, other_org.pk])
    assert {tuple(e.fields) for e in reads} == {("category:notes",)}
    assert set(reads.values_list("actor_id", flat=True)) == {cast["outsider"].pk}


def test_it_shows_the_latest_reads_and_counts_them_all(
    our_case, shared, lawyer_api, cast, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    for _ in range(READS_SHOWN + 1):
        read_record(membership=membership(cast["outsider"]), referral=referral, category="notes")
    detail = lawyer_api.get(cases_path(our_case, f"/{referral.pk}")).json()
    assert len(detail["reads"]) == READS_SHOWN
    assert detail["reads_count"] == READS_SHOWN + 1


def test_it_lists_the_case_referrals_newest_first_with_effective_statuses(
    our_case, shared, lawyer_api, cast, other_org
):
    old = refer(our_case, cast["lawyer"], other_org, purpose="legal")
    new = refer(our_case, cast["lawyer"], other_org, purpose="social_work")
    Referral.objects.filter(pk=old.pk).update(expires_on=in_days(-1))
    response = lawyer_api.get(cases_path(our_case))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(r["id"], r["status"]["code"]) for r in body["items"]] == [
        (new.pk, "pending"),
        (old.pk, "expired"),
    ]
    assert body["items"][1]["status"]["label"] == "Vencida"
    assert clean(response)


def test_it_paginates_the_case_referrals(our_case, shared, lawyer_api, cast, other_org):
    for purpose in ("legal", "social_work", "health"):
        refer(our_case, cast["lawyer"], other_org, purpose=purpose)
    page = lawyer_api.get(cases_path(our_case), {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3
    assert len(page["items"]) == 1


def test_it_records_a_referral_to_an_outside_service_that_grants_nothing(our_case, lawyer_api):
    response = lawyer_api.post(
        cases_path(our_case),
        {
            "external_service": "Centro de Salud Villa Fátima",
            "purpose": "health",
            "expires_on": in_days(30),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"]["code"] == "recorded"
    assert response.json()["to_organisation"] is None
    assert response.json()["external_service"] == "Centro de Salud Villa Fátima"


def test_it_completes_an_accepted_referral_from_the_referring_side(
    our_case, shared, lawyer_api, outsider_api, cast, other_org
):
    referral = accept(refer(our_case, cast["lawyer"], other_org), cast["outsider"])
    response = lawyer_api.post(cases_path(our_case, f"/{referral.pk}/complete"))
    assert response.status_code == 200
    assert response.json()["status"]["code"] == "completed"
    assert outsider_api.get(inbox_path(referral, "/incidents")).status_code == 404


# ----------------------------------------------------------------------------- bad input


def _refused(lawyer_api, our_case, body, field, status=400):
    before = written()
    response = lawyer_api.post(cases_path(our_case), body)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert written() == before
    return response.json()["error"]


def test_it_refuses_to_refer_without_her_consent(our_case, lawyer_api, other_org):
    error = _refused(lawyer_api, our_case, _body(other_org.pk), "categories")
    assert "consentimiento" in error["fields"]["categories"][0]


def test_it_refuses_categories_she_did_not_consent_to_share(
    our_case, shared, lawyer_api, other_org
):
    body = _body(other_org.pk, categories=["incidents", "proceedings"])
    error = _refused(lawyer_api, our_case, body, "categories")
    assert "Solo se puede compartir" in error["fields"]["categories"][0]


def test_it_refuses_to_refer_to_her_own_organisation(our_case, lawyer_api, cast, org):
    consent(our_case, cast["lawyer"], org)
    _refused(lawyer_api, our_case, _body(org.pk), "to_organisation_id")


def test_it_refuses_an_unknown_organisation(our_case, shared, lawyer_api):
    _refused(lawyer_api, our_case, _body(999_999), "to_organisation_id")


@pytest.mark.parametrize("days", [0, -3, 400])
def test_it_refuses_an_expiry_today_in_the_past_or_beyond_a_year(
    days, our_case, shared, lawyer_api, other_org
):
    _refused(lawyer_api, our_case, _body(other_org.pk, expires_on=in_days(days)), "expires_on")


def test_it_refuses_an_organisation_and_an_outside_service_at_once(
    our_case, shared, lawyer_api, other_org
):
    body = _body(other_org.pk, external_service="Hospital de Clínicas", categories=[])
    _refused(lawyer_api, our_case, body, "to_organisation_id")


def test_it_refuses_a_second_open_referral_for_the_same_thing(
    our_case, shared, lawyer_api, cast, other_org
):
    refer(our_case, cast["lawyer"], other_org)
    _refused(lawyer_api, our_case, _body(other_org.pk), "to_organisation_id")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories": ["everything"]}, "data.categories.0"),
        ({"purpose": "fun"}, "data.purpose"),
        ({"expires_on": "tomorrow"}, "data.expires_on"),
        ({"to_organisation_id": "someone"}, "data.to_organisation_id"),
    ],
)
def test_it_answers_422_to_a_body_that_does_not_fit(
    change, field, our_case, shared, lawyer_api, other_org
):
    error = _refused(lawyer_api, our_case, _body(other_org.pk, **change), field, status=422)
    assert error["code"] == "invalid"


def test_it_answers_422_without_an_expiry(our_case, shared, lawyer_api, other_org):
    body = _body(other_org.pk)
    del body["expires_on"]
    _refused(lawyer_api, our_case, body, "data.expires_on", status=422)


# ----------------------------------------------------------------------------- who may


def test_it_hides_the_case_referrals_from_people_who_cannot_open_the_case(
    client, our_case, shared, cast, other_org
):
    referral = refer(our_case, cast["lawyer"], other_org)
    for role in ("social_worker", "outsider"):
        api = token_client(client, cast[role])
        assert api.get(cases_path(our_case)).status_code == 404
        assert api.get(cases_path(our_case, f"/{referral.pk}")).status_code == 404


def test_it_answers_404_before_the_body_to_a_team_member_who_does_not_manage_the_case(
    client, our_case, shared, cast, other_org
):
    """The psychologist on the team reads the referrals; referring and revoking are for its
    lead, coordinators and supervisors: 404 whatever she sends, even garbage."""
    team_add(membership=membership(cast["lawyer"]), case=our_case, user_id=cast["psychologist"].pk)
    referral = refer(our_case, cast["lawyer"], other_org)
    psychologist = token_client(client, cast["psychologist"])
    assert psychologist.get(cases_path(our_case, f"/{referral.pk}")).status_code == 200
    before = written()
    assert psychologist.post(cases_path(our_case), _body(other_org.pk)).status_code == 404
    assert psychologist.post(cases_path(our_case), {"purpose": 5}).status_code == 404
    assert psychologist.post(cases_path(our_case, f"/{referral.pk}/revoke")).status_code == 404
    assert written() == before


def test_it_does_not_show_another_case_referral_under_this_case(
    our_case, shared, lawyer_api, cast, other_org
):
    referral = refer(our_case, cast["lawyer"], other_org)
    other_case = open_case(cast["lawyer"])
    assert lawyer_api.get(cases_path(other_case, f"/{referral.pk}")).status_code == 404
    assert lawyer_api.post(cases_path(other_case, f"/{referral.pk}/revoke")).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "pending"


def test_it_refuses_to_revoke_twice(our_case, shared, lawyer_api, cast, other_org):
    referral = refer(our_case, cast["lawyer"], other_org)
    assert lawyer_api.post(cases_path(our_case, f"/{referral.pk}/revoke")).status_code == 200
    before = written()
    again = lawyer_api.post(cases_path(our_case, f"/{referral.pk}/revoke"))
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "rejected"
    assert "status" in again.json()["error"]["fields"]
    assert written() == before


def test_it_works_with_the_browser_session_too(client_for, our_case, shared, cast, other_org):
    import json

    session = client_for(cast["lawyer"])
    response = session.post(
        cases_path(our_case), json.dumps(_body(other_org.pk)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert session.get(cases_path(our_case)).json()["count"] == 1
