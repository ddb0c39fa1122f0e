"""Writes to hearings: schedule one, correct it while it is still scheduled, record how it went
(held, suspended with a coded reason, cancelled) and reschedule it (a new hearing linked to the
one it replaces, so the chain of suspensions can be read both ways).

Callers pass a `case` from `cases.selectors.case_get_for_user`, its proceeding from
`proceedings.selectors.proceeding_get` and a hearing from `proceedings.selectors.hearing_get`.
Each service checks the capability again, refuses bad input with a ValidationError before
anything is written, and writes the rows, the audit event and the case timeline line in one
transaction. The timeline line holds codes only: `what` and, for a suspension, `reason`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access.policy import Capability, has_capability, membership_for
from audit.models import Action
from audit.services import audit_record
from cases.models import Case
from cases.selectors import case_visible_to
from cases.services import case_note_event
from organisations.models import Membership
from proceedings.models import (
    Hearing,
    HearingStatus,
    JusticeOffice,
    Proceeding,
    SuspensionReason,
)
from proceedings.selectors import procedure_for
from proceedings.selectors_hearings import chain_of, hearing_lock
from proceedings.services import PROCEEDING_EVENT, gate

if TYPE_CHECKING:
    from accounts.models import User

OUTCOMES = (HearingStatus.HELD, HearingStatus.SUSPENDED, HearingStatus.CANCELLED)
# Beyond this a date is a typing mistake (2062 for 2026), not a court's calendar.
FURTHEST_AHEAD = dt.timedelta(days=5 * 366)
FIELDS = ["type", "starts_at", "court", "companions", "survivor_must_attend", "remind_survivor"]


@dataclass
class HearingData:
    type: str
    starts_at: dt.datetime | None
    court: JusticeOffice | None
    survivor_must_attend: bool = False
    remind_survivor: bool = False
    companions: list[User] = field(default_factory=list)


def time_zone_of(proceeding: Proceeding) -> ZoneInfo:
    """Hearings are dated in the time zone of the proceeding's jurisdiction."""
    return ZoneInfo(proceeding.department.jurisdiction.time_zone)


def _check_belongs(case: Case, proceeding: Proceeding, hearing: Hearing | None = None) -> None:
    if proceeding.case_id != case.pk:
        raise Http404
    if hearing is not None and hearing.proceeding_id != proceeding.pk:
        raise Http404


def _check_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("El caso está cerrado: reábrelo para programar audiencias."))


def _timeline(
    case: Case,
    membership: Membership,
    proceeding: Proceeding,
    hearing: Hearing,
    what: str,
    **data: object,
) -> None:
    case_note_event(
        case=case,
        kind=PROCEEDING_EVENT,
        actor_id=membership.user_id,
        obj=hearing,
        proceeding=proceeding.pk,
        what=what,
        hearing=hearing.pk,
        type=hearing.type,
        **data,
    )


def _audit(membership: Membership, action: Action, hearing: Hearing, fields: list[str]) -> None:
    audit_record(
        action=action,
        obj=hearing,
        fields=fields,
        actor_id=membership.user_id,
        organisation_id=membership.organisation_id,
    )


# ----------------------------------------------------------------------------- validation


def _starts_at_errors(proceeding: Proceeding, starts_at: dt.datetime | None) -> dict[str, str]:
    if starts_at is None:
        return {"starts_at": _("Indica la fecha y la hora de la audiencia.")}
    if timezone.is_naive(starts_at):
        return {"starts_at": _("La fecha y la hora deben indicar su zona horaria.")}
    if proceeding.complaint_on is None:
        return {
            "starts_at": _(
                "Registra primero la denuncia en este proceso: una audiencia no puede ser "
                "anterior a ella."
            )
        }
    if timezone.localtime(starts_at, time_zone_of(proceeding)).date() < proceeding.complaint_on:
        return {
            "starts_at": _("La audiencia no puede ser anterior a la denuncia (%(day)s).")
            % {"day": date_format(proceeding.complaint_on, "d/m/Y")}
        }
    if starts_at > timezone.now() + FURTHEST_AHEAD:
        return {"starts_at": _("Revisa la fecha: está demasiado lejos en el futuro.")}
    return {}


def _court_errors(court: JusticeOffice | None) -> dict[str, str]:
    if court is None or not court.is_court or not court.is_active:
        return {"court": _("Elige un juzgado o tribunal activo del directorio.")}
    return {}


