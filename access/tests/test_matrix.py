"""Runs the authorization matrix (matrix.py) and checks it covers every route."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver

from access.tests.matrix import API as PLATFORM_API
from access.tests.matrix import RELATIONSHIPS
from access.tests.matrix import URLS as PLATFORM_URLS
from api.api import api
from api.services import api_token_create
from conftest import grant_sudo
from organisations.models import Membership
from organisations.services import invitation_create, invitation_issue_token

ROOT = Path(__file__).resolve().parents[2]
# Each app declares its own routes in <app>/tests/matrix_*.py (URLS, API, optional objects()).
AREA_MODULES = [
    importlib.import_module(".".join(p.relative_to(ROOT).with_suffix("").parts))
    for p in sorted(ROOT.glob("*/tests/matrix_*.py"))
]
URLS = {**PLATFORM_URLS}
API = {**PLATFORM_API}
for _module in AREA_MODULES:
    URLS.update(getattr(_module, "URLS", {}))
    API.update(getattr(_module, "API", {}))


def _walk(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_it_declares_every_url_pattern():
    """Every URL pattern is in the matrix; the API's patterns are its operations."""
    declared = {route for route, _method in URLS}
    patterns = set(_walk(get_resolver().url_patterns))
    api_patterns = {p for p in patterns if p.startswith("api/v1/") and p not in declared}
    missing = patterns - declared - api_patterns
    assert missing == set(), f"routes missing from the authorization matrix: {sorted(missing)}"
    operations = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path, _m in API}
    assert {f"/{p}" for p in api_patterns} == operations


def test_it_declares_every_api_operation():
    schema = api.get_openapi_schema()
    operations = {
        (path, method.upper()) for path, methods in schema["paths"].items() for method in methods
    }
    assert operations == set(API), "API operations and the matrix differ"


def test_it_declares_every_relationship():
    for key, (_path, _data, expected) in URLS.items():
        assert set(expected) == set(RELATIONSHIPS), key
    for key, (_path, expected) in API.items():
        assert set(expected) == set(RELATIONSHIPS), key


@pytest.fixture
def objects(cast, org):
    admin = Membership.objects.get(user=cast["org_admin"], organisation=org)
    invitation = invitation_create(
        membership=admin, email="invitee@example.org", role="lawyer", base_url="http://testserver/"
    )
    invitation_token = invitation_issue_token(invitation=invitation)
    token, _secret = api_token_create(user=cast["lawyer"], organisation_id=org.pk, name="t", days=5)
    disabled = cast["lawyer"].__class__.objects.create_user("disabled@example.org", "x" * 12)
    Membership.objects.create(user=disabled, organisation=org, role="lawyer")
    extra: dict[str, object] = {}
    for module in AREA_MODULES:
        if hasattr(module, "objects"):
            extra.update(module.objects(cast, org))
    return {
        **extra,
        "org": str(org.pk),
        "member": str(Membership.objects.get(user=cast["social_worker"]).pk),
        "invitation": str(invitation.pk),
        "invitation_token": invitation_token,
        "token": str(token.pk),
        "disabled": disabled,
    }


def _client(rel: str, cast, objects) -> Client:
    client = Client()
    if rel == "anonymous":
        return client
    user = objects["disabled"] if rel == "disabled" else cast[rel]
    client.force_login(user)
    grant_sudo(client, user)
    if rel == "disabled":
        user.is_active = False
        user.save(update_fields=["is_active"])
    return client


def _run(rel, method, path, data, cast, objects):
    with transaction.atomic():
        client = _client(rel, cast, objects)
        if method == "GET":
            status = client.get(path).status_code
        elif method == "PUT":  # the same empty form as a POST would send
            body = encode_multipart(BOUNDARY, data)
            status = client.generic(method, path, body, MULTIPART_CONTENT).status_code
        else:
            status = client.post(path, data).status_code
        transaction.set_rollback(True)
    return status


def _fill(text: str, objects) -> str:
    return text.format(**{k: v for k, v in objects.items() if isinstance(v, str)})


@pytest.mark.parametrize(("route", "method"), sorted(URLS), ids=lambda v: v or "/")
def test_url(route, method, cast, objects):
    path, data, expected = URLS[(route, method)]
    path = _fill(path, objects)
    data = {k: _fill(v, objects) for k, v in data.items()}
    actual = {rel: _run(rel, method, path, data, cast, objects) for rel in RELATIONSHIPS}
    assert actual == expected


@pytest.mark.parametrize(("operation", "method"), sorted(API))
def test_api(operation, method, cast, objects):
    path, expected = API[(operation, method)]
    path = _fill(path, objects)
    actual = {rel: _run(rel, method, path, {}, cast, objects) for rel in RELATIONSHIPS}
    assert actual == expected
