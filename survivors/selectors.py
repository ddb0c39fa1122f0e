"""Reads of survivor records: through the access gate only.

A survivor is visible through a case the member can see (cases.selectors); duplicate detection
looks across the network but answers only *which organisation* holds a match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from organisations.models import Membership, Organisation
from survivors.models import Consent, ErasureRequest, MatchNotice, RetentionRule, Survivor


@dataclass(frozen=True)
class PossibleMatch:
    """All that another organisation's user may learn about a match."""

    organisation: Organisation
    same_organisation: bool
    matched_on: tuple[str, ...]
    survivor_id: int  # used by services only; never rendered to the requester


def survivor_matches(*, membership: Membership, indexes: dict[str, str]) -> list[PossibleMatch]:
    """Survivors anywhere in the network whose blind indexes equal the given ones.

    `indexes` maps index names (document_index, phone_index, name_dob_index) to values;
    empty values are ignored. Erased identities no longer match (their indexes are cleared).
    """
    found: dict[int, PossibleMatch] = {}
    for name, value in indexes.items():
        if not value:
            continue
        for survivor in Survivor.objects.filter(**{name: value}).select_related("organisation"):
            current = found.get(survivor.pk)
            matched = (*current.matched_on, name) if current else (name,)
            found[survivor.pk] = PossibleMatch(
                organisation=survivor.organisation,
                same_organisation=survivor.organisation_id == membership.organisation_id,
                matched_on=matched,
                survivor_id=survivor.pk,
            )
    return list(found.values())


def consent_list(*, survivor: Survivor) -> QuerySet[Consent]:
    """`survivor` comes from a case the member was allowed to open."""
    return Consent.objects.filter(survivor=survivor).select_related(
        "recipient", "recorded_by", "withdrawn_by"
    )


def active_consents(*, survivor: Survivor, purpose: str) -> list[Consent]:
    return [c for c in consent_list(survivor=survivor).filter(purpose=purpose) if c.is_active()]


def match_notices_for(*, membership: Membership | None) -> QuerySet[MatchNotice]:
    """Notices for the holding organisation's coordinators: which of their survivors."""
    from access.policy import sees_whole_caseload

    if not sees_whole_caseload(membership):
        return MatchNotice.objects.none()
    assert membership is not None  # noqa: S101 - narrowed by sees_whole_caseload
    return MatchNotice.objects.filter(
        holder_id=membership.organisation_id, state=MatchNotice.State.OPEN
    ).select_related("survivor", "requester")


def survivor_by_id(*, survivor_id: int) -> Survivor:
    """For services that already passed the gate (e.g. matching) and must lock or link."""
    return Survivor.objects.select_related("organisation").get(pk=survivor_id)


def survivors_of_organisation(*, organisation_id: int) -> QuerySet[Survivor]:
    """For bulk work of the organisation itself (retention, synthetic data)."""
    return Survivor.objects.filter(organisation_id=organisation_id)


def erasure_requests_pending(*, membership: Membership | None) -> QuerySet[ErasureRequest]:
    """Pending erasure requests of the organisation, for its coordinators."""
    from access.policy import sees_whole_caseload

    if not sees_whole_caseload(membership):
        return ErasureRequest.objects.none()
    assert membership is not None  # noqa: S101 - narrowed by sees_whole_caseload
    return ErasureRequest.objects.filter(
        organisation_id=membership.organisation_id,
        confirmed_at__isnull=True,
        cancelled_at__isnull=True,
    ).select_related("survivor__data_key", "requested_by")


def erasure_request_get(*, membership: Membership | None, request_id: int) -> ErasureRequest:
    from django.http import Http404

    request = erasure_requests_pending(membership=membership).filter(pk=request_id).first()
    if request is None:
        raise Http404
    return request


def has_pending_erasure(*, survivor: Survivor) -> bool:
    return ErasureRequest.objects.filter(
        survivor=survivor, confirmed_at__isnull=True, cancelled_at__isnull=True
    ).exists()


def survivors_due_for_retention(*, organisation_id: int, cutoff: date) -> QuerySet[Survivor]:
    """Identity not erased, every case closed, the last closure before `cutoff`."""
    from django.db.models import Exists, Max, OuterRef

    from cases.models import Case, CaseStatus

    open_cases = Case.objects.filter(survivor=OuterRef("pk")).exclude(status=CaseStatus.CLOSED)
    return (
        Survivor.objects.filter(organisation_id=organisation_id, identity_erased_at=None)
        .annotate(last_closed=Max("cases__closed_on"))
        .filter(last_closed__lt=cutoff)
        .exclude(Exists(open_cases))
        .select_related("data_key")
    )


def survivors_with_data_keys(*, data_key_ids: list[int]) -> QuerySet[Survivor]:
    """For re-applying the erasure ledger after a restore (key management, not a read)."""
    return Survivor.objects.filter(data_key_id__in=data_key_ids).select_related("data_key")


def retention_rule_for(*, membership: Membership | None) -> RetentionRule | None:
    from access.policy import Capability, require_capability

    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    return RetentionRule.objects.filter(organisation_id=admin.organisation_id).first()


def consent_get(*, survivor: Survivor, consent_id: int) -> Consent:
    """One consent of `survivor` (from a case the member was allowed to open); 404 otherwise."""
    from django.http import Http404

    consent = consent_list(survivor=survivor).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent


def identity_recorded(*, survivor: Survivor) -> bool:
    """Whether any identity field holds a value, told from the stored tokens without
    decrypting (an empty field is stored empty)."""
    return any(survivor.__dict__.get(name) for name in Survivor.IDENTITY_FIELDS)


def match_notice_get_for_user(*, membership: Membership | None, notice_id: int) -> MatchNotice:
    """A notice held by the member's organisation, for its coordinators and supervisors."""
    from django.http import Http404

    from access.policy import sees_whole_caseload

    if not sees_whole_caseload(membership):
        raise Http404
    assert membership is not None  # noqa: S101 - narrowed by sees_whole_caseload
    notice = (
        MatchNotice.objects.filter(holder_id=membership.organisation_id, pk=notice_id)
        .select_related("survivor", "requester")
        .first()
    )
    if notice is None:
        raise Http404
    return notice
