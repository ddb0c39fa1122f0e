from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jurisdictions.loader import PackError, load_all


class Command(BaseCommand):
    help = "Load every jurisdiction pack into the database (also done after each migrate)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            loaded = load_all()
        except PackError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        for jurisdiction in loaded:
            self.stdout.write(f"{jurisdiction.code} {jurisdiction.version} loaded")
