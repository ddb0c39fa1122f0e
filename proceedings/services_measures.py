"""Protection measures for the victim (Ley 348 art. 35; CPP 389 bis): requested, decided
(granted or denied), ended, and the breaches reported.

The measures a proceeding may ask for are the pack's `protection_measure` list: for a child
survivor (`case.survivor.is_child`) those `for` "children" or "both", for an adult those `for`
"women" or "both". A granted measure also records the pack's procedural event
`medidas_proteccion` (through `proceedings.services.event_record`) when the proceeding's stage
allows it; when it does not (no denuncia yet, a finished proceeding, a date the sequence of acts
refuses) the measure is recorded all the same and no event is added.

Callers pass a `case` from `cases.selectors.case_get_for_user` and a proceeding (and measure)
from `proceedings.selectors` for that case. Every service checks the capability again, refuses
bad input with ValidationError before anything is written, and writes the row, its audit event
(field names only) and a case timeline line in one transaction. Timeline lines carry
`{"proceeding": id, "what": "measure_<verb>", "measure": code}`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from cases.models import Case
from cases.services import case_note_event
from jurisdictions.procedure import Measure, Procedure
from organisations.models import Membership
from proceedings.models import MeasureBreach, MeasureStatus, Proceeding, ProtectionMeasure
from proceedings.selectors import procedure_for
from proceedings.services import PROCEEDING_EVENT, EventData, event_record, gate

MEASURE_EVENT = "medidas_proteccion"  # the pack's event for protection measures
OLDEST = dt.date(1990, 1, 1)
DECISIONS = (MeasureStatus.GRANTED, MeasureStatus.DENIED)


def measures_for(procedure: Procedure, *, is_child: bool) -> list[Measure]:
    """The pack's measures that fit the survivor: for children, or for women, or both."""
    wanted = {"children", "both"} if is_child else {"women", "both"}
    return [m for m in procedure.measures.values() if m.for_ in wanted]


def measure_label(procedure: Procedure, code: str, language: str | None) -> str:
    measure = procedure.measures.get(code)
    return measure.label(language) if measure else code


def _same_case(case: Case, proceeding: Proceeding, protection: ProtectionMeasure | None) -> None:
    if proceeding.case_id != case.pk:
        raise Http404
    if protection is not None and protection.proceeding_id != proceeding.pk:
        raise Http404


def _past(day: dt.date | None, field: str, errors: dict[str, str], missing: str) -> None:
    """`day` must be given, not in the future and not absurdly old."""
    if day is None:
        errors[field] = missing
    elif day > timezone.localdate():
        errors[field] = _("La fecha no puede estar en el futuro.")
    elif day < OLDEST:
        errors[field] = _("Revisa la fecha: es demasiado antigua.")


def _timeline(
    membership: Membership, case: Case, proceeding: Proceeding, what: str, measure: str
) -> None:
    case_note_event(
        case=case,
        kind=PROCEEDING_EVENT,
        actor_id=membership.user_id,
        obj=proceeding,
        proceeding=proceeding.pk,
        what=what,
        measure=measure,
    )


def _touch(proceeding: Proceeding) -> None:
    proceeding.updated_at = timezone.now()
    proceeding.save(update_fields=["updated_at"])


def measure_request(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    measure: str,
    requested_on: dt.date | None,
) -> ProtectionMeasure:
    """Record that a measure from the pack's list was asked for."""
    gate(membership, case)
    _same_case(case, proceeding, None)
    errors: dict[str, str] = {}
    allowed = measures_for(procedure_for(proceeding), is_child=case.survivor.is_child)
    if measure not in {m.code for m in allowed}:
        errors["measure"] = _("Elige una medida de la lista.")
    _past(requested_on, "requested_on", errors, _("Indica cuándo se solicitó."))
    if errors or requested_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        protection = ProtectionMeasure(
            proceeding=proceeding,
            organisation_id=case.organisation_id,
            measure=measure,
            status=MeasureStatus.REQUESTED,
            requested_on=requested_on,
            created_by_id=membership.user_id,
        )
        protection.save()
        audit_record(action=Action.CREATE, obj=protection, fields=["measure", "requested_on"])
        _touch(proceeding)
        _timeline(membership, case, proceeding, "measure_requested", measure)
    return protection


