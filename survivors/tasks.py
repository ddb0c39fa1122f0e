"""Scheduled work: the retention rule, applied once a day by the database-backed worker."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from django.tasks import task
from django.utils import timezone

logger = logging.getLogger("amparo.retention")


def next_run(now: datetime | None = None) -> datetime:
    """Tomorrow at 03:00, Bolivia time: after the working day, before the next."""
    local = timezone.localtime(now or timezone.now())
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time(3)))


@task()
def apply_retention() -> int:
    from survivors.erasure import retention_apply

    try:
        erased = retention_apply()
        logger.info("retention applied: %d identities erased", erased)
    finally:
        # Tomorrow's run is queued even if today's failed: one error must not stop retention.
        apply_retention.using(run_after=next_run()).enqueue()
    return erased


def ensure_scheduled() -> bool:
    """Enqueue the daily retention run unless one is already waiting. True if enqueued."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=apply_retention.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if waiting:
        return False
    apply_retention.using(run_after=next_run()).enqueue()
    return True
