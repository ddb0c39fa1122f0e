"""Shapes of the proceedings API, and the functions that fill them.

Stages, acts, deadline rules, hearing types and measures are the jurisdiction pack's *codes*,
each sent with its label in the request's language. Datetimes carry the offset of the local
time (America/La_Paz for Bolivia). No output holds an accused person's name: the API never
reveals it.
"""

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Schema

from cases.schemas import PersonOut, person
from jurisdictions.procedure import START, Procedure
from proceedings.models import (
    Accused,
    Charge,
    ChargeBasis,
    Deadline,
    DeadlineState,
    Hearing,
    HearingStatus,
    JusticeOffice,
    MeasureBreach,
    MeasureStatus,
    OfficeKind,
    ProceduralEvent,
    Proceeding,
    ProtectionMeasure,
    SentenceOutcome,
    SuspensionReason,
)
from proceedings.selectors import procedure_for
from survivors.models import Relationship, Sex

# ---- outputs


class CodeOut(Schema):
    code: str = Field(description="código estable")
    label: str = Field(description="nombre en el idioma de la solicitud")


class DepartmentOut(Schema):
    code: str = Field(description="código INE del departamento")
    name: str


class OfficeOut(Schema):
    id: int
    kind: CodeOut
    name: str
    department: DepartmentOut
    is_court: bool
    is_active: bool


class ProceedingRowOut(Schema):
    id: int
    case_id: int
    department: DepartmentOut
    jurisdiction: str = Field(description="código del paquete de jurisdicción")
    stage: CodeOut
    stage_since: dt.date | None
    complaint_on: dt.date | None = Field(description="fecha de la denuncia")
    court: OfficeOut | None
    prosecutor_office: OfficeOut | None
    incident_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OffenceOut(Schema):
    code: str
    article: str
    name: str


class ChargeOut(Schema):
    id: int
    offence: OffenceOut
    basis: CodeOut
    from_on: dt.date
    until_on: dt.date | None
    ended_by_basis: CodeOut | None


class AccusedOut(Schema):
    """Never the name: the API does not reveal it."""

    id: int
    relationship: CodeOut
    sex: CodeOut
    created_at: dt.datetime


class DeadlineOut(Schema):
    id: int
    proceeding_id: int
    rule: CodeOut
    duration: int
    unit: str = Field(description="hours, business_days, calendar_days o months")
    article: str
    rule_status: str = Field(description="confirmed, to_check o assumed")
    state: CodeOut
    started_at: dt.datetime
    due_at: dt.datetime
    ended_at: dt.datetime | None
    overdue: bool = Field(description="corriendo y vencido")
    assumed_time: bool = Field(description="plazo en horas contado desde una fecha sin hora")
    start_event_id: int
    end_event_id: int | None


class ProceedingOut(ProceedingRowOut):
    prosecutor_number: str | None = Field(description="null si se borró su identidad")
    nurej: str | None = Field(description="null si se borró su identidad")
    charges: list[ChargeOut] = Field(description="calificación vigente")
    accused: list[AccusedOut]
    deadlines: list[DeadlineOut]


class EventOut(Schema):
    id: int
    type: CodeOut
    occurred_on: dt.date
    occurred_time: dt.time | None
    outcome: CodeOut | None = Field(description="solo en una sentencia")
    sentence_years: Decimal | None
    supersedes_id: int | None = Field(description="el acto que este corrige o anula")
    superseded_by_id: int | None
    is_void: bool = Field(description="anula el acto que reemplaza")
    is_effective: bool = Field(description="cuenta para la etapa y los plazos")
    recorded_by: PersonOut
    recorded_at: dt.datetime


class HearingOut(Schema):
    id: int
    case_id: int
    proceeding_id: int
    type: CodeOut
    starts_at: dt.datetime
    court: OfficeOut
    status: CodeOut
    suspension_reason: CodeOut | None
    rescheduled_from_id: int | None
    rescheduled_to_id: int | None
    survivor_must_attend: bool
    remind_survivor: bool
    companions: list[PersonOut]
    created_at: dt.datetime


class CalendarHearingOut(Schema):
    """A hearing in a calendar: the case code, never a name or an offence."""

    id: int
    case_id: int
    case_code: str
    proceeding_id: int
    type: CodeOut
    starts_at: dt.datetime
    court: OfficeOut
    status: CodeOut
    survivor_must_attend: bool


class BreachOut(Schema):
    id: int
    occurred_on: dt.date
    reported_to_authority: bool
    reported_on: dt.date | None
    created_at: dt.datetime


