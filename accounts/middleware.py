from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from access.policy import needs_mfa
from accounts.signals import SESSION_LOGIN_AT

# Paths a signed-in person without MFA may still reach: allauth's own pages (where MFA is set
# up), language switching, static files and the health check.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/api/v1/openapi.json")


class SessionLifetimeMiddleware:
    """Ends a session 12 hours (configurable) after sign-in, however active it was.

    The 30-minute idle timeout is Django's own (SESSION_COOKIE_AGE, saved on every request).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_LOGIN_AT)
            now = time.time()
            if started is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - float(started) > settings.AMPARO_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Tu sesión terminó. Vuelve a iniciar sesión."))
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


def has_mfa(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class RequireMFAMiddleware:
    """With AMPARO_REQUIRE_MFA on, anyone whose role can see survivor identity must set up a
    second factor before doing anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.AMPARO_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and needs_mfa(request.user, getattr(request, "memberships", []))
            and not has_mfa(request.user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "mfa_required",
                            "message": _("Se requiere la verificación en dos pasos."),
                        }
                    },
                    status=403,
                )
            messages.warning(
                request,
                _("Tu rol ve datos de sobrevivientes: activa la verificación en dos pasos."),
            )
            return redirect("mfa_index")
        return self.get_response(request)
