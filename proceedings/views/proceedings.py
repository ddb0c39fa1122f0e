"""The proceedings of a case: the list, creating and editing one, the proceeding page a lawyer
opens between two hearings (stage and next deadline first), the charges and the accused.

Every view fetches the case through the access gate (`case_get_for_user`), then the proceeding
within it: 404 for missing and forbidden alike. A rejected input answers 400 with the
service's message next to the field, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.policy import Capability
from cases.forms import add_service_errors
from cases.models import Case
from cases.selectors import case_get_for_user, incident_list
from core.decorators import member_required
from jurisdictions.selectors import department_list, offence_list
from organisations.models import Membership
from proceedings import selectors, services
from proceedings.display import (
    deadline_rows,
    event_rows,
    hearing_label,
    stage_label,
    summary_rows,
)
from proceedings.forms import AccusedForm, ChargesForm, ProceedingForm
from proceedings.models import Accused, HearingStatus, Proceeding
from proceedings.selectors_case import proceeding_summaries
from proceedings.services_reveal import accused_reveal as reveal_name
from proceedings.services_reveal import proceeding_view_record

GET_POST = ["GET", "POST"]
PAGE_SIZE = 20


# ----------------------------------------------------------------------------- helpers


def gated(request: HttpRequest, case_id: int) -> tuple[Membership, Case]:
    membership = request.membership  # type: ignore[attr-defined]
    return membership, case_get_for_user(membership=membership, case_id=case_id)


def gated_proceeding(
    request: HttpRequest, case_id: int, proceeding_id: int
) -> tuple[Membership, Case, Proceeding]:
    membership, case = gated(request, case_id)
    return membership, case, selectors.proceeding_get(case=case, proceeding_id=proceeding_id)


def detail_url(proceeding: Proceeding, anchor: str = "") -> str:
    url = reverse("proceedings:detail", args=[proceeding.case_id, proceeding.pk])
    return f"{url}#{anchor}" if anchor else url


def form_page(
    request: HttpRequest,
    template: str,
    form: forms.Form,
    save: Callable[[], Any],
    done: Callable[[Any], str],
    message: str | Callable[[Any], str],
    context: dict[str, Any],
) -> HttpResponse:
    """Show the form; on a valid POST call the service, then say `message` (a text, or made
    from the result) and go to `done(result)`."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message(result) if callable(message) else message)
            return redirect(done(result))
    return TemplateResponse(
        request, template, {**context, "form": form}, status=400 if form.errors else 200
    )


@dataclass(frozen=True)
class AccusedRow:
    accused: Accused
    revealed: str | None  # the name, on the page that revealed it


