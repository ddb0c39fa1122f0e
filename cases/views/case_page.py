"""The case page tells the story: a header, what is missing, a section per part of the case
and one timeline of everything, with filters. Identity stays hidden until someone reveals it,
which is audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.policy import Capability, can_manage_case
from cases import selectors, services
from cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    ClosureReason,
    EventKind,
    Incident,
    IntakeChannel,
    Interviewer,
    Task,
)
from core.decorators import member_required, sudo_required
from documents.selectors import attachment_list
from jurisdictions.models import GbvimsType
from organisations.models import Membership, Role
from proceedings.display import SummaryRow, summary_rows
from proceedings.selectors_case import proceeding_summaries
from proceedings.timeline import describe as describe_proceeding
from referrals.display import ReferralRow, referral_row
from referrals.selectors import referral_list_for_case
from referrals.timeline import describe as describe_referral
from safety.selectors import safety_summary_for_case
from survivors.models import Consent, ConsentPurpose, ContactChannel
from survivors.selectors import consent_list, identity_recorded
from survivors.services import REVEAL_REASONS

TIMELINE_PAGE_SIZE = 25
REFERRALS_SHOWN = 10
ROLE_ORDER = [role.value for role in Role]


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = selectors.case_get_for_user(membership=membership, case_id=case_id)
    if request.headers.get("HX-Request"):
        # The timeline filters and pager ask for the timeline only.
        return TemplateResponse(
            request, "cases/case_detail.html#timeline", timeline_context(request, case)
        )
    services.case_view_record(membership=membership, case=case)
    return render_case_page(request, case)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
@sudo_required
def identity_reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = selectors.case_get_for_user(membership=membership, case_id=case_id)
    try:
        identity = services.case_reveal(
            membership=membership, case=case, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        return render_case_page(request, case, errors=exc.messages, status=400)
    return render_case_page(request, case, identity=identity)


def render_case_page(
    request: HttpRequest,
    case: Case,
    *,
    identity: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> TemplateResponse:
    """The whole page; also answers action buttons whose input a service rejected (400)."""
    membership = request.membership  # type: ignore[attr-defined]
    context = {
        "case": case,
        "identity": identity,
        "birth_date": _birth_date(identity),
        "errors": errors or [],
        **sections(membership, case),
        **timeline_context(request, case),
    }
    return TemplateResponse(request, "cases/case_detail.html", context, status=status)


def _birth_date(identity: dict[str, str] | None) -> date | None:
    try:
        return date.fromisoformat(identity["birth_date"]) if identity else None
    except (KeyError, ValueError):
        return None


# --- Sections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    task: Task
    overdue: bool


@dataclass(frozen=True)
class TeamRow:
    member: CaseMember
    role_label: str
    is_lead: bool


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    state: str  # active, withdrawn, expired
    state_label: str


@dataclass(frozen=True)
class Hint:
    text: str
    url: str = ""


def sections(membership: Membership, case: Case) -> dict[str, Any]:
    incidents = list(selectors.incident_list(case=case))
    testimonies = list(selectors.testimony_list(case=case))
    consents = list(consent_list(survivor=case.survivor))
    team = list(selectors.team_list(case=case))
    return {
        "incidents": incidents,
        "testimonies": testimonies,
        "revictimisation": services.revictimisation_warning(testimonies),
        "notes": list(selectors.note_list_visible_to(membership=membership, case=case)),
        "tasks": _task_rows(selectors.task_list(case=case)),
        "team": _team_rows(team, case),
        "consents": [_consent_row(c) for c in consents],
        "missing": _missing(case, incidents, consents),
        "can_manage": can_manage_case(membership, case),
        "reveal_reasons": list(REVEAL_REASONS.items()),
        "contact_channels": [_label(ContactChannel, c) for c in case.contact_channels],
        "safety": safety_summary_for_case(case=case),
        "attachments": attachment_list(case=case),
        "proceeding_rows": _proceeding_rows(case),
        "referral_rows": _referral_rows(case),
    }


def _proceeding_rows(case: Case) -> list[SummaryRow]:
    return summary_rows(proceeding_summaries(case=case), get_language())


def _referral_rows(case: Case) -> list[ReferralRow]:
    referrals = referral_list_for_case(case=case).prefetch_related(None)[:REFERRALS_SHOWN]
    return [referral_row(r) for r in referrals]


def _task_rows(tasks: Any) -> list[TaskRow]:
    today = timezone.localdate()

    def order(task: Task) -> tuple[bool, bool, date, int]:
        # Open tasks first, soonest due first, tasks without a due date after.
        return (task.done_at is not None, task.due_on is None, task.due_on or today, task.pk)

    return [TaskRow(t, selectors.overdue(t, today)) for t in sorted(tasks, key=order)]


def _team_rows(team: list[CaseMember], case: Case) -> list[TeamRow]:
    labels = dict(Role.choices)

    def order(m: CaseMember) -> tuple[bool, int, str]:
        rank = ROLE_ORDER.index(m.role) if m.role in ROLE_ORDER else len(ROLE_ORDER)
        return (m.user_id != case.lead_id, rank, m.user.display_name)

    return [
        TeamRow(m, str(labels.get(m.role, m.role)), m.user_id == case.lead_id)
        for m in sorted(team, key=order)
    ]


def _consent_row(consent: Consent) -> ConsentRow:
    if consent.withdrawn_at is not None:
        return ConsentRow(consent, "withdrawn", _("Retirado"))
    if not consent.is_active():
        return ConsentRow(consent, "expired", _("Vencido"))
    return ConsentRow(consent, "active", _("Vigente"))


def _missing(case: Case, incidents: list[Incident], consents: list[Consent]) -> list[Hint]:
    """What the short intake left for later, each with where to complete it."""
    hints: list[Hint] = []

    def url(name: str) -> str:
        return reverse(f"cases:{name}", args=[case.pk])

    survivor = case.survivor
    if not survivor.identity_erased_at and not identity_recorded(survivor=survivor):
        hints.append(Hint(_("Sin datos de identidad."), url("identity_edit")))
    if not incidents:
        hints.append(Hint(_("Ningún hecho registrado."), url("incident_new")))
    elif not any(i.offences.all() for i in incidents):
        hints.append(Hint(_("Ningún hecho tiene delitos tipificados."), url("incident_new")))
    if not any(c.is_active() and c.purpose == ConsentPurpose.CASE_MANAGEMENT for c in consents):
        hints.append(Hint(_("Sin consentimiento para la gestión del caso."), url("consent_new")))
    if case.lead_id is None:
        hints.append(Hint(_("Sin persona responsable."), url("team_add")))
    if not case.risk_level:
        hints.append(Hint(_("Riesgo sin evaluar.")))
    if not case.contact_channels:
        hints.append(Hint(_("Sin canal de contacto seguro.")))
    return hints


# --- Timeline -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineLine:
    event: CaseEvent
    text: str


def timeline_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    chosen = [kind for kind in request.GET.getlist("kind") if kind in EventKind.values]
    events = selectors.timeline(case=case, kinds=chosen)
    page = Paginator(events, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    names = selectors.user_names(user_ids=_named_users(rows))
    query = "".join(f"kind={kind}&" for kind in chosen)
    return {
        "case": case,
        "timeline_page": page,
        "timeline": [TimelineLine(e, describe(e, names)) for e in rows],
        "event_kinds": EventKind.choices,
        "chosen_kinds": chosen,
        "timeline_query": query,
    }


def _named_users(events: list[CaseEvent]) -> set[int]:
    ids = {e.data.get("added") or e.data.get("removed") for e in events if e.kind == "team"}
    return {i for i in ids if isinstance(i, int)}


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def _day(value: str | None, precision: str = "exact") -> str:
    if not value:
        return ""
    day = date.fromisoformat(value)
    return dateformat.format(day, "m/Y" if precision == "month" else "d/m/Y")


def _intake(d: dict[str, Any], names: dict[int, str]) -> str:
    return _("Ingreso del caso: %(channel)s") % {"channel": _label(IntakeChannel, d.get("channel"))}


def _incident(d: dict[str, Any], names: dict[int, str]) -> str:
    return _("Hecho registrado: %(type)s, %(date)s") % {
        "type": _label(GbvimsType, d.get("violence_type")),
        "date": _day(d.get("occurred_on"), d.get("precision", "exact")),
    }


def _note(d: dict[str, Any], names: dict[int, str]) -> str:
    return {
        "team": _("Nota agregada (solo el equipo)"),
        "discipline": _("Nota agregada (confidencial de una disciplina)"),
    }.get(d.get("sensitivity", ""), _("Nota agregada"))


def _task(d: dict[str, Any], names: dict[int, str]) -> str:
    if d.get("due_on"):
        return _("Tarea creada, vence el %(date)s") % {"date": _day(d["due_on"])}
    return _("Tarea creada")


def _testimony(d: dict[str, Any], names: dict[int, str]) -> str:
    text = _("Declaración ante %(who)s") % {"who": _label(Interviewer, d.get("interviewer"))}
    if d.get("recorded"):
        text += ", " + _("grabada")
    if d.get("gesell"):
        text += ", " + _("en Cámara Gesell")
    return text


def _team(d: dict[str, Any], names: dict[int, str]) -> str:
    if d.get("removed"):
        return _("%(name)s dejó el equipo") % {"name": names.get(d["removed"], "—")}
    name = names.get(d.get("added", 0), "—")
    if d.get("lead"):
        return _("%(name)s es la persona responsable") % {"name": name}
    return _("%(name)s se sumó al equipo") % {"name": name}


def _status(d: dict[str, Any], names: dict[int, str]) -> str:
    if d.get("reminder"):
        from reminders.timeline import describe as describe_reminder

        return describe_reminder(d, names)
    if "referral" in d:  # referrals put their lines here (codes only)
        return describe_referral(d, names)
    if "proceeding" in d:  # criminal proceedings put their lines here (codes only)
        return describe_proceeding(d, names)
    if d.get("status") == "closed":
        return _("Caso cerrado: %(reason)s") % {"reason": _label(ClosureReason, d.get("reason"))}
    return _("Caso reabierto")


def _consent(d: dict[str, Any], names: dict[int, str]) -> str:
    purpose = _label(ConsentPurpose, d.get("purpose"))
    if d.get("withdrawn"):
        return _("Consentimiento retirado: %(purpose)s") % {"purpose": purpose}
    return _("Consentimiento registrado: %(purpose)s") % {"purpose": purpose}


def _assessment(d: dict[str, Any], names: dict[int, str]) -> str:
    from safety.timeline import describe as describe_assessment

    return describe_assessment(d, names)


def _document(d: dict[str, Any], names: dict[int, str]) -> str:
    from documents.models import AttachmentKind

    kind = _label(AttachmentKind, d.get("file_kind"))
    if d.get("removed"):
        return _("Documento retirado (%(kind)s)") % {"kind": kind}
    return _("Documento agregado (%(kind)s)") % {"kind": kind}


DESCRIBE: dict[str, Callable[[dict[str, Any], dict[int, str]], str]] = {
    EventKind.INTAKE: _intake,
    EventKind.INCIDENT: _incident,
    EventKind.NOTE: _note,
    EventKind.TASK: _task,
    EventKind.TASK_DONE: lambda d, names: _("Tarea cumplida"),
    EventKind.TESTIMONY: _testimony,
    EventKind.TEAM: _team,
    EventKind.STATUS: _status,
    EventKind.CONSENT: _consent,
    EventKind.ASSESSMENT: _assessment,
    EventKind.DOCUMENT: _document,
}


def describe(event: CaseEvent, names: dict[int, str]) -> str:
    """One timeline line, from the event's kind and codes (events hold no personal data)."""
    render = DESCRIBE.get(event.kind)
    if render is None:
        return _label(EventKind, event.kind)
    return render(event.data or {}, names)
