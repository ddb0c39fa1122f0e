from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from survivors.tasks import ensure_scheduled


class Command(BaseCommand):
    help = "Make sure the daily background jobs (retention) are queued. Run at every deploy."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = ensure_scheduled()
        self.stdout.write("retention: queued" if queued else "retention: already queued")
