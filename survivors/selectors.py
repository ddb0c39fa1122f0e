"""Reads of survivor records: through the access gate only.

A survivor is visible through a case the member can see (cases.selectors); duplicate detection
looks across the network but answers only *which organisation* holds a match.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from organisations.models import Membership, Organisation
from survivors.models import Consent, MatchNotice, Survivor


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
