from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from api.forms import TokenForm
from api.selectors import api_token_get_for_user, api_token_list_for_user
from api.services import api_token_create, api_token_revoke
from core.decorators import member_required, sudo_for_changes


@member_required(Capability.USE_API)
@sudo_for_changes
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = api_token_create(
                user=request.user,  # type: ignore[arg-type]
                organisation_id=membership.organisation_id,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    return TemplateResponse(
        request,
        "api/token_list.html",
        {
            "form": form,
            "secret": secret,
            "tokens": api_token_list_for_user(user=request.user)[:100],
        },
        status=400 if form.errors else 200,
    )


@member_required(Capability.USE_API)
@sudo_for_changes
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_get_for_user(user=request.user, token_id=token_id)
    try:
        api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Token revocado."))
    return redirect("api_tokens")
