"""Scheduled work: deadline and protection-measure alerts, raised every hour by the
database-backed worker (`proceedings.alerts.alerts_raise`; lead times come from the pack)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone


def next_run(now: datetime | None = None) -> datetime:
    """The start of the next hour."""
    current = now or timezone.now()
    return current.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


@task()
def raise_deadline_alerts() -> int:
    """One run of the alert job; returns how many alerts and tasks it wrote."""
    from proceedings.alerts import alerts_raise

    try:
        counts = alerts_raise(timezone.now())
    finally:
        # The next run is queued even if this one failed: one error must not stop the alerts.
        raise_deadline_alerts.using(run_after=next_run()).enqueue()
    return counts.alerts + counts.tasks + counts.measure_tasks


def ensure_scheduled() -> bool:
    """Enqueue the hourly alert run unless one is already waiting. True if enqueued."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=raise_deadline_alerts.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if waiting:
        return False
    raise_deadline_alerts.using(run_after=next_run()).enqueue()
    return True
