"""Reads of cases and everything in them: always through the access gate.

A case is visible to a member with the SEE_SURVIVORS capability of its organisation when she
coordinates or supervises the caseload, or is on the case team. Missing and forbidden are
both 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.policy import Capability, has_capability, sees_whole_caseload
from cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseStatus,
    Incident,
    Note,
    Sensitivity,
    Task,
    Testimony,
)
from jurisdictions.models import Department
from organisations.models import Membership, Organisation
from survivors.models import Survivor


def _on_team(membership: Membership) -> Exists:
    return Exists(
        CaseMember.objects.filter(
            case=OuterRef("pk"), user_id=membership.user_id, removed_at__isnull=True
        )
    )


def case_visible_to(*, membership: Membership | None) -> QuerySet[Case]:
    if membership is None or not has_capability(membership, Capability.SEE_SURVIVORS):
        return Case.objects.none()
    cases = Case.objects.filter(organisation_id=membership.organisation_id)
    if sees_whole_caseload(membership):
        return cases
    return cases.filter(_on_team(membership))


def case_get_for_user(*, membership: Membership | None, case_id: int) -> Case:
    case = (
        case_visible_to(membership=membership)
        .select_related("survivor__data_key", "survivor__municipality__department", "lead")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def is_on_team(*, membership: Membership, case: Case) -> bool:
    return CaseMember.objects.filter(
        case=case, user_id=membership.user_id, removed_at__isnull=True
    ).exists()


@dataclass(frozen=True)
class CaseFilters:
    code: str = ""
    status: str = ""
    member_id: int | None = None
    department: str = ""
    municipality: str = ""
    offence: str = ""
    risk_level: str | None = None
    age_band: str = ""
    sort: str = "-updated_at"


SORTS = {
    "-updated_at": ("-updated_at", "-pk"),
    "-opened_on": ("-opened_on", "-pk"),
    "opened_on": ("opened_on", "pk"),
    "code": ("survivor__code",),
    "-risk": ("-risk_rank", "-updated_at", "-pk"),
}


def case_list(*, membership: Membership | None, filters: CaseFilters) -> QuerySet[Case]:
    from django.db.models import Case as When_
    from django.db.models import IntegerField, Value, When

    qs = case_visible_to(membership=membership).select_related(
        "survivor__municipality__department", "lead"
    )
    f = filters
    if f.code:
        qs = qs.filter(survivor__code__icontains=f.code.strip())
    if f.status == "active":
        qs = qs.exclude(status=CaseStatus.CLOSED)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.member_id:
        # Exists, not a join: a case appears once whatever its team holds.
        qs = qs.filter(
            Exists(
                CaseMember.objects.filter(
                    case=OuterRef("pk"), user_id=f.member_id, removed_at__isnull=True
                )
            )
        )
    if f.department:
        # By id, not through the department table: the planner estimates a join badly.
        department_id = (
            Department.objects.filter(code=f.department).values_list("pk", flat=True).first()
        )
        qs = qs.filter(department_id=department_id or 0)
    if f.municipality:
        qs = qs.filter(survivor__municipality__code=f.municipality)
    if f.offence:
        qs = qs.filter(
            Exists(Incident.objects.filter(case=OuterRef("pk"), offences__code=f.offence))
        )
    if f.risk_level is not None:
        qs = qs.filter(risk_level=f.risk_level)
    if f.age_band:
        qs = qs.filter(survivor__age_band=f.age_band)
    if f.sort == "-risk":
        ranks = [
            When(risk_level=level, then=Value(n))
            for n, level in enumerate(["low", "moderate", "high", "extreme"], start=1)
        ]
        qs = qs.annotate(risk_rank=When_(*ranks, default=Value(0), output_field=IntegerField()))
    return qs.order_by(*SORTS.get(f.sort, SORTS["-updated_at"]))


def note_list_visible_to(*, membership: Membership, case: Case) -> QuerySet[Note]:
    """Normal notes for whoever sees the case; team notes for the team; discipline notes for
    team members of the author's discipline (a psychologist's notes stay with psychologists)."""
    # The case comes along so that decrypting each body does not fetch the data key again.
    notes = Note.objects.filter(case=case).select_related("author", "case__survivor__data_key")
    on_team = is_on_team(membership=membership, case=case)
    allowed = Q(sensitivity=Sensitivity.NORMAL) | Q(author_id=membership.user_id)
    if on_team:
        allowed |= Q(sensitivity=Sensitivity.TEAM)
        allowed |= Q(sensitivity=Sensitivity.DISCIPLINE, discipline=membership.role)
    return notes.filter(allowed)


def incident_list(*, case: Case) -> QuerySet[Incident]:
    """`case` comes from case_get_for_user: the gate has been passed."""
    return (
        Incident.objects.filter(case=case)
        .select_related("municipality__department")
        .prefetch_related("offences")
    )


def testimony_list(*, case: Case) -> QuerySet[Testimony]:
    return Testimony.objects.filter(case=case)


def task_list(*, case: Case) -> QuerySet[Task]:
    return Task.objects.filter(case=case).select_related("assignee", "case__survivor__data_key")


def team_list(*, case: Case) -> QuerySet[CaseMember]:
    return CaseMember.objects.filter(case=case, removed_at__isnull=True).select_related("user")


def timeline(*, case: Case, kinds: list[str] | None = None) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    return events.filter(kind__in=kinds) if kinds else events


def my_open_tasks(*, membership: Membership | None) -> QuerySet[Task]:
    cases = case_visible_to(membership=membership)
    return (
        Task.objects.filter(
            assignee_id=membership.user_id if membership else None,
            done_at__isnull=True,
            case__in=cases,
        )
        .select_related("case__survivor__data_key")
        .order_by("due_on", "pk")
    )


def my_cases(*, membership: Membership | None) -> QuerySet[Case]:
    if membership is None:
        return Case.objects.none()
    return (
        case_visible_to(membership=membership)
        .filter(_on_team(membership))
        .exclude(status=CaseStatus.CLOSED)
        .select_related("survivor__municipality__department")
        .order_by("-updated_at")
    )


def overdue(task: Task, today: date | None = None) -> bool:
    return bool(
        task.due_on and task.done_at is None and task.due_on < (today or timezone.localdate())
    )


def task_get_for_case(*, case: Case, task_id: int) -> Task:
    """A task of `case` (which passed the gate); 404 for a task of any other case."""
    task = task_list(case=case).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def casework_members(*, membership: Membership) -> QuerySet[Membership]:
    """Active people of the acting organisation who work cases: who may be given a task or a
    place on a case team."""
    from access.policy import IDENTITY_ROLES

    if not has_capability(membership, Capability.SEE_SURVIVORS):
        return Membership.objects.none()
    return (
        Membership.objects.filter(
            organisation_id=membership.organisation_id,
            is_active=True,
            role__in=IDENTITY_ROLES,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def user_names(*, user_ids: set[int]) -> dict[int, str]:
    """Display names of staff named on a case timeline (by id in its events)."""
    from accounts.models import User

    if not user_ids:
        return {}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}


def partner_organisations(*, membership: Membership) -> QuerySet[Organisation]:
    """Organisations a survivor may consent to share her case with: every other active one."""
    return Organisation.objects.filter(is_active=True).exclude(pk=membership.organisation_id)


def case_ids_for_survivors(
    *, membership: Membership | None, survivor_ids: list[int]
) -> dict[int, int]:
    """The latest case of each survivor that the member may open: survivor id -> case id."""
    if not survivor_ids:
        return {}
    found: dict[int, int] = {}
    rows = (
        case_visible_to(membership=membership)
        .filter(survivor_id__in=survivor_ids)
        .order_by("survivor_id", "-opened_on", "-pk")
        .values_list("survivor_id", "pk")
    )
    for survivor_id, case_id in rows:
        found.setdefault(survivor_id, case_id)
    return found


# Columns a list row never shows: encrypted identity and case texts stay on disk.
_LIST_DEFERRED = (
    "summary",
    "code_word",
    *(f"survivor__{name}" for name in Survivor.IDENTITY_FIELDS),
)


def case_list_page(
    *, membership: Membership | None, filters: CaseFilters, number: str | None, per_page: int = 25
) -> Page[Any]:
    """One page of the case list. The page's ids are found first (an index-only walk for the
    default sort), then only those rows are loaded with their joins: a deep page costs about
    what the first one does."""
    ids = case_list(membership=membership, filters=filters).values_list("pk", flat=True)
    page = Paginator(ids, per_page).get_page(number)
    wanted = list(page.object_list)
    rows = (
        Case.objects.filter(pk__in=wanted)
        .select_related("survivor__municipality__department", "lead")
        .defer(*_LIST_DEFERRED)
    )
    by_id = {case.pk: case for case in rows}
    page.object_list = [by_id[pk] for pk in wanted]  # type: ignore[misc]
    return page
