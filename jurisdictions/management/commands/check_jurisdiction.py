from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jurisdictions.loader import PackError, pack_dirs, read_pack


class Command(BaseCommand):
    help = "Validate a jurisdiction pack's files; errors name the file and line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the pack's folder name, e.g. bo")

    def handle(self, *args: Any, code: str, **options: Any) -> None:
        directory = next((d for d in pack_dirs() if d.name == code), None)
        if directory is None:
            raise CommandError(f"No jurisdiction pack named {code!r}.")
        try:
            pack = read_pack(directory)
        except PackError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} error(s) in pack {code!r}.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Pack {pack.code} {pack.version}: {len(pack.departments)} departments, "
                f"{len(pack.municipalities)} municipalities, {len(pack.offences)} offences. OK."
            )
        )
