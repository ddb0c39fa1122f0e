"""Hearings: inside a proceeding (schedule, see and record how it went, reschedule) and the
calendars across cases (mine, my organisation's, a court's).

Every view inside a proceeding fetches the case through the access gate (404 for missing and
forbidden alike), then the proceeding and the hearing within it. Calendars list only hearings
of cases the member may open (`proceedings.selectors.visible_hearings`) and show the case code,
never the survivor's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.policy import Capability
from accounts.models import User
from cases.forms import add_service_errors
from cases.models import Case
from cases.selectors import case_get_for_user, casework_members
from core.decorators import member_required
from jurisdictions.procedure import rules_for
from organisations.models import Membership
from proceedings import services_hearings as services
from proceedings.forms_hearings import HearingForm, OutcomeForm, RescheduleForm
from proceedings.models import Hearing, HearingStatus, JusticeOffice, Proceeding
from proceedings.selectors import court_list, hearing_get, hearing_list, proceeding_get
from proceedings.selectors_hearings import (
    calendar_hearings,
    chain_of,
    companion_memberships,
    court_by_id,
    court_get,
)
from proceedings.services_hearings import HearingData, time_zone_of

GET_POST = ["GET", "POST"]


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _proceeding(
    request: HttpRequest, case_id: int, proceeding_id: int
) -> tuple[Membership, Case, Proceeding]:
    membership = request.membership  # type: ignore[attr-defined]
    case = case_get_for_user(membership=membership, case_id=case_id)
    return membership, case, proceeding_get(case=case, proceeding_id=proceeding_id)


def _proceeding_url(proceeding: Proceeding) -> str:
    return reverse("proceedings:detail", args=[proceeding.case_id, proceeding.pk]) + "#audiencias"


def _hearing_url(hearing: Hearing) -> str:
    return reverse(
        "proceedings:hearing", args=[hearing.proceeding.case_id, hearing.proceeding_id, hearing.pk]
    )


def type_label(pack_code: str, code: str) -> str:
    hearing_type = rules_for(pack_code).hearing_types.get(code)
    return hearing_type.label(get_language()) if hearing_type else code


def _type_choices(proceeding: Proceeding) -> list[tuple[str, str]]:
    types = rules_for(proceeding.department.jurisdiction.code).hearing_types.values()
    return [(t.code, t.label(get_language())) for t in types]


# ----------------------------------------------------------------------------- the proceeding


@dataclass(frozen=True)
class HearingRow:
    hearing: Hearing
    type_label: str
    previous: Hearing | None
    following: Hearing | None
    companions: list[User]
    is_next: bool


def hearing_rows(proceeding: Proceeding) -> list[HearingRow]:
    """The proceeding's hearings, those still ahead first (soonest first), then the rest
    (latest first), each with the hearing it reschedules and the one that reschedules it."""
    hearings = list(hearing_list(proceeding=proceeding))
    following = {h.rescheduled_from_id: h for h in hearings if h.rescheduled_from_id}
    now = timezone.now()
    ahead = [h for h in hearings if h.status == HearingStatus.SCHEDULED and h.starts_at >= now]
    rest = sorted(
        (h for h in hearings if h not in ahead), key=lambda h: (h.starts_at, h.pk), reverse=True
    )
    pack = proceeding.department.jurisdiction.code
    return [
        HearingRow(
            hearing=h,
            type_label=type_label(pack, h.type),
            previous=h.rescheduled_from,
            following=following.get(h.pk),
            companions=list(h.companions.all()),
            is_next=i == 0 and bool(ahead),
        )
        for i, h in enumerate([*ahead, *rest])
    ]


def _hearing_form(
    request: HttpRequest,
    membership: Membership,
    proceeding: Proceeding,
    initial: dict[str, Any],
    posted: bool = True,
) -> HearingForm:
    return HearingForm(
        _posted(request) if posted else None,
        types=_type_choices(proceeding),
        courts=court_list(),
        department_id=proceeding.department_id,
        members=list(companion_memberships(membership=membership, case=proceeding.case)),
        time_zone=time_zone_of(proceeding),
        initial=initial,
    )


def _companions(membership: Membership, user_ids: list[int]) -> list[User]:
    # Any working member: the service refuses, with its message, one who may not open the case.
    members = {m.user_id: m.user for m in casework_members(membership=membership)}
    return [members[user_id] for user_id in user_ids if user_id in members]


def _data(membership: Membership, form: HearingForm) -> HearingData:
    data = form.cleaned_data
    return HearingData(
        type=data["type"],
        starts_at=data["starts_at"],
        court=court_by_id(court_id=data["court"]),
        survivor_must_attend=data["survivor_must_attend"],
        remind_survivor=data["remind_survivor"],
        companions=_companions(membership, data["companions"]),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def hearing_new(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    membership, case, proceeding = _proceeding(request, case_id, proceeding_id)
    form = _hearing_form(request, membership, proceeding, {"court": proceeding.court_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_schedule(
                membership=membership,
                case=case,
                proceeding=proceeding,
                data=_data(membership, form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Audiencia programada."))
            return redirect(_proceeding_url(proceeding))
    return TemplateResponse(
        request,
        "proceedings/hearing_form.html",
        {"case": case, "proceeding": proceeding, "form": form},
        status=400 if form.errors else 200,
    )


def _initial(hearing: Hearing, proceeding: Proceeding) -> dict[str, Any]:
    return {
        **HearingForm.initial_for(hearing.starts_at, time_zone_of(proceeding)),
        "type": hearing.type,
        "court": hearing.court_id,
        "companions": [u.pk for u in hearing.companions.all()],
        "survivor_must_attend": hearing.survivor_must_attend,
        "remind_survivor": hearing.remind_survivor,
    }


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def hearing_detail(
    request: HttpRequest, case_id: int, proceeding_id: int, hearing_id: int
) -> HttpResponse:
    """The hearing and its chain of reschedulings. POST records how it went or, with
    `action=update`, corrects it while it is still scheduled."""
    membership, case, proceeding = _proceeding(request, case_id, proceeding_id)
    hearing = hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    editing = request.method == "POST" and request.POST.get("action") == "update"
    outcome_form = OutcomeForm(_posted(request) if not editing else None)
    edit_form = _hearing_form(
        request, membership, proceeding, _initial(hearing, proceeding), posted=editing
    )
    if request.method == "POST":
        form = edit_form if editing else outcome_form
        if form.is_valid():
            try:
                if editing:
                    services.hearing_update(
                        membership=membership,
                        case=case,
                        proceeding=proceeding,
                        hearing=hearing,
                        data=_data(membership, edit_form),
                    )
                else:
                    services.hearing_record_outcome(
                        membership=membership,
                        case=case,
                        proceeding=proceeding,
                        hearing=hearing,
                        **outcome_form.cleaned_data,
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Audiencia corregida.") if editing else _("Resultado registrado.")
                )
                return redirect(_hearing_url(hearing))
    previous, following = chain_of(hearing=hearing)
    errors = outcome_form.errors or edit_form.errors
    return TemplateResponse(
        request,
        "proceedings/hearing_detail.html",
        {
            "case": case,
            "proceeding": proceeding,
            "hearing": hearing,
            "type_label": type_label(proceeding.department.jurisdiction.code, hearing.type),
            "companions": list(hearing.companions.all()),
            "previous": previous,
            "following": following,
            "is_scheduled": hearing.status == HearingStatus.SCHEDULED,
            "may_reschedule": hearing.status != HearingStatus.HELD and following is None,
            "outcome_form": outcome_form,
            "edit_form": edit_form,
            "editing": editing,
            # Refusals that no form on the page can show (the hearing has its outcome already).
            "refusals": (
                [*outcome_form.non_field_errors(), *edit_form.non_field_errors()]
                if hearing.status != HearingStatus.SCHEDULED
                else []
            ),
        },
        status=400 if errors else 200,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def hearing_reschedule(
    request: HttpRequest, case_id: int, proceeding_id: int, hearing_id: int
) -> HttpResponse:
    membership, case, proceeding = _proceeding(request, case_id, proceeding_id)
    hearing = hearing_get(proceeding=proceeding, hearing_id=hearing_id)
    form = RescheduleForm(
        _posted(request),
        ask_reason=hearing.status == HearingStatus.SCHEDULED,
        time_zone=time_zone_of(proceeding),
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = services.hearing_reschedule(
                membership=membership,
                case=case,
                proceeding=proceeding,
                hearing=hearing,
                starts_at=form.cleaned_data["starts_at"],
                suspension_reason=form.cleaned_data.get("suspension_reason", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Audiencia reprogramada."))
            return redirect(_hearing_url(new))
    _previous, following = chain_of(hearing=hearing)
    return TemplateResponse(
        request,
        "proceedings/hearing_reschedule.html",
        {
            "case": case,
            "proceeding": proceeding,
            "hearing": hearing,
            "type_label": type_label(proceeding.department.jurisdiction.code, hearing.type),
            "following": following,
            "is_held": hearing.status == HearingStatus.HELD,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- calendars

VIEWS = ("mine", "org")
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class CalendarRow:
    hearing: Hearing
    type_label: str
    case_code: str
    url: str
    companions: list[User]


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    rows: list[CalendarRow]


def week_start(value: str | None) -> dt.date:
    """The Monday of the week holding `value` (an ISO date), or of this week."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        day = timezone.localdate()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # keeps the links to other weeks valid dates
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def _bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=timezone.get_current_timezone())
    return start, start + dt.timedelta(days=7)


