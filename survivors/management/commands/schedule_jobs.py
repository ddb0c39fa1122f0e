from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand

# Each recurring job's module has `ensure_scheduled() -> bool`: True when it queued the job,
# False when a run was already waiting. The job re-queues itself after every run.
JOBS = {
    "retention": "survivors.tasks",
    "deadline alerts": "proceedings.tasks",
    "survivor reminders": "reminders.tasks",
}


class Command(BaseCommand):
    help = "Make sure the recurring background jobs are queued. Run at every deploy."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, module in JOBS.items():
            ensure: Callable[[], bool] = import_module(module).ensure_scheduled
            self.stdout.write(f"{name}: {'queued' if ensure() else 'already queued'}")
