from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.context import RequestContext, set_context

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind N trusted reverse proxies (TRUSTED_PROXY_COUNT=N), the
    N-th address from the right of X-Forwarded-For: the one our own nearest proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return None
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives every request an id (kept from a well-formed X-Request-ID) for audit and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        set_context(RequestContext(request_id=request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            set_context(RequestContext())
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """Pages for signed-in people may show protected data: no cache, proxy or back button keeps
    them. Static files are served before this by WhiteNoise and keep their long cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control") or request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
