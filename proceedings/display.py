"""How proceedings read on a page: pack codes as names in the reader's language, the state of
each deadline (with "overdue" for a running one whose due time has passed) and the event
history with corrections and voided acts kept in view. No queries here: callers pass rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jurisdictions.procedure import START, Procedure
from proceedings import engine
from proceedings.models import Deadline, DeadlineState, Hearing, ProceduralEvent, Proceeding
from proceedings.selectors import procedure_for
from proceedings.selectors_case import ProceedingSummary

OVERDUE = "overdue"
# How sure the pack is of a rule, as the lawyer should read it.
RULE_STATUS = {
    "confirmed": gettext_lazy("confirmado"),
    "to_check": gettext_lazy("por verificar"),
    "assumed": gettext_lazy("supuesto"),
}
DEADLINE_STATES = {
    DeadlineState.RUNNING.value: gettext_lazy("Corriendo"),
    OVERDUE: gettext_lazy("Vencido"),
    DeadlineState.MET.value: gettext_lazy("Cumplido a tiempo"),
    DeadlineState.LATE.value: gettext_lazy("Cumplido fuera de plazo"),
    DeadlineState.ENDED.value: gettext_lazy("Sin efecto: el proceso terminó"),
    DeadlineState.NOT_APPLICABLE.value: gettext_lazy("No rige por el delito"),
}


def stage_label(procedure: Procedure, code: str, language: str | None) -> str:
    if code == START:
        return _("Sin actos registrados")
    stage = procedure.stages.get(code)
    return stage.label(language) if stage else code


def event_label(procedure: Procedure, code: str, language: str | None) -> str:
    event = procedure.events.get(code)
    return event.label(language) if event else code


def hearing_label(procedure: Procedure, code: str, language: str | None) -> str:
    hearing_type = procedure.hearing_types.get(code)
    return hearing_type.label(language) if hearing_type else code


# ----------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    name: str
    article: str
    rule_status: str  # confirmed, to_check, assumed ("" for a rule the pack no longer has)
    rule_status_label: str
    state: str  # a DeadlineState value, or "overdue"
    state_label: str
    with_time: bool  # an hour rule: the time matters
    note: str

    @property
    def is_running(self) -> bool:
        return self.state in (DeadlineState.RUNNING, OVERDUE)


def deadline_row(
    deadline: Deadline, procedure: Procedure, language: str | None, now: dt.datetime
) -> DeadlineRow:
    rule = procedure.deadlines.get(deadline.rule)
    state = deadline.state
    if state == DeadlineState.RUNNING and deadline.due_at < now:
        state = OVERDUE
    status = rule.status if rule else ""
    return DeadlineRow(
        deadline=deadline,
        name=rule.label(language) if rule else deadline.rule,
        article=rule.article if rule else "",
        rule_status=status,
        rule_status_label=str(RULE_STATUS.get(status, "")),
        state=state,
        state_label=str(DEADLINE_STATES.get(state, state)),
        with_time=bool(rule and rule.unit == "hours"),
        note=rule.note if rule else "",
    )


def deadline_rows(
    deadlines: Iterable[Deadline],
    procedure: Procedure,
    language: str | None,
    now: dt.datetime | None = None,
) -> list[DeadlineRow]:
    """Running deadlines first, soonest due first; then the others, by due date."""
    now = now or timezone.now()
    rows = [deadline_row(d, procedure, language, now) for d in deadlines]
    return sorted(rows, key=lambda r: (not r.is_running, r.deadline.due_at, r.deadline.pk))


# ----------------------------------------------------------------------------- events


@dataclass(frozen=True)
class EventRow:
    event: ProceduralEvent
    name: str
    article: str
    state: str  # effective, corrected, voided
    stage: str  # the stage an effective event led to
    corrects: bool  # it replaced an earlier record

    @property
    def is_effective(self) -> bool:
        return self.state == "effective"


def stages_after(
    procedure: Procedure, events: list[ProceduralEvent], order: dict[int, int] | None = None
) -> dict[int, str]:
    """The stage after each effective event. `order`: engine.recording_order of the whole
    history, so that a correction keeps the place of the act it corrects."""
    steps = [
        engine.Step(
            key=e.pk,
            type=e.type,
            on=e.occurred_on,
            time=e.occurred_time,
            order=(order or {}).get(e.pk, e.pk),
        )
        for e in events
    ]
    try:
        return {int(step.key or 0): stage for step, stage in engine.replay(procedure, steps)}
    except engine.TransitionError:  # the pack changed since: show the acts without stages
        return {}


def event_rows(
    history: Iterable[ProceduralEvent], procedure: Procedure, language: str | None
) -> list[EventRow]:
    """Every recorded act in date order; the void markers themselves are not rows: the act
    they withdraw is shown as voided."""
    events = list(history)
    replaced = {e.supersedes_id: e for e in events if e.supersedes_id is not None}
    effective = [e for e in events if not e.is_void and e.pk not in replaced]
    order = engine.recording_order({e.pk: e.supersedes_id for e in events})
    stages = stages_after(procedure, effective, order)
    rows = []
    for event in events:
        if event.is_void:
            continue
        by = replaced.get(event.pk)
        state = "effective" if by is None else "voided" if by.is_void else "corrected"
        definition = procedure.events.get(event.type)
        rows.append(
            EventRow(
                event=event,
                name=event_label(procedure, event.type, language),
                article=definition.article if definition else "",
                state=state,
                stage=stage_label(procedure, stages[event.pk], language)
                if event.pk in stages
                else "",
                corrects=event.supersedes_id is not None,
            )
        )
    return rows


# ----------------------------------------------------------------------------- case section


@dataclass(frozen=True)
class SummaryRow:
    proceeding: Proceeding
    stage: str
    deadline: DeadlineRow | None
    hearing: Hearing | None
    hearing_name: str


def summary_rows(
    summaries: Iterable[ProceedingSummary], language: str | None, now: dt.datetime | None = None
) -> list[SummaryRow]:
    now = now or timezone.now()
    rows = []
    for summary in summaries:
        procedure = procedure_for(summary.proceeding)
        hearing = summary.next_hearing
        rows.append(
            SummaryRow(
                proceeding=summary.proceeding,
                stage=stage_label(procedure, summary.proceeding.stage, language),
                deadline=deadline_row(summary.next_deadline, procedure, language, now)
                if summary.next_deadline
                else None,
                hearing=hearing,
                hearing_name=hearing_label(procedure, hearing.type, language) if hearing else "",
            )
        )
    return rows
