from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_create
from audit.models import Action, AuditEvent
from organisations.models import Membership


def _bearer(client, secret, path="/api/v1/me"):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def token(cast, org):
    return api_token_create(user=cast["org_admin"], organisation_id=org.pk, name="script", days=30)


def test_it_stores_only_a_hash_and_authenticates_with_the_secret(client, token):
    api_token, secret = token
    assert secret.startswith("amp_")
    assert secret not in api_token.token_hash
    response = _bearer(client, secret)
    assert response.status_code == 200
    assert response.json()["organisation_slug"] == "casa"
    assert response.json()["role"] == "org_admin"
    api_token.refresh_from_db()
    assert api_token.last_used_at is not None


def test_it_binds_the_token_to_its_organisation(client, token):
    _, secret = token
    assert _bearer(client, secret, "/api/v1/audit/events").status_code == 200


@pytest.mark.parametrize("state", ["revoked", "expired", "membership_gone", "user_gone", "garbage"])
def test_it_rejects_revoked_expired_orphaned_and_unknown_tokens(client, token, cast, state):
    api_token, secret = token
    if state == "revoked":
        api_token.revoked_at = timezone.now()
        api_token.save()
    elif state == "expired":
        api_token.expires_at = timezone.now() - timedelta(seconds=1)
        api_token.save()
    elif state == "membership_gone":
        Membership.objects.filter(user=cast["org_admin"]).update(is_active=False)
    elif state == "user_gone":
        cast["org_admin"].is_active = False
        cast["org_admin"].save()
    else:
        secret = "amp_" + "x" * 43
    response = _bearer(client, secret)
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "unauthenticated", "message": "Falta autenticación o no es válida."}
    }


def test_it_creates_a_token_in_the_ui_after_reauthentication(cast, sudo_client_for, client_for):
    assert (
        client_for(cast["lawyer"])
        .post("/settings/api-tokens/", {"name": "x", "days": 10})
        .status_code
        == 302
    )  # reauthentication first
    response = sudo_client_for(cast["lawyer"]).post(
        "/settings/api-tokens/", {"name": "x", "days": 10}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("amp_")
    assert ApiToken.objects.get(user=cast["lawyer"]).name == "x"
    assert AuditEvent.objects.filter(action=Action.TOKEN_CREATE, actor=cast["lawyer"]).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "days": 10},
        {"name": "x", "days": 0},
        {"name": "x", "days": 5000},
        {"name": "x", "days": "soon"},
    ],
)
def test_it_rejects_bad_token_requests_and_writes_nothing(cast, sudo_client_for, data):
    response = sudo_client_for(cast["lawyer"]).post("/settings/api-tokens/", data)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_from_the_ui(cast, sudo_client_for, client, token):
    api_token, secret = token
    response = sudo_client_for(cast["org_admin"]).post(
        f"/settings/api-tokens/{api_token.pk}/revoke/"
    )
    assert response.status_code == 302
    assert _bearer(client, secret).status_code == 401


def test_it_revokes_a_token_through_the_api(client, token):
    api_token, secret = token
    response = client.post(
        f"/api/v1/tokens/{api_token.pk}/revoke", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 204
    assert _bearer(client, secret).status_code == 401


def test_it_never_revokes_someone_elses_token(cast, sudo_client_for, token):
    api_token, _ = token
    response = sudo_client_for(cast["lawyer"]).post(f"/settings/api-tokens/{api_token.pk}/revoke/")
    assert response.status_code == 404
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_it_refuses_a_token_for_an_organisation_she_is_not_in(cast, other_org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        api_token_create(user=cast["lawyer"], organisation_id=other_org.pk, name="x", days=5)
    assert not ApiToken.objects.exists()


def test_it_creates_a_token_from_the_command_line(cast, org, client):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", user=cast["analyst"].email, org="casa", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert _bearer(client, secret).json()["role"] == "analyst"
    assert "only once" in err.getvalue()


@pytest.mark.parametrize(
    ("user", "slug", "message"),
    [
        ("nobody@example.org", "casa", "No active user"),
        ("analyst", "nope", "No active organisation"),
        ("outsider", "casa", "No perteneces"),
    ],
)
def test_it_explains_command_line_mistakes(cast, org, user, slug, message):
    email = cast[user].email if user in cast else user
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", user=email, org=slug, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_it_uses_the_browser_session_with_csrf(cast, client_for):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["org_admin"])
    api_token, _ = api_token_create(
        user=cast["org_admin"],
        organisation_id=Membership.objects.get(user=cast["org_admin"]).organisation_id,
        name="y",
        days=1,
    )
    assert client.get("/api/v1/me").status_code == 200
    response = client.post(f"/api/v1/tokens/{api_token.pk}/revoke")
    assert response.status_code == 403
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_it_answers_errors_in_one_json_shape(client, token):
    _, secret = token
    bad = client.get("/api/v1/audit/events?actor_id=abc", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid"
    assert "actor_id" in bad.json()["error"]["fields"]
    missing = client.post("/api/v1/tokens/999999/revoke", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "No encontrado."}}


def test_it_hides_stack_traces(client, token, monkeypatch):
    _, secret = token

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("audit.api.audit_events_visible_to", boom)
    response = client.get("/api/v1/audit/events", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_it_publishes_the_openapi_document_and_keeps_the_docs_page_for_members(
    client, cast, client_for
):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/me" in spec.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 302
    assert client_for(cast["analyst"]).get("/api/v1/docs").status_code == 200


def test_it_caps_page_sizes_and_audits_trail_reads(client, token):
    _, secret = token
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/audit/events?limit=201", **auth).status_code == 422
    assert client.get("/api/v1/audit/events?limit=200", **auth).status_code == 200
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="audit.auditevent").exists()
