"""Background work of survivor reminders, run by the database-backed worker (`db_worker`).

- `plan_reminders`: every AMPARO_REMINDER_PLAN_EVERY_MINUTES, tidy up planned reminders and
  plan new ones; it queues its own next run, and `manage.py schedule_jobs` (at every deploy)
  makes sure one run is waiting.
- `send_reminder(message_id)`: one attempt at one reminder, queued for the moment it is due;
  a failed attempt queues the next one (see reminders.services).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger("amparo.reminders")


def next_run(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.AMPARO_REMINDER_PLAN_EVERY_MINUTES)


@task()
def plan_reminders() -> int:
    from reminders.services import reminders_plan

    try:
        report = reminders_plan()
        logger.info(
            "reminders planned: %d new, %d cancelled, %d failed",
            report.created,
            report.cancelled,
            report.failed,
        )
    finally:
        # The next run is queued even if this one failed: one error must not stop reminders.
        plan_reminders.using(run_after=next_run()).enqueue()
    return report.created


@task()
def send_reminder(message_id: int) -> str:
    from reminders.services import reminder_send

    return reminder_send(message_id=message_id)


def ensure_scheduled() -> bool:
    """Queue a planner run now unless one is already waiting. True if queued."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=plan_reminders.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if waiting:
        return False
    plan_reminders.enqueue()
    return True
