"""The receiving side: the inbox of referrals made to the organisation, deciding on one
(accept with the people who will attend it, or decline with a reason), closing it, and the
referred case as the assigned people may read it.

Lists and decisions show the survivor's code, never her name. The referred case page asks the
access gate (`referred_case_get`, then `can_read_referred` for each category) on every request,
so a revoked, expired or completed referral answers 404 from the next request on."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.policy import Capability, may_decide_referrals
from cases.forms import add_service_errors
from cases.selectors import casework_members
from core.decorators import member_required, sudo_required
from organisations.models import Membership
from referrals import services, services_reads
from referrals.display import referral_row
from referrals.forms import AcceptForm, DeclineForm
from referrals.models import Referral, Status
from referrals.selectors import inbox as inbox_for
from referrals.selectors import incoming_get, referred_case_get
from referrals.selectors_pages import users_by_id
from survivors.models import SharedCategory

PAGE_SIZE = 25
VIEWS = ("pending", "accepted", "closed")


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _in_view(referrals: QuerySet[Referral], view: str, today: date) -> QuerySet[Referral]:
    """Pending and accepted mean still open (not past their expiry date); closed is the rest:
    declined, revoked, completed or expired."""
    still_open = Q(expires_on__gte=today)
    if view == "pending":
        return referrals.filter(still_open, status=Status.PENDING)
    if view == "accepted":
        return referrals.filter(still_open, status=Status.ACCEPTED)
    return referrals.exclude(still_open & Q(status__in=[Status.PENDING, Status.ACCEPTED]))


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    deciding = may_decide_referrals(membership)
    view = request.GET.get("view", "")
    if not deciding or view not in VIEWS:
        view = "pending" if deciding else "accepted"
    referrals = _in_view(inbox_for(membership=membership), view, timezone.localdate())
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "referrals/inbox.html",
        {
            "view": view,
            "deciding": deciding,
            "page": page,
            "rows": [referral_row(r) for r in page.object_list],
            "query_prefix": f"view={view}&",
        },
    )


def _assignees(form: AcceptForm) -> list[object] | None:
    """The posted people as users (the service checks they may be assigned)."""
    ids = form.cleaned_data["assignees"]
    users = {m.user_id: m.user for m in form.members}
    unknown = [i for i in ids if i not in users]
    users.update(users_by_id(user_ids=unknown))
    if any(i not in users for i in ids):
        form.add_error("assignees", _("Persona desconocida."))
        return None
    return [users[i] for i in ids]


def _decision(
    request: HttpRequest,
    membership: Membership,
    referral: Referral,
    accept_form: AcceptForm,
    decline_form: DeclineForm,
) -> str:
    """Apply the posted decision; the message on success, "" when refused (errors on forms)."""
    action = request.POST.get("action")
    try:
        if action == "accept" and accept_form.is_valid():
            assignees = _assignees(accept_form)
            if assignees is not None:
                services.referral_accept(
                    membership=membership, referral=referral, assignees=assignees
                )
                return _("Derivación aceptada: las personas asignadas ya pueden ver el caso.")
        elif action == "decline" and decline_form.is_valid():
            services.referral_decline(
                membership=membership, referral=referral, reason=decline_form.cleaned_data["reason"]
            )
            return _("Derivación rechazada.")
    except ValidationError as exc:
        add_service_errors(accept_form if action == "accept" else decline_form, exc)
    return ""


def _decide_page(
    request: HttpRequest,
    membership: Membership,
    referral: Referral,
    *,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> TemplateResponse:
    deciding = may_decide_referrals(membership)
    members = casework_members(membership=membership) if deciding else []
    return TemplateResponse(
        request,
        "referrals/referral_decide.html",
        {
            "referral": referral,
            "row": referral_row(referral),
            "deciding": deciding,
            "assigned": any(u.pk == membership.user_id for u in referral.assignees.all()),
            "accept_form": accept_form or AcceptForm(members=members),
            "decline_form": decline_form or DeclineForm(),
            "errors": errors or [],
        },
        status=status,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    membership = _membership(request)
    referral = incoming_get(membership=membership, referral_id=referral_id)
    if request.method == "GET":
        return _decide_page(request, membership, referral)
    if not may_decide_referrals(membership):
        raise Http404
    action = request.POST.get("action")
    members = casework_members(membership=membership)
    accept_form = AcceptForm(request.POST if action == "accept" else None, members=members)
    decline_form = DeclineForm(request.POST if action == "decline" else None)
    done = _decision(request, membership, referral, accept_form, decline_form)
    if done:
        messages.success(request, done)
        return redirect("referrals:decide", referral_id=referral.pk)
    errors = [] if action in ("accept", "decline") else [_("Elige aceptar o rechazar.")]
    if referral.status != Status.PENDING:  # the forms are not shown: say why on top
        errors += [*accept_form.non_field_errors(), *decline_form.non_field_errors()]
    return _decide_page(
        request,
        membership,
        referral,
        accept_form=accept_form,
        decline_form=decline_form,
        errors=errors,
        status=400,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def complete(request: HttpRequest, referral_id: int) -> HttpResponse:
    membership = _membership(request)
    referral = incoming_get(membership=membership, referral_id=referral_id)
    try:
        services.referral_complete(membership=membership, referral=referral)
    except ValidationError as exc:
        return _decide_page(request, membership, referral, errors=exc.messages, status=400)
    messages.success(request, _("Derivación concluida: las personas asignadas ya no ven el caso."))
    return redirect("referrals:decide", referral_id=referral.pk)


def _referred_page(
    request: HttpRequest,
    membership: Membership,
    referral: Referral,
    identity: dict[str, str] | None = None,
) -> TemplateResponse:
    read = services_reads.referred_case_read(membership=membership, referral=referral)
    birth_date = None
    if identity and identity.get("birth_date"):
        try:
            birth_date = date.fromisoformat(identity["birth_date"])
        except ValueError:
            birth_date = None
    return TemplateResponse(
        request,
        "referrals/referred_case.html",
        {
            "referral": referral,
            "row": referral_row(referral),
            "read": read,
            "identity": identity,
            "birth_date": birth_date,
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def referred_case(request: HttpRequest, referral_id: int) -> HttpResponse:
    membership = _membership(request)
    referral = referred_case_get(membership=membership, referral_id=referral_id)
    return _referred_page(request, membership, referral)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
@sudo_required
def identity(request: HttpRequest, referral_id: int) -> HttpResponse:
    membership = _membership(request)
    referral = referred_case_get(
        membership=membership, referral_id=referral_id, category=SharedCategory.IDENTITY
    )
    revealed = services_reads.referred_identity_reveal(membership=membership, referral=referral)
    return _referred_page(request, membership, referral, identity=revealed)
