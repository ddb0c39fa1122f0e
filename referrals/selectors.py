"""Reads of referrals, from both sides.

The referring organisation reads the referrals of a case it may open (`case` obtained through
`cases.selectors.case_get_for_user`). The receiving organisation reads its inbox, and its
assigned people read the referred case through `referred_case_get`, which asks the access gate
(`access.policy.can_read_referred`) on every request. Missing and forbidden are both 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.policy import (
    Capability,
    can_read_referred,
    has_capability,
    may_decide_referrals,
)
from audit.models import Action, AuditEvent
from cases.models import Case, Note, Sensitivity
from organisations.models import Membership, Organisation
from referrals.models import Referral, Status
from survivors.models import Consent, ConsentPurpose


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "case__survivor__data_key",
        "from_organisation",
        "to_organisation",
        "consent",
        "requested_by",
        "decided_by",
        "ended_by",
    )


def referral_list_for_case(*, case: Case) -> QuerySet[Referral]:
    """Referrals the case's organisation made (for the referring side)."""
    return _referrals().filter(case=case).prefetch_related("assignees")


def referral_get_for_case(*, case: Case, referral_id: int) -> Referral:
    referral = referral_list_for_case(case=case).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def lock(*, referral: Referral) -> None:
    """Serialise decisions on one referral (a no-op on SQLite)."""
    Referral.objects.select_for_update().filter(pk=referral.pk).values_list("pk").first()


def inbox(*, membership: Membership | None) -> QuerySet[Referral]:
    """Referrals made to the member's organisation: all of them for its coordinators and
    supervisors (who decide), the accepted ones assigned to her for everyone else."""
    if membership is None or not has_capability(membership, Capability.SEE_SURVIVORS):
        return Referral.objects.none()
    referrals = _referrals().filter(to_organisation_id=membership.organisation_id)
    if not may_decide_referrals(membership):
        referrals = referrals.filter(assignees__id=membership.user_id, status=Status.ACCEPTED)
    return referrals.prefetch_related("assignees").distinct()


def incoming_get(*, membership: Membership | None, referral_id: int) -> Referral:
    """One referral of the inbox."""
    referral = inbox(membership=membership).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def referred_case_get(
    *, membership: Membership | None, referral_id: int, category: str = ""
) -> Referral:
    """The referral through which the member reads a referred case (with `case`), or 404 —
    also when the referral expired, ended, was revoked, lost its consent, or does not cover
    `category`."""
    referral = _referrals().filter(pk=referral_id).first()
    if referral is None or not can_read_referred(membership, referral, category):
        raise Http404
    return referral


def sharing_consent_for(*, case: Case, recipient: Organisation) -> Consent | None:
    """The survivor's active consent to share with `recipient` (the latest recorded)."""
    consents = Consent.objects.filter(
        survivor_id=case.survivor_id,
        purpose=ConsentPurpose.SHARING,
        recipient=recipient,
        withdrawn_at__isnull=True,
    ).order_by("-recorded_at", "-pk")
    return next((c for c in consents if c.is_active()), None)


def open_referral_exists(*, case: Case, to_organisation: Organisation, purpose: str) -> bool:
    """A pending or accepted referral still in force (an expired one is renewed by a new
    referral, as the receiving side is told when it can no longer accept it)."""
    return Referral.objects.filter(
        case=case,
        to_organisation=to_organisation,
        purpose=purpose,
        status__in=[Status.PENDING, Status.ACCEPTED],
        expires_on__gte=timezone.localdate(),
    ).exists()


def reads_of(*, referral: Referral) -> QuerySet[AuditEvent]:
    """What the receiving organisation read through this referral, for the referring side
    (audit events written in the referring organisation's trail)."""
    return AuditEvent.objects.filter(
        Q(object_type="referrals.referral", object_id=str(referral.pk)),
        organisation_id=referral.from_organisation_id,
        action=Action.VIEW,
    ).order_by("-at", "-pk")


def referred_notes(*, referral: Referral) -> QuerySet[Note]:
    """The notes a referral may show: those anyone who can open the case may read (never the
    team-only or discipline-confidential ones). The caller passed `referred_case_get` for
    the `notes` category."""
    return Note.objects.filter(
        case_id=referral.case_id, sensitivity=Sensitivity.NORMAL
    ).select_related("author", "case__survivor__data_key")
