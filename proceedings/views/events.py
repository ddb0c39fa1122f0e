"""Procedural events of a proceeding: record one, correct one (a new event that supersedes it)
and void one. The pack's transitions are checked by the service; the form lists first the acts
the current stage allows, then the others, so that an earlier act can still be recorded with
its date."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.policy import Capability
from core.decorators import member_required
from jurisdictions.procedure import START, Procedure
from proceedings import engine, selectors, services
from proceedings.display import stage_label, stages_after
from proceedings.forms import EventForm
from proceedings.models import ProceduralEvent, Proceeding
from proceedings.views.proceedings import (
    GET_POST,
    detail_url,
    form_page,
    gated_proceeding,
    render_detail,
)


def _type_choices(
    procedure: Procedure, stage: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The pack's events: those the stage allows, and the others marked as not allowed now."""
    language = get_language()
    allowed, others = [], []
    for code, event in procedure.events.items():
        if stage in event.from_stages:
            allowed.append((code, event.label(language)))
        else:
            others.append(
                (code, _("%(event)s (no corresponde ahora)") % {"event": event.label(language)})
            )
    return allowed, others


def _sort_key(event: ProceduralEvent) -> tuple[dt.date, dt.time, int]:
    return (event.occurred_on, event.occurred_time or dt.time.min, event.pk)


def _stage_before(procedure: Procedure, proceeding: Proceeding, event: ProceduralEvent) -> str:
    """The stage the proceeding was in when `event` happened (for correcting it)."""
    events = sorted(selectors.effective_events(proceeding=proceeding), key=_sort_key)
    history = selectors.event_history(proceeding=proceeding)
    order = engine.recording_order({e.pk: e.supersedes_id for e in history})
    stages = stages_after(procedure, events, order)
    stage = START
    for earlier in events:
        if earlier.pk == event.pk or _sort_key(earlier) > _sort_key(event):
            break
        stage = stages.get(earlier.pk, stage)
    return stage


def _message(proceeding: Proceeding, text: str) -> str:
    stage = stage_label(selectors.procedure_for(proceeding), proceeding.stage, get_language())
    return _("%(text)s Etapa actual: %(stage)s.") % {"text": text, "stage": stage}


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def event_new(request: HttpRequest, case_id: int, proceeding_id: int) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    procedure = selectors.procedure_for(proceeding)
    allowed, others = _type_choices(procedure, proceeding.stage)
    form = EventForm(
        request.POST if request.method == "POST" else None, allowed=allowed, others=others
    )
    return form_page(
        request,
        "proceedings/event_form.html",
        form,
        lambda: services.event_record(
            membership=membership, case=case, proceeding=proceeding, data=form.data_for_service()
        ),
        lambda _event: detail_url(proceeding, "actos"),
        lambda _event: _message(proceeding, _("Acto registrado.")),
        {
            "case": case,
            "proceeding": proceeding,
            "stage": stage_label(procedure, proceeding.stage, get_language()),
            "corrected": None,
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(GET_POST)
def event_correct(
    request: HttpRequest, case_id: int, proceeding_id: int, event_id: int
) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    event = selectors.event_get(proceeding=proceeding, event_id=event_id)
    procedure = selectors.procedure_for(proceeding)
    allowed, others = _type_choices(procedure, _stage_before(procedure, proceeding, event))
    form = EventForm(
        request.POST if request.method == "POST" else None,
        initial={
            "type": event.type,
            "occurred_on": event.occurred_on,
            "occurred_time": event.occurred_time,
            "outcome": event.outcome,
            "sentence_years": event.sentence_years,
        },
        allowed=allowed,
        others=others,
    )
    language = get_language()
    event_type = procedure.events.get(event.type)
    return form_page(
        request,
        "proceedings/event_form.html",
        form,
        lambda: services.event_record(
            membership=membership,
            case=case,
            proceeding=proceeding,
            data=form.data_for_service(),
            corrects=event,
        ),
        lambda _event: detail_url(proceeding, "actos"),
        lambda _event: _message(
            proceeding, _("Corrección registrada; el registro anterior queda en el historial.")
        ),
        {
            "case": case,
            "proceeding": proceeding,
            "stage": stage_label(procedure, proceeding.stage, language),
            "corrected": event,
            "corrected_name": event_type.label(language) if event_type else event.type,
        },
    )


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def event_void(
    request: HttpRequest, case_id: int, proceeding_id: int, event_id: int
) -> HttpResponse:
    membership, case, proceeding = gated_proceeding(request, case_id, proceeding_id)
    event = selectors.event_get(proceeding=proceeding, event_id=event_id)
    try:
        services.event_void(membership=membership, case=case, proceeding=proceeding, event=event)
    except ValidationError as exc:
        return render_detail(request, case, proceeding, errors=exc.messages, status=400)
    messages.success(request, _message(proceeding, _("Acto anulado; queda en el historial.")))
    return redirect(detail_url(proceeding, "actos"))
