"""Criminal proceedings of a case over the API: the proceeding, its accused and charges, its
procedural acts and deadlines, hearings and protection measures. The same selectors and
services as the pages, so the same access rules, checks and audit.

Mounted at /api/v1/cases beside the cases router, and authenticated like it: the case is
checked while authenticating, so a case one cannot see is 404 before the body is read, and
whatever is not in that case (a proceeding, an act, a hearing) is 404 too. Services refuse bad
input with 400 and field errors (field names as in the request body) and write nothing.

An accused person's name may be recorded (encrypted) but never leaves the API: revealing it
needs a re-authenticated browser session, which a token is not.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from api.schemas import ErrorOut
from cases.api import CaseworkSessionAuth, CaseworkTokenAuth
from cases.models import Case
from cases.selectors import case_get_for_user, casework_members, incident_list
from jurisdictions.models import Department
from jurisdictions.selectors import department_list, offence_list
from organisations.models import Membership
from proceedings import schemas, selectors, services, services_hearings, services_measures
from proceedings.models import Hearing, JusticeOffice, Proceeding
from proceedings.schemas import (
    AccusedIn,
    AccusedOut,
    BreachIn,
    BreachOut,
    ChargeOut,
    ChargesIn,
    DeadlineOut,
    DecisionIn,
    EndIn,
    EventIn,
    EventOut,
    HearingIn,
    HearingOut,
    MeasureIn,
    MeasureOut,
    OutcomeIn,
    ProceedingIn,
    ProceedingOut,
    ProceedingRowOut,
    RescheduleIn,
)
from proceedings.services_reveal import proceeding_view_record

router = Router(tags=["proceedings"], auth=[CaseworkTokenAuth(), CaseworkSessionAuth()])

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
P = "/{case_id}/proceedings/{proceeding_id}"


# ----------------------------------------------------------------------------- helpers


class Rows:
    """A queryset seen through `out`, for ninja's paginator: counted by the database, and
    only the rows of the page requested are turned into output."""

    def __init__(self, rows: QuerySet[Any], out: Callable[[Any], dict[str, Any]]) -> None:
        self.rows, self.out = rows, out

    def all(self) -> "Rows":
        return self

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [self.out(row) for row in self.rows[page]]


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _in_case(request: HttpRequest, case_id: int, proceeding_id: int) -> tuple[Case, Proceeding]:
    case = case_get_for_user(membership=_membership(request), case_id=case_id)
    return case, selectors.proceeding_get(case=case, proceeding_id=proceeding_id)


@contextmanager
def field_names(**renamed: str) -> Iterator[None]:
    """Errors of a service named after its arguments, renamed after the request's fields
    (`court` → `court_id`)."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for old, new in renamed.items():
                if old in exc.error_dict:
                    exc.error_dict[new] = exc.error_dict.pop(old)
        raise


def aware(moment: dt.datetime, proceeding: Proceeding) -> dt.datetime:
    """A datetime sent without an offset is the local time of the proceeding's jurisdiction."""
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, schemas.zone_of(proceeding))


def department_by_code(
    code: str, errors: dict[str, str], field: str = "department"
) -> Department | None:
    department = department_list().filter(code=code.strip()).first() if code.strip() else None
    if department is None:
        errors[field] = _("Código de departamento desconocido.")
    return department


def _office(office_id: int | None, errors: dict[str, str], field: str) -> JusticeOffice | None:
    if office_id is None:
        return None
    office = selectors.office_list(active_only=False).filter(pk=office_id).first()
    if office is None:
        errors[field] = _("No existe en el directorio.")
    return office


def _proceeding_data(case: Case, data: ProceedingIn) -> services.ProceedingData:
    errors: dict[str, str] = {}
    department = department_by_code(data.department, errors)
    court = _office(data.court_id, errors, "court_id")
    prosecutor_office = _office(data.prosecutor_office_id, errors, "prosecutor_office_id")
    incident = None
    if data.incident_id is not None:
        incident = incident_list(case=case).filter(pk=data.incident_id).first()
        if incident is None:
            errors["incident_id"] = _("Ese hecho no pertenece a este caso.")
    if errors:
        raise ValidationError(errors)
    return services.ProceedingData(
        department=department,
        prosecutor_number=data.prosecutor_number,
        nurej=data.nurej,
        court=court,
        prosecutor_office=prosecutor_office,
        incident=incident,
    )


