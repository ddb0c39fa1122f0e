"""Case timeline lines about referrals. They are case events of kind `status` whose data holds
`referral` (the id) and `what` (referred, accepted, declined, revoked, completed), plus
`purpose` or `reason` codes: never a name. The case page's `_status` hands them here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from referrals.models import DeclineReason, Purpose


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value or "—"))


def describe(data: dict[str, Any], names: dict[int, str] | None = None) -> str:
    what = data.get("what")
    if what == "referred":
        return _("Caso derivado: %(purpose)s") % {"purpose": _label(Purpose, data.get("purpose"))}
    if what == "declined":
        return _("Derivación rechazada: %(reason)s") % {
            "reason": _label(DeclineReason, data.get("reason"))
        }
    return {
        "accepted": _("Derivación aceptada por la organización que la recibe"),
        "revoked": _("Derivación revocada: el acceso terminó"),
        "completed": _("Derivación concluida: el acceso terminó"),
    }.get(str(what), _("Derivación actualizada"))
