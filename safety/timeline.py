"""Timeline lines for the safety app's case events (kind `assessment`), for the case page's
`DESCRIBE` table: `EventKind.ASSESSMENT: safety.timeline.describe`. Events hold codes only."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.models import RiskLevel
from safety.instruments import label
from safety.models import Section
from safety.services import instrument_for


def describe(data: dict[str, Any], names: dict[int, str] | None = None) -> str:
    step = data.get("plan_step")
    if step:
        section = str(dict(Section.choices).get(str(data.get("section", "")), "—"))
        text = {
            "added": _("Plan de seguridad: paso añadido en «%(section)s»"),
            "done": _("Plan de seguridad: paso cumplido en «%(section)s»"),
            "removed": _("Plan de seguridad: paso retirado de «%(section)s»"),
        }.get(step, _("Plan de seguridad actualizado"))
        return text % {"section": section}
    code = str(data.get("instrument", ""))
    instrument = instrument_for(code)
    return _("Evaluación de riesgo (%(instrument)s): nivel %(level)s") % {
        "instrument": label(instrument, get_language()) if instrument else code or "—",
        "level": str(dict(RiskLevel.choices).get(data.get("level", ""), "—")),
    }
