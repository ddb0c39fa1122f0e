"""System check: the shipped instruments load, and their levels are the case's risk levels
(an assessment's level becomes `Case.risk_level`)."""

from __future__ import annotations

from typing import Any

from django.core import checks

from cases.models import RiskLevel
from safety.instruments import InstrumentError, load_all


def check_instruments(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        instruments = load_all()
    except InstrumentError as error:
        return [checks.Error(str(error), id="safety.E001")]
    known = set(RiskLevel.values) - {""}
    problems: list[checks.CheckMessage] = []
    for instrument in instruments.values():
        unknown = [level.code for level in instrument.levels if level.code not in known]
        if unknown:
            problems.append(
                checks.Error(
                    f"Instrument {instrument.code!r}: levels {unknown} are not case risk levels",
                    hint=f"Use only {sorted(known)} as level codes.",
                    id="safety.E002",
                )
            )
    return problems
