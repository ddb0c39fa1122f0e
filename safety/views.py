"""Risk assessments and the safety plan of a case. Every view fetches the case through the
access gate (`case_get_for_user`: 404 for missing and forbidden alike) before anything else."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from cases.models import Case
from cases.selectors import case_get_for_user
from core.decorators import member_required
from safety import selectors, services
from safety.forms import AssessmentForm, StepForm
from safety.instruments import Instrument, Item, label, load_all
from safety.models import RiskAssessment, SafetyStep, Section


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, error)


def _case(request: HttpRequest, case_id: int) -> Case:
    return case_get_for_user(membership=request.membership, case_id=case_id)  # type: ignore[attr-defined]


def _instrument_name(code: str, language: str) -> str:
    instrument = services.instrument_for(code)
    return label(instrument, language) if instrument else code


@dataclass(frozen=True)
class PlanSection:
    code: str
    label: str
    steps: list[SafetyStep]


def _plan_sections(steps: list[SafetyStep]) -> list[PlanSection]:
    return [
        PlanSection(code, str(name), [s for s in steps if s.section == code])
        for code, name in Section.choices
    ]


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def safety_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """Assessment history and the safety plan by section; POST adds a step."""
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    form = StepForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_step_add(membership=membership, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Paso añadido al plan de seguridad."))
            return redirect(reverse("safety:detail", args=[case.pk]) + "#plan")
    language = get_language()
    assessments = [
        (a, _instrument_name(a.instrument_code, language))
        for a in selectors.assessment_list(case=case)
    ]
    steps = list(selectors.safety_step_list(case=case, include_removed=True))
    active = [s for s in steps if not s.is_removed]
    sections = _plan_sections(active)
    services.safety_record_view(
        membership=membership, case=case, fields=["risk_assessments", "safety_plan"]
    )
    instruments = [
        (i, label(i, language))
        for i in load_all().values()
        if services.instrument_mismatch(i, case) is None
    ]
    return TemplateResponse(
        request,
        "safety/safety_detail.html",
        {
            "case": case,
            "assessments": assessments,
            "plan": selectors.safety_plan_for(case=case),
            "sections": sections,
            "empty_sections": [section.label for section in sections if not section.steps],
            "has_steps": bool(active),
            "removed": [s for s in steps if s.is_removed],
            "instruments": instruments,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, case_id: int, code: str) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    instrument = services.instrument_for(code)
    if instrument is None:
        raise Http404
    language = get_language()
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        instrument=instrument,
        language=language,
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_assess(
                membership=membership,
                case=case,
                instrument_code=instrument.code,
                answers=form.answers(),
                assessed_on=form.cleaned_data["assessed_on"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Evaluación registrada."))
            return redirect("safety:assessment", case_id=case.pk, assessment_id=assessment.pk)
    return TemplateResponse(
        request,
        "safety/assessment_form.html",
        {
            "case": case,
            "instrument": instrument,
            "name": label(instrument, language),
            "description": label(instrument, language, "description"),
            "mismatch": services.instrument_mismatch(instrument, case),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@dataclass(frozen=True)
class Answer:
    code: str
    question: str
    answer: str
    critical: bool


def _answer_text(item: Item | None, value: str, language: str) -> str:
    if item is None:
        return value
    if item.kind == "yes_no":
        return _("Sí") if value == "yes" else _("No")
    option = item.option(value)
    return label(option, language) if option else value


def _answers(
    assessment: RiskAssessment, instrument: Instrument | None, language: str
) -> list[Answer]:
    """Every question of the instrument in order, answered or not (then "Sin respuesta");
    codes no longer in the instrument (an older version) are shown as they were stored."""
    items = list(instrument.items) if instrument else []
    codes = [item.code for item in items]
    codes += [code for code in assessment.answers if code not in codes]
    rows = []
    for code in codes:
        item = instrument.item(code) if instrument else None
        value = assessment.answers.get(code)
        rows.append(
            Answer(
                code=code,
                question=label(item, language) if item else code,
                answer=_answer_text(item, value, language) if value else _("Sin respuesta"),
                critical=code in assessment.critical_items,
            )
        )
    return rows


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET"])
def assessment_detail(request: HttpRequest, case_id: int, assessment_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    assessment = selectors.assessment_get(case=case, assessment_id=assessment_id)
    services.safety_record_view(membership=membership, case=case, fields=["risk_assessment"])
    language = get_language()
    instrument = services.instrument_for(assessment.instrument_code)
    answers = _answers(assessment, instrument, language)
    return TemplateResponse(
        request,
        "safety/assessment_detail.html",
        {
            "case": case,
            "assessment": assessment,
            "instrument": instrument,
            "name": _instrument_name(assessment.instrument_code, language),
            "other_version": instrument is not None
            and instrument.version != assessment.instrument_version,
            "answers": answers,
            "critical": [a for a in answers if a.critical],
            "unanswered": [a for a in answers if a.code in assessment.missing],
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def step_done(request: HttpRequest, case_id: int, step_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    step = selectors.safety_step_get(case=case, step_id=step_id)
    try:
        services.safety_step_done(membership=membership, step=step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Paso marcado como cumplido."))
    return redirect(reverse("safety:detail", args=[case.pk]) + "#plan")


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def step_remove(request: HttpRequest, case_id: int, step_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    step = selectors.safety_step_get(case=case, step_id=step_id)
    try:
        services.safety_step_remove(membership=membership, step=step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Paso retirado del plan; queda en el historial."))
    return redirect(reverse("safety:detail", args=[case.pk]) + "#plan")