def is_companion_candidate(user: User, case: Case) -> bool:
    """An active member of the case's organisation who may open the case (its team,
    coordinators, supervisors): a companion sees the hearing in her calendar and feed."""
    membership = membership_for(user, case.organisation_id)
    return (
        membership is not None
        and has_capability(membership, Capability.SEE_SURVIVORS)
        and case_visible_to(membership=membership).filter(pk=case.pk).exists()
    )


def _companion_errors(case: Case, companions: Iterable[User]) -> dict[str, str]:
    if any(not is_companion_candidate(u, case) for u in companions):
        return {
            "companions": _(
                "Quien acompaña debe poder abrir este caso: súmala primero al equipo del caso."
            )
        }
    return {}


def _data_errors(case: Case, proceeding: Proceeding, data: HearingData) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.type not in procedure_for(proceeding).hearing_types:
        errors["type"] = _("Elige un tipo de audiencia de la lista.")
    errors |= _court_errors(data.court)
    errors |= _starts_at_errors(proceeding, data.starts_at)
    errors |= _companion_errors(case, data.companions)
    return errors


def _require_scheduled(hearing: Hearing) -> None:
    if hearing.status != HearingStatus.SCHEDULED:
        raise ValidationError(
            _("Esta audiencia ya tiene resultado (%(status)s): ya no se puede cambiar.")
            % {"status": hearing.get_status_display()}
        )


# ----------------------------------------------------------------------------- services


def hearing_schedule(
    *, membership: Membership, case: Case, proceeding: Proceeding, data: HearingData
) -> Hearing:
    gate(membership, case)
    _check_belongs(case, proceeding)
    _check_open(case)
    errors = _data_errors(case, proceeding, data)
    if errors or data.starts_at is None or data.court is None:
        raise ValidationError(errors)
    with transaction.atomic():
        hearing = Hearing(
            proceeding=proceeding,
            organisation_id=case.organisation_id,
            type=data.type,
            starts_at=data.starts_at,
            court=data.court,
            survivor_must_attend=data.survivor_must_attend,
            remind_survivor=data.remind_survivor,
            created_by_id=membership.user_id,
        )
        hearing.save()
        hearing.companions.set(data.companions)
        _audit(membership, Action.CREATE, hearing, FIELDS)
        _timeline(case, membership, proceeding, hearing, "hearing_scheduled")
    return hearing


def _changed(hearing: Hearing, data: HearingData) -> list[str]:
    changed = [
        name
        for name in ("type", "starts_at", "court", "survivor_must_attend", "remind_survivor")
        if getattr(hearing, name) != getattr(data, name)
    ]
    if {u.pk for u in hearing.companions.all()} != {u.pk for u in data.companions}:
        changed.append("companions")
    return changed


def hearing_update(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    hearing: Hearing,
    data: HearingData,
) -> Hearing:
    """Correct a hearing still scheduled. A court moving it is a reschedule, not this."""
    gate(membership, case)
    _check_belongs(case, proceeding, hearing)
    _require_scheduled(hearing)
    errors = _data_errors(case, proceeding, data)
    if errors or data.starts_at is None or data.court is None:
        raise ValidationError(errors)
    with transaction.atomic():
        _require_scheduled(hearing_lock(hearing=hearing))
        changed = _changed(hearing, data)
        hearing.type, hearing.starts_at, hearing.court = data.type, data.starts_at, data.court
        hearing.survivor_must_attend = data.survivor_must_attend
        hearing.remind_survivor = data.remind_survivor
        hearing.updated_at = timezone.now()
        hearing.save()
        hearing.companions.set(data.companions)
        _audit(membership, Action.UPDATE, hearing, changed)
        if changed:
            _timeline(case, membership, proceeding, hearing, "hearing_updated")
    return hearing


