"""Deadline alerts and tasks, raised by the hourly job (`proceedings.tasks`).

Lead times are data, not settings: each deadline rule of the jurisdiction pack lists them in
`alert_before` (e.g. `["5d", "1d"]` in `jurisdictions/packs/bo/procedure.toml`). To warn
earlier or later, a lawyer edits the pack; there is no per-organisation setting.

For every running deadline of an open case, once the moment `due_at - lead` has come for a lead
time (or the deadline is overdue: lead 0), the job writes one `DeadlineAlert` for the case's
lead and for the supervisors: those on the case team, or, when the team has none, every
active supervisor of the organisation. Only the most urgent lead time reached is written: a
"5 days before" warning is not sent when the deadline is already 1 day away (the job was
down, or the act was recorded late). The unique constraint (deadline, person, lead) makes a
second run write nothing.

The first alert a lead gets for a deadline comes with one `cases.Task` for her ("Plazo legal:
<rule> (<case code>)", due that day); the alert row is the marker: alert and task are written
in one savepoint, so a run that finds the alert already there (or loses a race for it) writes
no task. A new lead of the case gets her own alerts, and so her own task.

Protection measures: 7 days before a granted measure expires, the case's lead gets one task;
`ProtectionMeasure.expiry_alerted_at` records it was done.

Logs carry counts only. Tasks and timeline lines say the rule and the case code: no names,
no offence.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import audit_record
from cases.models import Case, EventKind, Task
from cases.services import case_note_event
from jurisdictions.models import Jurisdiction
from jurisdictions.procedure import DeadlineRule, rules_for
from organisations.models import Membership
from proceedings.models import Deadline, DeadlineAlert, ProtectionMeasure
from proceedings.selectors import procedure_for
from proceedings.selectors_alerts import (
    alert_keys,
    casework_roles,
    deadlines_to_alert,
    earlier_unseen,
    measures_to_alert,
    supervisors_of,
    team_user_ids,
)

logger = logging.getLogger("amparo.deadlines")

OVERDUE = dt.timedelta(0)  # the lead of the alert for a deadline that has passed
MEASURE_NOTICE = dt.timedelta(days=7)  # how long before a protection measure expires


@dataclass(frozen=True)
class AlertCounts:
    alerts: int = 0
    tasks: int = 0
    measure_tasks: int = 0


def lead_reached(rule: DeadlineRule, due_at: dt.datetime, now: dt.datetime) -> dt.timedelta | None:
    """The most urgent lead time whose moment has come (OVERDUE once due), or None."""
    reached = [lead for lead in (*rule.alert_before, OVERDUE) if due_at - lead <= now]
    return min(reached) if reached else None


def _horizon() -> dt.timedelta:
    """The longest lead time of any loaded pack: deadlines due later need no alert yet."""
    longest = dt.timedelta(0)
    for code in Jurisdiction.objects.values_list("code", flat=True):
        try:
            procedure = rules_for(code)
        except KeyError:
            continue
        for rule in procedure.deadlines.values():
            longest = max(longest, *rule.alert_before, dt.timedelta(0))
    return longest


def _recipients(case: Case, roles: dict[int, str], team: set[int]) -> list[int]:
    """The case's lead (if she still works cases here) and its supervisors."""
    supervisors = supervisors_of(roles)
    on_team = supervisors & team
    people = {case.lead_id} if case.lead_id in roles else set()
    return sorted(people | (on_team or supervisors))


def _task(case: Case, assignee_id: int, title: str, due_on: dt.date, **data: object) -> Task:
    """A task the job gives the lead (she is also its author: no one else asked for it)."""
    task = Task(
        case=case, title=title, assignee_id=assignee_id, due_on=due_on, created_by_id=assignee_id
    )
    task.save()
    case_note_event(
        case=case, kind=EventKind.TASK, actor_id=None, obj=task, due_on=due_on.isoformat(), **data
    )
    audit_record(
        action=Action.CREATE,
        obj=task,
        fields=["title", "assignee", "due_on"],
        organisation_id=case.organisation_id,
    )
    return task


