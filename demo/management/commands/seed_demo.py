from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Create the demo organisations and accounts (idempotent: safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            accounts = seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Accounts (password: {DEMO_PASSWORD}):")
        )
        for email, org, role in accounts:
            self.stdout.write(f"  {email:34} {role:24} {org}")
