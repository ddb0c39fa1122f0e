"""Referrals over the API, from both sides. The same selectors and services as the pages, so
the same access rules, checks and audit.

- The referring side, inside a case (`case_router`, mounted at /api/v1/cases beside the cases
  router): its referrals, with what the receiving side read through each one; refer, revoke,
  complete. Whoever may open the case reads them; referring, revoking and completing are for
  the people who manage the case (its lead, coordinators, supervisors).
- The receiving side (`router`, at /api/v1/referrals): the inbox; accept, decline and
  complete (its coordinators and supervisors); and the referred data, read by the people the
  referral was assigned to, through `selectors.referred_case_get` and recorded in both
  organisations' trails. Her identity never leaves the API: it needs a re-authenticated
  browser session in the web pages.

The gate runs while authenticating, before the body is read: a case one may not open (or
manage), or a referral that is not in one's inbox, is 404 whatever she sends. Output names
the case by its code, never the survivor.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from access.policy import Capability, can_manage_case, has_capability, may_decide_referrals
from api.auth import MemberSessionAuth, TokenAuth
from api.schemas import ErrorOut
from audit.models import Action
from cases.api import CaseworkSessionAuth, CaseworkTokenAuth
from cases.models import Case, Sensitivity
from cases.schemas import IncidentOut, NoteOut
from cases.selectors import (
    case_get_for_user,
    casework_members,
    incident_list,
    note_list_visible_to,
    partner_organisations,
    user_names,
)
from organisations.models import Membership, Organisation
from proceedings import selectors as proceedings_selectors
from proceedings.api import Rows, field_names
from proceedings.models import Proceeding
from proceedings.schemas import deadline_out, hearing_out, proceeding_row_out, zone_of
from referrals import schemas, selectors, services
from referrals.models import Referral
from referrals.schemas import (
    AcceptIn,
    DeclineIn,
    OutgoingReferralDetailOut,
    OutgoingReferralOut,
    ReferralIn,
    ReferralOut,
    ReferredProceedingOut,
)
from survivors.models import SharedCategory

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# ----------------------------------------------------------------------------- gates


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _path_id(request: HttpRequest, name: str) -> int | None:
    match = request.resolver_match
    value = str(match.kwargs.get(name, "")) if match else ""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


def _manager_gate(request: HttpRequest, user: Any) -> Any:
    """After the casework gate (the case is visible): she must also manage it."""
    if user is None:
        return None
    case_id = _path_id(request, "case_id")
    case = case_get_for_user(membership=_membership(request), case_id=case_id or 0)
    if not can_manage_case(_membership(request), case):
        raise Http404
    return user


def _receiving_gate(request: HttpRequest, user: Any, *, deciding: bool) -> Any:
    """She works cases; to decide, she is a coordinator or supervisor; a referral in the
    path is in her inbox (all of her organisation's for those who decide, the accepted ones
    assigned to her for everyone else)."""
    if user is None:
        return None
    membership = _membership(request)
    if not has_capability(membership, Capability.SEE_SURVIVORS):
        raise Http404
    if deciding and not may_decide_referrals(membership):
        raise Http404
    referral_id = _path_id(request, "referral_id")
    if referral_id is not None:
        selectors.incoming_get(membership=membership, referral_id=referral_id)
    return user


class CaseManagerTokenAuth(CaseworkTokenAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _manager_gate(request, super().authenticate(request, token))


class CaseManagerSessionAuth(CaseworkSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _manager_gate(request, super().authenticate(request, key))


class ReceivingTokenAuth(TokenAuth):
    deciding = False

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return _receiving_gate(request, user, deciding=self.deciding)


class ReceivingSessionAuth(MemberSessionAuth):
    deciding = False

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _receiving_gate(request, user, deciding=self.deciding)


class DecidingTokenAuth(ReceivingTokenAuth):
    deciding = True


class DecidingSessionAuth(ReceivingSessionAuth):
    deciding = True


_MANAGERS = [CaseManagerTokenAuth(), CaseManagerSessionAuth()]
_DECIDERS = [DecidingTokenAuth(), DecidingSessionAuth()]

case_router = Router(tags=["referrals"], auth=[CaseworkTokenAuth(), CaseworkSessionAuth()])
router = Router(tags=["referrals"], auth=[ReceivingTokenAuth(), ReceivingSessionAuth()])


# ----------------------------------------------------------------------------- referring side

R = "/{case_id}/referrals"
READS_SHOWN = 100  # the latest; the audit trail holds every one
_FIELDS = {"to_organisation": "to_organisation_id", "assignees": "assignee_ids"}


def _case(request: HttpRequest, case_id: int) -> Case:
    return case_get_for_user(membership=_membership(request), case_id=case_id)


def _outgoing(case: Case, referral_id: int) -> Referral:
    return selectors.referral_get_for_case(case=case, referral_id=referral_id)


def _outgoing_detail(case: Case, referral_id: int) -> dict[str, Any]:
    referrals = selectors.referral_list_for_case(case=case).select_related("ended_by")
    referral = referrals.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    events = selectors.reads_of(referral=referral).filter(action=Action.VIEW)
    reads = list(events[:READS_SHOWN])
    names = user_names(user_ids={e.actor_id for e in reads if e.actor_id})
    return {
        **schemas.outgoing_out(referral),
        "reads": [schemas.read_out(event, names) for event in reads],
        "reads_count": len(reads) if len(reads) < READS_SHOWN else events.count(),
    }


def _recipient(membership: Membership, organisation_id: int | None) -> Organisation | None:
    """Her own organisation is passed on, for the service to explain the refusal."""
    if organisation_id is None:
        return None
    if organisation_id == membership.organisation_id:
        return membership.organisation
    found = partner_organisations(membership=membership).filter(pk=organisation_id).first()
    if found is None:
        raise ValidationError({"to_organisation_id": _("Organización desconocida.")})
    return found


@case_router.get(R, response={200: list[OutgoingReferralOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def outgoing_list(request: HttpRequest, case_id: int) -> Any:
    """The case's referrals, newest first."""
    referrals = selectors.referral_list_for_case(case=_case(request, case_id))
    return Rows(referrals.select_related("ended_by"), schemas.outgoing_out)


