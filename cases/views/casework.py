"""Adding to a case: identity, incidents, notes, tasks, testimonies, team, consents, closing.

Anyone who can open the case adds to it; team changes, closing and reopening are for the case
lead, coordinators and supervisors (access.policy.can_manage_case). A rejected input answers
400 with the errors next to the fields, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability, can_manage_case, sees_whole_caseload
from cases import selectors, services
from cases.forms import (
    CloseForm,
    ConsentForm,
    IdentityForm,
    IncidentForm,
    NoteForm,
    TaskForm,
    TeamForm,
    TestimonyForm,
    add_service_errors,
)
from cases.models import Case
from cases.views.case_page import render_case_page
from core.decorators import member_required, sudo_for_changes
from jurisdictions.selectors import municipality_list, offence_list
from organisations.models import Membership
from survivors.selectors import consent_get
from survivors.services import identity_reveal, identity_update

GET_POST = ["GET", "POST"]


def _case(request: HttpRequest, case_id: int) -> tuple[Membership, Case]:
    membership = request.membership  # type: ignore[attr-defined]
    return membership, selectors.case_get_for_user(membership=membership, case_id=case_id)


def _managed_case(request: HttpRequest, case_id: int) -> tuple[Membership, Case]:
    """A case the person may manage; 404 otherwise, like a case she cannot open."""
    membership, case = _case(request, case_id)
    if not can_manage_case(membership, case):
        raise Http404
    return membership, case


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    template: str,
    save: Callable[[], object],
    message: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show the form; on a valid POST call the service and go back to the case page."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("cases:detail", case_id=case.pk)
    return TemplateResponse(
        request,
        template,
        {"case": case, "form": form, **(extra or {})},
        status=400 if form.errors else 200,
    )


def _act(
    request: HttpRequest, case: Case, action: Callable[[], object], message: str
) -> HttpResponse:
    """A button on the case page: do it and go back, or show the page with why not (400)."""
    try:
        action()
    except ValidationError as exc:
        return render_case_page(request, case, errors=exc.messages, status=400)
    messages.success(request, message)
    return redirect("cases:detail", case_id=case.pk)


@member_required(Capability.SEE_SURVIVORS)
@sudo_for_changes
@require_http_methods(GET_POST)
def identity_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    survivor = case.survivor
    if request.method == "GET" and not did_recently_reauthenticate(request):
        # Current values are shown only after re-authentication (and the reveal is audited).
        reauthenticate = reverse("account_reauthenticate") + "?" + urlencode({"next": request.path})
        return TemplateResponse(
            request, "cases/identity_form.html", {"case": case, "reauthenticate": reauthenticate}
        )
    if survivor.identity_erased_at:
        return _erased(request, case)
    initial: dict[str, Any] = {}
    if request.method == "GET":
        current = identity_reveal(membership=membership, survivor=survivor)
        initial = IdentityForm.initial_from(current)
    form = IdentityForm(_posted(request), initial=initial)
    return _form_page(
        request,
        case,
        form,
        "cases/identity_form.html",
        lambda: identity_update(membership=membership, survivor=survivor, identity=form.identity()),
        _("Identidad actualizada."),
    )


def _erased(request: HttpRequest, case: Case) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "cases/identity_form.html", {"case": case, "erased": True}, status=status
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def incident_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    form = IncidentForm(
        _posted(request), municipalities=municipality_list(), offences=offence_list()
    )
    return _form_page(
        request,
        case,
        form,
        "cases/incident_form.html",
        lambda: services.incident_add(
            membership=membership, case=case, data=services.IncidentData(**form.incident_fields())
        ),
        _("Hecho registrado."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def note_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    form = NoteForm(_posted(request))
    return _form_page(
        request,
        case,
        form,
        "cases/note_form.html",
        lambda: services.note_add(membership=membership, case=case, **form.cleaned_data),
        _("Nota agregada."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def task_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    members = selectors.casework_members(membership=membership)
    form = TaskForm(_posted(request), members=members)
    return _form_page(
        request,
        case,
        form,
        "cases/task_form.html",
        lambda: services.task_add(
            membership=membership,
            case=case,
            title=form.cleaned_data["title"],
            assignee_id=form.cleaned_data["assignee"],
            due_on=form.cleaned_data["due_on"],
        ),
        _("Tarea creada."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def task_done(request: HttpRequest, case_id: int, task_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    task = selectors.task_get_for_case(case=case, task_id=task_id)
    return _act(
        request,
        case,
        lambda: services.task_complete(membership=membership, task=task),
        _("Tarea cumplida."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def testimony_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    form = TestimonyForm(_posted(request))
    return _form_page(
        request,
        case,
        form,
        "cases/testimony_form.html",
        lambda: services.testimony_add(membership=membership, case=case, **form.cleaned_data),
        _("Declaración registrada."),
        # Warn before she is asked again after a recorded single interview.
        {"recorded_before": any(t.recorded for t in selectors.testimony_list(case=case))},
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def team_add(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _managed_case(request, case_id)
    members = selectors.casework_members(membership=membership)
    form = TeamForm(_posted(request), members=members)
    return _form_page(
        request,
        case,
        form,
        "cases/team_form.html",
        lambda: services.team_add(
            membership=membership,
            case=case,
            user_id=form.cleaned_data["user"],
            lead=form.cleaned_data["lead"],
        ),
        _("Equipo actualizado."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def team_remove(request: HttpRequest, case_id: int, user_id: int) -> HttpResponse:
    membership, case = _managed_case(request, case_id)
    response = _act(
        request,
        case,
        lambda: services.team_remove(membership=membership, case=case, user_id=user_id),
        _("Persona retirada del equipo: su acceso al caso terminó."),
    )
    left = response.status_code == 302 and user_id == membership.user_id
    if left and not sees_whole_caseload(membership):
        return redirect("cases:list")  # she left the team and can no longer open the case
    return response


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _managed_case(request, case_id)
    form = CloseForm(_posted(request), initial={"closed_on": timezone.localdate()})
    return _form_page(
        request,
        case,
        form,
        "cases/closure_form.html",
        lambda: services.case_close(
            membership=membership,
            case=case,
            reason=form.cleaned_data["reason"],
            closed_on=form.cleaned_data["closed_on"],
        ),
        _("Caso cerrado."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _managed_case(request, case_id)
    return _act(
        request,
        case,
        lambda: services.case_reopen(membership=membership, case=case),
        _("Caso reabierto."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def consent_new(request: HttpRequest, case_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    organisations = selectors.partner_organisations(membership=membership)
    form = ConsentForm(_posted(request), organisations=organisations)
    return _form_page(
        request,
        case,
        form,
        "cases/consent_form.html",
        lambda: services.case_consent_record(
            membership=membership, case=case, **form.consent_fields()
        ),
        _("Consentimiento registrado."),
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    membership, case = _case(request, case_id)
    consent = consent_get(survivor=case.survivor, consent_id=consent_id)
    return _act(
        request,
        case,
        lambda: services.case_consent_withdraw(membership=membership, case=case, consent=consent),
        _("Consentimiento retirado: deja de valer desde ahora."),
    )
