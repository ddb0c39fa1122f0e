"""The versioned JSON API at /api/v1/. Errors always have one shape:
{"error": {"code": "...", "message": "...", "fields": {...}?}}, never a stack trace."""

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.views import openapi_view

from access.policy import ROLE_CAPABILITIES
from api.auth import api_auth
from api.schemas import ErrorOut, MeOut, TokenOut
from api.selectors import api_token_get_for_user, api_token_list_for_user
from api.services import api_token_revoke

logger = logging.getLogger("amparo.api")


def _docs_for_signed_in(view: Any) -> Any:
    """The OpenAPI document holds no data and stays public; the docs page needs a sign-in."""
    return login_required(view) if getattr(view, "func", None) is openapi_view else view


api = NinjaAPI(
    title="Amparo API",
    version="1",
    description=_("API de Amparo. Autenticación: sesión del navegador o token personal (Bearer)."),
    urls_namespace="api-1",
    auth=api_auth,
    docs_decorator=_docs_for_signed_in,
)


def error(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update(extra)
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        name = ".".join(str(p) for p in item.get("loc", [])[1:]) or "body"
        fields.setdefault(name, []).append(str(item.get("msg", "")))
    return error(request, 422, "invalid", _("Datos no válidos."), fields=fields)


@api.exception_handler(DjangoValidationError)
def _rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else None
    return error(request, 400, "rejected", " ".join(exc.messages), fields=fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Falta autenticación o no es válida."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", _("No encontrado."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {403: "forbidden", 405: "method_not_allowed", 429: "throttled"}
    return error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("api unexpected error %s", type(exc).__name__)
    return error(request, 500, "server_error", _("Error interno. Quedó registrado."))


me_router = Router(tags=["me"])


@me_router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    user = request.user
    return {
        "email": user.email,  # type: ignore[union-attr]
        "name": user.name,  # type: ignore[union-attr]
        "organisation": membership.organisation.name if membership else None,
        "organisation_slug": membership.organisation.slug if membership else None,
        "role": membership.role if membership else None,
        "capabilities": sorted(ROLE_CAPABILITIES.get(membership.role, ())) if membership else [],
    }


@me_router.get("/tokens", response={200: list[TokenOut], 401: ErrorOut})
def tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "organisation": t.organisation.slug,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "revoked_at": t.revoked_at,
            "last_used_at": t.last_used_at,
        }
        for t in api_token_list_for_user(user=request.user)
    ]


@me_router.post("/tokens/{token_id}/revoke", response={204: None, 400: ErrorOut, 404: ErrorOut})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    token = api_token_get_for_user(user=request.user, token_id=token_id)
    api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
    return Status(204, None)


api.add_router("/", me_router)


def _register_routers() -> None:
    from audit.api import router as audit_router
    from cases.api import router as cases_router
    from documents.api import router as documents_router
    from organisations.api import router as organisations_router
    from safety.api import router as safety_router
    from survivors.api import erasures_router, notices_router, retention_router

    api.add_router("/audit", audit_router)
    api.add_router("/cases", cases_router)
    api.add_router("/organisation", organisations_router)
    api.add_router("/cases", safety_router)  # beside the cases router: distinct paths
    api.add_router("/cases", documents_router)  # beside the cases router: distinct paths
    api.add_router("/match-notices", notices_router)
    api.add_router("/erasures", erasures_router)
    api.add_router("/retention", retention_router)
    api.add_router("/cases", "proceedings.api.router")  # beside the cases router
    api.add_router("/", "proceedings.api_network.router")
    api.add_router("/cases", "referrals.api.case_router")  # beside the cases router
    api.add_router("/referrals", "referrals.api.router")


_register_routers()
