"""The only way code obtains survivors: through the access gate."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from access.policy import Capability, has_capability
from organisations.models import Membership
from survivors.models import Survivor


def survivor_visible_to(*, membership: Membership | None) -> QuerySet[Survivor]:
    if membership is None or not has_capability(membership, Capability.SEE_SURVIVORS):
        return Survivor.objects.none()
    return Survivor.objects.filter(organisation_id=membership.organisation_id)


def survivor_get_for_user(*, membership: Membership | None, code: str) -> Survivor:
    survivor = (
        survivor_visible_to(membership=membership)
        .select_related("data_key")
        .filter(code=code)
        .first()
    )
    if survivor is None:
        raise Http404
    return survivor


def survivor_find_by_document(*, document_index: str) -> QuerySet[Survivor]:
    """Network-wide exact match on the blind index: callers learn only that a match exists."""
    return Survivor.objects.filter(document_index=document_index)
