"""When a reminder may go: pure date arithmetic, no database."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def next_safe_moment(
    *, safe_from: time, safe_until: time, earliest: datetime, latest: datetime
) -> datetime | None:
    """The first instant `t`, `earliest <= t < latest`, whose local time of day lies in her
    safe window `[safe_from, safe_until)`; None when no such instant exists."""
    zone = timezone.get_default_timezone()
    local = earliest.astimezone(zone)
    day = local.date()
    while True:
        opens = timezone.make_aware(datetime.combine(day, safe_from), zone)
        closes = timezone.make_aware(datetime.combine(day, safe_until), zone)
        candidate = max(opens, local)
        if candidate >= latest:
            return None
        if candidate < closes:
            return candidate
        day += timedelta(days=1)


def lead() -> timedelta:
    """How long before the hearing a reminder may go, at the earliest."""
    return timedelta(hours=settings.AMPARO_REMINDER_LEAD_HOURS)


def min_notice() -> timedelta:
    """How long before the hearing a reminder must have gone, at the latest."""
    return timedelta(minutes=settings.AMPARO_REMINDER_MIN_NOTICE_MINUTES)


def send_range(*, starts_at: datetime, now: datetime) -> tuple[datetime, datetime]:
    """[earliest, latest) for a reminder of a hearing at `starts_at`, seen at `now`."""
    return max(now, starts_at - lead()), starts_at - min_notice()


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failed attempt: the base delay, doubled each time."""
    return timedelta(minutes=settings.AMPARO_REMINDER_RETRY_MINUTES * 2 ** max(attempts - 1, 0))
