"""Reminder pages: the organisation's outbox and template (coordinators), and a case's safe
hours for reminders (anyone who can open the case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from cases.selectors import case_get_for_user
from core.decorators import member_required
from organisations.models import Membership
from reminders import selectors, services
from reminders.forms import TemplateForm, WindowForm
from reminders.models import Channel, OutboundMessage, ReminderWindow
from reminders.text import render, template_errors

OUTBOX_PAGE_SIZE = 25


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, error)


@dataclass(frozen=True)
class OutboxRow:
    message: OutboundMessage
    window: ReminderWindow | None
    number: str | None  # for coordinators, on reminders waiting for them
    text: str | None


def _rows(membership: Membership, messages: list[OutboundMessage]) -> list[OutboxRow]:
    numbers = services.outbox_numbers(membership=membership, messages=messages)
    windows = selectors.windows_for(case_ids=[m.case_id for m in messages])
    return [
        OutboxRow(
            message=m,
            window=windows.get((m.case_id, m.channel)),
            number=numbers.get(m.pk),
            text=(m.body or "") if m.pk in numbers else None,
        )
        for m in messages
    ]


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET"])
def outbox(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not selectors.can_see_outbox(membership):
        raise Http404
    view = request.GET.get("view", "")
    if view not in selectors.OUTBOX_VIEWS:
        view = ""
    page = Paginator(
        selectors.outbox_list(membership=membership, view=view), OUTBOX_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "reminders/outbox.html",
        {
            "view": view,
            "page": page,
            "rows": _rows(membership, list(page.object_list)),
            "query_prefix": f"view={view}&" if view else "",
            "is_coordinator": selectors.is_coordinator(membership),
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def mark_sent(request: HttpRequest, message_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    message = selectors.outbox_message_get(membership=membership, message_id=message_id)
    try:
        services.message_mark_sent(membership=membership, message=message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Recordatorio marcado como enviado."))
    return redirect("reminders:outbox")


def _example(text: str, organisation_name: str) -> str:
    """The text as she would read it for a hearing next week at 09:30."""
    day = timezone.localdate() + timedelta(days=7)
    starts_at = timezone.make_aware(datetime.combine(day, time(9, 30)))
    return render(text, organisation_name=organisation_name, starts_at=starts_at)


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    if not selectors.is_coordinator(membership):
        raise Http404
    organisation = membership.organisation
    current = services.template_text(organisation_id=organisation.pk)
    form = TemplateForm(
        request.POST if request.method == "POST" else None, initial={"text": current}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(membership=membership, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Texto del recordatorio guardado."))
            return redirect("reminders:template")
    usable = not template_errors(current, organisation_name=organisation.name)
    return TemplateResponse(
        request,
        "reminders/template_form.html",
        {
            "form": form,
            "example": _example(current, organisation.name),
            "is_default": selectors.template_for(organisation_id=organisation.pk) is None,
            "usable": usable,
        },
        status=400 if form.errors else 200,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def case_preferences(request: HttpRequest, case_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = case_get_for_user(membership=membership, case_id=case_id)
    here = reverse("reminders:case", args=[case.pk])
    if request.method == "POST" and "remove" in request.POST:
        try:
            services.window_remove(membership=membership, case=case, channel=request.POST["remove"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Horario retirado: no se enviarán recordatorios por ese canal.")
            )
        return redirect(here)
    form = WindowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.window_set(membership=membership, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Horario seguro guardado."))
            return redirect(here)
    services.preferences_view_record(membership=membership, case=case)
    channels = selectors.consented_channels(
        survivor=case.survivor, organisation_id=case.organisation_id
    )
    windows = {window.channel: window for window in selectors.window_list(case=case)}
    return TemplateResponse(
        request,
        "reminders/case_preferences.html",
        {
            "case": case,
            "form": form,
            "rows": [
                (code, label, code in channels, windows.get(code))
                for code, label in Channel.choices
            ],
            "has_phone": selectors.has_phone(survivor=case.survivor),
            "recent": list(selectors.message_list_for_case(case=case)[:10]),
        },
        status=400 if form.errors else 200,
    )
