"""The cases API: the same selectors and services as the pages, so the same access and audit
rules. Answers hold codes, bands and places; identity leaves only through the reveal.

The gate runs before the body is read. `casework_auth` authenticates like the rest of the API
(token or session), then requires the SEE_SURVIVORS capability and, under /cases/{case_id}/,
that the case is visible to the caller. So a person who may not see a case gets 404 whatever
she sends, never a validation error that would tell her the route answers for her.
"""

from typing import Any

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from access.policy import Capability, can_manage_case, has_capability
from api.auth import MemberSessionAuth, TokenAuth
from api.schemas import ErrorOut
from cases import selectors, services
from cases.forms import IdentityForm
from cases.forms_list import CaseFilterForm
from cases.models import Case
from cases.schemas import (
    CaseOut,
    CaseQuery,
    CaseRowOut,
    CloseIn,
    ConsentIn,
    ConsentOut,
    DuplicateOut,
    IdentityIn,
    IdentityOut,
    IncidentIn,
    IncidentOut,
    IntakeIn,
    NoteIn,
    NoteOut,
    RevealIn,
    TaskIn,
    TaskOut,
    TeamIn,
    TestimonyIn,
    TestimonyOut,
)
from jurisdictions.models import Municipality, Offence
from jurisdictions.selectors import municipality_by_code, offence_list
from organisations.models import Membership
from survivors.selectors import consent_get, consent_list
from survivors.services import Identity, Profile, identity_update


def _gate(request: HttpRequest, user: Any) -> Any:
    if user is None:
        return None
    membership = request.membership  # type: ignore[attr-defined]
    if not has_capability(membership, Capability.SEE_SURVIVORS):
        raise Http404
    match = request.resolver_match
    case_id = str(match.kwargs.get("case_id", "")) if match else ""
    if case_id:
        if not (case_id.isascii() and case_id.isdigit()):
            raise Http404
        selectors.case_get_for_user(membership=membership, case_id=int(case_id))
    return user