class MeasureOut(Schema):
    id: int
    proceeding_id: int
    measure: CodeOut
    status: CodeOut
    requested_on: dt.date
    decided_on: dt.date | None
    expires_on: dt.date | None
    ended_on: dt.date | None
    breaches: list[BreachOut]
    created_at: dt.datetime


class NetworkDeadlineOut(DeadlineOut):
    case_id: int
    case_code: str


# ---- the pack's procedure, for clients


class StageOut(CodeOut):
    ends: bool = Field(description="termina el proceso: ningún plazo corre")
    outcome: str


class EventTypeOut(CodeOut):
    from_stages: list[str] = Field(description=f'etapas donde se admite ("{START}": sin actos)')
    to: str = Field(description="etapa a la que lleva (vacío: no la cambia)")
    once: bool
    sentence: bool = Field(description="pide resultado y años de condena")
    article: str
    status: str


class DeadlineRuleOut(CodeOut):
    starts_on: str
    stopped_by: list[str]
    duration: int
    unit: str
    article: str
    source: str
    status: str = Field(description="confirmed, to_check o assumed")
    not_for_offences: list[str]
    alert_before_hours: list[int] = Field(description="avisos: horas antes del vencimiento")
    note: str


class MeasureTypeOut(CodeOut):
    applies_to: str = Field(description="women, children o both (el campo `for` del paquete)")
    article: str
    status: str


class ProcedureOut(Schema):
    jurisdiction: str
    stages: list[StageOut]
    events: list[EventTypeOut]
    deadlines: list[DeadlineRuleOut]
    hearing_types: list[CodeOut]
    measures: list[MeasureTypeOut]
    suspension_reasons: list[CodeOut]


# ---- inputs


class ProceedingIn(Schema):
    department: str = Field(..., description="código INE del departamento donde se tramita")
    prosecutor_number: str = Field(default="", max_length=60)
    nurej: str = Field(default="", max_length=60)
    court_id: int | None = Field(default=None, description="juzgado o tribunal del directorio")
    prosecutor_office_id: int | None = Field(default=None, description="fiscalía del directorio")
    incident_id: int | None = Field(default=None, description="hecho del caso")


class ChargesIn(Schema):
    offences: list[str] = Field(..., description="códigos de delito; reemplazan la calificación")
    basis: ChargeBasis
    on: dt.date = Field(..., description="no puede estar en el futuro")


class AccusedIn(Schema):
    relationship: Relationship
    sex: Sex = Sex.UNKNOWN
    name: str = Field(
        default="",
        max_length=200,
        description="solo si hace falta; se cifra y la API nunca lo devuelve",
    )


class EventIn(Schema):
    type: str = Field(..., description="código del acto procesal del paquete")
    occurred_on: dt.date
    occurred_time: dt.time | None = None
    outcome: SentenceOutcome | None = Field(default=None, description="solo para la sentencia")
    sentence_years: Decimal | None = Field(default=None, max_digits=4, decimal_places=1)


class HearingIn(Schema):
    type: str = Field(..., description="código del tipo de audiencia del paquete")
    starts_at: dt.datetime = Field(
        ..., description="sin zona horaria: hora local de la jurisdicción del proceso"
    )
    court_id: int
    survivor_must_attend: bool = False
    remind_survivor: bool = False
    companion_ids: list[int] = Field(default=[], description="ids de personas de la organización")


class OutcomeIn(Schema):
    status: HearingStatus = Field(..., description="held, suspended o cancelled")
    suspension_reason: SuspensionReason | None = Field(default=None, description="si se suspendió")


class RescheduleIn(Schema):
    starts_at: dt.datetime = Field(..., description="sin zona horaria: hora local")
    suspension_reason: SuspensionReason | None = Field(
        default=None, description="si la audiencia seguía programada: por qué se suspendió"
    )


class MeasureIn(Schema):
    measure: str = Field(..., description="código de la medida del paquete")
    requested_on: dt.date


class DecisionIn(Schema):
    status: MeasureStatus = Field(..., description="granted o denied")
    decided_on: dt.date
    expires_on: dt.date | None = None


class EndIn(Schema):
    ended_on: dt.date


class BreachIn(Schema):
    occurred_on: dt.date
    reported_to_authority: bool = False
    reported_on: dt.date | None = None


class OfficeIn(Schema):
    kind: OfficeKind
    name: str = Field(..., max_length=200)
    department: str = Field(..., description="código INE del departamento")


class OfficeUpdateIn(OfficeIn):
    is_active: bool = True


class OfficeQuery(Schema):
    kind: str = Field(default="", description='un tipo de oficina, o "court" (todo juzgado)')
    department: str = Field(default="", description="código INE del departamento")
    include_inactive: bool = False


