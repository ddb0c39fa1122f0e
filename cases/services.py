"""Writes to cases. Each one checks the gate, writes the row, its timeline event and its audit
event in one transaction; bad input raises ValidationError before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, can_manage_case, membership_for, require_capability
from audit.models import Action
from audit.services import audit_record
from cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseStatus,
    ClosureReason,
    DatePrecision,
    EventKind,
    Incident,
    IntakeChannel,
    Interviewer,
    Note,
    Sensitivity,
    Task,
    Testimony,
)
from cases.selectors import incident_list, team_list
from jurisdictions.models import GBVIMS_PRECEDENCE, GbvimsType, Municipality, Offence
from organisations.models import Membership, Organisation
from survivors.models import AgeBand, Consent, Relationship, Sex
from survivors.selectors import PossibleMatch
from survivors.services import (
    Identity,
    Profile,
    consent_record,
    consent_withdraw,
    find_matches,
    identity_reveal,
    survivor_register,
)


def _event(case: Case, kind: str, actor_id: int | None, obj: Any = None, **data: Any) -> None:
    CaseEvent(
        case=case, kind=kind, actor_id=actor_id, object_id=getattr(obj, "pk", None), data=data
    ).save()
    case.updated_at = timezone.now()
    case.save(update_fields=["updated_at"])


def _not_in_future(day: date | None, field_name: str) -> dict[str, str]:
    if day and day > timezone.localdate():
        return {field_name: _("La fecha no puede estar en el futuro.")}
    return {}


@dataclass
class SafeContact:
    safe_to_talk: bool | None = None
    channels: list[str] = field(default_factory=list)
    safe_hours: str = ""
    may_leave_message: bool | None = None
    code_word: str = ""


@dataclass
class IncidentData:
    violence_type: str
    occurred_on: date
    date_precision: str = DatePrecision.MONTH
    municipality: Municipality | None = None
    offences: list[Offence] = field(default_factory=list)
    perpetrator_relationship: str = Relationship.UNKNOWN
    perpetrator_sex: str = Sex.UNKNOWN
    perpetrator_age_band: str = ""
    repeats_earlier: bool = False


class DuplicateSuspectedError(ValidationError):
    """The intake matches someone already registered. Nothing was written."""

    def __init__(self, matches: list[PossibleMatch]) -> None:
        super().__init__(_("Posible coincidencia con una persona ya registrada."))
        self.matches = matches


@dataclass
class Intake:
    contact: SafeContact
    identity: Identity
    profile: Profile
    incident: IncidentData
    intake_channel: str = IntakeChannel.WALK_IN
    summary: str = ""
    confirmed_new_person: bool = False  # she is not who the match suggests


def _incident_errors(data: IncidentData) -> dict[str, str]:
    errors = _not_in_future(data.occurred_on, "occurred_on")
    if data.violence_type not in GbvimsType.values:
        errors["violence_type"] = _("Tipo de violencia desconocido.")
    if data.date_precision not in DatePrecision.values:
        errors["date_precision"] = _("Precisión de fecha desconocida.")
    if data.perpetrator_relationship not in Relationship.values:
        errors["perpetrator_relationship"] = _("Relación desconocida.")
    if data.perpetrator_sex not in Sex.values:
        errors["perpetrator_sex"] = _("Valor desconocido.")
    if data.perpetrator_age_band and data.perpetrator_age_band not in AgeBand.values:
        errors["perpetrator_age_band"] = _("Valor desconocido.")
    return errors


def derived_violence_type(chosen: str, offences: Iterable[Offence]) -> str:
    """GBVIMS: one type per incident, the first in precedence among the chosen type and the
    types of the offences charged."""
    types = {chosen, *(o.gbvims for o in offences)}
    return min(types, key=GBVIMS_PRECEDENCE.index)


def intake_create(*, membership: Membership, intake: Intake) -> Case:
    """Open a case for a survivor: three short steps' worth of data, the rest later.

    A possible duplicate (by document, phone, or name and birth date) stops the intake with
    DuplicateSuspected, writing nothing, unless the person doing the intake confirms this is
    someone else. A match inside her own organisation always stops it.
    """
    require_capability(membership, Capability.SEE_SURVIVORS)
    errors = _incident_errors(intake.incident)
    errors |= _not_in_future(intake.identity.birth_date, "birth_date")
    if intake.intake_channel not in IntakeChannel.values:
        errors["intake_channel"] = _("Vía de ingreso desconocida.")
    if errors:
        raise ValidationError(errors)
    matches = find_matches(membership=membership, identity=intake.identity)
    if matches and (not intake.confirmed_new_person or any(m.same_organisation for m in matches)):
        raise DuplicateSuspectedError(matches)
    c = intake.contact
    with transaction.atomic():
        survivor = survivor_register(
            membership=membership, identity=intake.identity, profile=intake.profile
        )
        case = Case(
            organisation_id=membership.organisation_id,
            survivor=survivor,
            department_id=survivor.department_id,
            intake_channel=intake.intake_channel,
            lead_id=membership.user_id,
            summary=intake.summary.strip(),
            safe_to_talk=c.safe_to_talk,
            contact_channels=sorted(set(c.channels)),
            safe_hours=c.safe_hours.strip()[:120],
            may_leave_message=c.may_leave_message,
            code_word=c.code_word.strip(),
            created_by_id=membership.user_id,
        )
        case.save()
        CaseMember(case=case, user_id=membership.user_id, role=membership.role).save()
        _event(case, EventKind.INTAKE, membership.user_id, case, channel=case.intake_channel)
        audit_record(
            action=Action.CREATE,
            obj=case,
            fields=["intake_channel", "safe_contact", *(["summary"] if case.summary else [])],
        )
        incident_add(
            membership=membership,
            case=case,
            data=IncidentData(
                **{
                    **intake.incident.__dict__,
                    "municipality": intake.incident.municipality or intake.profile.municipality,
                }
            ),
        )
    return case


def incident_add(*, membership: Membership, case: Case, data: IncidentData) -> Incident:
    require_capability(membership, Capability.SEE_SURVIVORS)
    errors = _incident_errors(data)
    if data.municipality is None:
        errors["municipality"] = _("Indica el municipio.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        occurred = data.occurred_on
        if data.date_precision == DatePrecision.MONTH:
            occurred = occurred.replace(day=1)
        incident = Incident(
            case=case,
            occurred_on=occurred,
            date_precision=data.date_precision,
            municipality=data.municipality,
            violence_type=derived_violence_type(data.violence_type, data.offences),
            perpetrator_relationship=data.perpetrator_relationship,
            perpetrator_sex=data.perpetrator_sex,
            perpetrator_age_band=data.perpetrator_age_band,
            survivor_was_child=case.survivor.is_child,
            repeats_earlier=data.repeats_earlier,
            created_by_id=membership.user_id,
        )
        incident.save()
        incident.offences.set(data.offences)
        _event(
            case,
            EventKind.INCIDENT,
            membership.user_id,
            incident,
            violence_type=incident.violence_type,
            occurred_on=occurred.isoformat(),
            precision=incident.date_precision,
        )
        audit_record(action=Action.CREATE, obj=incident, fields=["violence_type", "offences"])
    return incident


def note_add(*, membership: Membership, case: Case, body: str, sensitivity: str) -> Note:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if not body.strip():
        raise ValidationError({"body": _("La nota está vacía.")})
    if sensitivity not in Sensitivity.values:
        raise ValidationError({"sensitivity": _("Nivel de confidencialidad desconocido.")})
    with transaction.atomic():
        note = Note(
            case=case,
            author_id=membership.user_id,
            discipline=membership.role,
            sensitivity=sensitivity,
            body=body.strip(),
        )
        note.save()
        _event(case, EventKind.NOTE, membership.user_id, note, sensitivity=sensitivity)
        audit_record(action=Action.CREATE, obj=note, fields=["body"])
    return note


def task_add(
    *, membership: Membership, case: Case, title: str, assignee_id: int, due_on: date | None
) -> Task:
    require_capability(membership, Capability.SEE_SURVIVORS)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Describe la tarea.")
    assignee = membership_for_user_id(assignee_id, case.organisation_id)
    if assignee is None or not _can_see_survivors(assignee):
        errors["assignee"] = _("Asigna la tarea a una persona de la organización.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        task = Task(
            case=case,
            title=title.strip(),
            assignee_id=assignee_id,
            due_on=due_on,
            created_by_id=membership.user_id,
        )
        task.save()
        _event(
            case,
            EventKind.TASK,
            membership.user_id,
            task,
            due_on=due_on.isoformat() if due_on else None,
        )
        audit_record(action=Action.CREATE, obj=task, fields=["title", "assignee", "due_on"])
    return task


def task_complete(*, membership: Membership, task: Task) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if task.done_at is not None:
        raise ValidationError(_("Esta tarea ya estaba cumplida."))
    with transaction.atomic():
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        _event(task.case, EventKind.TASK_DONE, membership.user_id, task)
        audit_record(action=Action.UPDATE, obj=task, fields=["done_at"])


def testimony_add(
    *,
    membership: Membership,
    case: Case,
    taken_on: date,
    interviewer: str,
    institution: str = "",
    recorded: bool = False,
    gesell_chamber: bool = False,
) -> Testimony:
    require_capability(membership, Capability.SEE_SURVIVORS)
    errors = _not_in_future(taken_on, "taken_on")
    if interviewer not in Interviewer.values:
        errors["interviewer"] = _("Indica quién tomó la declaración.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        testimony = Testimony(
            case=case,
            taken_on=taken_on,
            interviewer=interviewer,
            institution=institution.strip()[:120],
            recorded=recorded,
            gesell_chamber=gesell_chamber,
            created_by_id=membership.user_id,
        )
        testimony.save()
        _event(
            case,
            EventKind.TESTIMONY,
            membership.user_id,
            testimony,
            interviewer=interviewer,
            recorded=recorded,
            gesell=gesell_chamber,
        )
        audit_record(action=Action.CREATE, obj=testimony, fields=["interviewer", "recorded"])
    return testimony


def revictimisation_warning(testimonies: Iterable[Testimony]) -> bool:
    """A recorded single interview exists and she was asked again afterwards."""
    ordered = sorted(testimonies, key=lambda t: (t.taken_on, t.pk))
    for index, testimony in enumerate(ordered):
        if testimony.recorded and index < len(ordered) - 1:
            return True
    return False


def membership_for_user_id(user_id: int, organisation_id: int) -> Membership | None:
    from accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    return membership_for(user, organisation_id)


def _can_see_survivors(membership: Membership) -> bool:
    from access.policy import has_capability

    return has_capability(membership, Capability.SEE_SURVIVORS)


def _require_manager(membership: Membership, case: Case) -> None:
    """Team changes, closing and reopening: the case lead, coordinators and supervisors."""
    if not can_manage_case(membership, case):
        raise Http404


def team_add(*, membership: Membership, case: Case, user_id: int, lead: bool = False) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    _require_manager(membership, case)
    member = membership_for_user_id(user_id, case.organisation_id)
    if member is None or not _can_see_survivors(member):
        raise ValidationError({"user": _("Solo personas de la organización que trabajan casos.")})
    with transaction.atomic():
        if not team_list(case=case).filter(user_id=user_id).exists():
            CaseMember(case=case, user_id=user_id, role=member.role).save()
        fields = ["team"]
        if lead:
            case.lead_id = user_id
            case.save(update_fields=["lead"])
            fields.append("lead")
        _event(case, EventKind.TEAM, membership.user_id, None, added=user_id, lead=lead)
        audit_record(action=Action.UPDATE, obj=case, fields=fields)


def team_remove(*, membership: Membership, case: Case, user_id: int) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    _require_manager(membership, case)
    if case.lead_id == user_id:
        raise ValidationError(_("Primero designa a otra persona responsable del caso."))
    with transaction.atomic():
        removed = team_list(case=case).filter(user_id=user_id).update(removed_at=timezone.now())
        if not removed:
            raise ValidationError(_("Esa persona no está en el equipo."))
        _event(case, EventKind.TEAM, membership.user_id, None, removed=user_id)
        audit_record(action=Action.UPDATE, obj=case, fields=["team"])


def case_close(*, membership: Membership, case: Case, reason: str, closed_on: date) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    _require_manager(membership, case)
    errors = _not_in_future(closed_on, "closed_on")
    if case.status == CaseStatus.CLOSED:
        errors["status"] = _("El caso ya está cerrado.")
    if reason not in ClosureReason.values:
        errors["reason"] = _("Indica el motivo de cierre.")
    if closed_on < case.opened_on:
        errors["closed_on"] = _("El cierre no puede ser anterior a la apertura.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case.status, case.closure_reason, case.closed_on = CaseStatus.CLOSED, reason, closed_on
        case.save(update_fields=["status", "closure_reason", "closed_on"])
        _event(case, EventKind.STATUS, membership.user_id, None, status="closed", reason=reason)
        audit_record(action=Action.UPDATE, obj=case, fields=["status", "closure_reason"])


def case_reopen(*, membership: Membership, case: Case) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    _require_manager(membership, case)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError(_("El caso no está cerrado."))
    with transaction.atomic():
        case.status, case.closure_reason, case.closed_on = CaseStatus.REOPENED, "", None
        case.save(update_fields=["status", "closure_reason", "closed_on"])
        _event(case, EventKind.STATUS, membership.user_id, None, status="reopened")
        audit_record(action=Action.UPDATE, obj=case, fields=["status"])


def case_note_event(
    *, case: Case, kind: str, actor_id: int | None, obj: Any = None, **data: Any
) -> None:
    """For other apps (consent, risk, documents) to put a line on the case timeline."""
    _event(case, kind, actor_id, obj, **data)


def case_view_record(*, membership: Membership, case: Case) -> None:
    """Opening a case page is recorded, so the trail can answer who has seen the case."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    audit_record(action=Action.VIEW, obj=case)


