from __future__ import annotations

import hashlib

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from api.models import ApiToken


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_list_for_user(*, user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """A person's own tokens; nobody else's (not even an admin's view)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).select_related("organisation")


def api_token_get_for_user(*, user: User | AnonymousUser, token_id: int) -> ApiToken:
    token = api_token_list_for_user(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token


def api_token_by_secret(*, secret: str) -> ApiToken | None:
    if not secret.startswith("amp_") or len(secret) > 100:
        return None
    return (
        ApiToken.objects.filter(token_hash=token_digest(secret))
        .select_related("user", "organisation")
        .first()
    )
