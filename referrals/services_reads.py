"""What the receiving organisation's assigned people read of a referred case, and the record
of each read.

Every category is shown only when `access.policy.can_read_referred` allows it at this request,
and each one shown is recorded in both organisations' trails (`services.read_record`), so the
referring organisation sees every read on the referral's page. Identity stays hidden until she
asks to reveal it, which is a read of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils.translation import get_language

from access.policy import can_read_referred
from cases.models import Incident, Note
from organisations.models import Membership
from proceedings.display import SummaryRow, hearing_label, summary_rows
from proceedings.models import Hearing
from proceedings.selectors import hearing_list, procedure_for
from proceedings.selectors_case import proceeding_summaries
from referrals.display import CATEGORY_ORDER
from referrals.models import Referral
from referrals.selectors_pages import referred_incidents, referred_notes
from referrals.services import read_record
from survivors.models import SharedCategory, Survivor


@dataclass(frozen=True)
class HearingLine:
    hearing: Hearing
    name: str


@dataclass(frozen=True)
class ProceedingRead:
    summary: SummaryRow
    hearings: list[HearingLine]


@dataclass(frozen=True)
class ReferredCase:
    """The consented categories; `None` for a category not shared (absent from the page)."""

    referral: Referral
    incidents: list[Incident] | None
    proceedings: list[ProceedingRead] | None
    notes: list[Note] | None
    identity_shared: bool


def _readable(membership: Membership, referral: Referral) -> list[str]:
    return [c for c in CATEGORY_ORDER if can_read_referred(membership, referral, c)]


def _proceedings(referral: Referral) -> list[ProceedingRead]:
    language = get_language()
    reads = []
    for row in summary_rows(proceeding_summaries(case=referral.case), language):
        procedure = procedure_for(row.proceeding)
        hearings = hearing_list(proceeding=row.proceeding).order_by("starts_at", "pk")
        lines = [HearingLine(h, hearing_label(procedure, h.type, language)) for h in hearings]
        reads.append(ProceedingRead(row, lines))
    return reads


def referred_case_read(*, membership: Membership, referral: Referral) -> ReferredCase:
    """The categories of the referred case she may read now; each one is a recorded read."""
    allowed = _readable(membership, referral)
    if not allowed:
        raise Http404
    shown = [c for c in allowed if c != SharedCategory.IDENTITY]
    incidents = proceedings = notes = None
    if SharedCategory.INCIDENTS in shown:
        incidents = list(referred_incidents(referral=referral))
    if SharedCategory.PROCEEDINGS in shown:
        proceedings = _proceedings(referral)
    if SharedCategory.NOTES in shown:
        notes = list(referred_notes(referral=referral))
    with transaction.atomic():
        for category in shown:
            read_record(membership=membership, referral=referral, category=category)
    return ReferredCase(
        referral=referral,
        incidents=incidents,
        proceedings=proceedings,
        notes=notes,
        identity_shared=SharedCategory.IDENTITY in allowed,
    )


def referred_identity_reveal(*, membership: Membership, referral: Referral) -> dict[str, str]:
    """Decrypt her identity for an assigned person of the receiving organisation, if she
    consented to share it; the read is recorded in both trails."""
    if not can_read_referred(membership, referral, SharedCategory.IDENTITY):
        raise Http404
    survivor = referral.case.survivor
    with transaction.atomic():
        read_record(membership=membership, referral=referral, category=SharedCategory.IDENTITY)
    if survivor.identity_erased_at:
        return dict.fromkeys(Survivor.IDENTITY_FIELDS, "")
    return {name: getattr(survivor, name) or "" for name in Survivor.IDENTITY_FIELDS}
