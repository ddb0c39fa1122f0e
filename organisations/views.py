from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from core.decorators import member_required, platform_admin_required, sudo_for_changes
from organisations import selectors, services
from organisations.forms import (
    AcceptNewAccountForm,
    AdminInvitationForm,
    InvitationForm,
    OrganisationForm,
)


def _add_errors(form: object, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for e in errs:
                form.add_error(target, e)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


@member_required(Capability.MANAGE_MEMBERS)
@sudo_for_changes
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                membership=membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Invitación creada: el correo sale en unos instantes."))
            return redirect("organisations:members")
    page = Paginator(selectors.member_list_visible_to(membership=membership), 50).get_page(
        request.GET.get("page")
    )
    invitations = selectors.invitation_list_visible_to(membership=membership).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )[:50]
    return TemplateResponse(
        request,
        "organisations/member_list.html",
        {"page": page, "form": form, "invitations": invitations},
        status=400 if form.errors else 200,
    )


@member_required(Capability.MANAGE_MEMBERS)
@sudo_for_changes
@require_POST
def member_deactivate(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    member = selectors.member_get_for_admin(membership=membership, member_id=member_id)
    try:
        services.member_deactivate(membership=membership, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Persona desactivada: su acceso terminó."))
    return redirect("organisations:members")


@member_required(Capability.MANAGE_MEMBERS)
@sudo_for_changes
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    invitation = selectors.invitation_get_for_admin(
        membership=membership, invitation_id=invitation_id
    )
    try:
        services.invitation_revoke(membership=membership, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitación anulada."))
    return redirect("organisations:members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the token is the credential. A bad, used or expired token changes nothing."""
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None:
        return TemplateResponse(request, "organisations/invitation_invalid.html", status=404)
    signed_in = request.user.is_authenticated
    posted = request.POST if request.method == "POST" else None
    form = None if signed_in else AcceptNewAccountForm(posted)
    rejected = False
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.invitation_accept(
                invitation=invitation,
                user=request.user if signed_in else None,  # type: ignore[arg-type]
                name=form.cleaned_data["name"] if form else "",
                password=form.cleaned_data["password"] if form else "",
            )
        except ValidationError as exc:
            rejected = True
            if form is None:
                messages.error(request, " ".join(exc.messages))
            else:
                _add_errors(form, exc)
        else:
            messages.success(
                request, _("Te uniste a %(org)s.") % {"org": invitation.organisation.name}
            )
            return redirect("home" if signed_in else "account_login")
    return TemplateResponse(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if rejected or (form is not None and form.errors) else 200,
    )


@platform_admin_required
@sudo_for_changes
@require_http_methods(["GET", "POST"])
def platform_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        admin_email = data.pop("admin_email")
        try:
            with transaction.atomic():
                org = services.organisation_create(user=request.user, **data)  # type: ignore[arg-type]
                services.organisation_invite_admin(
                    user=request.user,  # type: ignore[arg-type]
                    organisation=org,
                    email=admin_email,
                    base_url=request.build_absolute_uri("/"),
                )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Organización creada; invitamos a su administradora."))
            return redirect("organisations:platform_list")
    page = Paginator(selectors.organisation_list_for_platform(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "organisations/organisation_list.html",
        {"page": page, "form": form, "admin_form": AdminInvitationForm()},
        status=400 if form.errors else 200,
    )


@platform_admin_required
@sudo_for_changes
@require_POST
def platform_invite_admin(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = selectors.organisation_get_for_platform(
        user=request.user, organisation_id=organisation_id
    )
    form = AdminInvitationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors["email"]))
        services.organisation_invite_admin(
            user=request.user,  # type: ignore[arg-type]
            organisation=org,
            email=form.cleaned_data["email"],
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("organisations:platform_list")
    messages.success(request, _("Invitación enviada."))
    return redirect("organisations:platform_list")
