"""Erasure ("forget this survivor") and retention.

Erasing destroys her data key: every field encrypted with it (identity, and the notes, tasks,
safety steps and code word of her cases) becomes unreadable for good, and her blind indexes are
cleared so she no longer matches. What stays is de-identified: age band, sex, municipality,
incidents, procedural facts, timeline and audit lines (which never held values).

Backups: a backup taken before the erasure still holds her wrapped data key. Every erasure is
therefore also appended to the erasure ledger (a file kept outside the database and its backups,
AMPARO_ERASURE_LEDGER); after restoring a backup, `manage.py apply_erasure_ledger` destroys
again every key the ledger lists.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, has_capability, require_capability, sees_whole_caseload
from audit.models import Action
from audit.services import audit_record
from organisations.models import Membership, Role
from survivors.models import ErasureReason, ErasureRequest, RetentionRule, Survivor
from survivors.selectors import (
    has_pending_erasure,
    survivors_due_for_retention,
    survivors_with_data_keys,
)


def _require_coordinator(membership: Membership | None) -> Membership:
    member = require_capability(membership, Capability.SEE_SURVIVORS)
    if member.role != Role.COORDINATOR or not sees_whole_caseload(member):
        raise Http404
    return member


def erasure_request(
    *, membership: Membership | None, survivor: Survivor, reason: str
) -> ErasureRequest:
    coordinator = _require_coordinator(membership)
    if survivor.organisation_id != coordinator.organisation_id:
        raise Http404
    if reason not in ErasureReason.values:
        raise ValidationError({"reason": _("Indica el motivo.")})
    if survivor.identity_erased_at:
        raise ValidationError(_("Su identidad ya fue borrada."))
    if has_pending_erasure(survivor=survivor):
        raise ValidationError(_("Ya hay un pedido de borrado pendiente para esta persona."))
    with transaction.atomic():
        request = ErasureRequest(
            survivor=survivor,
            organisation_id=coordinator.organisation_id,
            reason=reason,
            requested_by_id=coordinator.user_id,
        )
        request.save()
        audit_record(action=Action.CREATE, obj=request, fields=["reason"])
    return request


def erasure_cancel(*, membership: Membership | None, request: ErasureRequest) -> None:
    coordinator = _require_coordinator(membership)
    if request.organisation_id != coordinator.organisation_id:
        raise Http404
    if not request.is_pending:
        raise ValidationError(_("Este pedido ya no está pendiente."))
    with transaction.atomic():
        request.cancelled_at = timezone.now()
        request.save(update_fields=["cancelled_at"])
        audit_record(action=Action.UPDATE, obj=request, fields=["cancelled_at"])


def erasure_confirm(*, membership: Membership | None, request: ErasureRequest) -> None:
    """A second coordinator confirms: her identity is destroyed now."""
    coordinator = _require_coordinator(membership)
    if request.organisation_id != coordinator.organisation_id:
        raise Http404
    if not request.is_pending:
        raise ValidationError(_("Este pedido ya no está pendiente."))
    if request.requested_by_id == coordinator.user_id:
        raise ValidationError(_("Otra coordinadora debe confirmar el borrado."))
    with transaction.atomic():
        request.confirmed_at = timezone.now()
        request.confirmed_by_id = coordinator.user_id
        request.save(update_fields=["confirmed_at", "confirmed_by"])
        survivor_erase(survivor=request.survivor, actor_id=coordinator.user_id)


def survivor_erase(*, survivor: Survivor, actor_id: int | None, record: bool = True) -> None:
    """Destroy her data key and blind indexes. Call inside the caller's transaction.
    `record=False` when re-applying the ledger (the erasure is already recorded)."""
    if survivor.data_key.destroyed_at is None:
        survivor.data_key.destroy()
    survivor.document_index = survivor.phone_index = survivor.name_dob_index = ""
    survivor.identity_erased_at = timezone.now()
    survivor.save(
        update_fields=["document_index", "phone_index", "name_dob_index", "identity_erased_at"]
    )
    audit_record(
        action=Action.DELETE,
        obj=survivor,
        fields=list(Survivor.IDENTITY_FIELDS),
        actor_id=actor_id,
        organisation_id=survivor.organisation_id,
    )
    if record:
        entry = {
            "survivor_id": survivor.pk,
            "code": survivor.code,
            "data_key_id": survivor.data_key_id,
        }
        transaction.on_commit(lambda: _ledger_append(entry))


def ledger_path() -> Path:
    return Path(settings.AMPARO_ERASURE_LEDGER)


def _ledger_append(entry: dict[str, object]) -> None:
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {**entry, "erased_at": timezone.now().isoformat()}
    with path.open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(stamped) + "\n")


def ledger_apply() -> int:
    """Erase again everyone the ledger lists (after restoring a backup). Returns how many
    identities were readable again and are now erased."""
    path = ledger_path()
    if not path.exists():
        return 0
    key_ids = [json.loads(line)["data_key_id"] for line in path.read_text().splitlines() if line]
    redone = 0
    with transaction.atomic():
        for survivor in survivors_with_data_keys(data_key_ids=key_ids):
            if survivor.data_key.destroyed_at is None or survivor.identity_erased_at is None:
                survivor_erase(survivor=survivor, actor_id=None, record=False)
                redone += 1
    return redone


def retention_rule_set(*, membership: Membership | None, years: int | None) -> RetentionRule:
    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    if years is not None and not 1 <= years <= 100:
        raise ValidationError({"years": _("Indica entre 1 y 100 años, o déjalo vacío.")})
    with transaction.atomic():
        rule, _created = RetentionRule.objects.get_or_create(organisation_id=admin.organisation_id)
        rule.erase_identity_after_years = years
        rule.updated_at = timezone.now()
        rule.updated_by_id = admin.user_id
        rule.save()
        audit_record(action=Action.UPDATE, obj=rule, fields=["erase_identity_after_years"])
    return rule


def retention_due(*, today: date | None = None) -> list[Survivor]:
    """Survivors whose organisation's rule says their identity must go now."""
    today = today or timezone.localdate()
    due: list[Survivor] = []
    for rule in RetentionRule.objects.filter(erase_identity_after_years__isnull=False):
        years = rule.erase_identity_after_years or 0
        cutoff = today - timedelta(days=round(365.25 * years))
        due.extend(survivors_due_for_retention(organisation_id=rule.organisation_id, cutoff=cutoff))
    return due


def retention_apply(*, today: date | None = None) -> int:
    erased = 0
    for survivor in retention_due(today=today):
        with transaction.atomic():
            survivor_erase(survivor=survivor, actor_id=None)
            erased += 1
    return erased


def can_request_erasure(membership: Membership | None) -> bool:
    return (
        membership is not None
        and has_capability(membership, Capability.SEE_SURVIVORS)
        and membership.role == Role.COORDINATOR
    )
