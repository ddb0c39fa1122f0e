"""Match notices, erasure and retention over the API, with the same selectors, services, access
rules and audit as the pages (cases/views/intake.py, survivors/views.py).

Who may use an operation is checked while authenticating, before the body is read, so a person
who may not gets 404 whatever she sends: match notices and erasures need the casework gate of
the cases API (and, under /erasures/cases/{case_id}, a case she can open); erasures are for
coordinators; retention for the people who manage the organisation's members.

Erasure and retention change what Amparo keeps of a survivor for good, so, as on the pages,
every change needs a browser session re-authenticated in the last 10 minutes; tokens get 403
`reauthentication_required` (see cases.api.reauthentication_required).
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from access.policy import Capability, has_capability, sees_whole_caseload
from api.auth import MemberSessionAuth, TokenAuth
from api.schemas import ErrorOut
from cases.api import CaseworkSessionAuth, CaseworkTokenAuth, reauthentication_required
from cases.schemas import PersonOut, person
from cases.selectors import case_get_for_user, case_ids_for_survivors
from organisations.models import Membership
from survivors import erasure, selectors, services
from survivors.forms import ErasureRequestForm

_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
_CHANGES: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 422: ErrorOut, **_ERRORS}


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _only(user: Any, allowed: Callable[[], bool]) -> Any:
    """After authentication, 404 unless `allowed()`: before the body is read."""
    if user is not None and not allowed():
        raise Http404
    return user


# ---- match notices


class NoticeTokenAuth(CaseworkTokenAuth):
    """Notices are read and closed by the holding organisation's coordinators and
    supervisors (those who see the whole caseload)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return _only(user, lambda: sees_whole_caseload(_membership(request)))


