"""Reads for the deadline alert job and for a member's alerts.

The job (`proceedings.alerts.alerts_raise`) works for every organisation at once, with no
member acting: its reads are here, limited to open cases of active organisations. What a
member sees of the result goes through `proceedings.selectors.alerts_for`, which starts from
the cases she may open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from access.policy import IDENTITY_ROLES
from cases.models import CaseMember, CaseStatus
from organisations.models import Membership, Role
from proceedings.models import (
    Deadline,
    DeadlineAlert,
    DeadlineState,
    MeasureStatus,
    ProtectionMeasure,
)
from proceedings.selectors import alerts_for


def deadlines_to_alert(*, until: dt.datetime) -> QuerySet[Deadline]:
    """Running deadlines due by `until` (now plus the longest lead time), of open cases."""
    return (
        Deadline.objects.filter(
            state=DeadlineState.RUNNING,
            due_at__lte=until,
            organisation__is_active=True,
        )
        .exclude(proceeding__case__status=CaseStatus.CLOSED)
        .select_related(
            "proceeding__case__survivor__data_key",
            "proceeding__department__jurisdiction",
        )
        .order_by("due_at", "pk")
    )


def alert_keys(*, deadline_ids: Iterable[int]) -> set[tuple[int, int, dt.timedelta]]:
    """(deadline, user, lead) of the alerts already written for these deadlines."""
    return set(
        DeadlineAlert.objects.filter(deadline_id__in=list(deadline_ids)).values_list(
            "deadline_id", "user_id", "lead"
        )
    )


def casework_roles(*, organisation_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """organisation id -> {user id: role} of the active members who work cases."""
    rows = Membership.objects.filter(
        organisation_id__in=list(organisation_ids),
        organisation__is_active=True,
        is_active=True,
        user__is_active=True,
        role__in=IDENTITY_ROLES,
    ).values_list("organisation_id", "user_id", "role")
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for organisation_id, user_id, role in rows:
        found[organisation_id][user_id] = role
    return found


def supervisors_of(roles: dict[int, str]) -> set[int]:
    return {user_id for user_id, role in roles.items() if role == Role.SUPERVISOR}


def team_user_ids(*, case_ids: Iterable[int]) -> dict[int, set[int]]:
    """case id -> the users on its team now."""
    rows = CaseMember.objects.filter(
        case_id__in=list(case_ids), removed_at__isnull=True
    ).values_list("case_id", "user_id")
    found: dict[int, set[int]] = defaultdict(set)
    for case_id, user_id in rows:
        found[case_id].add(user_id)
    return found


def measures_to_alert(*, until: dt.date) -> QuerySet[ProtectionMeasure]:
    """Granted measures, still in force, that expire by `until` and were not alerted yet."""
    return (
        ProtectionMeasure.objects.filter(
            status=MeasureStatus.GRANTED,
            expires_on__isnull=False,
            expires_on__lte=until,
            ended_on__isnull=True,
            expiry_alerted_at__isnull=True,
            organisation__is_active=True,
        )
        .exclude(proceeding__case__status=CaseStatus.CLOSED)
        .select_related("proceeding__case__survivor__data_key")
        .order_by("expires_on", "pk")
    )


def my_alerts(*, membership: Membership | None) -> QuerySet[DeadlineAlert]:
    """A member's unseen alerts, most urgent deadline first, with what a list row shows."""
    return (
        alerts_for(membership=membership)
        .select_related("deadline__proceeding__department__jurisdiction")
        .order_by("deadline__due_at", "lead", "pk")
    )


def my_alert_get(*, membership: Membership | None, alert_id: int) -> DeadlineAlert:
    """One of the member's own alerts; anyone else's is 404, like a missing one."""
    alert = alerts_for(membership=membership, unseen_only=False).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


def earlier_unseen(*, membership: Membership, alert: DeadlineAlert) -> QuerySet[DeadlineAlert]:
    """The member's unseen alerts for the same deadline at this lead time or an earlier one."""
    return alerts_for(membership=membership).filter(
        deadline_id=alert.deadline_id, lead__gte=alert.lead
    )
