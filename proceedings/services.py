"""Writes to proceedings: the proceeding itself, its accused and charges, its procedural events
(with the stage and deadlines they derive), and the directory of courts and prosecutors.

Callers pass a `case` obtained through `cases.selectors.case_get_for_user` and a proceeding
through `proceedings.selectors.proceeding_get` for that case. Each service checks the
capability again, refuses bad input with ValidationError before anything is written, and
writes the rows, the case timeline line and the audit event in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, require_capability
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, EventKind, Incident
from cases.services import case_note_event
from jurisdictions.models import Department, Offence
from jurisdictions.procedure import START
from organisations.models import Membership
from proceedings import engine
from proceedings.models import (
    Accused,
    Charge,
    ChargeBasis,
    Deadline,
    JusticeOffice,
    OfficeKind,
    ProceduralEvent,
    Proceeding,
    SentenceOutcome,
)
from proceedings.selectors import (
    calendar_for,
    current_charges,
    deadline_list,
    effective_events,
    event_history,
    is_superseded,
    procedure_for,
    proceeding_lock,
)
from survivors.models import Relationship, Sex

# The case timeline has no kind of its own for proceedings yet; its lines carry
# `data["proceeding"]` (the id) and `data["what"]`, described by proceedings.timeline.
PROCEEDING_EVENT = EventKind.STATUS
IDENTIFIER_MAX = 60
NAME_MAX = 200


def gate(membership: Membership, case: Case) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if case.organisation_id != membership.organisation_id:
        raise Http404


def _timeline(
    case: Case, membership: Membership, proceeding: Proceeding, what: str, **data: object
) -> None:
    case_note_event(
        case=case,
        kind=PROCEEDING_EVENT,
        actor_id=membership.user_id,
        obj=proceeding,
        proceeding=proceeding.pk,
        what=what,
        **data,
    )


def _check_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("El caso está cerrado: reábrelo para registrar actos procesales."))


def _touch(proceeding: Proceeding) -> None:
    proceeding.updated_at = timezone.now()
    proceeding.save(update_fields=["updated_at"])


# ----------------------------------------------------------------------------- directory


def _office_errors(
    kind: str, name: str, department: Department | None, exclude_id: int | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in OfficeKind.values:
        errors["kind"] = _("Elige un tipo de oficina de la lista.")
    if not name.strip():
        errors["name"] = _("Escribe el nombre.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("El nombre es demasiado largo (máximo %(n)d caracteres).") % {
            "n": NAME_MAX
        }
    if department is None:
        errors["department"] = _("Elige un departamento.")
    elif (
        not errors
        and JusticeOffice.objects.filter(department=department, kind=kind, name=name.strip())
        .exclude(pk=exclude_id or 0)
        .exists()
    ):
        errors["name"] = _("Ya existe una oficina con ese nombre en ese departamento.")
    return errors


def office_create(
    *, membership: Membership, kind: str, name: str, department: Department | None
) -> JusticeOffice:
    require_capability(membership, Capability.MANAGE_DIRECTORY)
    errors = _office_errors(kind, name, department)
    if errors or department is None:
        raise ValidationError(errors)
    with transaction.atomic():
        office = JusticeOffice(
            kind=kind, name=name.strip(), department=department, created_by_id=membership.user_id
        )
        office.save()
        audit_record(action=Action.CREATE, obj=office, fields=["kind", "name", "department"])
    return office


def office_update(
    *,
    membership: Membership,
    office: JusticeOffice,
    kind: str,
    name: str,
    department: Department | None,
    is_active: bool,
) -> JusticeOffice:
    require_capability(membership, Capability.MANAGE_DIRECTORY)
    errors = _office_errors(kind, name, department, exclude_id=office.pk)
    if errors or department is None:
        raise ValidationError(errors)
    with transaction.atomic():
        office.kind, office.name, office.department = kind, name.strip(), department
        office.is_active = is_active
        office.updated_at = timezone.now()
        office.save()
        audit_record(
            action=Action.UPDATE, obj=office, fields=["kind", "name", "department", "is_active"]
        )
    return office


# ----------------------------------------------------------------------------- proceedings


@dataclass
class ProceedingData:
    department: Department | None
    prosecutor_number: str = ""
    nurej: str = ""
    court: JusticeOffice | None = None
    prosecutor_office: JusticeOffice | None = None
    incident: Incident | None = None


def _proceeding_errors(case: Case, data: ProceedingData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.department is None:
        errors["department"] = _("Elige el departamento donde se tramita el proceso.")
    for name in ("prosecutor_number", "nurej"):
        value = getattr(data, name)
        if len(value) > IDENTIFIER_MAX:
            errors[name] = _("Demasiado largo (máximo %(n)d caracteres).") % {"n": IDENTIFIER_MAX}
    if data.court is not None and (not data.court.is_court or not data.court.is_active):
        errors["court"] = _("Elige un juzgado o tribunal activo del directorio.")
    if data.prosecutor_office is not None and (
        data.prosecutor_office.kind != OfficeKind.PROSECUTOR or not data.prosecutor_office.is_active
    ):
        errors["prosecutor_office"] = _("Elige una fiscalía activa del directorio.")
    if data.incident is not None and data.incident.case_id != case.pk:
        errors["incident"] = _("Ese hecho no pertenece a este caso.")
    return errors


def proceeding_create(*, membership: Membership, case: Case, data: ProceedingData) -> Proceeding:
    gate(membership, case)
    if not case.is_open:
        raise ValidationError(_("El caso está cerrado: reábrelo para registrar un proceso."))
    if errors := _proceeding_errors(case, data):
        raise ValidationError(errors)
    with transaction.atomic():
        proceeding = Proceeding(
            case=case,
            department=data.department,
            incident=data.incident,
            court=data.court,
            prosecutor_office=data.prosecutor_office,
            created_by_id=membership.user_id,
        )
        proceeding.prosecutor_number = data.prosecutor_number.strip()
        proceeding.nurej = data.nurej.strip()
        proceeding.save()
        audit_record(
            action=Action.CREATE,
            obj=proceeding,
            fields=["department", "prosecutor_number", "nurej", "court", "prosecutor_office"],
        )
        _timeline(case, membership, proceeding, "created")
    return proceeding


def proceeding_update(
    *, membership: Membership, case: Case, proceeding: Proceeding, data: ProceedingData
) -> Proceeding:
    gate(membership, case)
    if errors := _proceeding_errors(case, data):
        raise ValidationError(errors)
    if (
        data.department is not None
        and data.department.jurisdiction_id != proceeding.department.jurisdiction_id
        and effective_events(proceeding=proceeding).exists()
    ):
        raise ValidationError(
            {"department": _("Con actos registrados, el proceso no puede cambiar de país.")}
        )
    with transaction.atomic():
        proceeding_lock(proceeding=proceeding)
        changed = [
            name
            for name in ("department", "court", "prosecutor_office", "incident")
            if getattr(proceeding, name) != getattr(data, name)
        ]
        for name in ("prosecutor_number", "nurej"):
            if (getattr(proceeding, name) or "") != getattr(data, name).strip():
                changed.append(name)
        proceeding.department = data.department  # type: ignore[assignment]
        proceeding.court, proceeding.prosecutor_office = data.court, data.prosecutor_office
        proceeding.incident = data.incident
        proceeding.prosecutor_number = data.prosecutor_number.strip()
        proceeding.nurej = data.nurej.strip()
        proceeding.updated_at = timezone.now()
        proceeding.save()
        if "department" in changed:  # departmental holidays move business-day deadlines
            _recompute(proceeding)
        audit_record(action=Action.UPDATE, obj=proceeding, fields=changed)
        if changed:
            _timeline(case, membership, proceeding, "updated")
    return proceeding


# ----------------------------------------------------------------------------- accused


def accused_add(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    relationship: str,
    sex: str = Sex.UNKNOWN,
    name: str = "",
) -> Accused:
    gate(membership, case)
    errors: dict[str, str] = {}
    if relationship not in Relationship.values:
        errors["relationship"] = _("Elige la relación con la sobreviviente.")
    if sex not in Sex.values:
        errors["sex"] = _("Elige una opción de la lista.")
    if len(name) > NAME_MAX:
        errors["name"] = _("El nombre es demasiado largo (máximo %(n)d caracteres).") % {
            "n": NAME_MAX
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        accused = Accused(
            proceeding=proceeding,
            relationship=relationship,
            sex=sex,
            created_by_id=membership.user_id,
        )
        accused.name = name.strip()
        accused.save()
        audit_record(
            action=Action.CREATE,
            obj=accused,
            fields=["relationship", "sex", *(["name"] if name.strip() else [])],
        )
        _touch(proceeding)
        _timeline(case, membership, proceeding, "accused_added")
    return accused


def accused_remove(
    *, membership: Membership, case: Case, proceeding: Proceeding, accused: Accused
) -> None:
    gate(membership, case)
    with transaction.atomic():
        accused.removed_at = timezone.now()
        accused.name = ""  # a removed person's name is not kept
        accused.save(update_fields=["removed_at", "name"])
        audit_record(action=Action.DELETE, obj=accused, fields=["name"])
        _touch(proceeding)
        _timeline(case, membership, proceeding, "accused_removed")


# ----------------------------------------------------------------------------- charges


def charges_reclassify(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    offences: Sequence[Offence],
    basis: str,
    on: dt.date,
) -> list[Charge]:
    """Set the offences the proceeding is charged with from `on`, according to `basis`.
    Charges no longer included end that day; the history keeps every classification."""
    gate(membership, case)
    errors: dict[str, str] = {}
    if not offences:
        errors["offences"] = _("Elige al menos un delito.")
    jurisdiction_id = proceeding.department.jurisdiction_id
    if any(o.jurisdiction_id != jurisdiction_id for o in offences):
        errors["offences"] = _("Elige delitos del código penal del país del proceso.")
    if basis not in ChargeBasis.values:
        errors["basis"] = _("Elige el acto que fija la calificación.")
    if on > timezone.localdate():
        errors["on"] = _("La fecha no puede estar en el futuro.")
    current = list(current_charges(proceeding=proceeding))
    if any(c.from_on > on for c in current):
        errors["on"] = _("La fecha es anterior a la calificación vigente.")
    if errors:
        raise ValidationError(errors)
    wanted = {o.pk: o for o in offences}
    with transaction.atomic():
        proceeding_lock(proceeding=proceeding)
        for charge in current:
            if charge.offence_id not in wanted:
                charge.until_on, charge.ended_by_basis = on, basis
                charge.save(update_fields=["until_on", "ended_by_basis"])
        kept = {c.offence_id for c in current if c.offence_id in wanted}
        added = []
        for offence_id, offence in wanted.items():
            if offence_id not in kept:
                charge = Charge(
                    proceeding=proceeding,
                    offence=offence,
                    basis=basis,
                    from_on=on,
                    created_by_id=membership.user_id,
                )
                charge.save()
                added.append(charge)
        # Deadlines that do not run for some offences (detention limits) depend on charges.
        _recompute(proceeding)
        audit_record(action=Action.UPDATE, obj=proceeding, fields=["charges"])
        _timeline(
            case,
            membership,
            proceeding,
            "reclassified",
            basis=basis,
            offences=sorted(o.code for o in offences),
        )
    return added


# ----------------------------------------------------------------------------- events


@dataclass
class EventData:
    type: str
    occurred_on: dt.date | None
    occurred_time: dt.time | None = None
    outcome: str = ""
    sentence_years: Decimal | None = None


def _order(proceeding: Proceeding) -> dict[int, int]:
    """Same-day tie-break of every event: a correction takes the place of the act it corrects."""
    links = event_history(proceeding=proceeding).values_list("pk", "supersedes_id")
    return engine.recording_order(dict(links))


def _steps(events: Sequence[ProceduralEvent], order: dict[int, int]) -> list[engine.Step]:
    return [
        engine.Step(
            key=e.pk,
            type=e.type,
            on=e.occurred_on,
            time=e.occurred_time,
            order=order.get(e.pk, e.pk),
        )
        for e in events
    ]


def _event_errors(proceeding: Proceeding, data: EventData) -> dict[str, str]:
    procedure = procedure_for(proceeding)
    errors: dict[str, str] = {}
    event_type = procedure.events.get(data.type)
    if event_type is None:
        errors["type"] = _("Elige un acto procesal de la lista.")
    if data.occurred_on is None:
        errors["occurred_on"] = _("Indica la fecha del acto.")
    elif data.occurred_on > timezone.localdate():
        errors["occurred_on"] = _("La fecha no puede estar en el futuro.")
    elif data.occurred_on < dt.date(1990, 1, 1):
        errors["occurred_on"] = _("Revisa la fecha: es demasiado antigua.")
    years = data.sentence_years
    if event_type is not None and event_type.sentence:
        if data.outcome not in SentenceOutcome.values:
            errors["outcome"] = _("Indica si la sentencia es condenatoria, absolutoria o mixta.")
        elif data.outcome == SentenceOutcome.ACQUITTAL and years is not None:
            errors["sentence_years"] = _("Una sentencia absolutoria no impone años de condena.")
        elif data.outcome != SentenceOutcome.ACQUITTAL and not years:
            errors["sentence_years"] = _("Indica los años de condena.")
        elif years is not None and not (0 < years <= 60):
            errors["sentence_years"] = _("Los años de condena deben ser más de 0 y 60 como máximo.")
    elif data.outcome or years is not None:
        errors["outcome"] = _("Solo una sentencia lleva resultado y años de condena.")
    return errors


def _check_sequence(proceeding: Proceeding, steps: list[engine.Step]) -> None:
    try:
        engine.replay(procedure_for(proceeding), steps)
    except engine.TransitionError as exc:
        raise ValidationError({"type": str(exc)}) from exc


def _recompute(proceeding: Proceeding) -> None:
    """Store the stage and the deadlines the effective events derive (inside the caller's
    transaction). Deadline rows are kept when their starting event still counts, so the
    alerts already sent stay attached."""
    procedure = procedure_for(proceeding)
    events = list(effective_events(proceeding=proceeding))
    steps = _steps(events, _order(proceeding))
    stage, since = engine.current_stage(procedure, steps)
    complaint = next(
        (e.occurred_on for e in events if START in procedure.events[e.type].from_stages), None
    )
    charged = [c.offence.code for c in current_charges(proceeding=proceeding)]
    clocks = engine.deadlines(
        procedure,
        steps,
        calendar_for(proceeding),
        proceeding.department.jurisdiction.time_zone,
        charged,
    )
    proceeding.stage, proceeding.stage_since, proceeding.complaint_on = stage, since, complaint
    proceeding.updated_at = timezone.now()
    proceeding.save(update_fields=["stage", "stage_since", "complaint_on", "updated_at"])
    existing = {(d.rule, d.start_event_id): d for d in deadline_list(proceeding=proceeding)}
    keep = set()
    for clock in clocks:
        key = (clock.rule.code, int(clock.start.key or 0))
        keep.add(key)
        values = {
            "organisation_id": proceeding.case.organisation_id,
            "started_at": clock.started_at,
            "due_at": clock.due_at,
            "ended_at": clock.ended_at,
            "end_event_id": clock.end.key if clock.end else None,
            "state": clock.state,
            "assumed_time": clock.assumed_time,
        }
        row = existing.get(key)
        if row is None:
            Deadline(proceeding=proceeding, rule=key[0], start_event_id=key[1], **values).save()
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()
    for key, row in existing.items():
        if key not in keep:
            row.delete()


def recompute_deadlines(*, proceeding: Proceeding) -> None:
    """For jobs and commands (e.g. after a pack's calendar changed); no user, no audit."""
    with transaction.atomic():
        proceeding_lock(proceeding=proceeding)
        _recompute(proceeding)


def event_record(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    data: EventData,
    corrects: ProceduralEvent | None = None,
) -> ProceduralEvent:
    """Record a procedural act, or (with `corrects`) a correction that supersedes an earlier
    one. The whole sequence must still follow the pack's transitions; otherwise nothing is
    written and the error says which act does not fit where."""
    gate(membership, case)
    _check_open(case)
    errors = _event_errors(proceeding, data)
    if errors or data.occurred_on is None:
        raise ValidationError(errors)
    if corrects is not None and (
        corrects.proceeding_id != proceeding.pk or is_superseded(event=corrects) or corrects.is_void
    ):
        raise ValidationError(_("Ese acto ya fue corregido o anulado: corrige el vigente."))
    with transaction.atomic():
        proceeding_lock(proceeding=proceeding)
        events = [e for e in effective_events(proceeding=proceeding) if e != corrects]
        order = _order(proceeding)
        place = order[corrects.pk] if corrects is not None else 2**62
        new = engine.Step(
            key=None, type=data.type, on=data.occurred_on, time=data.occurred_time, order=place
        )
        _check_sequence(proceeding, [*_steps(events, order), new])
        event = ProceduralEvent(
            proceeding=proceeding,
            type=data.type,
            occurred_on=data.occurred_on,
            occurred_time=data.occurred_time,
            outcome=data.outcome,
            sentence_years=data.sentence_years,
            supersedes=corrects,
            recorded_by_id=membership.user_id,
        )
        event.save()
        _recompute(proceeding)
        audit_record(
            action=Action.CREATE,
            obj=event,
            fields=["type", "occurred_on", *(["supersedes"] if corrects else [])],
        )
        _timeline(
            case,
            membership,
            proceeding,
            "corrected" if corrects else "event",
            event=data.type,
            on=data.occurred_on.isoformat(),
        )
    return event


def event_void(
    *, membership: Membership, case: Case, proceeding: Proceeding, event: ProceduralEvent
) -> ProceduralEvent:
    """Withdraw an act recorded by mistake: a void event supersedes it; history is kept.
    Refused when the acts after it would no longer follow the transitions."""
    gate(membership, case)
    _check_open(case)
    if event.proceeding_id != proceeding.pk or event.is_void or is_superseded(event=event):
        raise ValidationError(_("Ese acto ya fue corregido o anulado: corrige el vigente."))
    with transaction.atomic():
        proceeding_lock(proceeding=proceeding)
        remaining = [e for e in effective_events(proceeding=proceeding) if e != event]
        _check_sequence(proceeding, _steps(remaining, _order(proceeding)))
        void = ProceduralEvent(
            proceeding=proceeding,
            type=event.type,
            occurred_on=event.occurred_on,
            supersedes=event,
            is_void=True,
            recorded_by_id=membership.user_id,
        )
        void.save()
        _recompute(proceeding)
        audit_record(action=Action.DELETE, obj=event, fields=["type"])
        _timeline(case, membership, proceeding, "voided", event=event.type)
    return void
