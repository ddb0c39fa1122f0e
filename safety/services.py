"""Writes to risk assessments and safety plans.

Callers pass a `case` obtained through `cases.selectors.case_get_for_user` (and a step through
`safety.selectors.safety_step_get` for that case). Each service checks the capability again,
refuses bad input with ValidationError before anything is written, and writes the row, its
timeline line and its audit event in one transaction.

A score never blocks anything: no service here, or anywhere, may refuse or delay a step
because of a risk level.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, require_capability
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, EventKind
from cases.services import case_note_event
from organisations.models import Membership
from safety.instruments import Instrument, get_instrument, score
from safety.models import RiskAssessment, SafetyPlan, SafetyStep, Section
from safety.selectors import case_lock, latest_assessment, safety_plan_for

# The timeline has no kind of its own for the safety plan yet; its lines carry
# `data["plan_step"]` ("added", "done", "removed") to tell them apart from assessments.
SAFETY_PLAN_EVENT = EventKind.ASSESSMENT
STEP_MAX_LENGTH = 1000


def _gate(membership: Membership, case: Case) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if case.organisation_id != membership.organisation_id:
        raise Http404


def _not_in_future(day: date | None) -> str | None:
    if day is not None and day > timezone.localdate():
        return _("La fecha no puede estar en el futuro.")
    return None


def instrument_mismatch(instrument: Instrument, case: Case) -> str | None:
    """Why the instrument does not fit the case's survivor, or None when it does."""
    is_child = case.survivor.is_child
    if instrument.applies_to == "child" and not is_child:
        return _(
            "Este instrumento es para niñas, niños y adolescentes, y la sobreviviente de este "
            "caso es una persona adulta. Usa un instrumento para personas adultas."
        )
    if instrument.applies_to == "adult" and is_child:
        return _(
            "Este instrumento es para personas adultas, y la sobreviviente de este caso es niña, "
            "niño o adolescente. Usa el instrumento para niñas, niños y adolescentes."
        )
    return None


def instrument_for(code: str) -> Instrument | None:
    try:
        return get_instrument(code)
    except KeyError:
        return None


def risk_assess(
    *,
    membership: Membership,
    case: Case,
    instrument_code: str,
    answers: Mapping[str, str | bool],
    assessed_on: date,
) -> RiskAssessment:
    """Record an assessment with the engine's result; the latest assessment (by date, then by
    when it was recorded) sets the case's risk level. Partial answers are fine."""
    _gate(membership, case)
    instrument = instrument_for(instrument_code)
    if instrument is None:
        raise ValidationError({"instrument_code": _("Instrumento desconocido.")})
    errors: dict[str, str] = {}
    mismatch = instrument_mismatch(instrument, case)
    if mismatch:
        errors["instrument_code"] = mismatch
    if future := _not_in_future(assessed_on):
        errors["assessed_on"] = future
    try:
        result = score(instrument, answers)
    except ValueError as error:
        errors["answers"] = str(error)  # names item codes and answer codes, never free text
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case_lock(case=case)
        assessment = RiskAssessment(
            case=case,
            instrument_code=instrument.code,
            instrument_version=instrument.version,
            answers={code: _stored(value) for code, value in answers.items()},
            score=result.score,
            level=result.level.code,
            score_level=result.score_level.code,
            critical_items=result.critical_items,
            missing=result.missing,
            raised_by_critical=result.raised_by_critical,
            complete=result.complete,
            assessed_by_id=membership.user_id,
            assessed_on=assessed_on,
        )
        assessment.save()
        latest = latest_assessment(case=case)
        if latest is not None and case.risk_level != latest.level:
            case.risk_level = latest.level
            case.save(update_fields=["risk_level"])
        case_note_event(
            case=case,
            kind=EventKind.ASSESSMENT,
            actor_id=membership.user_id,
            obj=assessment,
            instrument=instrument.code,
            version=instrument.version,
            level=assessment.level,
            assessed_on=assessed_on.isoformat(),
        )
        audit_record(
            action=Action.CREATE,
            obj=assessment,
            fields=["answers", "assessed_on", "instrument_code", "level", "score"],
        )
    return assessment


