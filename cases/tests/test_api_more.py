"""The rest of what the case pages do, over the API: identity, team, closing and reopening,
match notices, erasure, retention and withdrawing a safety step. The same services and access
rules as the pages; rejected input answers 400 with fields and writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from api.services import api_token_create
from audit.models import Action, AuditEvent
from cases.models import Case, CaseMember, CaseStatus
from conftest import grant_sudo, open_case
from organisations.models import Membership
from safety.models import SafetyStep
from safety.services import safety_step_add
from survivors.erasure import erasure_request
from survivors.models import ErasureRequest, MatchNotice, RetentionRule, Survivor
from survivors.services import Identity

API = "/api/v1"
NAME = "Zenobia Quispe Achuri"
DOCUMENT = "4829113 LP"


class Bearer:
    """A client that sends a personal API token, as a script would."""

    def __init__(self, client, secret):
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path):
        return self.client.get(path, **self.auth)

    def post(self, path, body=None):
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", **self.auth
        )

    def put(self, path, body=None):
        return self.client.put(
            path, json.dumps(body or {}), content_type="application/json", **self.auth
        )


class Session:
    """A browser session sending JSON."""

    def __init__(self, client):
        self.client = client

    def get(self, path):
        return self.client.get(path)

    def post(self, path, body=None):
        return self.client.post(path, json.dumps(body or {}), content_type="application/json")

    def put(self, path, body=None):
        return self.client.put(path, json.dumps(body or {}), content_type="application/json")


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
def sudo_for(sudo_client_for):
    return lambda user: Session(sudo_client_for(user))


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"], identity=Identity(full_name=NAME, document_number=DOCUMENT))


def _membership(user):
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def _refused(response, code="rejected"):
    body = response.json()
    assert list(body) == ["error"]
    assert body["error"]["code"] == code
    return body["error"]


def _updates() -> int:
    return AuditEvent.objects.filter(action=Action.UPDATE).count()


# ---- identity


def test_it_edits_identity_only_from_a_freshly_reauthenticated_session(
    cast, client, client_for, token_for, case
):
    path = f"{API}/cases/{case.pk}/identity"
    body = {"full_name": "Zenobia Q. A.", "document_number": DOCUMENT, "birth_date": "1999-04-02"}
    stale = client_for(cast["lawyer"])
    grant_sudo(stale, cast["lawyer"], seconds_ago=11 * 60)
    client.force_login(cast["lawyer"])
    grant_sudo(client, cast["lawyer"])  # a token wins nothing from a session that comes along
    for caller in (token_for(cast["lawyer"]), Session(client_for(cast["lawyer"])), Session(stale)):
        response = caller.put(path, body)
        assert response.status_code == 403
        assert _refused(response, "reauthentication_required")
    assert Survivor.objects.get().full_name == NAME
    assert _updates() == 0


def test_it_edits_identity_and_records_which_fields_changed(cast, sudo_for, case):
    response = sudo_for(cast["lawyer"]).put(
        f"{API}/cases/{case.pk}/identity",
        {"full_name": "Zenobia Q. A.", "document_number": DOCUMENT, "phone": "+591 70000000"},
    )
    assert response.status_code == 204
    survivor = Survivor.objects.get()
    assert (survivor.full_name, survivor.phone) == ("Zenobia Q. A.", "+591 70000000")
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="survivors.survivor")
    assert set(event.fields) == {"full_name", "phone"}
    assert NAME not in json.dumps(event.fields)


def test_it_refuses_a_future_birth_date_and_writes_nothing(cast, sudo_for, case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = sudo_for(cast["lawyer"]).put(
        f"{API}/cases/{case.pk}/identity", {"full_name": "Otra", "birth_date": tomorrow}
    )
    assert response.status_code == 400
    assert "birth_date" in _refused(response)["fields"]
    assert Survivor.objects.get().full_name == NAME
    assert _updates() == 0


def test_it_hides_identity_editing_from_people_outside_the_case(cast, sudo_for, case):
    for who in ("social_worker", "outsider", "analyst"):
        response = sudo_for(cast[who]).put(f"{API}/cases/{case.pk}/identity", {"nonsense": 1})
        assert response.status_code == 404, who
    assert Survivor.objects.get().full_name == NAME


# ---- team, closing, reopening


def test_the_lead_adds_and_removes_team_members(cast, token_for, case):
    lead = token_for(cast["lawyer"])
    response = lead.post(f"{API}/cases/{case.pk}/team", {"user_id": cast["social_worker"].pk})
    assert response.status_code == 204
    assert token_for(cast["social_worker"]).get(f"{API}/cases/{case.pk}").status_code == 200
    path = f"{API}/cases/{case.pk}/team/{cast['social_worker'].pk}/remove"
    assert lead.post(path).status_code == 204
    assert token_for(cast["social_worker"]).get(f"{API}/cases/{case.pk}").status_code == 404


def test_it_makes_a_new_lead(cast, token_for, case):
    response = token_for(cast["coordinator"]).post(
        f"{API}/cases/{case.pk}/team", {"user_id": cast["psychologist"].pk, "lead": True}
    )
    assert response.status_code == 204
    assert Case.objects.get().lead == cast["psychologist"]


@pytest.mark.parametrize("who", ["analyst", "org_admin", "outsider", "platform_admin"])
def test_it_adds_only_people_of_the_organisation_who_work_cases(cast, token_for, case, who):
    response = token_for(cast["lawyer"]).post(
        f"{API}/cases/{case.pk}/team", {"user_id": cast[who].pk}
    )
    assert response.status_code == 400
    assert "user_id" in _refused(response)["fields"]
    assert CaseMember.objects.filter(case=case, user=cast[who]).count() == 0
    assert _updates() == 0


def test_it_refuses_to_remove_the_lead_or_someone_not_on_the_team(cast, token_for, case):
    lead = token_for(cast["lawyer"])
    for user in (cast["lawyer"], cast["social_worker"]):
        response = lead.post(f"{API}/cases/{case.pk}/team/{user.pk}/remove")
        assert response.status_code == 400
        _refused(response)
    assert CaseMember.objects.filter(case=case, removed_at__isnull=False).count() == 0
    assert _updates() == 0


def test_team_members_who_do_not_manage_the_case_get_404(cast, token_for, case):
    CaseMember.objects.create(case=case, user=cast["social_worker"], role="social_worker")
    member = token_for(cast["social_worker"])
    base = f"{API}/cases/{case.pk}"
    assert member.post(f"{base}/team", {"user_id": cast["psychologist"].pk}).status_code == 404
    assert member.post(f"{base}/team/{cast['lawyer'].pk}/remove").status_code == 404
    close = {"reason": "goals_met", "closed_on": timezone.localdate().isoformat()}
    assert member.post(f"{base}/close", close).status_code == 404
    assert member.post(f"{base}/reopen").status_code == 404
    assert Case.objects.get().status == CaseStatus.OPEN


def test_it_closes_and_reopens_a_case(cast, token_for, case):
    lead = token_for(cast["lawyer"])
    today = timezone.localdate()
    close = {"reason": "goals_met", "closed_on": today.isoformat()}
    assert lead.post(f"{API}/cases/{case.pk}/close", close).status_code == 204
    closed = Case.objects.get()
    assert (closed.status, closed.closure_reason, closed.closed_on) == (
        "closed",
        "goals_met",
        today,
    )
    response = lead.post(f"{API}/cases/{case.pk}/close", close)
    assert response.status_code == 400
    assert "status" in _refused(response)["fields"]
    assert lead.post(f"{API}/cases/{case.pk}/reopen").status_code == 204
    reopened = Case.objects.get()
    assert (reopened.status, reopened.closed_on) == ("reopened", None)


def test_it_refuses_bad_closings_and_writes_nothing(cast, token_for, case):
    lead = token_for(cast["lawyer"])
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    before_opening = (case.opened_on - timedelta(days=1)).isoformat()
    for closed_on in (future, before_opening):
        response = lead.post(
            f"{API}/cases/{case.pk}/close", {"reason": "goals_met", "closed_on": closed_on}
        )
        assert response.status_code == 400
        assert "closed_on" in _refused(response)["fields"]
    response = lead.post(f"{API}/cases/{case.pk}/close", {"reason": "bored", "closed_on": future})
    assert response.status_code == 422
    response = lead.post(f"{API}/cases/{case.pk}/reopen")
    assert response.status_code == 400
    assert Case.objects.get().status == CaseStatus.OPEN
    assert _updates() == 0


# ---- match notices


@pytest.fixture
def notice(cast, org, other_org, case):
    return MatchNotice.objects.create(
        survivor=case.survivor,
        holder=org,
        requester=other_org,
        requested_by=cast["outsider"],
        matched_on=["document_index"],
        referral_requested=True,
    )


def test_coordinators_list_their_notices_without_identity(cast, token_for, notice, case):
    response = token_for(cast["coordinator"]).get(f"{API}/match-notices")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": notice.pk,
                "code": case.survivor.code,
                "case_id": case.pk,
                "requester": "Otra Org",
                "matched_on": ["document_index"],
                "referral_requested": True,
                "created_at": response.json()["items"][0]["created_at"],
            }
        ],
    }
    assert NAME not in response.content.decode()
    assert token_for(cast["outsider"]).get(f"{API}/match-notices").json()["count"] == 0


def test_it_hides_notices_from_people_who_do_not_see_the_whole_caseload(cast, token_for, notice):
    for who in ("lawyer", "social_worker", "analyst", "org_admin"):
        caller = token_for(cast[who])
        assert caller.get(f"{API}/match-notices").status_code == 404, who
        assert caller.post(f"{API}/match-notices/{notice.pk}/close").status_code == 404, who
    assert (
        token_for(cast["outsider"]).post(f"{API}/match-notices/{notice.pk}/close").status_code
        == 404
    )
    assert MatchNotice.objects.get().state == MatchNotice.State.OPEN


def test_it_closes_a_notice_once(cast, token_for, notice):
    supervisor = token_for(cast["supervisor"])
    assert supervisor.post(f"{API}/match-notices/{notice.pk}/close").status_code == 204
    assert MatchNotice.objects.get().state == MatchNotice.State.CLOSED
    assert supervisor.get(f"{API}/match-notices").json()["count"] == 0
    response = supervisor.post(f"{API}/match-notices/{notice.pk}/close")
    assert response.status_code == 400
    _refused(response)


# ---- erasure


@pytest.fixture
def second_coordinator(org, make_member):
    return make_member("coordinator", org, "coordinator2@example.org")


def test_a_coordinator_asks_and_another_confirms_an_erasure(
    cast, sudo_for, second_coordinator, case
):
    asked = sudo_for(cast["coordinator"]).post(
        f"{API}/erasures/cases/{case.pk}", {"reason": "safety", "confirm": True}
    )
    assert asked.status_code == 201
    pending = ErasureRequest.objects.get()
    assert asked.json()["code"] == case.survivor.code
    listed = sudo_for(cast["coordinator"]).get(f"{API}/erasures").json()
    assert [row["id"] for row in listed] == [pending.pk]
    own = sudo_for(cast["coordinator"]).post(f"{API}/erasures/{pending.pk}/confirm")
    assert own.status_code == 400
    _refused(own)
    assert Survivor.objects.get().identity_erased_at is None
    other = sudo_for(second_coordinator).post(f"{API}/erasures/{pending.pk}/confirm")
    assert other.status_code == 204
    assert Survivor.objects.get().identity_erased_at is not None
    # Her identity can no longer be edited.
    edit = sudo_for(cast["lawyer"]).put(f"{API}/cases/{case.pk}/identity", {"full_name": "X"})
    assert edit.status_code == 400


def test_erasure_changes_need_a_reauthenticated_session(
    cast, token_for, client_for, second_coordinator, case
):
    pending = erasure_request(
        membership=_membership(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    for caller in (token_for(cast["coordinator"]), Session(client_for(cast["coordinator"]))):
        answers = [
            caller.post(f"{API}/erasures/cases/{case.pk}", {"reason": "safety", "confirm": True}),
            caller.post(f"{API}/erasures/{pending.pk}/cancel"),
        ]
        for response in answers:
            assert response.status_code == 403
            _refused(response, "reauthentication_required")
    confirm = token_for(second_coordinator).post(f"{API}/erasures/{pending.pk}/confirm")
    assert confirm.status_code == 403
    assert ErasureRequest.objects.get().is_pending
    assert Survivor.objects.get().identity_erased_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"reason": "curiosity", "confirm": True}, "reason"), ({"reason": "safety"}, "confirm")],
)
def test_it_refuses_bad_erasure_requests_and_writes_nothing(cast, sudo_for, case, body, field):
    response = sudo_for(cast["coordinator"]).post(f"{API}/erasures/cases/{case.pk}", body)
    assert response.status_code == 400
    assert field in _refused(response)["fields"]
    assert ErasureRequest.objects.count() == 0


def test_it_cancels_a_pending_erasure(cast, sudo_for, case):
    pending = erasure_request(
        membership=_membership(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    assert (
        sudo_for(cast["coordinator"]).post(f"{API}/erasures/{pending.pk}/cancel").status_code == 204
    )
    assert ErasureRequest.objects.get().cancelled_at is not None
    assert sudo_for(cast["coordinator"]).get(f"{API}/erasures").json() == []


def test_erasure_is_for_coordinators_of_the_organisation(cast, sudo_for, case):
    pending = erasure_request(
        membership=_membership(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    for who in ("lawyer", "supervisor", "org_admin", "outsider"):
        caller = sudo_for(cast[who])
        if who != "outsider":
            assert caller.get(f"{API}/erasures").status_code == 404, who
        assert caller.post(f"{API}/erasures/cases/{case.pk}", {"x": 1}).status_code == 404, who
        assert caller.post(f"{API}/erasures/{pending.pk}/confirm").status_code == 404, who
        assert caller.post(f"{API}/erasures/{pending.pk}/cancel").status_code == 404, who
    assert sudo_for(cast["outsider"]).get(f"{API}/erasures").json() == []
    assert ErasureRequest.objects.get().is_pending


# ---- retention


def test_the_organisation_admin_sets_the_retention_rule(cast, sudo_for):
    admin = sudo_for(cast["org_admin"])
    assert admin.get(f"{API}/retention").json() == {
        "years": None,
        "updated_at": None,
        "updated_by": None,
    }
    response = admin.put(f"{API}/retention", {"years": 7})
    assert response.status_code == 200
    assert response.json()["years"] == 7
    assert response.json()["updated_by"]["id"] == cast["org_admin"].pk
    assert admin.get(f"{API}/retention").json()["years"] == 7
    assert admin.put(f"{API}/retention", {"years": None}).json()["years"] is None


@pytest.mark.parametrize("years", [0, 101, -3])
def test_it_refuses_years_out_of_range_and_writes_nothing(cast, sudo_for, years):
    response = sudo_for(cast["org_admin"]).put(f"{API}/retention", {"years": years})
    assert response.status_code == 400
    assert "years" in _refused(response)["fields"]
    assert RetentionRule.objects.count() == 0


def test_retention_changes_need_a_reauthenticated_session(cast, token_for, client_for):
    for caller in (token_for(cast["org_admin"]), Session(client_for(cast["org_admin"]))):
        assert caller.get(f"{API}/retention").status_code == 200
        response = caller.put(f"{API}/retention", {"years": 5})
        assert response.status_code == 403
        _refused(response, "reauthentication_required")
    assert RetentionRule.objects.count() == 0


def test_retention_is_for_the_people_who_manage_members(cast, sudo_for):
    for who in ("coordinator", "lawyer", "analyst"):
        caller = sudo_for(cast[who])
        assert caller.get(f"{API}/retention").status_code == 404, who
        assert caller.put(f"{API}/retention", {"years": "x"}).status_code == 404, who
    assert RetentionRule.objects.count() == 0


# ---- safety plan


def test_it_withdraws_a_safety_step_once_and_keeps_it_in_the_history(cast, token_for, case):
    step = safety_step_add(
        membership=_membership(cast["lawyer"]), case=case, section="contact", text="Llamar"
    )
    path = f"{API}/cases/{case.pk}/safety-plan/steps/{step.pk}/remove"
    response = token_for(cast["lawyer"]).post(path)
    assert response.status_code == 200
    assert response.json()["removed_at"] is not None
    assert SafetyStep.objects.get().removed_by == cast["lawyer"]
    again = token_for(cast["lawyer"]).post(path)
    assert again.status_code == 400
    _refused(again)
    plan = token_for(cast["lawyer"]).get(f"{API}/cases/{case.pk}/safety-plan").json()
    assert [s["id"] for s in plan["steps"]] == [step.pk]


def test_it_withdraws_no_step_through_another_case(cast, token_for, case):
    other = open_case(cast["lawyer"], age=30)
    step = safety_step_add(
        membership=_membership(cast["lawyer"]), case=other, section="contact", text="Llamar"
    )
    path = f"{API}/cases/{case.pk}/safety-plan/steps/{step.pk}/remove"
    assert token_for(cast["lawyer"]).post(path).status_code == 404
    assert (
        token_for(cast["social_worker"])
        .post(f"{API}/cases/{other.pk}/safety-plan/steps/{step.pk}/remove")
        .status_code
        == 404
    )
    assert SafetyStep.objects.get().removed_at is None
