"""Rows for the deadline list and for "Mi trabajo": legal deadlines, protection measures about
to expire and a member's alerts, with the names of rules and measures in the reader's language
and the time left (or overdue) in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from organisations.models import Membership
from proceedings.models import Deadline, DeadlineAlert, ProtectionMeasure
from proceedings.selectors import procedure_for
from proceedings.selectors_alerts import my_alerts
from proceedings.selectors_deadlines import deadline_counts, measures_expiring
from proceedings.services_measures import measure_label

HOME_LIMIT = 20  # alerts and measures shown on "Mi trabajo"; the deadline page has the rest
SOON_DAYS = 7  # "vencen pronto" on "Mi trabajo" and the deadline list's default
MEASURE_DAYS = 14  # protection measures listed this long before they expire


def time_left(due_at: dt.datetime, now: dt.datetime) -> tuple[bool, str]:
    """(overdue?, the time left or overdue in words). Under a day counts hours."""
    today, due_day = timezone.localtime(now).date(), timezone.localtime(due_at).date()
    if due_at < now:
        hours = int((now - due_at).total_seconds() // 3600)
        days = (today - due_day).days
        if hours < 24:
            return True, ngettext(
                "venció hace %(n)d hora", "venció hace %(n)d horas", max(hours, 1)
            ) % {"n": max(hours, 1)}
        if days == 1:
            return True, _("venció ayer")
        return True, ngettext("venció hace %(n)d día", "venció hace %(n)d días", days) % {"n": days}
    hours = int((due_at - now).total_seconds() // 3600)
    days = (due_day - today).days
    if hours < 24 and days <= 1:
        if hours < 1:
            return False, _("vence en menos de una hora")
        return False, ngettext("vence en %(n)d hora", "vence en %(n)d horas", hours) % {"n": hours}
    if days == 1:
        return False, _("vence mañana")
    return False, ngettext("vence en %(n)d día", "vence en %(n)d días", days) % {"n": days}


def days_left(day: dt.date, today: dt.date) -> tuple[bool, str]:
    """For a date (a measure's expiry): (past?, the days left or past in words)."""
    days = (day - today).days
    if days < 0:
        return True, ngettext("venció hace %(n)d día", "venció hace %(n)d días", -days) % {
            "n": -days
        }
    if days == 0:
        return False, _("vence hoy")
    if days == 1:
        return False, _("vence mañana")
    return False, ngettext("vence en %(n)d día", "vence en %(n)d días", days) % {"n": days}


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    rule: str
    overdue: bool
    left: str


def deadline_rows(deadlines: Iterable[Deadline], now: dt.datetime) -> list[DeadlineRow]:
    language, rows = get_language(), []
    for deadline in deadlines:
        rule = procedure_for(deadline.proceeding).deadlines.get(deadline.rule)
        overdue, left = time_left(deadline.due_at, now)
        rows.append(
            DeadlineRow(deadline, rule.label(language) if rule else deadline.rule, overdue, left)
        )
    return rows


@dataclass(frozen=True)
class MeasureRow:
    protection: ProtectionMeasure
    label: str
    expired: bool
    left: str


def measure_rows(measures: Iterable[ProtectionMeasure], today: dt.date) -> list[MeasureRow]:
    language, rows = get_language(), []
    for protection in measures:
        label = measure_label(procedure_for(protection.proceeding), protection.measure, language)
        expired, left = days_left(protection.expires_on or today, today)
        rows.append(MeasureRow(protection, label, expired, left))
    return rows


@dataclass(frozen=True)
class AlertRow:
    alert: DeadlineAlert
    rule: str
    overdue: bool
    left: str


def alert_rows(alerts: Iterable[DeadlineAlert], now: dt.datetime) -> list[AlertRow]:
    return [
        AlertRow(alert, row.rule, row.overdue, row.left)
        for alert, row in ((a, deadline_rows([a.deadline], now)[0]) for a in alerts)
    ]


def justice_work(membership: Membership) -> dict[str, Any]:
    """What legal deadlines and protection measures add to "Mi trabajo" (three queries)."""
    now = timezone.now()
    alerts = list(my_alerts(membership=membership)[: HOME_LIMIT + 1])
    measures = list(
        measures_expiring(membership=membership, within_days=MEASURE_DAYS)[: HOME_LIMIT + 1]
    )
    return {
        "deadline_alerts": alert_rows(alerts[:HOME_LIMIT], now),
        "more_deadline_alerts": len(alerts) > HOME_LIMIT,
        "deadline_counts": deadline_counts(membership=membership, now=now, days=SOON_DAYS),
        "soon_days": SOON_DAYS,
        "expiring_measures": measure_rows(measures[:HOME_LIMIT], timezone.localdate()),
        "more_expiring_measures": len(measures) > HOME_LIMIT,
        "measure_days": MEASURE_DAYS,
    }