def _decision_errors(
    protection: ProtectionMeasure,
    status: str,
    decided_on: dt.date | None,
    expires_on: dt.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if status not in DECISIONS:
        errors["status"] = _("Indica si la medida fue dispuesta o rechazada.")
    _past(decided_on, "decided_on", errors, _("Indica la fecha de la decisión."))
    if "decided_on" not in errors and decided_on and decided_on < protection.requested_on:
        errors["decided_on"] = _("La decisión no puede ser anterior a la solicitud (%(day)s).") % {
            "day": protection.requested_on.strftime("%d/%m/%Y")
        }
    if expires_on is not None and status == MeasureStatus.DENIED:
        errors["expires_on"] = _("Una medida rechazada no tiene fecha de vencimiento.")
    elif expires_on is not None and decided_on is not None and expires_on < decided_on:
        errors["expires_on"] = _("El vencimiento no puede ser anterior a la decisión.")
    return errors


def _record_event(
    membership: Membership, case: Case, proceeding: Proceeding, decided_on: dt.date
) -> None:
    """Add the pack's protection-measures act when the stage allows it; otherwise nothing."""
    event = procedure_for(proceeding).events.get(MEASURE_EVENT)
    if event is None or proceeding.stage not in event.from_stages:
        return
    try:
        # event_record writes inside its own savepoint: a refusal leaves nothing behind.
        event_record(
            membership=membership,
            case=case,
            proceeding=proceeding,
            data=EventData(type=MEASURE_EVENT, occurred_on=decided_on),
        )
    except ValidationError:
        return  # e.g. dated before the denuncia: the measure still counts, the act does not


def measure_decide(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    protection: ProtectionMeasure,
    status: str,
    decided_on: dt.date | None,
    expires_on: dt.date | None = None,
) -> ProtectionMeasure:
    """The authority granted (with an optional expiry date) or denied a requested measure."""
    gate(membership, case)
    _same_case(case, proceeding, protection)
    if protection.status != MeasureStatus.REQUESTED:
        raise ValidationError(_("Esta medida ya fue decidida."))
    errors = _decision_errors(protection, status, decided_on, expires_on)
    if errors or decided_on is None:
        raise ValidationError(errors)
    granted = status == MeasureStatus.GRANTED
    with transaction.atomic():
        protection.status, protection.decided_on = status, decided_on
        protection.expires_on = expires_on if granted else None
        protection.save(update_fields=["status", "decided_on", "expires_on"])
        audit_record(
            action=Action.UPDATE,
            obj=protection,
            fields=["status", "decided_on", *(["expires_on"] if expires_on else [])],
        )
        if granted:
            _record_event(membership, case, proceeding, decided_on)
        _touch(proceeding)
        what = "measure_granted" if granted else "measure_denied"
        _timeline(membership, case, proceeding, what, protection.measure)
    return protection


def measure_end(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    protection: ProtectionMeasure,
    ended_on: dt.date | None,
) -> ProtectionMeasure:
    """A granted measure stopped applying (lifted, replaced, or it ran its course)."""
    gate(membership, case)
    _same_case(case, proceeding, protection)
    if protection.status != MeasureStatus.GRANTED:
        raise ValidationError(_("Solo una medida dispuesta y vigente puede concluir."))
    errors: dict[str, str] = {}
    _past(ended_on, "ended_on", errors, _("Indica cuándo concluyó."))
    decided = protection.decided_on
    if not errors and ended_on and decided and ended_on < decided:
        errors["ended_on"] = _("No puede concluir antes de haber sido dispuesta (%(day)s).") % {
            "day": decided.strftime("%d/%m/%Y")
        }
    if errors or ended_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        protection.status, protection.ended_on = MeasureStatus.ENDED, ended_on
        protection.save(update_fields=["status", "ended_on"])
        audit_record(action=Action.UPDATE, obj=protection, fields=["status", "ended_on"])
        _touch(proceeding)
        _timeline(membership, case, proceeding, "measure_ended", protection.measure)
    return protection


def _breach_errors(
    protection: ProtectionMeasure,
    occurred_on: dt.date | None,
    reported_to_authority: bool,
    reported_on: dt.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    _past(occurred_on, "occurred_on", errors, _("Indica la fecha del incumplimiento."))
    decided, ended = protection.decided_on, protection.ended_on
    if "occurred_on" not in errors and occurred_on:
        if decided and occurred_on < decided:
            errors["occurred_on"] = _(
                "El incumplimiento no puede ser anterior a la medida dispuesta (%(day)s)."
            ) % {"day": decided.strftime("%d/%m/%Y")}
        elif ended and occurred_on > ended:
            errors["occurred_on"] = _("La medida ya había concluido (%(day)s).") % {
                "day": ended.strftime("%d/%m/%Y")
            }
    if reported_on is not None and not reported_to_authority:
        errors["reported_on"] = _("Marca que se denunció a la autoridad, o deja la fecha vacía.")
    elif reported_on is not None:
        _past(reported_on, "reported_on", errors, "")
        if "reported_on" not in errors and occurred_on and reported_on < occurred_on:
            errors["reported_on"] = _("La denuncia no puede ser anterior al incumplimiento.")
    return errors


def breach_report(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    protection: ProtectionMeasure,
    occurred_on: dt.date | None,
    reported_to_authority: bool = False,
    reported_on: dt.date | None = None,
) -> MeasureBreach:
    """The aggressor did not respect a granted measure (and whether it was reported)."""
    gate(membership, case)
    _same_case(case, proceeding, protection)
    if protection.status not in (MeasureStatus.GRANTED, MeasureStatus.ENDED):
        raise ValidationError(_("Solo se registra un incumplimiento de una medida dispuesta."))
    errors = _breach_errors(protection, occurred_on, reported_to_authority, reported_on)
    if errors or occurred_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        breach = MeasureBreach(
            measure=protection,
            occurred_on=occurred_on,
            reported_to_authority=reported_to_authority,
            reported_on=reported_on,
            created_by_id=membership.user_id,
        )
        breach.save()
        audit_record(
            action=Action.CREATE,
            obj=breach,
            fields=[
                "occurred_on",
                "reported_to_authority",
                *(["reported_on"] if reported_on else []),
            ],
        )
        _touch(proceeding)
        _timeline(membership, case, proceeding, "measure_breach", protection.measure)
    return breach


def measure_record_view(
    *, membership: Membership, case: Case, protection: ProtectionMeasure
) -> None:
    """Opening a measure's page is recorded, like the case page."""
    gate(membership, case)
    audit_record(action=Action.VIEW, obj=protection)
