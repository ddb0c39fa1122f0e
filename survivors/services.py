"""Writes to survivor records, each audited in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404

from access.policy import Capability, require_capability
from audit.models import Action
from audit.services import audit_record
from crypto.keys import blind_index
from crypto.models import DataKey
from organisations.models import Membership
from survivors.models import Survivor


def survivor_register(
    *, membership: Membership, code: str, full_name: str = "", document_number: str = ""
) -> Survivor:
    require_capability(membership, Capability.SEE_SURVIVORS)
    with transaction.atomic():
        data_key = DataKey.generate()
        data_key.save()
        survivor = Survivor(
            organisation_id=membership.organisation_id,
            code=code,
            data_key=data_key,
            full_name=full_name,
            document_number=document_number,
            document_index=(
                blind_index(document_number, purpose="document") if document_number else ""
            ),
        )
        survivor.save()
        touched = [name for name in Survivor.IDENTITY_FIELDS if getattr(survivor, name)]
        audit_record(action=Action.CREATE, obj=survivor, fields=["code", *touched])
    return survivor


def survivor_reveal_identity(*, membership: Membership, survivor: Survivor) -> dict[str, str]:
    """Decrypt a survivor's identity for someone entitled to it, and say so in the trail."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    if survivor.organisation_id != membership.organisation_id:
        raise Http404
    with transaction.atomic():
        audit_record(action=Action.REVEAL, obj=survivor, fields=list(Survivor.IDENTITY_FIELDS))
        return {name: getattr(survivor, name) or "" for name in Survivor.IDENTITY_FIELDS}


def survivor_forget(*, membership: Membership, survivor: Survivor) -> None:
    """Destroy her data key: her identity becomes unreadable everywhere, for good."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    with transaction.atomic():
        survivor.data_key.destroy()
        audit_record(action=Action.DELETE, obj=survivor, fields=list(Survivor.IDENTITY_FIELDS))