_PROCEEDING_FIELDS = {
    "court": "court_id",
    "prosecutor_office": "prosecutor_office_id",
    "incident": "incident_id",
}


def _detail(proceeding: Proceeding) -> dict[str, Any]:
    procedure, zone = selectors.procedure_for(proceeding), schemas.zone_of(proceeding)
    now = timezone.now()
    return {
        **schemas.proceeding_row_out(proceeding, procedure),
        "prosecutor_number": proceeding.prosecutor_number,
        "nurej": proceeding.nurej,
        "charges": [
            schemas.charge_out(c) for c in selectors.current_charges(proceeding=proceeding)
        ],
        "accused": [schemas.accused_out(a) for a in selectors.accused_list(proceeding=proceeding)],
        "deadlines": [
            schemas.deadline_out(d, procedure, zone, now)
            for d in selectors.deadline_list(proceeding=proceeding)
        ],
    }


# ----------------------------------------------------------------------------- proceedings


@router.get("/{case_id}/proceedings", response={200: list[ProceedingRowOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def proceeding_list(request: HttpRequest, case_id: int) -> Any:
    """The case's proceedings, without their official identifiers (see the detail)."""
    case = case_get_for_user(membership=_membership(request), case_id=case_id)
    rows = selectors.proceeding_list(case=case).select_related(
        "court__department", "prosecutor_office__department"
    )
    return Rows(rows, lambda p: schemas.proceeding_row_out(p, selectors.procedure_for(p)))


@router.post("/{case_id}/proceedings", response={201: ProceedingOut, **_ERRORS})
def proceeding_create(request: HttpRequest, case_id: int, data: ProceedingIn) -> Status[Any]:
    case = case_get_for_user(membership=_membership(request), case_id=case_id)
    with field_names(**_PROCEEDING_FIELDS):
        proceeding = services.proceeding_create(
            membership=_membership(request), case=case, data=_proceeding_data(case, data)
        )
    return Status(201, _detail(selectors.proceeding_get(case=case, proceeding_id=proceeding.pk)))


@router.get(P, response={200: ProceedingOut, **_ERRORS})
def proceeding_detail(request: HttpRequest, case_id: int, proceeding_id: int) -> Any:
    """With its official identifiers (prosecutor's number, NUREJ): reading them is recorded
    in the audit trail, as on the page."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    proceeding_view_record(membership=_membership(request), case=case, proceeding=proceeding)
    return _detail(proceeding)


@router.put(P, response={200: ProceedingOut, **_ERRORS})
def proceeding_update(
    request: HttpRequest, case_id: int, proceeding_id: int, data: ProceedingIn
) -> Any:
    """Replace the proceeding's data (every field: an empty one is cleared)."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    with field_names(**_PROCEEDING_FIELDS):
        services.proceeding_update(
            membership=_membership(request),
            case=case,
            proceeding=proceeding,
            data=_proceeding_data(case, data),
        )
    return _detail(selectors.proceeding_get(case=case, proceeding_id=proceeding.pk))


# ----------------------------------------------------------------------------- charges, accused


@router.get(P + "/charges", response={200: list[ChargeOut], **_ERRORS})
def charge_history(request: HttpRequest, case_id: int, proceeding_id: int) -> Any:
    """Every classification, ended ones too (`until_on`, `ended_by_basis`)."""
    _case, proceeding = _in_case(request, case_id, proceeding_id)
    return [schemas.charge_out(c) for c in selectors.charge_history(proceeding=proceeding)]


@router.post(P + "/charges", response={200: list[ChargeOut], **_ERRORS})
def charges_reclassify(
    request: HttpRequest, case_id: int, proceeding_id: int, data: ChargesIn
) -> Any:
    """Set the offences charged from `on`; the ones left out end that day. Answers the
    classification now in force."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    codes = {code.strip() for code in data.offences}
    offences = list(
        offence_list().filter(jurisdiction_id=proceeding.department.jurisdiction_id, code__in=codes)
    )
    if len(offences) != len(codes):
        raise ValidationError({"offences": _("Código de delito desconocido.")})
    services.charges_reclassify(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        offences=offences,
        basis=str(data.basis),
        on=data.on,
    )
    return [schemas.charge_out(c) for c in selectors.current_charges(proceeding=proceeding)]


@router.post(P + "/accused", response={201: AccusedOut, **_ERRORS})
def accused_add(request: HttpRequest, case_id: int, proceeding_id: int, data: AccusedIn) -> Any:
    """The name, if sent, is stored encrypted and never returned."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    accused = services.accused_add(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        relationship=str(data.relationship),
        sex=str(data.sex),
        name=data.name,
    )
    return Status(201, schemas.accused_out(accused))


@router.post(P + "/accused/{accused_id}/remove", response={204: None, **_ERRORS})
def accused_remove(
    request: HttpRequest, case_id: int, proceeding_id: int, accused_id: int
) -> Status[None]:
    """The person leaves the proceeding; a recorded name is erased."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    accused = selectors.accused_get(proceeding=proceeding, accused_id=accused_id)
    services.accused_remove(
        membership=_membership(request), case=case, proceeding=proceeding, accused=accused
    )
    return Status(204, None)


# ----------------------------------------------------------------------------- acts, deadlines


def _event_data(data: EventIn) -> services.EventData:
    return services.EventData(
        type=data.type.strip(),
        occurred_on=data.occurred_on,
        occurred_time=data.occurred_time,
        outcome=str(data.outcome or ""),
        sentence_years=data.sentence_years,
    )


def _event(proceeding: Proceeding, event_id: int) -> dict[str, Any]:
    history = list(selectors.event_history(proceeding=proceeding))
    replaced = {e.supersedes_id: e.pk for e in history if e.supersedes_id}
    event = next(e for e in history if e.pk == event_id)
    return schemas.event_out(event, selectors.procedure_for(proceeding), replaced)


@router.get(P + "/events", response={200: list[EventOut], **_ERRORS})
def event_history(request: HttpRequest, case_id: int, proceeding_id: int) -> Any:
    """Every act ever recorded, in date order: corrections (`supersedes_id`) and voided ones
    included. Only the effective ones (`is_effective`) count for the stage and deadlines."""
    _case, proceeding = _in_case(request, case_id, proceeding_id)
    history = list(selectors.event_history(proceeding=proceeding))
    replaced = {e.supersedes_id: e.pk for e in history if e.supersedes_id}
    procedure = selectors.procedure_for(proceeding)
    return [schemas.event_out(e, procedure, replaced) for e in history]


@router.post(P + "/events", response={201: EventOut, **_ERRORS})
def event_record(request: HttpRequest, case_id: int, proceeding_id: int, data: EventIn) -> Any:
    """Record an act. One the pack's transitions do not allow where the proceeding stands is
    refused (400) with an explanation in `fields.type`."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    event = services.event_record(
        membership=_membership(request), case=case, proceeding=proceeding, data=_event_data(data)
    )
    return Status(201, _event(proceeding, event.pk))


@router.post(P + "/events/{event_id}/correct", response={201: EventOut, **_ERRORS})
def event_correct(
    request: HttpRequest, case_id: int, proceeding_id: int, event_id: int, data: EventIn
) -> Any:
    """A correction: a new act that supersedes this one, which stays in the history."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    wrong = selectors.event_get(proceeding=proceeding, event_id=event_id)
    event = services.event_record(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        data=_event_data(data),
        corrects=wrong,
    )
    return Status(201, _event(proceeding, event.pk))


@router.post(P + "/events/{event_id}/void", response={201: EventOut, **_ERRORS})
def event_void(request: HttpRequest, case_id: int, proceeding_id: int, event_id: int) -> Any:
    """Withdraw an act recorded by mistake: answers the void act that supersedes it."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    event = selectors.event_get(proceeding=proceeding, event_id=event_id)
    void = services.event_void(
        membership=_membership(request), case=case, proceeding=proceeding, event=event
    )
    return Status(201, _event(proceeding, void.pk))


@router.get(P + "/deadlines", response={200: list[DeadlineOut], **_ERRORS})
def deadline_list(request: HttpRequest, case_id: int, proceeding_id: int) -> Any:
    """Every legal deadline the acts started, running or not (`state`), soonest first."""
    _case, proceeding = _in_case(request, case_id, proceeding_id)
    procedure, zone = selectors.procedure_for(proceeding), schemas.zone_of(proceeding)
    now = timezone.now()
    return [
        schemas.deadline_out(d, procedure, zone, now)
        for d in selectors.deadline_list(proceeding=proceeding)
    ]


# ----------------------------------------------------------------------------- hearings


def _hearings(proceeding: Proceeding) -> QuerySet[Hearing]:
    return selectors.hearing_list(proceeding=proceeding).select_related("court__department")


def _hearing(proceeding: Proceeding, hearing: Hearing) -> dict[str, Any]:
    next_ids = {h.rescheduled_from_id: h.pk for h in _hearings(proceeding) if h.rescheduled_from_id}
    return schemas.hearing_out(hearing, proceeding, selectors.procedure_for(proceeding), next_ids)


def _hearing_data(
    request: HttpRequest, proceeding: Proceeding, data: HearingIn
) -> services_hearings.HearingData:
    errors: dict[str, str] = {}
    court = _office(data.court_id, errors, "court_id")
    wanted = set(data.companion_ids)
    members = casework_members(membership=_membership(request)).filter(user_id__in=wanted)
    companions = [m.user for m in members]
    if len(companions) != len(wanted):
        errors["companion_ids"] = _("Elige personas activas de tu organización.")
    if errors:
        raise ValidationError(errors)
    return services_hearings.HearingData(
        type=data.type.strip(),
        starts_at=aware(data.starts_at, proceeding),
        court=court,
        survivor_must_attend=data.survivor_must_attend,
        remind_survivor=data.remind_survivor,
        companions=companions,
    )


_HEARING_FIELDS = {"court": "court_id", "companions": "companion_ids"}


@router.get(P + "/hearings", response={200: list[HearingOut], **_ERRORS})
def hearing_list(request: HttpRequest, case_id: int, proceeding_id: int) -> Any:
    """The proceeding's hearings in time order, with the chain of reschedulings."""
    _case, proceeding = _in_case(request, case_id, proceeding_id)
    hearings = list(_hearings(proceeding))
    next_ids = {h.rescheduled_from_id: h.pk for h in hearings if h.rescheduled_from_id}
    procedure = selectors.procedure_for(proceeding)
    return [schemas.hearing_out(h, proceeding, procedure, next_ids) for h in hearings]


@router.post(P + "/hearings", response={201: HearingOut, **_ERRORS})
def hearing_schedule(
    request: HttpRequest, case_id: int, proceeding_id: int, data: HearingIn
) -> Any:
    case, proceeding = _in_case(request, case_id, proceeding_id)
    with field_names(**_HEARING_FIELDS):
        hearing = services_hearings.hearing_schedule(
            membership=_membership(request),
            case=case,
            proceeding=proceeding,
            data=_hearing_data(request, proceeding, data),
        )
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing.pk)
    return Status(201, _hearing(proceeding, hearing))


