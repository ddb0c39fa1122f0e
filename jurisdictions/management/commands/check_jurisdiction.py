from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jurisdictions.loader import PackError, pack_dirs, read_pack


class Command(BaseCommand):
    help = (
        "Validate a jurisdiction pack's files; every error names the file and line. "
        "Exits with a non-zero status when there is any."
    )
    requires_system_checks: list[str] = []  # only the pack's files matter here

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "code",
            help="the pack's folder name (e.g. bo), or the path to a pack's folder "
            "(e.g. a pack under development outside jurisdictions/packs/)",
        )

    def handle(self, *args: Any, code: str, **options: Any) -> None:
        directory = next((d for d in pack_dirs() if d.name == code), None)
        if directory is None and Path(code).is_dir():
            directory = Path(code)
        if directory is None:
            raise CommandError(f"No jurisdiction pack named {code!r} and no folder at that path.")
        try:
            pack = read_pack(directory)
        except PackError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} error(s) in pack {code!r}.") from exc
        procedure = pack.procedure
        if procedure is None:  # read_pack reports a pack without one; never reached
            raise CommandError(f"Pack {code!r} has no procedure.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Pack {pack.code} {pack.version}: {len(pack.departments)} departments, "
                f"{len(pack.municipalities)} municipalities, {len(pack.offences)} offences, "
                f"{len(procedure.stages)} stages, {len(procedure.events)} events, "
                f"{len(procedure.deadlines)} deadlines, "
                f"{len(procedure.vacations)} judicial vacations. OK."
            )
        )
