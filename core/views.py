from __future__ import annotations

from allauth.account.views import LogoutView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organisations.middleware import SESSION_ACTING_ORG
from organisations.services import acting_organisation_switch


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """'Mi trabajo': what needs the person today. Sections fill in as cases and hearings arrive."""
    return TemplateResponse(request, "core/home.html", {"membership": request.membership})  # type: ignore[attr-defined]


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"; details stay in the server
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = -1
    acting = acting_organisation_switch(
        memberships=request.memberships,  # type: ignore[attr-defined]
        organisation_id=organisation_id,
    )
    request.session[SESSION_ACTING_ORG] = acting.organisation_id
    messages.success(request, _("Ahora actúas en %(org)s.") % {"org": acting.organisation.name})
    return redirect("home")


def not_available(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


class ClearingLogoutView(LogoutView):
    """allauth's logout, plus Clear-Site-Data so the browser drops cached pages and storage."""

    def post(self, *args: object, **kwargs: object) -> HttpResponse:
        response: HttpResponse = super().post(*args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


logout = ClearingLogoutView.as_view()
