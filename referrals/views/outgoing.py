"""The referring side, inside a case: its referrals, making one, and following each (status,
who decided, who was assigned, every read the receiving organisation made).

Every view fetches the case through the access gate (`case_get_for_user`: 404 for missing and
forbidden alike) and the referral within it. Whoever can open the case sees its referrals;
referring, revoking and completing are for the case lead, coordinators and supervisors
(`can_manage_case`), which the services check again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.policy import Capability, can_manage_case
from audit.models import Action
from cases.forms import add_service_errors
from cases.models import Case
from cases.selectors import case_get_for_user, partner_organisations
from core.decorators import member_required
from organisations.models import Membership
from referrals import services
from referrals.display import category_labels, read_rows, referral_row
from referrals.forms import ReferralForm
from referrals.models import Referral
from referrals.selectors import reads_of, referral_get_for_case, referral_list_for_case
from referrals.selectors_pages import organisation_by_id
from survivors.models import ConsentPurpose
from survivors.selectors import active_consents

PAGE_SIZE = 25
READS_PAGE_SIZE = 50


def _case(request: HttpRequest, case_id: int) -> tuple[Membership, Case]:
    membership = request.membership  # type: ignore[attr-defined]
    return membership, case_get_for_user(membership=membership, case_id=case_id)


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def referral_list(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    referrals = referral_list_for_case(case=case).prefetch_related(None)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "referrals/referral_list.html",
        {
            "case": case,
            "page": page,
            "rows": [referral_row(r) for r in page.object_list],
            "can_manage": can_manage_case(membership, case),
        },
    )


def _consent_hints(case: Case) -> list[dict[str, Any]]:
    """What she consented to share, and with whom: to choose the categories."""
    return [
        {
            "organisation": c.recipient.name if c.recipient else "—",
            "categories": category_labels(c.categories),
            "expires_on": c.expires_on,
        }
        for c in active_consents(survivor=case.survivor, purpose=ConsentPurpose.SHARING)
    ]


def _create(membership: Membership, case: Case, form: ReferralForm) -> Referral | None:
    """Call the service with the posted organisation; its refusals go next to the fields."""
    organisation = None
    organisation_id = form.cleaned_data["to_organisation"]
    if organisation_id is not None:
        organisation = organisation_by_id(organisation_id=organisation_id)
        if organisation is None:
            form.add_error("to_organisation", _("Organización desconocida."))
            return None
    try:
        return services.referral_create(
            membership=membership, case=case, to_organisation=organisation, **form.referral_fields()
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    if not can_manage_case(membership, case):
        raise Http404
    posted = request.POST if request.method == "POST" else None
    form = ReferralForm(posted, organisations=partner_organisations(membership=membership))
    if posted is not None and form.is_valid():
        referral = _create(membership, case, form)
        if referral is not None:
            messages.success(request, _("Derivación registrada."))
            return redirect("case_referrals:detail", case_id=case.pk, referral_id=referral.pk)
    return TemplateResponse(
        request,
        "referrals/referral_form.html",
        {"case": case, "form": form, "hints": _consent_hints(case)},
        status=400 if form.errors else 200,
    )


def _detail(
    request: HttpRequest,
    membership: Membership,
    case: Case,
    referral: Referral,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> TemplateResponse:
    reads = reads_of(referral=referral).filter(action=Action.VIEW).select_related("actor")
    page = Paginator(reads, READS_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "referrals/referral_detail.html",
        {
            "case": case,
            "row": referral_row(referral),
            "referral": referral,
            "page": page,
            "reads": read_rows(page.object_list),
            "can_manage": can_manage_case(membership, case),
            "errors": errors or [],
        },
        status=status,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def referral_detail(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    referral = referral_get_for_case(case=case, referral_id=referral_id)
    return _detail(request, membership, case, referral)


def _end(request: HttpRequest, case_id: int, referral_id: int, *, revoke: bool) -> HttpResponse:
    membership, case = _case(request, case_id)
    referral = referral_get_for_case(case=case, referral_id=referral_id)
    try:
        if revoke:
            services.referral_revoke(membership=membership, case=case, referral=referral)
        else:
            services.referral_complete(membership=membership, referral=referral)
    except ValidationError as exc:
        return _detail(request, membership, case, referral, errors=exc.messages, status=400)
    if revoke:
        messages.success(request, _("Derivación revocada: la otra organización ya no ve el caso."))
    else:
        messages.success(request, _("Derivación concluida: la otra organización ya no ve el caso."))
    return redirect("case_referrals:detail", case_id=case.pk, referral_id=referral.pk)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def referral_revoke(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    return _end(request, case_id, referral_id, revoke=True)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def referral_complete(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    return _end(request, case_id, referral_id, revoke=False)
