from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.synthetic import generate, team_pool
from organisations.models import Organisation

BAR = 30


class Command(BaseCommand):
    help = (
        "Fill the database quickly with deterministic synthetic cases (fictional survivors, "
        "incidents, teams, notes, tasks, testimonies, consents and timelines) for benchmarks. "
        "The same --seed gives the same codes, ages, places and dates in a fresh database. "
        "Rows are bulk-inserted, not written through the services: the audit trail gets ONE "
        "event for the whole run (create demo.synthetic), not one per row. Refuses to run unless "
        "DEBUG or AMPARO_DEMO is on (or --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="how many cases to add")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data")
        parser.add_argument(
            "--organisation",
            default="ong-la-paz",
            help="slug of the organisation that holds the cases (default: the demo NGO)",
        )
        parser.add_argument(
            "--batch", type=int, default=2000, help="cases per bulk insert (default 2000)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though neither DEBUG nor AMPARO_DEMO is on",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.AMPARO_DEMO or options["force"]):
            raise CommandError(
                "Refusing to add synthetic cases to what looks like a production database "
                "(DEBUG and AMPARO_DEMO are off). Use --force if you mean it."
            )
        count, batch = options["cases"], options["batch"]
        if count < 1:
            raise CommandError("--cases must be at least 1.")
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None or not organisation.is_active:
            raise CommandError(
                f"No active organisation '{options['organisation']}' (run seed_demo first, or "
                "pass --organisation)."
            )
        if not team_pool(organisation):
            raise CommandError("That organisation has nobody who works cases to put on teams.")
        started = time.monotonic()
        try:
            summary = generate(
                organisation=organisation,
                count=count,
                seed=options["seed"],
                batch=batch,
                progress=self._progress(started),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        if self.stderr.isatty():
            self.stderr.write("")  # end the bar's line
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.cases} synthetic cases in {organisation.slug} in {seconds:.1f} s "
                f"({summary.cases / seconds:.0f} cases/s), seed {options['seed']}; "
                f"codes {summary.first_code} … {summary.last_code}."
            )
        )
        for label, rows in sorted(summary.rows.items()):
            self.stdout.write(f"  {label:34} {rows:>10}")
        self.stdout.write("  One audit event recorded for the run (create demo.synthetic).")

    def _progress(self, started: float) -> Callable[[int, int], None]:
        """A bar redrawn in place on a terminal; a line every tenth in a log."""
        interactive = self.stderr.isatty()
        shown = {"tenth": -1}

        def show(done: int, total: int) -> None:
            filled = BAR * done // total
            rate = done / max(time.monotonic() - started, 1e-6)
            line = f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} cases, {rate:.0f}/s"
            if interactive:
                self.stderr.write("\r" + line, ending="")
                self.stderr.flush()
            elif 10 * done // total > shown["tenth"]:
                shown["tenth"] = 10 * done // total
                self.stderr.write(line)

        return show