def _stored(value: str | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _plan(case: Case) -> SafetyPlan:
    """The case's plan, made on its first step. Call inside the transaction, after case_lock."""
    plan = safety_plan_for(case=case)
    if plan is None:
        plan = SafetyPlan(case=case)
        plan.save()
    return plan


def _touch(plan: SafetyPlan) -> None:
    plan.updated_at = timezone.now()
    plan.save(update_fields=["updated_at"])


def safety_step_add(
    *,
    membership: Membership,
    case: Case,
    section: str,
    text: str,
    due_on: date | None = None,
) -> SafetyStep:
    _gate(membership, case)
    errors: dict[str, str] = {}
    if section not in Section.values:
        errors["section"] = _("Elige una sección del plan.")
    if not text.strip():
        errors["text"] = _("Describe el paso.")
    elif len(text.strip()) > STEP_MAX_LENGTH:
        errors["text"] = _("Escribe el paso en %(n)s caracteres como máximo.") % {
            "n": STEP_MAX_LENGTH
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case_lock(case=case)
        plan = _plan(case)
        plan.case = case  # the step's text encrypts with the survivor's key, already loaded
        step = SafetyStep(
            plan=plan,
            section=section,
            text=text.strip(),
            due_on=due_on,
            created_by_id=membership.user_id,
        )
        step.save()
        _touch(plan)
        case_note_event(
            case=case,
            kind=SAFETY_PLAN_EVENT,
            actor_id=membership.user_id,
            obj=step,
            plan_step="added",
            section=section,
            due_on=due_on.isoformat() if due_on else None,
        )
        audit_record(action=Action.CREATE, obj=step, fields=["due_on", "section", "text"])
    return step


def safety_step_done(
    *, membership: Membership, step: SafetyStep, done_on: date | None = None
) -> None:
    """Mark a step done on `done_on` (today by default)."""
    case = step.plan.case
    _gate(membership, case)
    done_on = done_on or timezone.localdate()
    if step.is_removed:
        raise ValidationError(_("Este paso fue retirado del plan."))
    if step.is_done:
        raise ValidationError(_("Este paso ya estaba cumplido."))
    if future := _not_in_future(done_on):
        raise ValidationError({"done_on": future})
    with transaction.atomic():
        step.done_on = done_on
        step.save(update_fields=["done_on"])
        _touch(step.plan)
        case_note_event(
            case=case,
            kind=SAFETY_PLAN_EVENT,
            actor_id=membership.user_id,
            obj=step,
            plan_step="done",
            section=step.section,
        )
        audit_record(action=Action.UPDATE, obj=step, fields=["done_on"])


def safety_step_remove(*, membership: Membership, step: SafetyStep) -> None:
    """Withdraw a step that no longer applies. It stays in the plan's history: what was
    planned, and when, can matter later (for a protection measure, or a review)."""
    case = step.plan.case
    _gate(membership, case)
    if step.is_removed:
        raise ValidationError(_("Este paso ya fue retirado del plan."))
    with transaction.atomic():
        step.removed_at = timezone.now()
        step.removed_by_id = membership.user_id
        step.save(update_fields=["removed_at", "removed_by"])
        _touch(step.plan)
        case_note_event(
            case=case,
            kind=SAFETY_PLAN_EVENT,
            actor_id=membership.user_id,
            obj=step,
            plan_step="removed",
            section=step.section,
        )
        audit_record(action=Action.UPDATE, obj=step, fields=["removed_at"])


def safety_record_view(*, membership: Membership, case: Case, fields: list[str]) -> None:
    """Reading the safety plan or an assessment's answers is recorded, like opening the case
    page (cases.services.case_view_record), naming what was read; it changes nothing, so it
    is written on its own."""
    _gate(membership, case)
    audit_record(action=Action.VIEW, obj=case, fields=fields)
