"""Reads of encrypted proceeding data that are recorded in the audit trail: opening a
proceeding (its NUREJ and prosecutor's case number decrypt) and revealing an accused person's
name. Field names only, never values."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404

from audit.models import Action
from audit.services import audit_record
from cases.models import Case
from organisations.models import Membership
from proceedings.models import Accused, Proceeding
from proceedings.services import gate

IDENTIFIERS = ["nurej", "prosecutor_number"]


def proceeding_view_record(*, membership: Membership, case: Case, proceeding: Proceeding) -> None:
    gate(membership, case)
    if proceeding.case_id != case.pk:
        raise Http404
    audit_record(action=Action.VIEW, obj=proceeding, fields=IDENTIFIERS)


def accused_reveal(
    *, membership: Membership, case: Case, proceeding: Proceeding, accused: Accused
) -> str:
    """The accused person's name (empty when none was recorded), audited as a reveal."""
    gate(membership, case)
    if proceeding.case_id != case.pk or accused.proceeding_id != proceeding.pk:
        raise Http404
    with transaction.atomic():
        audit_record(action=Action.REVEAL, obj=accused, fields=["name"])
    return accused.name or ""
