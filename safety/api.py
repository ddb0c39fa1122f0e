"""Risk assessments and safety plans over the API, with the same gate, services and audit as
the pages. Mounted at /api/v1/cases beside the cases router (django-ninja allows two routers on
one prefix; their paths are distinct), and authenticated like it: the case is checked during
authentication, so a case one cannot see is 404 before the body is even read."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from api.schemas import ErrorOut
from cases.api import CaseworkSessionAuth, CaseworkTokenAuth
from cases.models import Case
from cases.selectors import case_get_for_user
from safety import selectors, services
from safety.models import SafetyStep, Section

router = Router(tags=["safety"], auth=[CaseworkTokenAuth(), CaseworkSessionAuth()])


class AssessmentIn(Schema):
    instrument_code: str
    answers: dict[str, str | bool] = Field(
        default_factory=dict,
        description='Item code → "yes"/"no" (or true/false), or an option code. '
        "Leave unanswered items out.",
    )
    assessed_on: date = Field(default_factory=timezone.localdate)


class AssessmentOut(Schema):
    id: int
    instrument_code: str
    instrument_version: int
    answers: dict[str, str]
    score: int
    level: str
    score_level: str
    critical_items: list[str]
    missing: list[str]
    raised_by_critical: bool
    complete: bool
    assessed_by_id: int
    assessed_on: date
    created_at: datetime


class StepIn(Schema):
    section: Section
    text: str
    due_on: date | None = None


class StepOut(Schema):
    id: int
    section: str
    text: str | None  # None once her identity was erased
    due_on: date | None
    done_on: date | None
    created_by_id: int
    created_at: datetime
    removed_at: datetime | None


class SafetyPlanOut(Schema):
    updated_at: datetime | None
    steps: list[StepOut] = Field(description="Every step, withdrawn ones too (removed_at set).")


def _case(request: HttpRequest, case_id: int) -> Case:
    return case_get_for_user(membership=request.membership, case_id=case_id)  # type: ignore[attr-defined]


@router.get(
    "/{case_id}/assessments",
    response={200: list[AssessmentOut], 401: ErrorOut, 404: ErrorOut},
    url_name="safety_assessment_list",
)
@paginate(LimitOffsetPagination)
def assessment_list(request: HttpRequest, case_id: int) -> Any:
    """The case's risk assessments, latest first: the first one sets the case's risk level."""
    case = _case(request, case_id)
    services.safety_record_view(
        membership=request.membership,  # type: ignore[attr-defined]
        case=case,
        fields=["risk_assessments"],
    )
    return selectors.assessment_list(case=case)


@router.post(
    "/{case_id}/assessments",
    response={201: AssessmentOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="safety_assessment_create",
)
def assessment_create(request: HttpRequest, case_id: int, body: AssessmentIn) -> Status[Any]:
    """Score and record an assessment. A level never blocks anything."""
    case = _case(request, case_id)
    assessment = services.risk_assess(
        membership=request.membership,  # type: ignore[attr-defined]
        case=case,
        instrument_code=body.instrument_code,
        answers=body.answers,
        assessed_on=body.assessed_on,
    )
    return Status(201, assessment)


@router.get(
    "/{case_id}/safety-plan",
    response={200: SafetyPlanOut, 401: ErrorOut, 404: ErrorOut},
    url_name="safety_plan",
)
def safety_plan(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = _case(request, case_id)
    services.safety_record_view(
        membership=request.membership,  # type: ignore[attr-defined]
        case=case,
        fields=["safety_plan"],
    )
    plan = selectors.safety_plan_for(case=case)
    steps = selectors.safety_step_list(case=case, include_removed=True)
    return {"updated_at": plan.updated_at if plan else None, "steps": list(steps)}


@router.post(
    "/{case_id}/safety-plan/steps",
    response={201: StepOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="safety_step_create",
)
def step_create(request: HttpRequest, case_id: int, body: StepIn) -> Status[SafetyStep]:
    case = _case(request, case_id)
    step = services.safety_step_add(
        membership=request.membership,  # type: ignore[attr-defined]
        case=case,
        section=body.section.value,
        text=body.text,
        due_on=body.due_on,
    )
    return Status(201, step)


@router.post(
    "/{case_id}/safety-plan/steps/{step_id}/done",
    response={200: StepOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    url_name="safety_step_done",
)
def step_done(request: HttpRequest, case_id: int, step_id: int) -> SafetyStep:
    """Mark the step done today."""
    case = _case(request, case_id)
    step = selectors.safety_step_get(case=case, step_id=step_id)
    services.safety_step_done(membership=request.membership, step=step)  # type: ignore[attr-defined]
    return step


@router.post(
    "/{case_id}/safety-plan/steps/{step_id}/remove",
    response={200: StepOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    url_name="safety_step_remove",
)
def step_remove(request: HttpRequest, case_id: int, step_id: int) -> SafetyStep:
    """Withdraw a step that no longer applies; it stays in the plan's history."""
    case = _case(request, case_id)
    step = selectors.safety_step_get(case=case, step_id=step_id)
    services.safety_step_remove(membership=request.membership, step=step)  # type: ignore[attr-defined]
    return step
