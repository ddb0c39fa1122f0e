from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import CaseStatus
from conftest import run_tasks
from crypto.models import DataKey, KeyDestroyedError
from organisations.models import Membership, Role
from survivors import erasure
from survivors.models import ErasureRequest, RetentionRule, Survivor
from survivors.services import Identity

IDENTITY = Identity(full_name="Ana Borrable", document_number="999111", phone="70000001")


@pytest.fixture
def second_coordinator(org, make_member):
    return make_member(Role.COORDINATOR, org, "coord2@example.org")


@pytest.fixture
def case(cast, make_case):
    return make_case(cast["lawyer"], identity=IDENTITY)


def _m(user):
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


@pytest.fixture(autouse=True)
def _ledger(settings, tmp_path):
    settings.AMPARO_ERASURE_LEDGER = str(tmp_path / "ledger.jsonl")


def test_it_erases_identity_after_a_second_coordinator_confirms(
    cast, case, second_coordinator, sudo_client_for, django_capture_on_commit_callbacks
):
    first = sudo_client_for(cast["coordinator"])
    response = first.post(
        f"/survivors/erasures/request/{case.pk}/", {"reason": "survivor_request", "confirm": "on"}
    )
    assert response.status_code == 302
    pending = ErasureRequest.objects.get()
    refused = first.post(f"/survivors/erasures/{pending.pk}/confirm/")
    assert refused.status_code == 302
    assert Survivor.objects.get(pk=case.survivor_id).identity_erased_at is None
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = sudo_client_for(second_coordinator).post(
            f"/survivors/erasures/{pending.pk}/confirm/"
        )
    assert confirmed.status_code == 302
    survivor = Survivor.objects.select_related("data_key").get(pk=case.survivor_id)
    assert survivor.identity_erased_at is not None
    assert (survivor.document_index, survivor.phone_index) == ("", "")
    assert survivor.full_name is None
    with pytest.raises(KeyDestroyedError):
        survivor.data_key.fernet()
    assert AuditEvent.objects.filter(action=Action.DELETE, object_id=str(survivor.pk)).exists()
    text = erasure.ledger_path().read_text()
    assert json.loads(text.splitlines()[0])["survivor_id"] == survivor.pk
    assert "Ana" not in text


def test_it_keeps_de_identified_facts_after_erasure(cast, case, second_coordinator):
    request = erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    erasure.erasure_confirm(membership=_m(second_coordinator), request=request)
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert survivor.age_band == "25-34"
    assert survivor.municipality.code == "020105"
    assert case.incidents.count() == 1


def test_it_no_longer_matches_an_erased_survivor(cast, case, second_coordinator, make_case):
    request = erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    erasure.erasure_confirm(membership=_m(second_coordinator), request=request)
    again = make_case(cast["lawyer"], identity=IDENTITY)  # no DuplicateSuspectedError
    assert again.survivor_id != case.survivor_id


@pytest.mark.parametrize("who", ["lawyer", "supervisor", "org_admin", "outsider"])
def test_it_lets_only_coordinators_of_the_organisation_ask(cast, case, who):
    membership = Membership.objects.filter(user=cast[who]).first()
    with pytest.raises(Http404):
        erasure.erasure_request(membership=membership, survivor=case.survivor, reason="safety")
    assert not ErasureRequest.objects.exists()


def test_it_refuses_a_second_pending_request_and_a_bad_reason(cast, case):
    with pytest.raises(ValidationError):
        erasure.erasure_request(
            membership=_m(cast["coordinator"]), survivor=case.survivor, reason="whim"
        )
    erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    with pytest.raises(ValidationError):
        erasure.erasure_request(
            membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
        )
    assert ErasureRequest.objects.count() == 1


def test_it_asks_for_reauthentication_before_confirming(cast, case, second_coordinator, client_for):
    request = erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    response = client_for(second_coordinator).post(f"/survivors/erasures/{request.pk}/confirm/")
    assert "/accounts/reauthenticate/" in response["Location"]
    assert Survivor.objects.get(pk=case.survivor_id).identity_erased_at is None


