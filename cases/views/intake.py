"""The short intake (three steps, plain POSTs) and the notices of possible duplicates.

A possible match found at the end of the intake tells her only which organisation holds it:
never the code, the name or anything else of the other record.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.policy import Capability, sees_whole_caseload
from cases import services
from cases.forms_intake import LAST_STEP, SERVICE_FIELDS, STEP_FORMS, Draft, StepForm
from cases.selectors import case_ids_for_survivors
from core.decorators import member_required
from survivors import selectors as survivor_selectors
from survivors import services as survivor_services
from survivors.selectors import PossibleMatch

# What matched, as the holding organisation reads it (index names, never values).
MATCHED_ON = {
    "document_index": gettext_lazy("documento"),
    "phone_index": gettext_lazy("teléfono"),
    "name_dob_index": gettext_lazy("nombre y fecha de nacimiento"),
}


def _draft(request: HttpRequest) -> Draft:
    return Draft.load(request.session, request.membership.organisation_id)  # type: ignore[attr-defined]


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    if draft.pending_match:
        if request.method == "POST":  # the possible match must be answered first
            return redirect("cases:intake")
        return _match_page(request, draft)
    if request.method == "GET":
        return _step_page(request, draft, draft.form(draft.step))
    step = draft.step
    if request.POST.get("step") != str(step):  # the draft moved on in another tab
        messages.warning(request, _("El ingreso avanzó en otra ventana: revisa este paso."))
        return redirect("cases:intake")
    if request.POST.get("action") == "back":
        draft.keep(step, request.POST)
        draft.step = max(1, step - 1)
        draft.save(request.session)
        return redirect("cases:intake")
    form = draft.form(step, request.POST)
    if not form.is_valid():
        return _step_page(request, draft, form, status=400)
    draft.keep(step, request.POST)
    if step < LAST_STEP:
        draft.step = step + 1
        draft.save(request.session)
        return redirect("cases:intake")
    return _finish(request, draft, confirmed_new_person=False)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def intake_cancel(request: HttpRequest) -> HttpResponse:
    Draft.clear(request.session)
    messages.success(request, _("Ingreso cancelado: no se guardó nada."))
    return redirect("home")


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def intake_match(request: HttpRequest) -> HttpResponse:
    """Her answer to a possible match: ask the holder for a referral, go on because this is
    someone else, or go back and review the data."""
    draft = _draft(request)
    if not draft.pending_match:
        return redirect("cases:intake")
    action = request.POST.get("action")
    if action == "new_person":
        return _finish(request, draft, confirmed_new_person=True)
    if action == "review":
        draft.pending_match, draft.step = False, 2
        draft.save(request.session)
        return redirect("cases:intake")
    if action == "referral":
        return _ask_referral(request, draft)
    return _match_page(request, draft, error=_("Elige una de las opciones."), status=400)


def _ask_referral(request: HttpRequest, draft: Draft) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    wanted = request.POST.get("organisation", "")
    chosen = [
        m
        for m in _matches(request, draft)
        if not m.same_organisation and str(m.organisation.pk) == wanted
    ]
    if not chosen:
        return _match_page(
            request, draft, error=_("Elige una organización de la lista."), status=400
        )
    holder = chosen[0].organisation
    if holder.pk not in draft.referral_asked:
        for match in chosen:
            survivor_services.match_notice_create(
                membership=membership, match=match, ask_referral=True
            )
        draft.referral_asked.append(holder.pk)
        draft.save(request.session)
    messages.success(
        request,
        _(
            "Avisamos a %(org)s que pides la derivación. La derivación se gestiona por ahora "
            "fuera de Amparo: ponte en contacto con esa organización."
        )
        % {"org": holder.name},
    )
    return redirect("cases:intake")


def _finish(request: HttpRequest, draft: Draft, *, confirmed_new_person: bool) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    intake, failed = draft.intake(confirmed_new_person=confirmed_new_person)
    if intake is None:
        draft.pending_match = False
        draft.save(request.session)
        return _step_page(request, draft, failed, status=400)  # type: ignore[arg-type]
    try:
        case = services.intake_create(membership=membership, intake=intake)
    except services.DuplicateSuspectedError as exc:
        draft.pending_match = True
        draft.save(request.session)
        return _match_page(request, draft, exc.matches, status=400)
    except ValidationError as exc:
        draft.pending_match = False
        return _service_errors(request, draft, exc)
    Draft.clear(request.session)
    messages.success(
        request, _("Caso abierto. Su código es %(code)s.") % {"code": case.survivor.code}
    )
    return redirect("cases:detail", case_id=case.pk)


def _service_errors(request: HttpRequest, draft: Draft, error: ValidationError) -> HttpResponse:
    """Show the service's objections next to the fields of the step they belong to."""
    located = {
        name: SERVICE_FIELDS[name]
        for name in getattr(error, "error_dict", {})
        if name in SERVICE_FIELDS
    }
    draft.step = min((step for step, _field in located.values()), default=LAST_STEP)
    draft.save(request.session)
    form = draft.form(draft.step)
    form.is_valid()
    for name, (step, field_name) in located.items():
        if step == draft.step:
            for message in error.error_dict[name]:
                form.add_error(field_name, message)
    if not located:
        form.add_error(None, error.messages)
    return _step_page(request, draft, form, status=400)


