from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from crypto.keys import DecryptionError
from crypto.rotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt all field-encrypted data under the newest key in FIELD_ENCRYPTION_KEYS. "
        "Add the new key first in the list, run this, then remove the old key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(label: str, count: int) -> None:
            self.stdout.write(f"  {label}: {count} rows re-encrypted")

        try:
            with transaction.atomic():
                counts = rotate_all(progress=progress)
                audit_record(
                    action=Action.KEY_ROTATION, object_type="crypto", fields=sorted(counts)
                )
        except DecryptionError as exc:
            raise CommandError(
                "Some data could not be decrypted with any configured key; nothing was changed. "
                "Keep every old key in FIELD_ENCRYPTION_KEYS until rotation succeeds."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Done: {sum(counts.values())} rows re-encrypted."))
