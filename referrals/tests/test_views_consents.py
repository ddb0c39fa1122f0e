"""What she consents to share: the categories of a sharing consent, on the consent form, the
case page and the API — the categories a referral may then carry."""

from __future__ import annotations

import json

import pytest

from api.services import api_token_create
from audit.models import AuditEvent
from conftest import open_case
from survivors.models import Consent


@pytest.fixture
def case(cast):
    return open_case(cast["lawyer"])


@pytest.fixture
def lawyer(cast, client_for):
    return client_for(cast["lawyer"])


def _consent(client, case, **data):
    base = {"purpose": "sharing", "given_by": "survivor", "given_on": "2026-03-01"}
    return client.post(f"/cases/{case.pk}/consents/new/", {**base, **data})


def _written():
    return Consent.objects.count(), AuditEvent.objects.count()


def test_the_consent_form_asks_what_she_accepts_to_share(case, lawyer):
    text = lawyer.get(f"/cases/{case.pk}/consents/new/").text
    assert "¿Qué acepta compartir?" in text
    assert "Solo para compartir" in text
    for code in ("identity", "incidents", "proceedings", "notes"):
        assert f'value="{code}"' in text


def test_it_records_what_she_accepts_to_share(case, lawyer, other_org):
    response = _consent(lawyer, case, recipient=other_org.pk, categories=["notes", "incidents"])
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.categories == ["incidents", "notes"]
    section = lawyer.get(f"/cases/{case.pk}/").text.split('id="consentimientos"')[1]
    assert "Comparte: Hechos, Notas" in section


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"categories": []}, "Indica qué partes de su caso acepta compartir."),
        (
            {"purpose": "case_management", "categories": ["notes"]},
            "Las categorías solo corresponden a compartir.",
        ),
    ],
    ids=["sharing-without-categories", "categories-without-sharing"],
)
def test_it_refuses_categories_that_do_not_fit_and_writes_nothing(
    case, lawyer, other_org, data, message
):
    before = _written()
    response = _consent(lawyer, case, recipient=other_org.pk, **data)
    assert response.status_code == 400
    assert message in response.text
    assert _written() == before


def test_the_api_records_and_returns_the_categories(cast, case, org, other_org, client):
    _token, secret = api_token_create(
        user=cast["lawyer"], organisation_id=org.pk, name="script", days=30
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {
        "purpose": "sharing",
        "given_by": "survivor",
        "given_on": "2026-03-10",
        "recipient_id": other_org.pk,
        "categories": ["proceedings"],
    }
    url = f"/api/v1/cases/{case.pk}/consents"
    created = client.post(url, json.dumps(body), content_type="application/json", **auth)
    assert created.status_code == 201
    assert created.json()["categories"] == ["proceedings"]
    assert Consent.objects.get().categories == ["proceedings"]
    assert client.get(url, **auth).json()[0]["categories"] == ["proceedings"]
    refused = client.post(
        url, json.dumps({**body, "categories": []}), content_type="application/json", **auth
    )
    assert refused.status_code == 400
    assert Consent.objects.count() == 1
