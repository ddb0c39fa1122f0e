from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from access.policy import Capability
from audit.forms import AuditFilterForm
from audit.models import Action
from audit.selectors import AuditFilters, audit_events_visible_to
from audit.services import audit_record
from core.decorators import member_required, sudo_required
from organisations.selectors import member_list_visible_to_auditor


def _form(request: HttpRequest) -> AuditFilterForm:
    membership = request.membership  # type: ignore[attr-defined]
    actors = [
        (m.user_id, m.user.email) for m in member_list_visible_to_auditor(membership=membership)
    ]
    return AuditFilterForm(request.GET or None, actors=actors)


@member_required(Capability.VIEW_AUDIT)
@require_GET
def trail(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = _form(request)
    valid = form.is_valid() if request.GET else True
    filters = form.filters() if request.GET and valid else AuditFilters()
    events = audit_events_visible_to(membership=membership, filters=filters)
    page = None
    if valid:
        used = [name for name, value in vars(filters).items() if value]
        audit_record(action=Action.VIEW, object_type="audit.auditevent", fields=used)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # htmx asks for the results only (the filters stay as they are on the page).
    htmx = bool(request.headers.get("HX-Request"))
    template = "audit/event_list.html" + ("#results" if htmx else "")
    return TemplateResponse(
        request,
        template,
        {
            "form": form,
            "page": page,
            "htmx": htmx,
            "query_prefix": query.urlencode() + "&" if query else "",
        },
        status=200 if valid else 400,
    )


@member_required(Capability.VIEW_AUDIT)
@sudo_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = _form(request)
    if request.GET and not form.is_valid():
        return TemplateResponse(
            request, "audit/event_list.html", {"form": form, "page": None}, status=400
        )
    filters = form.filters() if request.GET else AuditFilters()
    with transaction.atomic():
        audit_record(action=Action.EXPORT, object_type="audit.auditevent", fields=["trail"])
    events = audit_events_visible_to(membership=membership, filters=filters)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    header = ["at", "actor", "action", "object_type", "object_id", "fields", "request_id", "ip"]

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(header)
        for e in events.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    timezone.localtime(e.at).isoformat(),
                    e.actor.email if e.actor else "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    " ".join(e.fields),
                    e.request_id,
                    e.ip or "",
                ]
            )

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="amparo-audit-{stamp}.csv"'
    return response
