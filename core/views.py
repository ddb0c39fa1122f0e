from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.views import LogoutView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.policy import Capability, has_capability, sees_whole_caseload
from cases.selectors import my_cases, my_open_tasks
from organisations.middleware import SESSION_ACTING_ORG
from organisations.models import Membership
from organisations.services import acting_organisation_switch
from proceedings.work import justice_work
from survivors.selectors import match_notices_for

HOME_LIMIT = 20  # items per section of "Mi trabajo"; the case list holds the rest


def _my_work(membership: Membership) -> dict[str, Any]:
    """Casework for today: her open cases, her overdue and coming tasks, her deadline alerts,
    legal deadlines overdue or due soon and protection measures about to expire, and for those
    who see the whole caseload the match notices waiting for an answer."""
    today = timezone.localdate()
    tasks = my_open_tasks(membership=membership)
    cases = list(my_cases(membership=membership)[: HOME_LIMIT + 1])
    overdue = list(tasks.filter(due_on__lt=today)[: HOME_LIMIT + 1])
    upcoming = list(
        tasks.filter(Q(due_on__gte=today) | Q(due_on__isnull=True)).order_by(
            F("due_on").asc(nulls_last=True), "pk"
        )[: HOME_LIMIT + 1]
    )
    caseload = sees_whole_caseload(membership)
    return justice_work(membership) | {
        "works_cases": True,
        "my_cases": cases[:HOME_LIMIT],
        "more_cases": len(cases) > HOME_LIMIT,
        "overdue": [(t, (today - t.due_on).days) for t in overdue[:HOME_LIMIT] if t.due_on],
        "more_overdue": len(overdue) > HOME_LIMIT,
        "upcoming": upcoming[:HOME_LIMIT],
        "more_upcoming": len(upcoming) > HOME_LIMIT,
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "sees_caseload": caseload,
        "open_notices": match_notices_for(membership=membership).count() if caseload else 0,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """'Mi trabajo': what needs the person today. Hearings and deadlines join when they exist."""
    membership = request.membership  # type: ignore[attr-defined]
    context: dict[str, Any] = {"membership": membership}
    if has_capability(membership, Capability.SEE_SURVIVORS):
        context |= _my_work(membership)
    else:
        context["view_statistics"] = has_capability(membership, Capability.VIEW_STATISTICS)
    return TemplateResponse(request, "core/home.html", context)


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