@router.get(P + "/hearings/{hearing_id}", response={200: HearingOut, **_ERRORS})
def hearing_detail(request: HttpRequest, case_id: int, proceeding_id: int, hearing_id: int) -> Any:
    _case, proceeding = _in_case(request, case_id, proceeding_id)
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    return _hearing(proceeding, hearing)


@router.put(P + "/hearings/{hearing_id}", response={200: HearingOut, **_ERRORS})
def hearing_update(
    request: HttpRequest, case_id: int, proceeding_id: int, hearing_id: int, data: HearingIn
) -> Any:
    """Correct a hearing while it is still scheduled (every field is replaced). A court
    moving it to another date is a reschedule."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    with field_names(**_HEARING_FIELDS):
        services_hearings.hearing_update(
            membership=_membership(request),
            case=case,
            proceeding=proceeding,
            hearing=hearing,
            data=_hearing_data(request, proceeding, data),
        )
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    return _hearing(proceeding, hearing)


@router.post(P + "/hearings/{hearing_id}/outcome", response={200: HearingOut, **_ERRORS})
def hearing_outcome(
    request: HttpRequest, case_id: int, proceeding_id: int, hearing_id: int, data: OutcomeIn
) -> Any:
    """Held, suspended (with a reason from the list) or cancelled."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    services_hearings.hearing_record_outcome(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        hearing=hearing,
        status=str(data.status),
        suspension_reason=str(data.suspension_reason or ""),
    )
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    return _hearing(proceeding, hearing)


