"""Timeline lines for reminder events on the case page. They are case events of kind
`status` whose data holds `reminder` (what happened) and `channel` (a code), plus `why` (a
CancelReason code) for cancellations: codes only, never a number or a text.

Used by the case page's `DESCRIBE` table: a `status` event with `data["reminder"]` is
described by `reminders.timeline.describe`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from reminders.models import CancelReason, Channel


def describe(data: dict[str, Any], names: dict[int, str] | None = None) -> str:
    channel = str(dict(Channel.choices).get(str(data.get("channel", "")), "—"))
    what = data.get("reminder")
    if what == "cancelled":
        reason = str(dict(CancelReason.choices).get(str(data.get("why", "")), "—"))
        return _("Recordatorio de audiencia cancelado (%(channel)s): %(reason)s") % {
            "channel": channel,
            "reason": reason,
        }
    text = {
        "window_set": _("Horario seguro para recordatorios registrado (%(channel)s)"),
        "window_removed": _("Horario seguro para recordatorios retirado (%(channel)s)"),
        "scheduled": _("Recordatorio de audiencia programado (%(channel)s)"),
        "sent": _("Recordatorio de audiencia enviado (%(channel)s)"),
        "sent_by_hand": _("Recordatorio de audiencia enviado a mano (%(channel)s)"),
        "failed": _("No se pudo enviar el recordatorio de audiencia (%(channel)s)"),
    }.get(str(what), _("Recordatorio de audiencia (%(channel)s)"))
    return text % {"channel": channel}