def render_detail(
    request: HttpRequest,
    case: Case,
    proceeding: Proceeding,
    *,
    revealed: dict[int, str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> TemplateResponse:
    """The proceeding page. It shows the decrypted identifiers, so each rendering is audited."""
    membership = request.membership  # type: ignore[attr-defined]
    proceeding_view_record(membership=membership, case=case, proceeding=proceeding)
    language = get_language()
    procedure = selectors.procedure_for(proceeding)
    deadlines = deadline_rows(selectors.deadline_list(proceeding=proceeding), procedure, language)
    hearings = list(selectors.hearing_list(proceeding=proceeding))
    charges = list(selectors.charge_history(proceeding=proceeding))
    today = timezone.localdate()
    next_hearing = next(
        (
            h
            for h in hearings
            if h.status == HearingStatus.SCHEDULED and timezone.localdate(h.starts_at) >= today
        ),
        None,
    )
    context = {
        "case": case,
        "proceeding": proceeding,
        "procedure": procedure,
        "stage": stage_label(procedure, proceeding.stage, language),
        "deadlines": deadlines,
        "next_deadline": next((d for d in deadlines if d.is_running), None),
        "next_hearing": next_hearing,
        "next_hearing_name": hearing_label(procedure, next_hearing.type, language)
        if next_hearing
        else "",
        "events": event_rows(selectors.event_history(proceeding=proceeding), procedure, language),
        "current_charges": [c for c in charges if c.until_on is None],
        "past_charges": [c for c in charges if c.until_on is not None],
        "accused": [
            AccusedRow(a, (revealed or {}).get(a.pk))
            for a in selectors.accused_list(proceeding=proceeding)
        ],
        # The hearings and protection measures partials need `case` and `proceeding`;
        # `hearings` (selectors.hearing_list) is there for them too.
        "hearings": hearings,
        "language": language,
        "errors": errors or [],
    }
    return TemplateResponse(request, "proceedings/proceeding_detail.html", context, status=status)


# ----------------------------------------------------------------------------- proceedings


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def proceeding_list(request: HttpRequest, case_id: int) -> HttpResponse:
    _membership, case = gated(request, case_id)
    rows = summary_rows(proceeding_summaries(case=case), get_language())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "proceedings/proceeding_list.html",
        {"case": case, "page": page, "rows": page.object_list},
    )


def _department_code(request: HttpRequest, case: Case, proceeding: Proceeding | None) -> str:
    if request.method == "POST":
        return request.POST.get("department", "")
    if request.GET.get("department"):  # the department select asks for its offices (htmx)
        return request.GET["department"]
    return proceeding.department.code if proceeding else ""


def _proceeding_form(
    request: HttpRequest, case: Case, proceeding: Proceeding | None = None
) -> ProceedingForm:
    departments = list(department_list())
    code = _department_code(request, case, proceeding) or next(
        (d.code for d in departments if d.pk == case.department_id), ""
    )
    courts = list(selectors.court_list(department_code=code))
    prosecutor_offices = list(selectors.prosecutor_office_list(department_code=code))
    initial: dict[str, Any] = {"department": code}
    if proceeding is not None:
        # The current choices stay on the list even if now inactive or elsewhere.
        if proceeding.court and proceeding.court not in courts:
            courts.insert(0, proceeding.court)
        if proceeding.prosecutor_office and proceeding.prosecutor_office not in prosecutor_offices:
            prosecutor_offices.insert(0, proceeding.prosecutor_office)
        initial.update(
            prosecutor_number=proceeding.prosecutor_number,
            nurej=proceeding.nurej,
            court=str(proceeding.court_id or ""),
            prosecutor_office=str(proceeding.prosecutor_office_id or ""),
            incident=proceeding.incident_id,
        )
    form = ProceedingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        departments=departments,
        courts=courts,
        prosecutor_offices=prosecutor_offices,
        incidents=incident_list(case=case),
    )
    form.fields["department"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-trigger": "change",
            "hx-target": "#proceeding-offices",
            "hx-select": "#proceeding-offices",
            "hx-swap": "outerHTML",
        }
    )
    return form


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def proceeding_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = gated(request, case_id)
    form = _proceeding_form(request, case)
    return form_page(
        request,
        "proceedings/proceeding_form.html",
        form,
        lambda: services.proceeding_create(
            membership=membership, case=case, data=form.data_for_service()
        ),
        lambda proceeding: detail_url(proceeding),
        _("Proceso penal registrado. Registra la denuncia para que empiecen a correr los plazos."),
        {"case": case, "proceeding": None},
    )


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def proceeding_detail(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    _membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    return render_detail(request, case, proceeding)


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def proceeding_edit(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    if request.method == "GET":  # the form shows the decrypted identifiers
        proceeding_view_record(membership=membership, case=case, proceeding=proceeding)
    form = _proceeding_form(request, case, proceeding)
    return form_page(
        request,
        "proceedings/proceeding_form.html",
        form,
        lambda: services.proceeding_update(
            membership=membership, case=case, proceeding=proceeding, data=form.data_for_service()
        ),
        lambda saved: detail_url(saved),
        _("Datos del proceso actualizados."),
        {"case": case, "proceeding": proceeding},
    )


# ----------------------------------------------------------------------------- charges


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def charges_edit(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    charges = list(selectors.charge_history(proceeding=proceeding))
    current = [c for c in charges if c.until_on is None]
    form = ChargesForm(
        request.POST if request.method == "POST" else None,
        initial={"offences": [c.offence.code for c in current]},
        offences=offence_list().filter(jurisdiction_id=proceeding.department.jurisdiction_id),
    )
    return form_page(
        request,
        "proceedings/charges_form.html",
        form,
        lambda: services.charges_reclassify(
            membership=membership,
            case=case,
            proceeding=proceeding,
            offences=form.chosen_offences(),
            basis=form.cleaned_data["basis"],
            on=form.cleaned_data["on"],
        ),
        lambda _added: detail_url(proceeding, "calificacion"),
        _("Calificación actualizada; la anterior queda en el historial."),
        {
            "case": case,
            "proceeding": proceeding,
            "current_charges": current,
            "past_charges": [c for c in charges if c.until_on is not None],
        },
    )


# ----------------------------------------------------------------------------- accused


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def accused_new(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    form = AccusedForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        "proceedings/accused_form.html",
        form,
        lambda: services.accused_add(
            membership=membership, case=case, proceeding=proceeding, **form.cleaned_data
        ),
        lambda _accused: detail_url(proceeding, "denunciados"),
        _("Persona denunciada agregada."),
        {"case": case, "proceeding": proceeding},
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def accused_reveal(
    request: HttpRequest, case_id: int, proceeding_id: int, accused_id: int
) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    accused = selectors.accused_get(proceeding=proceeding, accused_id=accused_id)
    name = reveal_name(membership=membership, case=case, proceeding=proceeding, accused=accused)
    return render_detail(request, case, proceeding, revealed={accused.pk: name})


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def accused_remove(
    request: HttpRequest, case_id: int, proceeding_id: int, accused_id: int
) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    accused = selectors.accused_get(proceeding=proceeding, accused_id=accused_id)
    try:
        services.accused_remove(
            membership=membership, case=case, proceeding=proceeding, accused=accused
        )
    except ValidationError as exc:
        return render_detail(request, case, proceeding, errors=exc.messages, status=400)
    messages.success(request, _("Persona denunciada retirada del proceso; su nombre se borró."))
    return redirect(detail_url(proceeding, "denunciados"))
