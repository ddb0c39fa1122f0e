"""API authentication: the browser session (CSRF-checked) or a personal bearer token.

Either way the request ends up with `request.membership`, read fresh from the database: a token
whose person left the organisation, or was deactivated, stops working at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from access.policy import Capability, has_capability, membership_for, needs_mfa
from accounts.middleware import has_mfa
from api.selectors import api_token_by_secret
from api.services import api_token_touch
from core.context import update_context


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_by_secret(secret=token)
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            return None
        membership = membership_for(api_token.user, api_token.organisation_id)
        if membership is None or not has_capability(membership, Capability.USE_API):
            return None
        if (
            settings.AMPARO_REQUIRE_MFA
            and needs_mfa(api_token.user, [membership])
            and not has_mfa(api_token.user)
        ):
            return None
        api_token_touch(token=api_token)
        request.user = api_token.user
        request.membership = membership  # type: ignore[attr-defined]
        request.memberships = [membership]  # type: ignore[attr-defined]
        update_context(actor_id=api_token.user_id, organisation_id=api_token.organisation_id)
        return api_token.user


class MemberSessionAuth(SessionAuth):
    """The browser session, acting through the organisation chosen in the UI."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or getattr(request, "membership", None) is None:
            return None
        return user


api_auth = [TokenAuth(), MemberSessionAuth()]
