"""The network's directory of courts and prosecutors' offices. Everyone who works cases reads
it; coordinators (Capability.MANAGE_DIRECTORY) add and edit offices, and retire them by
deactivating: an office named by a proceeding or a hearing is never deleted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from access.policy import Capability, has_capability
from cases.forms import add_service_errors
from core.decorators import member_required
from proceedings import selectors, services
from proceedings.forms_directory import OfficeFilterForm, OfficeForm
from proceedings.models import JusticeOffice

PER_PAGE = 25


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def office_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    can_manage = has_capability(membership, Capability.MANAGE_DIRECTORY)
    form = OfficeFilterForm(request.GET, can_manage=can_manage)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        offices = selectors.office_list(
            kind=data["kind"],
            department_code=data["department"],
            active_only=not data.get("inactive"),
        )
        page = Paginator(offices, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "proceedings/directory_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": can_manage,
            "filtered": any(query.values()),
            "query_prefix": query.urlencode() + "&" if query else "",
        },
        status=200 if page is not None else 400,
    )


def _office_page(
    request: HttpRequest, form: OfficeForm, office: JusticeOffice | None
) -> HttpResponse:
    return TemplateResponse(
        request,
        "proceedings/directory_form.html",
        {"form": form, "office": office},
        status=400 if form.errors else 200,
    )


@member_required(Capability.MANAGE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def office_new(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = OfficeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            office = services.office_create(membership=membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("«%(name)s» agregada al directorio.") % {"name": office})
            return redirect("justice:directory")
    return _office_page(request, form, None)


@member_required(Capability.MANAGE_DIRECTORY)
@require_http_methods(["GET", "POST"])
def office_edit(request: HttpRequest, office_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    office = selectors.office_get(office_id=office_id)
    initial: dict[str, Any] = {
        "kind": office.kind,
        "name": office.name,
        "department": office.department.code,
        "is_active": office.is_active,
    }
    form = OfficeForm(
        request.POST if request.method == "POST" else None, initial=initial, editing=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.office_update(membership=membership, office=office, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Directorio actualizado."))
            return redirect("justice:directory")
    return _office_page(request, form, office)
