from __future__ import annotations

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.utils import timezone

from conftest import PASSWORD, grant_sudo


def _login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_it_signs_in_with_email_and_password_and_a_new_session_id(client, cast):
    client.get("/accounts/login/")
    client.session["probe"] = 1
    before = client.session.session_key
    response = _login(client, cast["lawyer"].email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session.session_key != before
    assert client.get("/").status_code == 200


def test_it_answers_a_wrong_password_and_an_unknown_email_alike(client, cast):
    wrong = _login(client, cast["lawyer"].email, "not-the-password")
    unknown = _login(client, "nobody-here@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    message = "y/o la contraseña que ha indicado no son correctas"
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_throttles_repeated_failures_for_a_while_but_not_for_good(client, cast, monkeypatch):
    email = cast["lawyer"].email
    for _ in range(5):
        _login(client, email, "guess")
    blocked = _login(client, email)
    assert "_auth_user_id" not in client.session
    assert "demasiados" in blocked.content.decode().lower()
    later = time.time() + 301
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: later)
    assert _login(client, email).status_code == 302
    assert client.session["_auth_user_id"] == str(cast["lawyer"].pk)


def test_it_keeps_sign_up_closed(client, db):
    response = client.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD})
    assert "cerrado" in response.content.decode().lower() or response.status_code == 404
    from accounts.models import User

    assert not User.objects.filter(email="new@example.org").exists()


def test_it_expires_idle_sessions_after_thirty_minutes(client_for, cast):
    client = client_for(cast["lawyer"])
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_ends_sessions_after_twelve_hours_however_active(client_for, cast):
    client = client_for(cast["lawyer"])
    session = client.session
    session["amparo_login_at"] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_ends_every_session_of_a_deactivated_user(client_for, cast):
    client = client_for(cast["lawyer"])
    assert client.get("/").status_code == 200
    cast["lawyer"].is_active = False
    cast["lawyer"].save(update_fields=["is_active"])
    assert client.get("/").status_code == 302


def test_it_ends_other_sessions_when_the_password_changes(client_for, cast):
    elsewhere = client_for(cast["lawyer"])
    assert elsewhere.get("/").status_code == 200
    cast["lawyer"].set_password("a-brand-new-password-42")
    cast["lawyer"].save()
    assert elsewhere.get("/").status_code == 302


def test_it_clears_site_data_on_logout(client_for, cast):
    client = client_for(cast["lawyer"])
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in client.session


def test_it_lets_sudo_lapse_after_ten_minutes(client_for, cast):
    client = client_for(cast["org_admin"])
    grant_sudo(client, cast["org_admin"], seconds_ago=601)
    response = client.get("/audit/export.csv")
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


def test_it_grants_sudo_after_reauthenticating_with_the_password(client_for, cast):
    client = client_for(cast["org_admin"])
    response = client.post(
        "/accounts/reauthenticate/?next=/audit/export.csv", {"password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/audit/export.csv").status_code == 200


def test_it_refuses_reauthentication_with_a_wrong_password(client_for, cast):
    client = client_for(cast["org_admin"])
    client.post("/accounts/reauthenticate/", {"password": "wrong"})
    assert client.get("/audit/export.csv").status_code == 302


class TestRequiredMFA:
    @pytest.fixture(autouse=True)
    def _require(self, settings):
        settings.AMPARO_REQUIRE_MFA = True

    def test_it_sends_identity_roles_without_mfa_to_set_it_up(self, client_for, cast):
        response = client_for(cast["lawyer"]).get("/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/"

    def test_it_lets_roles_without_identity_access_in(self, client_for, cast):
        assert client_for(cast["analyst"]).get("/").status_code == 200

    def test_it_requires_mfa_of_those_who_grant_access(self, client_for, cast):
        for who in ["org_admin", "platform_admin"]:
            response = client_for(cast[who]).get("/")
            assert response.status_code == 302, who
            assert response["Location"] == "/accounts/2fa/"

    def test_it_lets_identity_roles_with_totp_in(self, client_for, cast):
        Authenticator.objects.create(
            user=cast["lawyer"], type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )
        assert client_for(cast["lawyer"]).get("/").status_code == 200

    def test_it_refuses_the_api_to_identity_roles_without_mfa(self, client_for, cast):
        response = client_for(cast["lawyer"]).get("/api/v1/me")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "mfa_required"

    def test_it_shows_no_demo_banner(self, client_for, cast):
        assert b"banner-demo" not in client_for(cast["analyst"]).get("/").content


def test_it_says_when_mfa_is_optional_and_when_data_is_fictitious(client_for, cast, settings):
    page = client_for(cast["lawyer"]).get("/").content.decode()
    assert "no es obligatoria" in page
    assert "Demostración" not in page
    settings.AMPARO_DEMO = True
    assert "Demostración" in client_for(cast["lawyer"]).get("/").content.decode()


def test_it_answers_password_resets_alike_for_known_and_unknown_emails(client, cast):
    from django.core import mail

    known = client.post("/accounts/password/reset/", {"email": cast["lawyer"].email})
    unknown = client.post("/accounts/password/reset/", {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    reset = next(m for m in mail.outbox if cast["lawyer"].email in m.to)
    assert "/accounts/password/reset/key/" in reset.body