def _calendar_row(hearing: Hearing) -> CalendarRow:
    proceeding = hearing.proceeding
    return CalendarRow(
        hearing=hearing,
        type_label=type_label(proceeding.department.jurisdiction.code, hearing.type),
        case_code=proceeding.case.survivor.code,
        url=reverse("proceedings:detail", args=[proceeding.case_id, proceeding.pk]),
        companions=list(hearing.companions.all()),
    )


def _days(hearings: list[Hearing]) -> list[CalendarDay]:
    days: dict[dt.date, list[CalendarRow]] = {}
    for hearing in hearings:
        days.setdefault(timezone.localdate(hearing.starts_at), []).append(_calendar_row(hearing))
    return [CalendarDay(day, rows) for day, rows in days.items()]


def _query(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _navigation(monday: dt.date, **params: Any) -> dict[str, Any]:
    return {
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous_query": _query(**params, week=(monday - dt.timedelta(days=7)).isoformat()),
        "next_query": _query(**params, week=(monday + dt.timedelta(days=7)).isoformat()),
        "today_query": _query(**params),
        "is_this_week": monday == week_start(None),
    }


def _court_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _court_options(hearings: list[Hearing], selected: JusticeOffice | None) -> list[JusticeOffice]:
    courts = {h.court_id: h.court for h in hearings}
    if selected is not None:
        courts[selected.pk] = selected
    return sorted(courts.values(), key=lambda c: c.name)


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET"])
def calendar(request: HttpRequest) -> HttpResponse:
    """My hearings (cases on whose team I am, or where I accompany her) or my organisation's,
    one week at a time, optionally at one court."""
    membership = request.membership  # type: ignore[attr-defined]
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "mine"
    monday = week_start(request.GET.get("week"))
    court_id = _court_id(request.GET.get("court"))
    start, end = _bounds(monday)
    week = list(calendar_hearings(membership=membership, start=start, end=end, mine=view == "mine"))
    selected = court_by_id(court_id=court_id) if court_id else None
    if selected is not None and not selected.is_court:
        selected = None
    shown = [h for h in week if selected is None or h.court_id == selected.pk]
    court_param = selected.pk if selected else None
    return TemplateResponse(
        request,
        "proceedings/calendar.html",
        {
            "view": view,
            "court": None,
            "selected_court": selected,
            "courts": _court_options(week, selected),
            "days": _days(shown),
            **_navigation(monday, view=view, court=court_param),
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET"])
def court_calendar(request: HttpRequest, court_id: int) -> HttpResponse:
    """One court's hearings in the cases I may open, one week at a time."""
    membership = request.membership  # type: ignore[attr-defined]
    court = court_get(court_id=court_id)
    monday = week_start(request.GET.get("week"))
    start, end = _bounds(monday)
    hearings = calendar_hearings(
        membership=membership, start=start, end=end, mine=False, court_id=court.pk
    )
    return TemplateResponse(
        request,
        "proceedings/calendar.html",
        {"view": "org", "court": court, "days": _days(list(hearings)), **_navigation(monday)},
    )