def case_reveal(*, membership: Membership, case: Case, reason: str = "") -> dict[str, str]:
    """Her identity and the safe-contact code word, for someone allowed to open the case.
    Both reveals are audited, with the reason, in one transaction."""
    with transaction.atomic():
        identity = identity_reveal(membership=membership, survivor=case.survivor, reason=reason)
        audit_record(
            action=Action.REVEAL,
            obj=case,
            fields=["code_word", *([f"reason:{reason}"] if reason else [])],
        )
    return {**identity, "code_word": case.code_word or ""}


def case_consent_record(
    *,
    membership: Membership,
    case: Case,
    purpose: str,
    given_by: str,
    given_on: date,
    child_assent: bool | None = None,
    recipient: Organisation | None = None,
    channel: str = "",
    scope: str = "",
    expires_on: date | None = None,
    categories: Iterable[str] = (),
) -> Consent:
    """Record a consent of the case's survivor and put it on the timeline. A guardian whose
    relationship matches an alleged aggressor's in any incident of the case cannot consent."""
    relationships = incident_list(case=case).values_list("perpetrator_relationship", flat=True)
    aggressors = set(relationships) - {Relationship.UNKNOWN}
    with transaction.atomic():
        consent = consent_record(
            membership=membership,
            survivor=case.survivor,
            purpose=purpose,
            given_by=given_by,
            given_on=given_on,
            child_assent=child_assent,
            recipient=recipient,
            channel=channel,
            scope=scope,
            expires_on=expires_on,
            alleged_aggressor_relationships=aggressors,
            categories=list(categories),
        )
        _event(case, EventKind.CONSENT, membership.user_id, consent, purpose=purpose)
    return consent


def case_consent_withdraw(*, membership: Membership, case: Case, consent: Consent) -> None:
    with transaction.atomic():
        consent_withdraw(membership=membership, consent=consent)
        _event(
            case,
            EventKind.CONSENT,
            membership.user_id,
            consent,
            purpose=consent.purpose,
            withdrawn=True,
        )
