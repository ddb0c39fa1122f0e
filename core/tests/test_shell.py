"""The UI shell: security headers, no inline code, light pages, health check, logs, demo."""

from __future__ import annotations

import gzip
import json
import logging
import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from core.logging import JsonFormatter, RequestContextFilter
from organisations.models import Membership, Organisation

PAGES = ["/", "/org/members/", "/audit/", "/settings/api-tokens/", "/accounts/2fa/"]


@pytest.mark.parametrize("path", PAGES)
def test_it_never_lets_signed_in_pages_be_cached(cast, client_for, path):
    response = client_for(cast["org_admin"]).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PAGES)
def test_it_serves_pages_with_a_strict_csp_and_no_inline_code(cast, client_for, path):
    response = client_for(cast["org_admin"]).get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.content.decode()
    inline_scripts = [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and "application/json" not in tag
    ]
    assert inline_scripts == []
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)[^\"'\s]+\.(js|css)", html)


def test_it_sends_the_other_security_headers(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_it_keeps_a_typical_page_under_100_kb_compressed(cast, client_for):
    response = client_for(cast["org_admin"]).get("/org/members/")
    assert len(gzip.compress(response.content)) < 100_000


def test_it_serves_htmx_and_styles_from_the_app(client, db):
    for path in ["/static/vendor/htmx.min.js", "/static/css/amparo.css"]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_it_answers_the_health_check_without_data(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_reports_an_unhealthy_database(client, db, monkeypatch):
    class Down:
        def cursor(self):
            raise RuntimeError("db down at 10.0.0.5")

    monkeypatch.setattr("core.views.connection", Down())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"10.0.0.5" not in response.content


def test_it_shows_a_plain_404_without_details(cast, client_for):
    response = client_for(cast["lawyer"]).get("/org/members/999/nothing/")
    assert response.status_code == 404
    assert b"Traceback" not in response.content
    assert b"no tienes acceso" in response.content


def test_it_writes_json_log_lines_with_ids_but_no_message_arguments_beyond_the_template():
    record = logging.LogRecord("amparo", logging.ERROR, __file__, 1, "failed %s", ("x",), None)
    RequestContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert set(line) >= {"at", "level", "logger", "message", "request_id", "actor_id"}


def test_it_logs_exceptions_by_type_only():
    try:
        raise ValueError("Ana Quispe, CI 4567890")
    except ValueError:
        import sys

        record = logging.LogRecord("amparo", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    text = JsonFormatter().format(record)
    assert "ValueError" in text
    assert "Ana" not in text


def test_it_keeps_emails_out_of_the_logs_on_failed_sign_in(client, db, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post("/accounts/login/", {"login": "ana.quispe@example.org", "password": "nope"})
    assert "ana.quispe" not in caplog.text


def test_it_refuses_to_seed_a_production_database(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_it_seeds_the_demo_once_however_often_it_runs(db, settings):
    settings.AMPARO_DEMO = True
    call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert counts == (10, 4, 10)
    lawyer = User.objects.get(email="lawyer@demo.amparo.bo")
    assert lawyer.check_password("amparo-demo")
    assert Membership.objects.filter(user__email="coordinator@demo.amparo.bo").count() == 2
    assert Membership.objects.get(user__email="outsider@demo.amparo.bo").organisation.slug == (
        "slim-el-alto"
    )
    assert User.objects.get(email="platform@demo.amparo.bo").is_platform_admin


def test_it_drops_request_paths_from_djangos_own_log_lines():
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/invitations/secret-token/",),
        None,
    )
    text = JsonFormatter().format(record)
    assert "secret-token" not in text
    assert "Internal Server Error" in text


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("", 0, "127.0.0.1"),
        ("203.0.113.9", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),
        ("garbage", 1, None),
        ("203.0.113.9", 2, "127.0.0.1"),
    ],
)
def test_it_takes_the_client_ip_from_trusted_proxies_only(
    settings, rf, forwarded, proxies, expected
):
    from core.middleware import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded) if forwarded else rf.get("/")
    assert client_ip(request) == expected
