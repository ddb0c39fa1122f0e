"""Sign-in events go to the audit trail. A failed attempt records no email: the trail must not
become a list of who tried to sign in as whom."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from access.policy import memberships_of
from audit.models import Action
from audit.services import audit_record
from core.context import update_context

SESSION_LOGIN_AT = "amparo_login_at"


@receiver(user_logged_in)
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = time.time()
    memberships = memberships_of(user)
    organisation_id = memberships[0].organisation_id if memberships else None
    update_context(actor_id=user.pk, organisation_id=organisation_id)
    audit_record(action=Action.LOGIN, object_type="accounts.user", object_id=user.pk)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            action=Action.LOGOUT, object_type="accounts.user", object_id=user.pk, actor_id=user.pk
        )


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    audit_record(action=Action.LOGIN_FAILED, object_type="accounts.user")
