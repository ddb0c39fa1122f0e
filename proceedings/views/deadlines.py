"""The network-wide list of running legal deadlines (overdue, due soon, all) of the cases the
member may open, the protection measures about to expire, and her own alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.policy import Capability
from core.decorators import member_required
from proceedings.alerts import alert_mark_seen
from proceedings.forms_deadlines import DEFAULT_DAYS, DeadlineFilterForm
from proceedings.selectors_alerts import my_alert_get, my_alerts
from proceedings.selectors_deadlines import deadline_counts, deadlines_for_tab, measures_expiring
from proceedings.work import (
    HOME_LIMIT,
    MEASURE_DAYS,
    alert_rows,
    deadline_rows,
    measure_rows,
)

PER_PAGE = 25


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def deadline_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = DeadlineFilterForm(request.GET)
    now = timezone.now()
    context: dict[str, object] = {"form": form, "page": None, "days": DEFAULT_DAYS}
    if form.is_valid():
        tab, days = form.tab_value(), form.days_value()
        deadlines = deadlines_for_tab(membership=membership, tab=tab, now=now, days=days)
        page = Paginator(deadlines, PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = deadline_rows(page.object_list, now)  # type: ignore[assignment]
        query = request.GET.copy()
        query.pop("page", None)
        context |= {
            "tab": tab,
            "days": days,
            "page": page,
            "counts": deadline_counts(membership=membership, now=now, days=days),
            "query_prefix": query.urlencode() + "&" if query else "",
        }
    alerts = list(my_alerts(membership=membership)[: HOME_LIMIT + 1])
    measures = list(measures_expiring(membership=membership, within_days=MEASURE_DAYS)[:51])
    context |= {
        "deadline_alerts": alert_rows(alerts[:HOME_LIMIT], now),
        "more_deadline_alerts": len(alerts) > HOME_LIMIT,
        "expiring_measures": measure_rows(measures[:50], timezone.localdate()),
        "more_expiring_measures": len(measures) > 50,
        "measure_days": MEASURE_DAYS,
    }
    return TemplateResponse(
        request,
        "proceedings/deadline_list.html",
        context,
        status=200 if form.is_valid() else 400,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def alert_seen(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Mark one of my alerts (and my earlier ones for the same deadline) as seen."""
    membership = request.membership  # type: ignore[attr-defined]
    alert = my_alert_get(membership=membership, alert_id=alert_id)
    alert_mark_seen(membership=membership, alert=alert)
    messages.success(request, _("Aviso marcado como visto."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("justice:deadlines")
