from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.policy import Capability
from cases.selectors import case_get_for_user
from core.decorators import member_required, sudo_for_changes, sudo_required
from survivors import erasure
from survivors.forms import ErasureRequestForm, RetentionForm
from survivors.selectors import erasure_request_get, erasure_requests_pending, retention_rule_for


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def erasure_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not erasure.can_request_erasure(membership):
        raise Http404
    pending = erasure_requests_pending(membership=membership)
    return TemplateResponse(request, "survivors/erasure_list.html", {"pending": pending})


@member_required(Capability.SEE_SURVIVORS)
@sudo_for_changes
@require_http_methods(["GET", "POST"])
def erasure_request(request: HttpRequest, case_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = case_get_for_user(membership=membership, case_id=case_id)
    if not erasure.can_request_erasure(membership):
        raise Http404
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.erasure_request(
                membership=membership, survivor=case.survivor, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Pedido registrado: otra coordinadora debe confirmarlo."))
            return redirect("survivors:erasures")
    return TemplateResponse(
        request,
        "survivors/erasure_request.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )


@member_required(Capability.SEE_SURVIVORS)
@sudo_required
@require_POST
def erasure_confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    pending = erasure_request_get(membership=membership, request_id=request_id)
    try:
        erasure.erasure_confirm(membership=membership, request=pending)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survivors:erasures")
    messages.success(request, _("Identidad borrada para siempre. Los datos estadísticos siguen."))
    return redirect("survivors:erasures")


@member_required(Capability.SEE_SURVIVORS)
@sudo_for_changes
@require_POST
def erasure_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    pending = erasure_request_get(membership=membership, request_id=request_id)
    erasure.erasure_cancel(membership=membership, request=pending)
    messages.success(request, _("Pedido de borrado anulado."))
    return redirect("survivors:erasures")


@member_required(Capability.MANAGE_MEMBERS)
@sudo_for_changes
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    rule = retention_rule_for(membership=membership)
    initial = {"years": rule.erase_identity_after_years if rule else None}
    form = RetentionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        erasure.retention_rule_set(membership=membership, years=form.cleaned_data["years"])
        messages.success(request, _("Regla de conservación guardada."))
        return redirect("survivors:retention")
    return TemplateResponse(
        request,
        "survivors/retention_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )
