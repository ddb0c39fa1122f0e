"""Stage and legal deadlines of a proceeding, derived from its events and its pack's rules.

Pure functions over plain values, so the rules are tested without a database:
- `replay` walks the effective events in date order, refuses an event its stage does not
  allow (naming the stages where it belongs) and yields the stage after each event;
- `deadlines` starts a clock at each starting event and stops it at the first stopping event,
  or when the proceeding ends; due dates follow the pack's counting unit and calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jurisdictions.calendar import JudicialCalendar, due_at
from jurisdictions.procedure import START, DeadlineRule, Procedure


@dataclass(frozen=True)
class Step:
    """An effective event, as the engine needs it."""

    key: int | None  # the event's id (None for one not saved yet)
    type: str
    on: dt.date
    time: dt.time | None = None
    order: int = 0  # tie-break within a day: the order of recording

    def sort_key(self) -> tuple[dt.date, dt.time, int]:
        return (self.on, self.time or dt.time.min, self.order)


def recording_order(supersedes: Mapping[int, int | None]) -> dict[int, int]:
    """Each event's `Step.order`, from every event of a proceeding (id → id of the event it
    supersedes): the id of the first event of its correction chain, so that a correction
    keeps the place of the act it corrects among the acts of the same day."""
    order = {}
    for key in supersedes:
        first, seen = key, {key}
        while (earlier := supersedes.get(first)) is not None and earlier not in seen:
            first = earlier
            seen.add(first)
        order[key] = first
    return order


class TransitionError(ValueError):
    pass


def _names(procedure: Procedure, codes: Iterable[str]) -> str:
    language = get_language()
    labels = []
    for code in codes:
        if code == START:
            labels.append(_("antes de cualquier otro acto"))
        else:
            stage = procedure.stages.get(code)
            labels.append(stage.label(language) if stage else code)
    return ", ".join(labels)


def replay(procedure: Procedure, steps: Sequence[Step]) -> list[tuple[Step, str]]:
    """Each step in order with the stage after it. TransitionError explains the first step
    the pack does not allow."""
    language = get_language()
    stage, seen, result = START, set(), []
    for step in sorted(steps, key=Step.sort_key):
        event = procedure.events.get(step.type)
        if event is None:
            raise TransitionError(_("Acto procesal desconocido: %(code)s.") % {"code": step.type})
        if event.once and step.type in seen:
            raise TransitionError(
                _("«%(event)s» ya está registrado en este proceso; solo puede haber uno.")
                % {"event": event.label(language)}
            )
        if stage not in event.from_stages:
            current = procedure.stages.get(stage)
            raise TransitionError(
                _(
                    "«%(event)s» del %(date)s no puede registrarse cuando el proceso está en "
                    "«%(stage)s». Corresponde a: %(allowed)s."
                )
                % {
                    "event": event.label(language),
                    "date": step.on.strftime("%d/%m/%Y"),
                    "stage": current.label(language) if current else _("sin actos registrados"),
                    "allowed": _names(procedure, event.from_stages),
                }
            )
        seen.add(step.type)
        stage = event.to or stage
        result.append((step, stage))
    return result


def current_stage(procedure: Procedure, steps: Sequence[Step]) -> tuple[str, dt.date | None]:
    """The stage after the last event, and the date of the event that led to it."""
    stage, since = START, None
    for step, after in replay(procedure, steps):
        if after != stage:
            stage, since = after, step.on
    return stage, since


@dataclass(frozen=True)
class Clock:
    rule: DeadlineRule
    start: Step
    started_at: dt.datetime
    due_at: dt.datetime
    end: Step | None
    ended_at: dt.datetime | None
    state: str  # a proceedings.models.DeadlineState value
    assumed_time: bool


def _moment(step: Step, zone: ZoneInfo, end_of_day: bool = False) -> dt.datetime:
    if step.time is not None:
        return dt.datetime.combine(step.on, step.time, tzinfo=zone)
    return dt.datetime.combine(step.on, dt.time(23, 59, 59) if end_of_day else dt.time.min, zone)


def deadlines(
    procedure: Procedure,
    steps: Sequence[Step],
    calendar: JudicialCalendar,
    time_zone: str,
    charged_offences: Iterable[str] = (),
) -> list[Clock]:
    """Every deadline the events started, with its state. Assumes `replay` accepted them."""
    zone = ZoneInfo(time_zone)
    charged = set(charged_offences)
    ordered = replay(procedure, steps)
    clocks: list[Clock] = []
    for rule in procedure.deadlines.values():
        not_applicable = bool(charged & set(rule.not_for_offences))
        running: Step | None = None
        barred = False  # one of the rule's `not_after` acts was recorded: no new clock
        for step, stage_after in ordered:
            if running is not None and step.type in rule.stopped_by:
                clocks.append(_closed(rule, running, step, calendar, time_zone, zone))
                running = None
            elif running is not None and procedure.stages[stage_after].ends:
                clocks.append(_closed(rule, running, step, calendar, time_zone, zone, ends=True))
                running = None
            if step.type == rule.starts_on and running is None and not barred:
                if not_applicable:
                    clocks.append(_open(rule, step, calendar, time_zone, zone, "not_applicable"))
                else:
                    running = step
            barred = barred or step.type in rule.not_after
        if running is not None:
            clocks.append(_open(rule, running, calendar, time_zone, zone, "running"))
    return sorted(clocks, key=lambda c: (c.due_at, c.rule.code))


def _open(
    rule: DeadlineRule,
    start: Step,
    calendar: JudicialCalendar,
    time_zone: str,
    zone: ZoneInfo,
    state: str,
) -> Clock:
    started = _moment(start, zone)
    return Clock(
        rule=rule,
        start=start,
        started_at=started,
        due_at=due_at(rule, started, calendar, time_zone),
        end=None,
        ended_at=None,
        state=state,
        assumed_time=rule.unit == "hours" and start.time is None,
    )


def _closed(
    rule: DeadlineRule,
    start: Step,
    end: Step,
    calendar: JudicialCalendar,
    time_zone: str,
    zone: ZoneInfo,
    ends: bool = False,
) -> Clock:
    clock = _open(rule, start, calendar, time_zone, zone, "running")
    # An act dated without a time counts as done within its day (for an hour rule, at the
    # start of it: the clock started from a date alone, too).
    ended = _moment(end, zone, end_of_day=rule.unit != "hours")
    state = "ended" if ends else ("met" if ended <= clock.due_at else "late")
    return Clock(
        rule=rule,
        start=start,
        started_at=clock.started_at,
        due_at=clock.due_at,
        end=end,
        ended_at=ended,
        state=state,
        assumed_time=clock.assumed_time,
    )
