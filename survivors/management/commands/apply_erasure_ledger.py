from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from survivors.erasure import ledger_apply, ledger_path


class Command(BaseCommand):
    help = (
        "After restoring a database backup: erase again every survivor listed in the erasure "
        "ledger (AMPARO_ERASURE_LEDGER), whose identity the backup may have brought back."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        redone = ledger_apply()
        self.stdout.write(f"{ledger_path()}: {redone} identities erased again.")