def _deadline_task(deadline: Deadline, rule: DeadlineRule, lead_id: int) -> None:
    case = deadline.proceeding.case
    due_on = timezone.localtime(deadline.due_at).date()
    title = f"Plazo legal: {rule.name} ({case.survivor.code})"
    _task(case, lead_id, title, due_on, proceeding=deadline.proceeding_id)


def _alert(
    deadline: Deadline, rule: DeadlineRule, user_id: int, lead: dt.timedelta, with_task: bool
) -> bool:
    """Write one alert, and the lead's task with her first one. False if it was there."""
    try:
        with transaction.atomic():
            DeadlineAlert(deadline=deadline, user_id=user_id, lead=lead).save()
            if with_task:
                _deadline_task(deadline, rule, user_id)
    except IntegrityError:
        return False  # another run wrote it first (and the task with it)
    return True


def _raise_for_deadlines(now: dt.datetime) -> tuple[int, int]:
    deadlines = list(deadlines_to_alert(until=now + _horizon()))
    written: dict[int, set[tuple[int, dt.timedelta]]] = defaultdict(set)
    for deadline_id, user_id, written_lead in alert_keys(deadline_ids=[d.pk for d in deadlines]):
        written[deadline_id].add((user_id, written_lead))
    roles = casework_roles(organisation_ids={d.organisation_id for d in deadlines})
    teams = team_user_ids(case_ids={d.proceeding.case_id for d in deadlines})
    alerts = tasks = 0
    for deadline in deadlines:
        rule = procedure_for(deadline.proceeding).deadlines.get(deadline.rule)
        lead = lead_reached(rule, deadline.due_at, now) if rule else None
        if rule is None or lead is None:
            continue
        case, done = deadline.proceeding.case, written[deadline.pk]
        alerted = {user_id for user_id, _lead in done}
        for user_id in _recipients(case, roles.get(case.organisation_id, {}), teams[case.pk]):
            if (user_id, lead) in done:
                continue
            first_for_lead = user_id == case.lead_id and user_id not in alerted
            if _alert(deadline, rule, user_id, lead, with_task=first_for_lead):
                alerts += 1
                tasks += int(first_for_lead)
    return alerts, tasks


def _raise_for_measures(now: dt.datetime) -> int:
    today = timezone.localtime(now).date()
    measures = list(measures_to_alert(until=today + MEASURE_NOTICE))
    roles = casework_roles(organisation_ids={m.organisation_id for m in measures})
    tasks = 0
    for protection in measures:
        with transaction.atomic():
            # Claim the measure first: a concurrent run that claimed it updates nothing.
            claimed = (
                measures_to_alert(until=today + MEASURE_NOTICE)
                .filter(pk=protection.pk)
                .update(expiry_alerted_at=now)
            )
            case = protection.proceeding.case
            if claimed and case.lead_id and case.lead_id in roles.get(case.organisation_id, {}):
                _measure_task(protection, case.lead_id, protection.expires_on or today)
                tasks += 1
    return tasks


def _measure_task(protection: ProtectionMeasure, lead_id: int, expires_on: dt.date) -> None:
    case = protection.proceeding.case
    title = f"Medida de protección por vencer ({case.survivor.code})"
    _task(case, lead_id, title, expires_on, proceeding=protection.proceeding_id)


def alerts_raise(now: dt.datetime | None = None) -> AlertCounts:
    """Write the alerts and tasks whose moment has come by `now`. Safe to run any number of
    times: what was written once is not written again."""
    now = now or timezone.now()
    alerts, tasks = _raise_for_deadlines(now)
    measure_tasks = _raise_for_measures(now)
    logger.info(
        "deadline alerts: %d alerts, %d deadline tasks, %d measure tasks",
        alerts,
        tasks,
        measure_tasks,
    )
    return AlertCounts(alerts=alerts, tasks=tasks, measure_tasks=measure_tasks)


def alert_mark_seen(*, membership: Membership, alert: DeadlineAlert) -> int:
    """The member has seen this alert, and with it her earlier ones for the same deadline
    (a "1 day left" alert makes the "5 days left" one moot). Returns how many were marked."""
    if alert.user_id != membership.user_id:
        raise ValueError("an alert is marked seen only by its own recipient")
    return earlier_unseen(membership=membership, alert=alert).update(seen_at=timezone.now())