class DeadlineQuery(Schema):
    overdue: bool = Field(default=False, description="solo los vencidos")
    within_days: int | None = Field(default=None, ge=0, le=366, description="vencen en N días")


class HearingQuery(Schema):
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    mine: bool = Field(default=False, description="mis casos y las que acompaño")
    court_id: int | None = None


# ---- filling the outputs


def _label(table: dict[str, Any], code: str) -> dict[str, str]:
    item = table.get(code)
    return {"code": code, "label": item.label(get_language()) if item else code}


def _choice(choices: Any, value: str) -> dict[str, str] | None:
    if not value:
        return None
    try:
        return {"code": value, "label": str(choices(value).label)}
    except ValueError:
        return {"code": value, "label": value}


def zone_of(proceeding: Proceeding) -> ZoneInfo:
    """Hearings and deadlines are dated in the time zone of the proceeding's jurisdiction."""
    return ZoneInfo(proceeding.department.jurisdiction.time_zone)


def _local(moment: dt.datetime | None, zone: ZoneInfo | None = None) -> dt.datetime | None:
    return timezone.localtime(moment, zone) if moment is not None else None


def office_out(office: JusticeOffice | None) -> dict[str, Any] | None:
    if office is None:
        return None
    return {
        "id": office.pk,
        "kind": _choice(OfficeKind, office.kind),
        "name": office.name,
        "department": {"code": office.department.code, "name": office.department.name},
        "is_court": office.is_court,
        "is_active": office.is_active,
    }


def proceeding_row_out(proceeding: Proceeding, procedure: Procedure) -> dict[str, Any]:
    department = proceeding.department
    stage = (
        {"code": START, "label": str(_("sin actos registrados"))}
        if proceeding.stage == START
        else _label(procedure.stages, proceeding.stage)
    )
    return {
        "id": proceeding.pk,
        "case_id": proceeding.case_id,
        "department": {"code": department.code, "name": department.name},
        "jurisdiction": procedure.pack_code,
        "stage": stage,
        "stage_since": proceeding.stage_since,
        "complaint_on": proceeding.complaint_on,
        "court": office_out(proceeding.court),
        "prosecutor_office": office_out(proceeding.prosecutor_office),
        "incident_id": proceeding.incident_id,
        "created_at": _local(proceeding.created_at),
        "updated_at": _local(proceeding.updated_at),
    }


def charge_out(charge: Charge) -> dict[str, Any]:
    offence = charge.offence
    return {
        "id": charge.pk,
        "offence": {"code": offence.code, "article": offence.article, "name": offence.name},
        "basis": _choice(ChargeBasis, charge.basis),
        "from_on": charge.from_on,
        "until_on": charge.until_on,
        "ended_by_basis": _choice(ChargeBasis, charge.ended_by_basis),
    }


def accused_out(accused: Accused) -> dict[str, Any]:
    return {
        "id": accused.pk,
        "relationship": _choice(Relationship, accused.relationship),
        "sex": _choice(Sex, accused.sex),
        "created_at": _local(accused.created_at),
    }


def deadline_out(
    deadline: Deadline, procedure: Procedure, zone: ZoneInfo, now: dt.datetime
) -> dict[str, Any]:
    rule = procedure.deadlines.get(deadline.rule)
    return {
        "id": deadline.pk,
        "proceeding_id": deadline.proceeding_id,
        "rule": _label(procedure.deadlines, deadline.rule),
        "duration": rule.duration if rule else 0,
        "unit": rule.unit if rule else "",
        "article": rule.article if rule else "",
        "rule_status": rule.status if rule else "",
        "state": _choice(DeadlineState, deadline.state),
        "started_at": _local(deadline.started_at, zone),
        "due_at": _local(deadline.due_at, zone),
        "ended_at": _local(deadline.ended_at, zone),
        "overdue": deadline.state == DeadlineState.RUNNING and deadline.due_at < now,
        "assumed_time": deadline.assumed_time,
        "start_event_id": deadline.start_event_id,
        "end_event_id": deadline.end_event_id,
    }


def network_deadline_out(deadline: Deadline, now: dt.datetime) -> dict[str, Any]:
    proceeding = deadline.proceeding
    return {
        **deadline_out(deadline, procedure_for(proceeding), zone_of(proceeding), now),
        "case_id": proceeding.case_id,
        "case_code": proceeding.case.survivor.code,
    }


