"""Protection measures inside a proceeding: request one, decide it (granted or denied), end it,
report a breach. Every view fetches the case through the access gate (`case_get_for_user`:
404 for missing and forbidden alike), then the proceeding and the measure inside it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from cases.forms import add_service_errors
from cases.models import Case
from cases.selectors import case_get_for_user
from core.decorators import member_required
from organisations.models import Membership
from proceedings import services_measures as services
from proceedings.forms_measures import (
    DECIDE,
    END,
    BreachForm,
    MeasureDecideForm,
    MeasureEndForm,
    MeasureRequestForm,
)
from proceedings.models import MeasureStatus, Proceeding, ProtectionMeasure
from proceedings.selectors import breach_list, measure_get, procedure_for, proceeding_get


def _proceeding(
    request: HttpRequest, case_id: int, proceeding_id: int
) -> tuple[Membership, Case, Proceeding]:
    membership = request.membership  # type: ignore[attr-defined]
    case = case_get_for_user(membership=membership, case_id=case_id)
    return membership, case, proceeding_get(case=case, proceeding_id=proceeding_id)


def _detail_url(case: Case, proceeding: Proceeding) -> str:
    return reverse("proceedings:detail", args=[case.pk, proceeding.pk]) + "#medidas"


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    membership, case, proceeding = _proceeding(request, case_id, proceeding_id)
    procedure = procedure_for(proceeding)
    form = MeasureRequestForm(
        request.POST if request.method == "POST" else None,
        measures=services.measures_for(procedure, is_child=case.survivor.is_child),
        language=get_language(),
        initial={"requested_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            protection = services.measure_request(
                membership=membership, case=case, proceeding=proceeding, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Solicitud de medida de protección registrada."))
            return redirect("proceedings:measure", case.pk, proceeding.pk, protection.pk)
    return TemplateResponse(
        request,
        "proceedings/measure_form.html",
        {"case": case, "proceeding": proceeding, "form": form},
        status=400 if form.errors else 200,
    )


def _messages(form: forms.Form) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


def _detail(
    request: HttpRequest,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    protection: ProtectionMeasure,
    bound: forms.Form | None = None,
) -> HttpResponse:
    """The measure's page with the forms its status allows; `bound` (a refused POST) replaces
    the blank form of its kind, or, when the page has none (the measure's status changed),
    its errors show at the top. A refused POST answers 400."""
    status = protection.status
    forms_by_kind: dict[str, forms.Form | None] = {
        "decide_form": MeasureDecideForm() if status == MeasureStatus.REQUESTED else None,
        "end_form": MeasureEndForm() if status == MeasureStatus.GRANTED else None,
        "breach_form": BreachForm() if status in (MeasureStatus.GRANTED, MeasureStatus.ENDED)
        else None,
    }  # fmt: skip
    page_errors = _messages(bound) if bound is not None else []
    for name, blank in forms_by_kind.items():
        if bound is not None and blank is not None and type(blank) is type(bound):
            forms_by_kind[name], page_errors = bound, []
    services.measure_record_view(membership=membership, case=case, protection=protection)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "case": case,
        "proceeding": proceeding,
        "protection": protection,
        "label": services.measure_label(
            procedure_for(proceeding), protection.measure, get_language()
        ),
        "breaches": list(breach_list(measure=protection)),
        "expired": bool(
            status == MeasureStatus.GRANTED
            and protection.expires_on
            and protection.expires_on < today
        ),
        "back": _detail_url(case, proceeding),
        "page_errors": page_errors,
        **forms_by_kind,
    }
    refused = bound is not None and bool(bound.errors)
    return TemplateResponse(
        request, "proceedings/measure_detail.html", context, status=400 if refused else 200
    )


def _decide(
    request: HttpRequest,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    protection: ProtectionMeasure,
) -> tuple[forms.Form, str]:
    """Validate and apply the POSTed decision or ending; returns the form and, on success,
    the message to show."""
    action = request.POST.get("action")
    form: forms.Form = (
        MeasureEndForm(request.POST) if action == END else MeasureDecideForm(request.POST)
    )
    if action not in (DECIDE, END):
        form.add_error(None, _("Elige qué registrar: la decisión o la conclusión de la medida."))
        return form, ""
    if not form.is_valid():
        return form, ""
    data = form.cleaned_data
    try:
        if action == END:
            services.measure_end(
                membership=membership,
                case=case,
                proceeding=proceeding,
                protection=protection,
                ended_on=data["ended_on"],
            )
            return form, _("Conclusión de la medida registrada.")
        services.measure_decide(
            membership=membership,
            case=case,
            proceeding=proceeding,
            protection=protection,
            status=data["status"],
            decided_on=data["decided_on"],
            expires_on=data["expires_on"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, ""
    return form, _("Decisión registrada.")


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def measure_detail(
    request: HttpRequest, case_id: int, proceeding_id: int, measure_id: int
) -> HttpResponse:
    membership, case, proceeding = _proceeding(request, case_id, proceeding_id)
    protection = measure_get(proceeding=proceeding, measure_id=measure_id)
    if request.method == "GET":
        return _detail(request, membership, case, proceeding, protection)
    form, message = _decide(request, membership, case, proceeding, protection)
    if not message:
        protection = measure_get(proceeding=proceeding, measure_id=measure_id)  # unchanged row
        return _detail(request, membership, case, proceeding, protection, bound=form)
    messages.success(request, message)
    return redirect("proceedings:measure", case.pk, proceeding.pk, protection.pk)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def breach_new(
    request: HttpRequest, case_id: int, proceeding_id: int, measure_id: int
) -> HttpResponse:
    membership, case, proceeding = _proceeding(request, case_id, proceeding_id)
    protection = measure_get(proceeding=proceeding, measure_id=measure_id)
    form = BreachForm(request.POST)
    if form.is_valid():
        try:
            services.breach_report(
                membership=membership,
                case=case,
                proceeding=proceeding,
                protection=protection,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Incumplimiento registrado."))
            return redirect("proceedings:measure", case.pk, proceeding.pk, protection.pk)
    return _detail(request, membership, case, proceeding, protection, bound=form)
