from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from demo.cases import seed_cases
from demo.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = (
        "Create the demo organisations, accounts and fictional cases (idempotent: safe to run "
        "again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even though neither DEBUG nor AMPARO_DEMO is on",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.AMPARO_DEMO or options["force"]):
            raise CommandError(
                "Refusing to add demo accounts with a published password to what looks like a "
                "production database (DEBUG and AMPARO_DEMO are off). Use --force if you mean it."
            )
        with transaction.atomic():
            accounts = seed()
            created, existing = seed_cases()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password: {DEMO_PASSWORD}):")
        )
        for email, org, role in accounts:
            self.stdout.write(f"  {email:34} {role:24} {org}")
        self.stdout.write(f"Fictional cases: {created} created, {existing} already there.")