def event_out(
    event: ProceduralEvent, procedure: Procedure, superseded_by: dict[int, int]
) -> dict[str, Any]:
    """`superseded_by`: event id → the id of the event that corrects or voids it."""
    replaced_by = superseded_by.get(event.pk)
    return {
        "id": event.pk,
        "type": _label(procedure.events, event.type),
        "occurred_on": event.occurred_on,
        "occurred_time": event.occurred_time,
        "outcome": _choice(SentenceOutcome, event.outcome),
        "sentence_years": event.sentence_years,
        "supersedes_id": event.supersedes_id,
        "superseded_by_id": replaced_by,
        "is_void": event.is_void,
        "is_effective": replaced_by is None and not event.is_void,
        "recorded_by": person(event.recorded_by),
        "recorded_at": _local(event.recorded_at),
    }


def hearing_out(
    hearing: Hearing,
    proceeding: Proceeding,
    procedure: Procedure,
    rescheduled_to: dict[int, int],
) -> dict[str, Any]:
    """`rescheduled_to`: hearing id → the id of the hearing that reschedules it."""
    return {
        "id": hearing.pk,
        "case_id": proceeding.case_id,
        "proceeding_id": hearing.proceeding_id,
        "type": _label(procedure.hearing_types, hearing.type),
        "starts_at": _local(hearing.starts_at, zone_of(proceeding)),
        "court": office_out(hearing.court),
        "status": _choice(HearingStatus, hearing.status),
        "suspension_reason": _choice(SuspensionReason, hearing.suspension_reason),
        "rescheduled_from_id": hearing.rescheduled_from_id,
        "rescheduled_to_id": rescheduled_to.get(hearing.pk),
        "survivor_must_attend": hearing.survivor_must_attend,
        "remind_survivor": hearing.remind_survivor,
        "companions": [person(user) for user in hearing.companions.all()],
        "created_at": _local(hearing.created_at),
    }


def calendar_hearing_out(hearing: Hearing) -> dict[str, Any]:
    proceeding = hearing.proceeding
    return {
        "id": hearing.pk,
        "case_id": proceeding.case_id,
        "case_code": proceeding.case.survivor.code,
        "proceeding_id": proceeding.pk,
        "type": _label(procedure_for(proceeding).hearing_types, hearing.type),
        "starts_at": _local(hearing.starts_at, zone_of(proceeding)),
        "court": office_out(hearing.court),
        "status": _choice(HearingStatus, hearing.status),
        "survivor_must_attend": hearing.survivor_must_attend,
    }


def breach_out(breach: MeasureBreach) -> dict[str, Any]:
    return {
        "id": breach.pk,
        "occurred_on": breach.occurred_on,
        "reported_to_authority": breach.reported_to_authority,
        "reported_on": breach.reported_on,
        "created_at": _local(breach.created_at),
    }


def measure_out(measure: ProtectionMeasure, procedure: Procedure) -> dict[str, Any]:
    return {
        "id": measure.pk,
        "proceeding_id": measure.proceeding_id,
        "measure": _label(procedure.measures, measure.measure),
        "status": _choice(MeasureStatus, measure.status),
        "requested_on": measure.requested_on,
        "decided_on": measure.decided_on,
        "expires_on": measure.expires_on,
        "ended_on": measure.ended_on,
        "breaches": [breach_out(b) for b in measure.breaches.all()],
        "created_at": _local(measure.created_at),
    }


def procedure_out(procedure: Procedure) -> dict[str, Any]:
    language = get_language()

    def named(item: Any) -> dict[str, str]:
        return {"code": item.code, "label": item.label(language)}

    return {
        "jurisdiction": procedure.pack_code,
        "stages": [
            {**named(s), "ends": s.ends, "outcome": s.outcome} for s in procedure.stages.values()
        ],
        "events": [
            {
                **named(e),
                "from_stages": list(e.from_stages),
                "to": e.to,
                "once": e.once,
                "sentence": e.sentence,
                "article": e.article,
                "status": e.status,
            }
            for e in procedure.events.values()
        ],
        "deadlines": [
            {
                **named(d),
                "starts_on": d.starts_on,
                "stopped_by": list(d.stopped_by),
                "duration": d.duration,
                "unit": d.unit,
                "article": d.article,
                "source": d.source,
                "status": d.status,
                "not_for_offences": list(d.not_for_offences),
                "alert_before_hours": [
                    int(lead.total_seconds() // 3600) for lead in d.alert_before
                ],
                "note": d.note,
            }
            for d in procedure.deadlines.values()
        ],
        "hearing_types": [named(h) for h in procedure.hearing_types.values()],
        "measures": [
            {**named(m), "applies_to": m.for_, "article": m.article, "status": m.status}
            for m in procedure.measures.values()
        ],
        "suspension_reasons": [
            {"code": reason.value, "label": str(reason.label)} for reason in SuspensionReason
        ],
    }