class NoticeSessionAuth(CaseworkSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _only(user, lambda: sees_whole_caseload(_membership(request)))


notices_router = Router(tags=["match-notices"], auth=[NoticeTokenAuth(), NoticeSessionAuth()])


class NoticeOut(Schema):
    id: int
    code: str = Field(description="código de nuestra sobreviviente")
    case_id: int | None = Field(description="su caso más reciente que puedes abrir")
    requester: str = Field(description="organización cuyo registro coincidió")
    matched_on: list[str] = Field(
        description="qué coincidió: document_index, phone_index o name_dob_index"
    )
    referral_requested: bool
    created_at: datetime


class NoticePageOut(Schema):
    count: int
    items: list[NoticeOut]


class PageQuery(Schema):
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


@notices_router.get("", response={200: NoticePageOut, **_ERRORS})
def match_notice_list(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Open notices: another organisation's intake matched one of our survivors. That
    organisation learns only that we hold a match; the referral is arranged outside Amparo."""
    membership = _membership(request)
    notices = selectors.match_notices_for(membership=membership).order_by("-created_at", "-pk")
    rows = list(notices[page.offset : page.offset + page.limit])
    case_ids = case_ids_for_survivors(
        membership=membership, survivor_ids=[n.survivor_id for n in rows]
    )
    return {
        "count": notices.count(),
        "items": [
            {
                "id": n.pk,
                "code": n.survivor.code,
                "case_id": case_ids.get(n.survivor_id),
                "requester": n.requester.name,
                "matched_on": list(n.matched_on),
                "referral_requested": n.referral_requested,
                "created_at": n.created_at,
            }
            for n in rows
        ],
    }


@notices_router.post("/{notice_id}/close", response={204: None, 400: ErrorOut, **_ERRORS})
def match_notice_close(request: HttpRequest, notice_id: int) -> Status[None]:
    """Mark the notice as dealt with (400 if it already was)."""
    membership = _membership(request)
    notice = selectors.match_notice_get_for_user(membership=membership, notice_id=notice_id)
    services.match_notice_close(membership=membership, notice=notice)
    return Status(204, None)


# ---- erasure


class ErasureTokenAuth(CaseworkTokenAuth):
    """Erasure is a coordinators' matter: only they see, ask, confirm and cancel."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return _only(user, lambda: erasure.can_request_erasure(_membership(request)))


class ErasureSessionAuth(CaseworkSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _only(user, lambda: erasure.can_request_erasure(_membership(request)))


erasures_router = Router(tags=["erasure"], auth=[ErasureTokenAuth(), ErasureSessionAuth()])


class ErasureOut(Schema):
    id: int
    code: str = Field(description="código de la sobreviviente")
    reason: str
    requested_by: PersonOut
    requested_at: datetime

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return str(obj.survivor.code)

    @staticmethod
    def resolve_requested_by(obj: Any) -> dict[str, Any] | None:
        return person(obj.requested_by)


class ErasureIn(Schema):
    reason: str = Field(..., description="survivor_request, safety, u otro motivo de la lista")
    confirm: bool = Field(
        default=False,
        description="true: entiendo que su identidad será ilegible para siempre una vez confirmado",
    )


@erasures_router.get("", response={200: list[ErasureOut], **_ERRORS})
def erasure_list(request: HttpRequest) -> Any:
    """Pending requests to erase a survivor's identity, for another coordinator to confirm."""
    return selectors.erasure_requests_pending(membership=_membership(request))


@erasures_router.post("/cases/{case_id}", response={201: ErasureOut, **_CHANGES})
def erasure_request(request: HttpRequest, case_id: int, data: ErasureIn) -> Status[Any]:
    """Ask to erase the identity of the case's survivor. Another coordinator must confirm."""
    membership = _membership(request)
    case = case_get_for_user(membership=membership, case_id=case_id)
    refused = reauthentication_required(request)
    if refused is not None:
        return refused
    form = ErasureRequestForm({"reason": data.reason, "confirm": data.confirm})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    pending = erasure.erasure_request(
        membership=membership, survivor=case.survivor, reason=form.cleaned_data["reason"]
    )
    return Status(201, pending)


@erasures_router.post("/{request_id}/confirm", response={204: None, **_CHANGES})
def erasure_confirm(request: HttpRequest, request_id: int) -> Status[Any]:
    """A second coordinator confirms: her identity is destroyed now, for good."""
    membership = _membership(request)
    pending = selectors.erasure_request_get(membership=membership, request_id=request_id)
    refused = reauthentication_required(request)
    if refused is not None:
        return refused
    erasure.erasure_confirm(membership=membership, request=pending)
    return Status(204, None)


@erasures_router.post("/{request_id}/cancel", response={204: None, **_CHANGES})
def erasure_cancel(request: HttpRequest, request_id: int) -> Status[Any]:
    membership = _membership(request)
    pending = selectors.erasure_request_get(membership=membership, request_id=request_id)
    refused = reauthentication_required(request)
    if refused is not None:
        return refused
    erasure.erasure_cancel(membership=membership, request=pending)
    return Status(204, None)


# ---- retention


def _manages_members(request: HttpRequest) -> bool:
    return has_capability(_membership(request), Capability.MANAGE_MEMBERS)


class RetentionTokenAuth(TokenAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        return _only(user, lambda: _manages_members(request))


class RetentionSessionAuth(MemberSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _only(user, lambda: _manages_members(request))


retention_router = Router(tags=["retention"], auth=[RetentionTokenAuth(), RetentionSessionAuth()])


class RetentionOut(Schema):
    years: int | None = Field(
        description="borrar la identidad tantos años después del cierre de su último caso; "
        "null: no borrar automáticamente"
    )
    updated_at: datetime | None
    updated_by: PersonOut | None


class RetentionIn(Schema):
    years: int | None = Field(..., description="de 1 a 100, o null para no borrar")


def _rule(rule: Any) -> dict[str, Any]:
    if rule is None:
        return {"years": None, "updated_at": None, "updated_by": None}
    return {
        "years": rule.erase_identity_after_years,
        "updated_at": rule.updated_at,
        "updated_by": person(rule.updated_by),
    }


@retention_router.get("", response={200: RetentionOut, **_ERRORS})
def retention(request: HttpRequest) -> dict[str, Any]:
    """The organisation's retention rule."""
    return _rule(selectors.retention_rule_for(membership=_membership(request)))


@retention_router.put("", response={200: RetentionOut, **_CHANGES})
def retention_set(request: HttpRequest, data: RetentionIn) -> Status[Any]:
    refused = reauthentication_required(request)
    if refused is not None:
        return refused
    membership = _membership(request)
    erasure.retention_rule_set(membership=membership, years=data.years)
    return Status(200, _rule(selectors.retention_rule_for(membership=membership)))