def _step_page(
    request: HttpRequest, draft: Draft, form: StepForm, *, status: int = 200
) -> HttpResponse:
    return TemplateResponse(
        request,
        "cases/intake_step.html",
        {
            "form": form,
            "step": draft.step,
            "steps": [(n, STEP_FORMS[n].title) for n in STEP_FORMS],
            "last_step": LAST_STEP,
            "not_safe_now": draft.not_safe_now,
        },
        status=status,
    )


def _matches(request: HttpRequest, draft: Draft) -> list[PossibleMatch]:
    intake, _failed = draft.intake(confirmed_new_person=False)
    if intake is None:
        return []
    return survivor_services.find_matches(
        membership=request.membership,  # type: ignore[attr-defined]
        identity=intake.identity,
    )


def _match_page(
    request: HttpRequest,
    draft: Draft,
    matches: list[PossibleMatch] | None = None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """Which organisations hold a possible match: their names and nothing else."""
    membership = request.membership  # type: ignore[attr-defined]
    if matches is None:
        matches = _matches(request, draft)
    if not matches:  # the match went away (erased, corrected): back to the last step
        draft.pending_match = False
        draft.save(request.session)
        return redirect("cases:intake")
    ours = [m.survivor_id for m in matches if m.same_organisation]
    others = {m.organisation.pk: m.organisation for m in matches if not m.same_organisation}
    own_cases = case_ids_for_survivors(membership=membership, survivor_ids=ours)
    return TemplateResponse(
        request,
        "cases/intake_match.html",
        {
            "error": error,
            "in_own_organisation": bool(ours),
            "own_case_id": next(iter(own_cases.values()), None),
            "others": [
                (org, org.pk in draft.referral_asked)
                for org in sorted(others.values(), key=lambda o: o.name)
            ],
        },
        status=status,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def match_notices(request: HttpRequest) -> HttpResponse:
    """Open notices that another organisation's intake matched one of our survivors."""
    membership = request.membership  # type: ignore[attr-defined]
    if not sees_whole_caseload(membership):
        raise Http404
    notices = survivor_selectors.match_notices_for(membership=membership).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    case_ids = case_ids_for_survivors(
        membership=membership, survivor_ids=[n.survivor_id for n in page.object_list]
    )
    return TemplateResponse(
        request,
        "cases/match_list.html",
        {
            "page": page,
            "rows": [
                (n, case_ids.get(n.survivor_id), [MATCHED_ON.get(i, i) for i in n.matched_on])
                for n in page.object_list
            ],
            "query_prefix": "",
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def match_notice_close(request: HttpRequest, notice_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    notice = survivor_selectors.match_notice_get_for_user(
        membership=membership, notice_id=notice_id
    )
    try:
        survivor_services.match_notice_close(membership=membership, notice=notice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Aviso marcado como atendido."))
    return redirect("cases:match_notices")
