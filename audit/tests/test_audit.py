from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AppendOnlyError, AuditEvent
from audit.services import audit_record
from conftest import PASSWORD
from survivors.services import Identity


def _event(org, **kwargs):
    return audit_record(
        action=Action.VIEW, object_type="test.thing", object_id=1, organisation_id=org.pk, **kwargs
    )


def test_it_refuses_to_update_or_delete_an_event_through_the_model(org):
    event = _event(org)
    event.action = Action.DELETE
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET action = 'delete'", "DELETE FROM audit_auditevent"],
)
def test_it_refuses_raw_updates_and_deletes_in_the_database(org, sql):
    _event(org)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == 1


def test_it_refuses_queryset_deletes(org):
    _event(org)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_it_writes_the_event_in_the_same_transaction_as_the_change(cast, make_case):
    def register_then_fail() -> None:
        with transaction.atomic():
            make_case(cast["lawyer"], identity=Identity(full_name="Ana"))
            raise RuntimeError("fails after the write")

    with pytest.raises(RuntimeError):
        register_then_fail()
    assert not AuditEvent.objects.filter(
        action=Action.CREATE, object_type="survivors.survivor"
    ).exists()


def test_it_records_field_names_never_values(cast, make_case):
    case = make_case(
        cast["lawyer"], identity=Identity(full_name="Ana Secreta", document_number="1234567")
    )
    event = AuditEvent.objects.get(
        object_type="survivors.survivor", object_id=str(case.survivor_id)
    )
    assert event.fields == ["code", "document_number", "full_name"]
    assert "Secreta" not in str(event.__dict__)
    assert "1234567" not in str(event.__dict__)


def test_it_records_sign_in_and_failed_sign_in_without_the_email(client, cast):
    client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.actor_id is None
    assert "nobody" not in str(failed.__dict__)
    client.post("/accounts/login/", {"login": cast["org_admin"].email, "password": PASSWORD})
    login = AuditEvent.objects.get(action=Action.LOGIN)
    assert login.actor_id == cast["org_admin"].pk
    assert login.ip == "127.0.0.1"
    assert login.request_id


def test_it_shows_the_trail_to_the_organisation_admin_only_for_her_organisation(
    cast, org, other_org, client_for
):
    _event(org)
    audit_record(action=Action.VIEW, object_type="test.secret", organisation_id=other_org.pk)
    response = client_for(cast["org_admin"]).get("/audit/")
    assert response.status_code == 200
    assert b"test.thing" in response.content
    assert b"test.secret" not in response.content


@pytest.mark.parametrize("role", ["coordinator", "lawyer", "analyst", "outsider", "platform_admin"])
def test_it_hides_the_trail_from_everyone_else(cast, client_for, role):
    assert client_for(cast[role]).get("/audit/").status_code == 404


def test_it_filters_the_trail(cast, org, client_for):
    _event(org)
    audit_record(action=Action.EXPORT, object_type="test.other", organisation_id=org.pk)
    response = client_for(cast["org_admin"]).get("/audit/", {"action": "export"})
    assert b"test.other" in response.content
    assert b"test.thing" not in response.content


def test_it_rejects_an_inverted_date_range(cast, client_for):
    response = client_for(cast["org_admin"]).get(
        "/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 400
    assert b"posterior" in response.content


def test_it_asks_for_reauthentication_before_export(cast, client_for):
    response = client_for(cast["org_admin"]).get("/audit/export.csv")
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_it_exports_the_filtered_trail_as_csv_and_audits_the_export(cast, org, sudo_client_for):
    _event(org)
    response = sudo_client_for(cast["org_admin"]).get(
        "/audit/export.csv", {"object_type": "test.thing"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["test.thing"]
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=cast["org_admin"]).exists()


def test_it_answers_htmx_with_the_results_only(cast, org, client_for):
    _event(org)
    response = client_for(cast["org_admin"]).get(
        "/audit/", {"object_type": "test.thing"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "test.thing" in html
    assert "<html" not in html
    assert "<form" not in html