def test_it_reapplies_the_ledger_after_a_restore(
    cast, case, second_coordinator, django_capture_on_commit_callbacks
):
    request = erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erasure_confirm(membership=_m(second_coordinator), request=request)
    # A restored backup brings back her wrapped key and indexes.
    key = DataKey.objects.get(pk=case.survivor.data_key_id)
    DataKey.objects.filter(pk=key.pk).update(wrapped=DataKey.generate().wrapped, destroyed_at=None)
    Survivor.objects.filter(pk=case.survivor_id).update(identity_erased_at=None, phone_index="x")
    assert erasure.ledger_apply() == 1
    survivor = Survivor.objects.select_related("data_key").get(pk=case.survivor_id)
    assert survivor.data_key.destroyed_at is not None
    assert survivor.phone_index == ""


def _close(case, on):
    case.status, case.closed_on, case.closure_reason = CaseStatus.CLOSED, on, "goals_met"
    case.save()


def test_it_applies_the_retention_rule_to_long_closed_cases_only(cast, org, make_case):
    old = make_case(cast["lawyer"], identity=Identity(full_name="Old One"))
    recent = make_case(cast["lawyer"], identity=Identity(full_name="Recent One"))
    still_open = make_case(cast["lawyer"], identity=Identity(full_name="Open One"))
    today = timezone.localdate()
    _close(old, today - timedelta(days=365 * 6))
    _close(recent, today - timedelta(days=30))
    RetentionRule.objects.create(organisation=org, erase_identity_after_years=5)
    assert erasure.retention_apply(today=today) == 1
    assert Survivor.objects.get(pk=old.survivor_id).identity_erased_at is not None
    assert Survivor.objects.get(pk=recent.survivor_id).identity_erased_at is None
    assert Survivor.objects.get(pk=still_open.survivor_id).identity_erased_at is None


def test_it_runs_retention_as_a_daily_background_job(cast, org, make_case):
    from django_tasks_db.models import DBTaskResult

    from survivors.tasks import apply_retention, ensure_scheduled, next_run

    old = make_case(cast["lawyer"])
    _close(old, date(2015, 1, 1))
    RetentionRule.objects.create(organisation=org, erase_identity_after_years=5)
    assert ensure_scheduled() is True
    assert ensure_scheduled() is False
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))  # tomorrow came
    run_tasks()
    assert Survivor.objects.get(pk=old.survivor_id).identity_erased_at is not None
    waiting = DBTaskResult.objects.filter(task_path=apply_retention.module_path, status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after == next_run()


def test_it_lets_the_organisation_admin_set_the_rule(cast, org, sudo_client_for):
    client = sudo_client_for(cast["org_admin"])
    assert client.post("/survivors/retention/", {"years": "7"}).status_code == 302
    assert RetentionRule.objects.get(organisation=org).erase_identity_after_years == 7
    assert client.post("/survivors/retention/", {"years": "0"}).status_code == 400
    assert RetentionRule.objects.get(organisation=org).erase_identity_after_years == 7


def test_it_keeps_every_page_of_an_erased_survivors_case_working(
    cast, second_coordinator, make_case, sudo_client_for
):
    from datetime import date as day

    from cases import services as case_services
    from safety.services import safety_step_add

    case = make_case(cast["lawyer"], identity=IDENTITY)
    lawyer = _m(cast["lawyer"])
    case_services.note_add(membership=lawyer, case=case, body="Nota secreta", sensitivity="normal")
    case_services.task_add(
        membership=lawyer,
        case=case,
        title="Llamar a Ana",
        assignee_id=cast["lawyer"].pk,
        due_on=day(2026, 1, 1),
    )
    safety_step_add(membership=lawyer, case=case, section="home", text="Cambiar la cerradura")
    request = erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    erasure.erasure_confirm(membership=_m(second_coordinator), request=request)
    client = sudo_client_for(cast["lawyer"])
    for path in [
        "/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/safety/",
        "/cases/",
        f"/api/v1/cases/{case.pk}/notes",
        f"/cases/{case.pk}/documents/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Nota secreta" not in response.content
    assert client.post(f"/cases/{case.pk}/reveal/").status_code == 200
