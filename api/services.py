from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, has_capability, membership_for
from accounts.models import User
from api.models import ApiToken
from api.selectors import token_digest
from audit.models import Action
from audit.services import audit_record


def api_token_create(
    *, user: User, organisation_id: int, name: str, days: int
) -> tuple[ApiToken, str]:
    """Create a token for `user` acting in `organisation_id`. Returns it and the secret, which
    is shown once and never stored."""
    membership = membership_for(user, organisation_id)
    if not has_capability(membership, Capability.USE_API):
        raise ValidationError(_("No perteneces a esa organización o tu rol no puede usar la API."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Ponle un nombre al token.")})
    if not 1 <= days <= settings.AMPARO_API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": _("La vigencia debe ser de 1 a %(max)s días.")
                % {"max": settings.AMPARO_API_TOKEN_MAX_DAYS}
            }
        )
    body = secrets.token_urlsafe(32)
    prefix = body[:8]
    secret = f"amp_{body}"
    with transaction.atomic():
        token = ApiToken(
            user=user,
            organisation_id=organisation_id,
            name=name[:100],
            prefix=prefix,
            token_hash=token_digest(secret),
            expires_at=timezone.now() + timedelta(days=days),
        )
        token.save()
        audit_record(
            action=Action.TOKEN_CREATE,
            obj=token,
            fields=["name", "expires_at"],
            actor_id=user.pk,
            organisation_id=organisation_id,
        )
    return token, secret


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise Http404
    if token.revoked_at is not None:
        raise ValidationError(_("Este token ya estaba revocado."))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=Action.TOKEN_REVOKE,
            obj=token,
            fields=["revoked_at"],
            actor_id=user.pk,
            organisation_id=token.organisation_id,
        )


def api_token_touch(*, token: ApiToken) -> None:
    """Record use at most once a minute, without rewriting the row on every call."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        token.save(update_fields=["last_used_at"])