def _outcome_errors(hearing: Hearing, status: str, suspension_reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if status not in OUTCOMES:
        errors["status"] = _("Indica si la audiencia se realizó, se suspendió o se canceló.")
    elif status == HearingStatus.HELD and hearing.starts_at > timezone.now():
        errors["status"] = _(
            "La audiencia aún no empezó: no puede registrarse como realizada antes de su hora."
        )
    if status == HearingStatus.SUSPENDED and suspension_reason not in SuspensionReason.values:
        errors["suspension_reason"] = _("Indica el motivo de la suspensión.")
    elif status != HearingStatus.SUSPENDED and suspension_reason:
        errors["suspension_reason"] = _("Solo una audiencia suspendida lleva motivo.")
    return errors


def _set_outcome(
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    hearing: Hearing,
    status: str,
    suspension_reason: str,
) -> None:
    """Write an outcome already checked, inside the caller's transaction."""
    hearing.status, hearing.suspension_reason = status, suspension_reason
    hearing.updated_at = timezone.now()
    hearing.save(update_fields=["status", "suspension_reason", "updated_at"])
    _audit(membership, Action.UPDATE, hearing, ["status", "suspension_reason"])
    reason = {"reason": suspension_reason} if suspension_reason else {}
    _timeline(case, membership, proceeding, hearing, f"hearing_{status}", **reason)


def hearing_record_outcome(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    hearing: Hearing,
    status: str,
    suspension_reason: str = "",
) -> Hearing:
    """Held (once its time has come), suspended (with a coded reason) or cancelled."""
    gate(membership, case)
    _check_belongs(case, proceeding, hearing)
    _require_scheduled(hearing)
    if errors := _outcome_errors(hearing, status, suspension_reason):
        raise ValidationError(errors)
    with transaction.atomic():
        _require_scheduled(hearing_lock(hearing=hearing))
        _set_outcome(membership, case, proceeding, hearing, status, suspension_reason)
    return hearing


def _reschedule_errors(
    case: Case, proceeding: Proceeding, hearing: Hearing, starts_at: dt.datetime | None, reason: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if hearing.status == HearingStatus.SCHEDULED and reason not in SuspensionReason.values:
        errors["suspension_reason"] = _("Indica por qué se suspendió la audiencia que reprogramas.")
    errors |= _starts_at_errors(proceeding, starts_at)
    if not errors and starts_at is not None and starts_at <= hearing.starts_at:
        errors["starts_at"] = _(
            "La nueva fecha debe ser posterior a la de la audiencia que se reprograma."
        )
    if _court_errors(hearing.court):
        errors["court"] = _(
            "El juzgado de esta audiencia ya no está activo en el directorio: programa una "
            "audiencia nueva con el juzgado que corresponde."
        )
    return errors


def _reschedulable(hearing: Hearing) -> None:
    if hearing.status == HearingStatus.HELD:
        raise ValidationError(
            _("Una audiencia realizada no se reprograma: programa una audiencia nueva.")
        )
    if chain_of(hearing=hearing)[1] is not None:
        raise ValidationError(_("Esta audiencia ya fue reprogramada."))


def hearing_reschedule(
    *,
    membership: Membership,
    case: Case,
    proceeding: Proceeding,
    hearing: Hearing,
    starts_at: dt.datetime,
    suspension_reason: str = "",
) -> Hearing:
    """Set a new date for a suspended or cancelled hearing: a new hearing (same type, court,
    companions and attendance) that records which one it replaces. A hearing still scheduled
    is first marked suspended, with `suspension_reason`. Returns the new hearing."""
    gate(membership, case)
    _check_belongs(case, proceeding, hearing)
    _check_open(case)
    _reschedulable(hearing)
    if hearing.status != HearingStatus.SCHEDULED:
        suspension_reason = ""  # the reason recorded with its outcome stands
    if errors := _reschedule_errors(case, proceeding, hearing, starts_at, suspension_reason):
        raise ValidationError(errors)
    # Whoever has left the organisation since does not come along to the new date.
    companions = [u for u in hearing.companions.all() if is_companion_candidate(u, case)]
    with transaction.atomic():
        current = hearing_lock(hearing=hearing)
        if current.status != hearing.status:
            raise ValidationError(_("La audiencia cambió mientras tanto: vuelve a intentarlo."))
        _reschedulable(current)
        if hearing.status == HearingStatus.SCHEDULED:
            _set_outcome(
                membership, case, proceeding, hearing, HearingStatus.SUSPENDED, suspension_reason
            )
        new = Hearing(
            proceeding=proceeding,
            organisation_id=case.organisation_id,
            type=hearing.type,
            starts_at=starts_at,
            court=hearing.court,
            survivor_must_attend=hearing.survivor_must_attend,
            remind_survivor=hearing.remind_survivor,
            rescheduled_from=hearing,
            created_by_id=membership.user_id,
        )
        new.save()
        new.companions.set(companions)
        _audit(membership, Action.CREATE, new, [*FIELDS, "rescheduled_from"])
        reason: dict[str, Any] = (
            {"reason": hearing.suspension_reason} if hearing.suspension_reason else {}
        )
        _timeline(
            case, membership, proceeding, new, "hearing_rescheduled", previous=hearing.pk, **reason
        )
    return new