@case_router.post(R, response={201: OutgoingReferralDetailOut, **_ERRORS}, auth=_MANAGERS)
def outgoing_create(request: HttpRequest, case_id: int, data: ReferralIn) -> Any:
    """Refer the case to an organisation of the network, sharing only categories the
    survivor consented to share with it, until `expires_on`; or record a referral to an
    outside service (`external_service`), which grants nothing."""
    membership = _membership(request)
    case = _case(request, case_id)
    with field_names(**_FIELDS):
        referral = services.referral_create(
            membership=membership,
            case=case,
            purpose=str(data.purpose),
            expires_on=data.expires_on,
            to_organisation=_recipient(membership, data.to_organisation_id),
            external_service=data.external_service,
            categories=[str(c) for c in data.categories],
        )
    return Status(201, _outgoing_detail(case, referral.pk))


@case_router.get(R + "/{referral_id}", response={200: OutgoingReferralDetailOut, **_ERRORS})
def outgoing_detail(request: HttpRequest, case_id: int, referral_id: int) -> Any:
    """One referral, with every read the receiving side made through it (who, when, what)."""
    return _outgoing_detail(_case(request, case_id), referral_id)


@case_router.post(
    R + "/{referral_id}/revoke",
    response={200: OutgoingReferralDetailOut, **_ERRORS},
    auth=_MANAGERS,
)
def outgoing_revoke(request: HttpRequest, case_id: int, referral_id: int) -> Any:
    """Withdraw a pending or accepted referral: the receiving side's access ends at once."""
    case = _case(request, case_id)
    referral = _outgoing(case, referral_id)
    services.referral_revoke(membership=_membership(request), case=case, referral=referral)
    return _outgoing_detail(case, referral_id)


@case_router.post(
    R + "/{referral_id}/complete",
    response={200: OutgoingReferralDetailOut, **_ERRORS},
    auth=_MANAGERS,
)
def outgoing_complete(request: HttpRequest, case_id: int, referral_id: int) -> Any:
    """Close an accepted referral whose work is done: access ends at once."""
    case = _case(request, case_id)
    referral = _outgoing(case, referral_id)
    services.referral_complete(membership=_membership(request), referral=referral)
    return _outgoing_detail(case, referral_id)


# ----------------------------------------------------------------------------- receiving side


def _incoming(request: HttpRequest, referral_id: int) -> Referral:
    referrals = selectors.inbox(membership=_membership(request)).select_related("ended_by")
    referral = referrals.filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    return referral


def _referred(request: HttpRequest, referral_id: int, category: str) -> Referral:
    """The referral through which she reads `category` of the case, her read recorded."""
    membership = _membership(request)
    referral = selectors.referred_case_get(
        membership=membership, referral_id=referral_id, category=category
    )
    services.read_record(membership=membership, referral=referral, category=category)
    return referral


def _assignees(membership: Membership, user_ids: list[int]) -> list[Any]:
    wanted = set(user_ids)
    members = casework_members(membership=membership).filter(user_id__in=wanted)
    users = [member.user for member in members]
    if len(users) != len(wanted):
        raise ValidationError(
            {"assignee_ids": _("Asigna personas activas de tu organización que trabajan casos.")}
        )
    return users