@router.post(P + "/hearings/{hearing_id}/reschedule", response={201: HearingOut, **_ERRORS})
def hearing_reschedule(
    request: HttpRequest,
    case_id: int,
    proceeding_id: int,
    hearing_id: int,
    data: RescheduleIn,
) -> Any:
    """A new date for a suspended or cancelled hearing: a new hearing of the same type,
    court and companions, linked to this one. A hearing still scheduled is marked suspended
    first, with `suspension_reason`. Answers the new hearing."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    hearing = selectors.hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    new = services_hearings.hearing_reschedule(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        hearing=hearing,
        starts_at=aware(data.starts_at, proceeding),
        suspension_reason=str(data.suspension_reason or ""),
    )
    new = selectors.hearing_get(proceeding=proceeding, hearing_id=new.pk)
    return Status(201, _hearing(proceeding, new))


# ----------------------------------------------------------------------------- protection


def _measure(proceeding: Proceeding, measure_id: int) -> dict[str, Any]:
    measure = selectors.measure_get(proceeding=proceeding, measure_id=measure_id)
    return schemas.measure_out(measure, selectors.procedure_for(proceeding))


@router.get(P + "/measures", response={200: list[MeasureOut], **_ERRORS})
def measure_list(request: HttpRequest, case_id: int, proceeding_id: int) -> Any:
    """Protection measures requested and granted, with the breaches reported."""
    _case, proceeding = _in_case(request, case_id, proceeding_id)
    procedure = selectors.procedure_for(proceeding)
    return [
        schemas.measure_out(m, procedure) for m in selectors.measure_list(proceeding=proceeding)
    ]


@router.post(P + "/measures", response={201: MeasureOut, **_ERRORS})
def measure_request(request: HttpRequest, case_id: int, proceeding_id: int, data: MeasureIn) -> Any:
    case, proceeding = _in_case(request, case_id, proceeding_id)
    measure = services_measures.measure_request(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        measure=data.measure.strip(),
        requested_on=data.requested_on,
    )
    return Status(201, _measure(proceeding, measure.pk))


@router.post(P + "/measures/{measure_id}/decision", response={200: MeasureOut, **_ERRORS})
def measure_decide(
    request: HttpRequest, case_id: int, proceeding_id: int, measure_id: int, data: DecisionIn
) -> Any:
    """Granted (with its expiry date, if any) or denied. A granted measure is also recorded
    as a procedural act when the stage allows it."""
    case, proceeding = _in_case(request, case_id, proceeding_id)
    protection = selectors.measure_get(proceeding=proceeding, measure_id=measure_id)
    services_measures.measure_decide(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        protection=protection,
        status=str(data.status),
        decided_on=data.decided_on,
        expires_on=data.expires_on,
    )
    return _measure(proceeding, measure_id)


@router.post(P + "/measures/{measure_id}/end", response={200: MeasureOut, **_ERRORS})
def measure_end(
    request: HttpRequest, case_id: int, proceeding_id: int, measure_id: int, data: EndIn
) -> Any:
    case, proceeding = _in_case(request, case_id, proceeding_id)
    protection = selectors.measure_get(proceeding=proceeding, measure_id=measure_id)
    services_measures.measure_end(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        protection=protection,
        ended_on=data.ended_on,
    )
    return _measure(proceeding, measure_id)


@router.post(P + "/measures/{measure_id}/breaches", response={201: BreachOut, **_ERRORS})
def breach_report(
    request: HttpRequest, case_id: int, proceeding_id: int, measure_id: int, data: BreachIn
) -> Any:
    case, proceeding = _in_case(request, case_id, proceeding_id)
    protection = selectors.measure_get(proceeding=proceeding, measure_id=measure_id)
    breach = services_measures.breach_report(
        membership=_membership(request),
        case=case,
        proceeding=proceeding,
        protection=protection,
        occurred_on=data.occurred_on,
        reported_to_authority=data.reported_to_authority,
        reported_on=data.reported_on,
    )
    return Status(201, schemas.breach_out(breach))
