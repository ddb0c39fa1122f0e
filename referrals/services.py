"""Writes to referrals. Each service checks who may act, refuses bad input with
ValidationError before anything is written, and writes the row, the referring case's timeline
line and the audit event in one transaction.

- The referring side (the case's lead, coordinators and supervisors: `can_manage_case`) refers
  and revokes; the receiving side's coordinators and supervisors accept (assigning people) or
  decline with a reason; either side marks an accepted referral completed.
- Reads by the receiving side are recorded in both organisations' trails (`read_record`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import (
    Capability,
    can_manage_case,
    has_capability,
    may_decide_referrals,
    membership_for,
)
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, EventKind
from cases.services import case_note_event
from organisations.models import Membership, Organisation
from referrals.models import DeclineReason, Purpose, Referral, Status
from referrals.selectors import lock, open_referral_exists, sharing_consent_for
from survivors.models import SharedCategory

MAX_DAYS = 366
EXTERNAL_MAX = 200

# The case timeline has no kind of its own for referrals; lines carry data["referral"].
REFERRAL_EVENT = EventKind.STATUS


def _timeline(referral: Referral, actor_id: int, what: str, **data: object) -> None:
    case_note_event(
        case=referral.case,
        kind=REFERRAL_EVENT,
        actor_id=actor_id,
        obj=referral,
        referral=referral.pk,
        what=what,
        **data,
    )


def referral_create(
    *,
    membership: Membership,
    case: Case,
    purpose: str,
    expires_on: dt.date | None,
    to_organisation: Organisation | None = None,
    external_service: str = "",
    categories: Sequence[str] = (),
) -> Referral:
    """Refer the case to another organisation of the network (sharing only what she
    consented to share with it), or record a referral to an outside service."""
    if not can_manage_case(membership, case):
        raise Http404
    today = timezone.localdate()
    external_service = external_service.strip()
    wanted = sorted(set(categories))
    errors: dict[str, str] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = _("Elige para qué se deriva.")
    if expires_on is None:
        errors["expires_on"] = _("Indica hasta cuándo vale la derivación.")
    elif expires_on <= today:
        errors["expires_on"] = _("La fecha de vencimiento debe ser posterior a hoy.")
    elif expires_on > today + dt.timedelta(days=MAX_DAYS):
        errors["expires_on"] = _("Una derivación vale como máximo un año; renuévala después.")
    if any(c not in SharedCategory.values for c in wanted):
        errors["categories"] = _("Categoría desconocida.")
    if not case.is_open:
        errors["case"] = _("El caso está cerrado: reábrelo para derivarlo.")
    consent = None
    if to_organisation is not None and external_service:
        errors["to_organisation"] = _(
            "Elige una organización de la red o un servicio externo, no ambos."
        )
    elif to_organisation is None and not external_service:
        errors["to_organisation"] = _("Elige a quién se deriva.")
    elif to_organisation is not None:
        if "categories" in errors:
            pass  # an unknown category: nothing to compare with her consent
        elif to_organisation.pk == case.organisation_id:
            errors["to_organisation"] = _("Un caso no se deriva a la propia organización.")
        elif not to_organisation.is_active:
            errors["to_organisation"] = _("Esa organización no está activa.")
        elif not wanted:
            errors["categories"] = _("Elige qué partes del caso se comparten.")
        else:
            consent = sharing_consent_for(case=case, recipient=to_organisation)
            if consent is None:
                errors["categories"] = _(
                    "La sobreviviente no dio su consentimiento para compartir su caso con "
                    "esa organización. Regístralo primero."
                )
            elif not set(wanted) <= set(consent.categories):
                errors["categories"] = _(
                    "Solo se puede compartir lo que ella aceptó: %(allowed)s."
                ) % {
                    "allowed": ", ".join(
                        str(SharedCategory(c).label) for c in sorted(consent.categories)
                    )
                    or "—"
                }
            elif consent.expires_on and expires_on and consent.expires_on < expires_on:
                errors["expires_on"] = _(
                    "Su consentimiento vence el %(day)s: la derivación no puede durar más."
                ) % {"day": consent.expires_on.strftime("%d/%m/%Y")}
            elif open_referral_exists(case=case, to_organisation=to_organisation, purpose=purpose):
                errors["to_organisation"] = _(
                    "Ya hay una derivación abierta a esa organización para lo mismo."
                )
    else:  # an outside service: recorded, grants nothing
        if len(external_service) > EXTERNAL_MAX:
            errors["external_service"] = _("El nombre es demasiado largo.")
        if wanted:
            errors["categories"] = _(
                "Una derivación a un servicio externo no da acceso a nada en Amparo."
            )
    if errors or expires_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = Referral(
            case=case,
            from_organisation_id=case.organisation_id,
            to_organisation=to_organisation,
            external_service=external_service,
            purpose=purpose,
            categories=wanted,
            consent=consent,
            expires_on=expires_on,
            status=Status.PENDING if to_organisation else Status.RECORDED,
            requested_by_id=membership.user_id,
        )
        referral.save()
        audit_record(
            action=Action.CREATE,
            obj=referral,
            fields=["purpose", "to_organisation", "expires_on", *[f"category:{c}" for c in wanted]],
            **_by(membership),
        )
        _timeline(referral, membership.user_id, "referred", purpose=purpose)
    return referral


def _by(membership: Membership) -> dict[str, Any]:
    """Who acted and in whose trail: the acting membership itself, not whatever the request
    context holds (empty outside a request: a task, the shell)."""
    return {"actor_id": membership.user_id, "organisation_id": membership.organisation_id}


def _in_referring_trail(membership: Membership, referral: Referral) -> dict[str, Any]:
    return {"actor_id": membership.user_id, "organisation_id": referral.from_organisation_id}


def _decider(membership: Membership, referral: Referral) -> None:
    if referral.to_organisation_id != membership.organisation_id or not may_decide_referrals(
        membership
    ):
        raise Http404


def _assignees_errors(membership: Membership, assignees: Sequence[object]) -> dict[str, str]:
    if not assignees:
        return {"assignees": _("Asigna al menos una persona que atenderá el caso.")}
    for user in assignees:
        member = membership_for(user, membership.organisation_id)  # type: ignore[arg-type]
        if member is None or not has_capability(member, Capability.SEE_SURVIVORS):
            return {
                "assignees": _("Asigna personas activas de tu organización que trabajan casos.")
            }
    return {}


def referral_accept(
    *, membership: Membership, referral: Referral, assignees: Sequence[object]
) -> Referral:
    """Accept a referral made to the member's organisation; the assigned people may read
    the consented categories from their next request."""
    _decider(membership, referral)
    with transaction.atomic():
        lock(referral=referral)
        # As they are now, not as the page that sent the answer read them: she may have
        # withdrawn her consent, or the referring side revoked or shortened the referral.
        referral.refresh_from_db(fields=["status", "expires_on", "consent"])
        if referral.consent is not None:
            referral.consent.refresh_from_db(fields=["withdrawn_at", "expires_on"])
        errors: dict[str, str] = {}
        if referral.status != Status.PENDING:
            errors["status"] = _("Esta derivación ya fue respondida o cerrada.")
        elif referral.is_expired():
            errors["status"] = _(
                "Esta derivación venció: la organización que deriva debe renovarla."
            )
        elif referral.consent is None or not referral.consent.is_active():
            errors["status"] = _(
                "El consentimiento de la sobreviviente ya no está vigente: no se puede aceptar."
            )
        errors |= _assignees_errors(membership, assignees)
        if errors:
            raise ValidationError(errors)
        referral.status = Status.ACCEPTED
        referral.decided_by_id = membership.user_id
        referral.decided_at = timezone.now()
        referral.save(update_fields=["status", "decided_by", "decided_at"])
        referral.assignees.set(assignees)
        audit_record(
            action=Action.UPDATE, obj=referral, fields=["status", "assignees"], **_by(membership)
        )
        audit_record(
            action=Action.UPDATE,
            obj=referral,
            fields=["status", "assignees"],
            **_in_referring_trail(membership, referral),
        )
        _timeline(referral, membership.user_id, "accepted")
    return referral


def referral_decline(*, membership: Membership, referral: Referral, reason: str) -> Referral:
    _decider(membership, referral)
    with transaction.atomic():
        lock(referral=referral)
        referral.refresh_from_db(fields=["status"])
        errors: dict[str, str] = {}
        if referral.status != Status.PENDING:
            errors["status"] = _("Esta derivación ya fue respondida o cerrada.")
        if reason not in DeclineReason.values:
            errors["reason"] = _("Elige el motivo.")
        if errors:
            raise ValidationError(errors)
        referral.status = Status.DECLINED
        referral.decline_reason = reason
        referral.decided_by_id = membership.user_id
        referral.decided_at = timezone.now()
        referral.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        audit_record(
            action=Action.UPDATE,
            obj=referral,
            fields=["status", "decline_reason"],
            **_by(membership),
        )
        audit_record(
            action=Action.UPDATE,
            obj=referral,
            fields=["status", "decline_reason"],
            **_in_referring_trail(membership, referral),
        )
        _timeline(referral, membership.user_id, "declined", reason=reason)
    return referral


def _end(membership: Membership, referral: Referral, status: str, allowed: set[str]) -> Referral:
    with transaction.atomic():
        lock(referral=referral)
        referral.refresh_from_db(fields=["status"])
        if referral.status == Status.PENDING and status == Status.COMPLETED:
            raise ValidationError(
                {
                    "status": _(
                        "Solo se concluye una derivación aceptada: si ya no hace falta, revócala."
                    )
                }
            )
        if referral.status not in allowed:
            raise ValidationError({"status": _("Esta derivación ya no está abierta.")})
        referral.status = status
        referral.ended_by_id = membership.user_id
        referral.ended_at = timezone.now()
        referral.save(update_fields=["status", "ended_by", "ended_at"])
        audit_record(action=Action.UPDATE, obj=referral, fields=["status"], **_by(membership))
        if (
            referral.to_organisation_id
            and membership.organisation_id != referral.from_organisation_id
        ):
            audit_record(
                action=Action.UPDATE,
                obj=referral,
                fields=["status"],
                **_in_referring_trail(membership, referral),
            )
        _timeline(referral, membership.user_id, status)
    return referral


def referral_revoke(*, membership: Membership, case: Case, referral: Referral) -> Referral:
    """The referring side withdraws a pending or accepted referral: access ends at once."""
    if not can_manage_case(membership, case) or referral.case_id != case.pk:
        raise Http404
    return _end(membership, referral, Status.REVOKED, {Status.PENDING, Status.ACCEPTED})


def referral_complete(*, membership: Membership, referral: Referral) -> Referral:
    """Either side closes an accepted referral whose work is done: access ends at once."""
    referring = membership.organisation_id == referral.from_organisation_id and can_manage_case(
        membership, referral.case
    )
    receiving = referral.to_organisation_id == membership.organisation_id and may_decide_referrals(
        membership
    )
    if not (referring or receiving):
        raise Http404
    return _end(membership, referral, Status.COMPLETED, {Status.ACCEPTED})


def read_record(*, membership: Membership, referral: Referral, category: str = "") -> None:
    """A read through a referral, in both organisations' trails (the referring one sees every
    read by the other on the referral's page)."""
    fields = [f"category:{category}" if category else "case"]
    with transaction.atomic():
        audit_record(action=Action.VIEW, obj=referral, fields=fields, **_by(membership))
        audit_record(
            action=Action.VIEW,
            obj=referral,
            fields=fields,
            **_in_referring_trail(membership, referral),
        )