class CaseworkTokenAuth(TokenAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _gate(request, super().authenticate(request, token))


class CaseworkSessionAuth(MemberSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _gate(request, super().authenticate(request, key))


router = Router(tags=["cases"], auth=[CaseworkTokenAuth(), CaseworkSessionAuth()])

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_get_for_user(membership=_membership(request), case_id=case_id)


def _managed_case(request: HttpRequest, case_id: int) -> Case:
    """Team changes, closing and reopening: like the pages, 404 unless she may manage it."""
    case = _case(request, case_id)
    if not can_manage_case(_membership(request), case):
        raise Http404
    return case


def reauthentication_required(request: HttpRequest, message: str = "") -> Status[Any] | None:
    """403 `reauthentication_required` unless this is a browser session whose person re-entered
    her password in the last 10 minutes. A token never passes (it is a standing credential that
    can be copied or stolen), nor does any request with an Authorization header, even if a
    session cookie comes along. None when the request may go on."""
    if not request.headers.get("Authorization") and did_recently_reauthenticate(request):
        return None
    message = message or _(
        "Confirma tu contraseña en el navegador (vale 10 minutos). Los tokens personales "
        "no pueden hacer este cambio."
    )
    return Status(403, {"error": {"code": "reauthentication_required", "message": message}})


def _detail(case: Case) -> dict[str, Any]:
    testimonies = list(selectors.testimony_list(case=case))
    return {
        **CaseRowOut.from_orm(case).model_dump(),
        "closure_reason": case.closure_reason,
        "closed_on": case.closed_on,
        "intake_channel": case.intake_channel,
        "sex": case.survivor.sex,
        "is_child": case.survivor.is_child,
        "incidents": list(selectors.incident_list(case=case)),
        "testimonies_count": len(testimonies),
        "revictimisation_warning": services.revictimisation_warning(testimonies),
        "team": [
            {
                "user_id": m.user_id,
                "name": m.user.display_name,
                "role": m.role,
                "is_lead": m.user_id == case.lead_id,
            }
            for m in selectors.team_list(case=case)
        ],
    }


def _municipality(code: str, field: str) -> Municipality:
    municipality = municipality_by_code(code.strip())
    if municipality is None:
        raise ValidationError({field: _("Código de municipio (INE) desconocido.")})
    return municipality


def _offences(codes: list[str], field: str) -> list[Offence]:
    offences = list(offence_list().filter(code__in=set(codes)))
    if len(offences) != len(set(codes)):
        raise ValidationError({field: _("Código de delito desconocido.")})
    return offences


def _incident(
    data: IncidentIn, *, prefix: str, default: Municipality | None
) -> services.IncidentData:
    return services.IncidentData(
        violence_type=str(data.violence_type),
        occurred_on=data.occurred_on,
        date_precision=str(data.date_precision),
        municipality=_municipality(data.municipality, f"{prefix}municipality")
        if data.municipality
        else default,
        offences=_offences(data.offences, f"{prefix}offences"),
        perpetrator_relationship=str(data.perpetrator_relationship),
        perpetrator_sex=str(data.perpetrator_sex),
        perpetrator_age_band=str(data.perpetrator_age_band or ""),
        repeats_earlier=data.repeats_earlier,
    )


def _intake(data: IntakeIn) -> services.Intake:
    home = _municipality(data.profile.municipality, "profile.municipality")
    p, c = data.profile, data.contact
    return services.Intake(
        contact=services.SafeContact(
            safe_to_talk=c.safe_to_talk,
            channels=[str(channel) for channel in c.channels],
            safe_hours=c.safe_hours,
            may_leave_message=c.may_leave_message,
            code_word=c.code_word,
        ),
        identity=Identity(**data.identity.dict()),
        profile=Profile(
            age=p.age,
            municipality=home,
            sex=str(p.sex),
            languages=[str(language) for language in p.languages],
            disability=str(p.disability),
            guardian_relationship=str(p.guardian_relationship or ""),
            guardian_is_alleged_aggressor=p.guardian_is_alleged_aggressor,
        ),
        incident=_incident(data.incident, prefix="incident.", default=None),
        intake_channel=str(data.intake_channel),
        summary=data.summary,
        confirmed_new_person=data.confirmed_new_person,
    )


def _duplicate(exc: services.DuplicateSuspectedError) -> dict[str, Any]:
    if any(match.same_organisation for match in exc.matches):
        message = _("Esta persona ya está registrada en tu organización: búscala en los casos.")
    else:
        message = _(
            "Posible coincidencia con una persona registrada en otra organización. Si es "
            "otra persona, envía de nuevo con confirmed_new_person: true."
        )
    names = sorted({match.organisation.name for match in exc.matches})
    return {"error": {"code": "possible_duplicate", "message": message, "organisations": names}}


@router.get("", response={200: list[CaseRowOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def case_list(request: HttpRequest, q: Query[CaseQuery]) -> Any:
    """Cases the caller can see, with the same filters as the case list page."""
    membership = _membership(request)
    data = {name: value for name, value in q.dict().items() if value not in (None, "")}
    form = CaseFilterForm(data, membership=membership)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return selectors.case_list(membership=membership, filters=form.filters())


@router.post("", response={201: CaseOut, 409: DuplicateOut, **_ERRORS})
def case_intake(request: HttpRequest, data: IntakeIn) -> Status[Any]:
    """Open a case: the three steps of the intake in one body. A possible duplicate answers
    409 with the names of the organisations that hold a match, and writes nothing."""
    membership = _membership(request)
    try:
        case = services.intake_create(membership=membership, intake=_intake(data))
    except services.DuplicateSuspectedError as exc:
        return Status(409, _duplicate(exc))
    return Status(201, _detail(_case(request, case.pk)))


@router.get("/{case_id}", response={200: CaseOut, **_ERRORS})
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """The case header, incidents, testimonies and team. Opening it is recorded."""
    case = _case(request, case_id)
    services.case_view_record(membership=_membership(request), case=case)
    return _detail(case)


@router.post("/{case_id}/incidents", response={201: IncidentOut, **_ERRORS})
def incident_add(request: HttpRequest, case_id: int, data: IncidentIn) -> Status[Any]:
    case = _case(request, case_id)
    incident = services.incident_add(
        membership=_membership(request),
        case=case,
        data=_incident(data, prefix="", default=case.survivor.municipality),
    )
    return Status(201, incident)


@router.get("/{case_id}/notes", response={200: list[NoteOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def note_list(request: HttpRequest, case_id: int) -> Any:
    """The notes the caller may read: team and discipline notes stay with their readers."""
    return selectors.note_list_visible_to(
        membership=_membership(request), case=_case(request, case_id)
    )


@router.post("/{case_id}/notes", response={201: NoteOut, **_ERRORS})
def note_add(request: HttpRequest, case_id: int, data: NoteIn) -> Status[Any]:
    note = services.note_add(
        membership=_membership(request),
        case=_case(request, case_id),
        body=data.body,
        sensitivity=str(data.sensitivity),
    )
    return Status(201, note)


@router.post("/{case_id}/tasks", response={201: TaskOut, **_ERRORS})
def task_add(request: HttpRequest, case_id: int, data: TaskIn) -> Status[Any]:
    membership = _membership(request)
    task = services.task_add(
        membership=membership,
        case=_case(request, case_id),
        title=data.title,
        assignee_id=data.assignee_id or membership.user_id,
        due_on=data.due_on,
    )
    return Status(201, task)


@router.post("/{case_id}/tasks/{task_id}/done", response={204: None, **_ERRORS})
def task_done(request: HttpRequest, case_id: int, task_id: int) -> Status[None]:
    task = selectors.task_get_for_case(case=_case(request, case_id), task_id=task_id)
    services.task_complete(membership=_membership(request), task=task)
    return Status(204, None)


@router.post("/{case_id}/testimonies", response={201: TestimonyOut, **_ERRORS})
def testimony_add(request: HttpRequest, case_id: int, data: TestimonyIn) -> Status[Any]:
    testimony = services.testimony_add(
        membership=_membership(request),
        case=_case(request, case_id),
        taken_on=data.taken_on,
        interviewer=str(data.interviewer),
        institution=data.institution,
        recorded=data.recorded,
        gesell_chamber=data.gesell_chamber,
    )
    return Status(201, testimony)


@router.get("/{case_id}/consents", response={200: list[ConsentOut], **_ERRORS})
def consent_index(request: HttpRequest, case_id: int) -> Any:
    return consent_list(survivor=_case(request, case_id).survivor)


@router.post("/{case_id}/consents", response={201: ConsentOut, **_ERRORS})
def consent_add(request: HttpRequest, case_id: int, data: ConsentIn) -> Status[Any]:
    membership = _membership(request)
    recipient = None
    if data.recipient_id is not None:
        recipient = (
            selectors.partner_organisations(membership=membership)
            .filter(pk=data.recipient_id)
            .first()
        )
        if recipient is None:
            raise ValidationError({"recipient_id": _("Organización desconocida.")})
    consent = services.case_consent_record(
        membership=membership,
        case=_case(request, case_id),
        purpose=str(data.purpose),
        given_by=str(data.given_by),
        given_on=data.given_on,
        child_assent=data.child_assent,
        recipient=recipient,
        channel=str(data.channel or ""),
        scope=data.scope,
        expires_on=data.expires_on,
        categories=data.categories,
    )
    return Status(201, consent)


@router.post("/{case_id}/consents/{consent_id}/withdraw", response={204: None, **_ERRORS})
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> Status[None]:
    case = _case(request, case_id)
    consent = consent_get(survivor=case.survivor, consent_id=consent_id)
    services.case_consent_withdraw(membership=_membership(request), case=case, consent=consent)
    return Status(204, None)


@router.post("/{case_id}/reveal", response={200: IdentityOut, 403: ErrorOut, **_ERRORS})
def reveal(request: HttpRequest, case_id: int, data: RevealIn | None = None) -> Status[Any]:
    """Her identity, audited with the reason. Only from a browser session whose person
    re-entered her password in the last 10 minutes: revealing who a survivor is needs the
    person to prove again who she is, which a token cannot do (a token is a standing
    credential that can be copied, left in a script or stolen). Tokens get 403, and so does
    any request with an Authorization header, even if a session cookie comes along."""
    case = _case(request, case_id)
    refused = reauthentication_required(
        request,
        _(
            "Para ver la identidad, confirma tu contraseña en el navegador "
            "(vale 10 minutos). Los tokens personales no pueden revelarla."
        ),
    )
    if refused is not None:
        return refused
    identity = services.case_reveal(
        membership=_membership(request), case=case, reason=data.reason if data else ""
    )
    return Status(200, identity)


_REAUTH: dict[int, Any] = {403: ErrorOut, **_ERRORS}


@router.put("/{case_id}/identity", response={204: None, **_REAUTH})
def identity_edit(request: HttpRequest, case_id: int, data: IdentityIn) -> Status[Any]:
    """Replace her identity (every field: an empty one is cleared), checked like the page's
    form. Like the reveal, only from a browser session re-authenticated in the last 10
    minutes; tokens get 403. Once her identity was erased it cannot be edited (400)."""
    case = _case(request, case_id)
    refused = reauthentication_required(request)
    if refused is not None:
        return refused
    form = IdentityForm(data.dict())
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    identity_update(
        membership=_membership(request), survivor=case.survivor, identity=form.identity()
    )
    return Status(204, None)


@router.post("/{case_id}/team", response={204: None, **_ERRORS})
def team_add(request: HttpRequest, case_id: int, data: TeamIn) -> Status[None]:
    """Add someone of the organisation who works cases; `lead` makes her the case lead.
    For the case lead, coordinators and supervisors."""
    case = _managed_case(request, case_id)
    try:
        services.team_add(
            membership=_membership(request), case=case, user_id=data.user_id, lead=data.lead
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "user" in exc.error_dict:
            exc.error_dict["user_id"] = exc.error_dict.pop("user")
        raise
    return Status(204, None)


@router.post("/{case_id}/team/{user_id}/remove", response={204: None, **_ERRORS})
def team_remove(request: HttpRequest, case_id: int, user_id: int) -> Status[None]:
    """Her access to the case ends (unless she sees the whole caseload). The lead cannot be
    removed: designate another lead first."""
    case = _managed_case(request, case_id)
    services.team_remove(membership=_membership(request), case=case, user_id=user_id)
    return Status(204, None)


@router.post("/{case_id}/close", response={204: None, **_ERRORS})
def case_close(request: HttpRequest, case_id: int, data: CloseIn) -> Status[None]:
    case = _managed_case(request, case_id)
    services.case_close(
        membership=_membership(request),
        case=case,
        reason=str(data.reason),
        closed_on=data.closed_on,
    )
    return Status(204, None)


@router.post("/{case_id}/reopen", response={204: None, **_ERRORS})
def case_reopen(request: HttpRequest, case_id: int) -> Status[None]:
    case = _managed_case(request, case_id)
    services.case_reopen(membership=_membership(request), case=case)
    return Status(204, None)
