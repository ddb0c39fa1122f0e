"""Preconditions for views. Deny by default: a view without one of these is refused by the
authorization matrix test, which knows every route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from access.policy import Capability, can_manage_platform, has_capability
from audit.models import Action
from audit.services import audit_record

View = Callable[..., HttpResponseBase]


def _deny(request: HttpRequest) -> None:
    match = request.resolver_match
    audit_record(
        action=Action.PERMISSION_DENIED,
        object_type="route",
        object_id=match.view_name if match else "",
    )
    raise Http404


def member_required(capability: Capability | None = None) -> Callable[[View], View]:
    """Signed in, acting through an active membership that holds `capability` (if given)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership = getattr(request, "membership", None)
            if membership is None or (
                capability is not None and not has_capability(membership, capability)
            ):
                _deny(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def platform_admin_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_manage_platform(request.user):
            _deny(request)
        return view(request, *args, **kwargs)

    return wrapped


def sudo_required(view: View) -> View:
    """Re-authentication within the last 10 minutes, for every method."""
    return reauthentication_required(view)


def sudo_for_changes(view: View) -> View:
    """Re-authentication within the last 10 minutes before a change (GET passes)."""
    return reauthentication_required(view, allow_get=True)
