"""Reads of risk assessments and safety plans.

Every function takes a `case` that the caller obtained through
`cases.selectors.case_get_for_user`: the access gate has been passed. Whatever is not in that
case is "not found" (404), whether it exists elsewhere or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case
from safety.models import RiskAssessment, SafetyPlan, SafetyStep


def assessment_list(*, case: Case) -> QuerySet[RiskAssessment]:
    """The case's assessments, latest first (the order that sets the case's risk level)."""
    return RiskAssessment.objects.filter(case=case).select_related("assessed_by")


def assessment_get(*, case: Case, assessment_id: int) -> RiskAssessment:
    assessment = assessment_list(case=case).filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404
    return assessment


def latest_assessment(*, case: Case) -> RiskAssessment | None:
    return assessment_list(case=case).first()


def safety_plan_for(*, case: Case) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(case=case).first()


def safety_step_list(*, case: Case, include_removed: bool = False) -> QuerySet[SafetyStep]:
    """Steps of the case's plan in section order; each decrypts with the survivor's key,
    which the join brings along (no query per step)."""
    steps = SafetyStep.objects.filter(plan__case=case).select_related(
        "plan__case__survivor__data_key", "created_by", "removed_by"
    )
    return steps if include_removed else steps.filter(removed_at__isnull=True)


def safety_step_get(*, case: Case, step_id: int) -> SafetyStep:
    step = safety_step_list(case=case, include_removed=True).filter(pk=step_id).first()
    if step is None:
        raise Http404
    return step


def case_lock(*, case: Case) -> None:
    """Serialise writes that read, then change, the case's safety data (its risk level, the
    creation of its one plan). A no-op on SQLite, which locks the whole database anyway."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class SafetySummary:
    """What the case page's safety section shows. `plan` carries `open_steps`,
    `overdue_steps` and `next_due` (annotations), or is None when there is no plan yet."""

    latest_assessment: RiskAssessment | None
    plan: SafetyPlan | None


def safety_summary_for_case(*, case: Case) -> SafetySummary:
    """Two queries, whatever the number of assessments and steps."""
    pending = Q(steps__removed_at__isnull=True, steps__done_on__isnull=True)
    plan = (
        SafetyPlan.objects.filter(case=case)
        .annotate(
            open_steps=Count("steps", filter=pending),
            overdue_steps=Count(
                "steps", filter=pending & Q(steps__due_on__lt=timezone.localdate())
            ),
            next_due=Min("steps__due_on", filter=pending),
        )
        .first()
    )
    return SafetySummary(latest_assessment=latest_assessment(case=case), plan=plan)
