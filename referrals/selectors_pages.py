"""Reads behind the referral pages.

The referred case (`referred_*`): `referral` comes from `referrals.selectors.referred_case_get`
and each function is called only for a category `access.policy.can_read_referred` allowed (see
`referrals.services_reads`). The lookups by id turn what a form posted into rows; the services
decide whether those rows are allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import User
from cases.models import Incident, Note, Sensitivity
from cases.selectors import incident_list
from organisations.models import Organisation
from referrals.models import Referral


def organisation_by_id(*, organisation_id: int) -> Organisation | None:
    return Organisation.objects.filter(pk=organisation_id).first()


def users_by_id(*, user_ids: Iterable[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=set(user_ids))}


def referred_incidents(*, referral: Referral) -> QuerySet[Incident]:
    return incident_list(case=referral.case)


def referred_notes(*, referral: Referral) -> QuerySet[Note]:
    """Only the notes anyone who sees the case may read: never team or discipline notes."""
    return Note.objects.filter(case=referral.case, sensitivity=Sensitivity.NORMAL).select_related(
        "author", "case__survivor__data_key"
    )
