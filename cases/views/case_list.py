"""The case list: codes, never identity. Filters work as a plain GET form; with htmx only the
rows are replaced (the `rows` partial of the same template)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from access.policy import Capability, sees_whole_caseload
from cases import selectors
from cases.forms_list import CaseFilterForm
from core.decorators import member_required

PER_PAGE = 25


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = CaseFilterForm(request.GET, membership=membership)
    page = None
    if form.is_valid():
        page = selectors.case_list_page(
            membership=membership,
            filters=form.filters(),
            number=request.GET.get("page"),
            per_page=PER_PAGE,
        )
    query = request.GET.copy()
    query.pop("page", None)
    htmx = bool(request.headers.get("HX-Request"))
    return TemplateResponse(
        request,
        "cases/case_list.html" + ("#rows" if htmx else ""),
        {
            "form": form,
            "page": page,
            "htmx": htmx,
            "sees_caseload": sees_whole_caseload(membership),
            "filtered": any(v for k, v in query.items() if k != "sort"),
            "query_prefix": query.urlencode() + "&" if query else "",
        },
        status=200 if page is not None else 400,
    )
