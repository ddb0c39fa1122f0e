"""Helpers for the proceedings API tests: clients that speak JSON (with a token, as a script
would, or with the browser session) and sample proceedings built through the real services."""

import datetime as dt
import json
from typing import Any

from api.services import api_token_create
from jurisdictions.models import Department
from organisations.models import Membership
from proceedings import services
from proceedings.models import JusticeOffice, OfficeKind, Proceeding

ACCUSED_NAME = "Ruperto Mamani Condori"
PROSECUTOR_NUMBER = "FIS-LP-2026-0412"
NUREJ = "201945678"


class Json:
    """A test client that sends and reads JSON, with a bearer token or the session."""

    def __init__(self, client: Any, secret: str | None = None, language: str = "es") -> None:
        self.client = client
        self.headers: dict[str, str] = {"HTTP_ACCEPT_LANGUAGE": language}
        if secret:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, **self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", **self.headers
        )

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(
            path, json.dumps(body), content_type="application/json", **self.headers
        )


def token_client(client: Any, user: Any, language: str = "es") -> Json:
    organisation = Membership.objects.get(user=user, is_active=True).organisation_id
    _token, secret = api_token_create(
        user=user, organisation_id=organisation, name="script", days=30
    )
    return Json(client, secret, language)


def membership(user: Any) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


def la_paz() -> Department:
    return Department.objects.get(code="02")


def office(
    creator: Any, kind: str = OfficeKind.INVESTIGATING_COURT, name: str = "", **extra: Any
) -> JusticeOffice:
    """A directory office, in La Paz unless told (written directly: the directory's service
    has its own tests)."""
    return JusticeOffice.objects.create(
        kind=kind,
        name=name or f"Oficina {kind} {JusticeOffice.objects.count() + 1}",
        department=extra.pop("department", None) or la_paz(),
        created_by=creator,
        **extra,
    )


def proceeding_for(case: Any, user: Any, **data: Any) -> Proceeding:
    return services.proceeding_create(
        membership=membership(user),
        case=case,
        data=services.ProceedingData(department=la_paz(), **data),
    )


def record(
    proceeding: Proceeding, user: Any, type: str, on: dt.date, at: dt.time | None = None
) -> Any:
    event = services.event_record(
        membership=membership(user),
        case=proceeding.case,
        proceeding=proceeding,
        data=services.EventData(type=type, occurred_on=on, occurred_time=at),
    )
    proceeding.refresh_from_db()
    return event


def base(proceeding: Proceeding) -> str:
    return f"/api/v1/cases/{proceeding.case_id}/proceedings/{proceeding.pk}"