def _proceeding(proceeding: Proceeding, now: Any) -> dict[str, Any]:
    procedure = proceedings_selectors.procedure_for(proceeding)
    zone = zone_of(proceeding)
    deadlines = [
        deadline_out(d, procedure, zone, now)
        for d in proceedings_selectors.deadline_list(proceeding=proceeding)
    ]
    hearings = [
        hearing_out(h, proceeding, procedure, {})
        for h in proceedings_selectors.hearing_list(proceeding=proceeding).select_related(
            "court__department"
        )
    ]
    return {
        "department": proceeding.department.name,
        "stage": proceeding_row_out(proceeding, procedure)["stage"],
        "stage_since": proceeding.stage_since,
        "deadlines": [
            {key: d[key] for key in ("rule", "due_at", "state", "overdue")} for d in deadlines
        ],
        "hearings": [
            {
                "type": h["type"],
                "starts_at": h["starts_at"],
                "court": h["court"]["name"],
                "status": h["status"],
            }
            for h in hearings
        ],
    }


@router.get("", response={200: list[ReferralOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def inbox(request: HttpRequest) -> Any:
    """Referrals made to my organisation: all of them for its coordinators and supervisors,
    the accepted ones assigned to me for everyone else. Newest first."""
    referrals = selectors.inbox(membership=_membership(request)).select_related("ended_by")
    return Rows(referrals, schemas.referral_out)


@router.get("/{referral_id}", response={200: ReferralOut, **_ERRORS})
def incoming_detail(request: HttpRequest, referral_id: int) -> Any:
    return schemas.referral_out(_incoming(request, referral_id))


@router.post("/{referral_id}/accept", response={200: ReferralOut, **_ERRORS}, auth=_DECIDERS)
def incoming_accept(request: HttpRequest, referral_id: int, data: AcceptIn) -> Any:
    """For coordinators and supervisors: accept a pending referral, assigning the people of
    my organisation who will work it. They may read the consented categories at once."""
    membership = _membership(request)
    referral = _incoming(request, referral_id)
    with field_names(**_FIELDS):
        services.referral_accept(
            membership=membership,
            referral=referral,
            assignees=_assignees(membership, data.assignee_ids),
        )
    return schemas.referral_out(_incoming(request, referral_id))


@router.post("/{referral_id}/decline", response={200: ReferralOut, **_ERRORS}, auth=_DECIDERS)
def incoming_decline(request: HttpRequest, referral_id: int, data: DeclineIn) -> Any:
    """For coordinators and supervisors: decline a pending referral, with a reason."""
    referral = _incoming(request, referral_id)
    services.referral_decline(
        membership=_membership(request), referral=referral, reason=str(data.reason)
    )
    return schemas.referral_out(_incoming(request, referral_id))


@router.post("/{referral_id}/complete", response={200: ReferralOut, **_ERRORS}, auth=_DECIDERS)
def incoming_complete(request: HttpRequest, referral_id: int) -> Any:
    """For coordinators and supervisors: the work is done; access ends at once."""
    referral = _incoming(request, referral_id)
    services.referral_complete(membership=_membership(request), referral=referral)
    return schemas.referral_out(_incoming(request, referral_id))


@router.get("/{referral_id}/incidents", response={200: list[IncidentOut], **_ERRORS})
def referred_incidents(request: HttpRequest, referral_id: int) -> Any:
    """The case's incidents, if she consented to share them (else 404). Recorded."""
    referral = _referred(request, referral_id, SharedCategory.INCIDENTS)
    return incident_list(case=referral.case)


@router.get("/{referral_id}/proceedings", response={200: list[ReferredProceedingOut], **_ERRORS})
def referred_proceedings(request: HttpRequest, referral_id: int) -> Any:
    """Where each criminal proceeding stands: stage, deadlines, hearings. No identifiers
    (no NUREJ, no prosecutor's number, nothing about the accused). Recorded."""
    referral = _referred(request, referral_id, SharedCategory.PROCEEDINGS)
    now = timezone.now()
    proceedings = proceedings_selectors.proceeding_list(case=referral.case)
    return [_proceeding(p, now) for p in proceedings]


@router.get("/{referral_id}/notes", response={200: list[NoteOut], **_ERRORS})
@paginate(LimitOffsetPagination)
def referred_notes(request: HttpRequest, referral_id: int) -> Any:
    """The case's notes for whoever sees the case (never team or discipline notes), if she
    consented to share them (else 404). Recorded."""
    referral = _referred(request, referral_id, SharedCategory.NOTES)
    notes = note_list_visible_to(membership=_membership(request), case=referral.case)
    return notes.filter(sensitivity=Sensitivity.NORMAL)
