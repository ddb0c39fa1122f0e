"""Case timeline lines about criminal proceedings. The lines are of kind `status` and carry
`data["proceeding"]` (the id) and `data["what"]`, with codes only (event type, date, charge
basis, offence codes), never personal data; the case page's `_status` hands them here.

Event names come from the pack of the proceeding: the line may name it (`data["pack"]`);
otherwise the first loaded pack that knows the code names it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import dateformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jurisdictions.loader import pack_dirs
from jurisdictions.procedure import Procedure, rules_for
from proceedings.models import ChargeBasis, SuspensionReason


def _procedures(data: dict[str, Any]) -> list[Procedure]:
    codes = [str(data["pack"])] if data.get("pack") else [d.name for d in pack_dirs()]
    procedures = []
    for code in codes:
        try:
            procedures.append(rules_for(code))
        except (KeyError, FileNotFoundError):
            continue
    return procedures


def _pack_label(data: dict[str, Any], key: str, table: str) -> str:
    """The name of the code in `data[key]` from the pack's `table` (events, hearing_types,
    measures)."""
    code = str(data.get(key, ""))
    for procedure in _procedures(data):
        row = getattr(procedure, table).get(code)
        if row is not None:
            return str(row.label(get_language()))
    return code or "—"


def _event(data: dict[str, Any]) -> str:
    return _pack_label(data, "event", "events")


def _day(value: Any) -> str:
    try:
        return dateformat.format(dt.date.fromisoformat(str(value)), "d/m/Y")
    except ValueError:
        return ""


def _event_on(data: dict[str, Any]) -> str:
    day = _day(data.get("on"))
    return _("%(event)s, %(date)s") % {"event": _event(data), "date": day} if day else _event(data)


def _reclassified(data: dict[str, Any]) -> str:
    basis = str(dict(ChargeBasis.choices).get(data.get("basis", ""), "—"))
    offences = ", ".join(str(code) for code in data.get("offences", []))
    return _("Proceso penal: calificación según %(basis)s (arts. %(offences)s)") % {
        "basis": basis.lower(),
        "offences": offences or "—",
    }


def _hearing(data: dict[str, Any]) -> dict[str, str]:
    return {"hearing": _pack_label(data, "type", "hearing_types")}


def _suspended(data: dict[str, Any]) -> str:
    text = _("Audiencia suspendida: %(hearing)s") % _hearing(data)
    reason = dict(SuspensionReason.choices).get(data.get("reason", ""))
    return f"{text} ({reason})" if reason else text


def _measure(data: dict[str, Any]) -> dict[str, str]:
    return {"measure": _pack_label(data, "measure", "measures")}


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "created": lambda d: _("Proceso penal registrado"),
    "updated": lambda d: _("Proceso penal: datos actualizados"),
    "accused_added": lambda d: _("Proceso penal: persona denunciada agregada"),
    "accused_removed": lambda d: _("Proceso penal: persona denunciada retirada"),
    "reclassified": _reclassified,
    "event": lambda d: _("Proceso penal: %(event)s") % {"event": _event_on(d)},
    "corrected": lambda d: (
        _("Proceso penal: acto corregido, ahora %(event)s") % {"event": _event_on(d)}
    ),
    "voided": lambda d: _("Proceso penal: acto anulado (%(event)s)") % {"event": _event(d)},
    # Hearings (proceedings.services_hearings): `type` is the pack's hearing type.
    "hearing_scheduled": lambda d: _("Audiencia programada: %(hearing)s") % _hearing(d),
    "hearing_updated": lambda d: _("Audiencia modificada: %(hearing)s") % _hearing(d),
    "hearing_held": lambda d: _("Audiencia realizada: %(hearing)s") % _hearing(d),
    "hearing_suspended": _suspended,
    "hearing_cancelled": lambda d: _("Audiencia cancelada: %(hearing)s") % _hearing(d),
    "hearing_rescheduled": lambda d: _("Audiencia reprogramada: %(hearing)s") % _hearing(d),
    # Protection measures (proceedings.services_measures): `measure` is the pack's code.
    "measure_requested": lambda d: _("Medida de protección solicitada: %(measure)s") % _measure(d),
    "measure_granted": lambda d: _("Medida de protección dispuesta: %(measure)s") % _measure(d),
    "measure_denied": lambda d: _("Medida de protección rechazada: %(measure)s") % _measure(d),
    "measure_ended": lambda d: _("Medida de protección concluida: %(measure)s") % _measure(d),
    "measure_breach": lambda d: _("Incumplimiento de una medida: %(measure)s") % _measure(d),
}


def describe(data: dict[str, Any], names: dict[int, str] | None = None) -> str:
    """One timeline line from a proceeding line's codes."""
    render = DESCRIBE.get(str(data.get("what", "")))
    return render(data) if render else _("Proceso penal actualizado")
