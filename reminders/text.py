"""The reminder text: an organisation's template, checked so that the message tells whoever
reads her phone nothing but a date and a time.

A template may hold only the placeholders `{fecha}` (dd/mm/aaaa), `{hora}` (HH:MM) and `{dia}`
(the weekday), must fit in one SMS once filled in, and must not hold words that reveal what
the appointment is about, the organisation's name, a phone number or a link.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from string import Formatter

from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_TEMPLATE = "Recordatorio: cita el {fecha} a las {hora}."
PLACEHOLDERS = ("fecha", "hora", "dia")
REQUIRED = ("fecha", "hora")
# The message goes to her in the organisation's language, whatever the interface language.
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")

# Compared without accents or case. A stem refuses every word that starts with it
# ("denunc" refuses "denuncia" and "denunciar"); a word refuses itself only.
DENY_STEMS = (
    "violen",
    "violac",
    "violad",
    "violar",
    "abus",
    "agres",
    "denunc",
    "fiscal",
    "juici",
    "juzgad",
    "tribunal",
    "audienc",
    "delit",
    "sexual",
    "penal",
    "polici",
    "acusad",
    "imputa",
    "victim",
    "sobrevivi",
    "abogad",
    "psicolog",
    "maltrat",
    "feminic",
    "proteccion",
)
DENY_WORDS = ("ong", "juez", "jueza", "slim", "dna", "felcv", "sepdavi", "idif", "legal")
PHONE_LIKE = re.compile(r"\d[\d\s.-]{4,}\d")
LINK_LIKE = re.compile(r"https?:|www\.|@|\.(com|org|bo|net)\b", re.IGNORECASE)

# One SMS: 160 characters of the GSM 03.38 alphabet (the extension characters count twice);
# any other character (á, í, ó, ú, emoji...) switches the whole message to 70.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
GSM_LIMIT = 160
UNICODE_LIMIT = 70


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _plain(text))


def sms_length(text: str) -> tuple[int, int]:
    """(length, limit) of `text` as one SMS."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        return sum(2 if c in GSM_EXTENSION else 1 for c in text), GSM_LIMIT
    return len(text.encode("utf-16-le")) // 2, UNICODE_LIMIT


def _placeholders(text: str) -> list[str] | None:
    """The placeholder names in `text`, or None when its braces are malformed or a
    placeholder carries a format or conversion (only bare `{name}` is allowed)."""
    names = []
    try:
        for _literal, name, spec, conversion in Formatter().parse(text):
            if name is None:
                continue
            if spec or conversion:
                return None
            names.append(name)
    except ValueError:
        return None
    return names


def _denied(text: str, organisation_name: str) -> str | None:
    words = _words(text)
    for word in words:
        if word in DENY_WORDS or any(word.startswith(stem) for stem in DENY_STEMS):
            return word
    name = _words(organisation_name)
    for start in range(len(words) - len(name) + 1):
        if name and words[start : start + len(name)] == name:
            return organisation_name
    return None


def _samples(text: str) -> list[str]:
    """The template filled in with the longest values each placeholder can take."""
    return [text.format(fecha="28/12/2026", hora="23:59", dia=day) for day in WEEKDAYS]


def template_errors(text: str, *, organisation_name: str) -> list[str]:
    """Why `text` cannot be a reminder template (in Spanish, for the form), or []."""
    text = text.strip()
    if not text:
        return [_("Escribe el texto del recordatorio.")]
    names = _placeholders(text)
    if names is None:
        return [
            _(
                "Las llaves { } solo pueden rodear uno de estos datos, tal cual: "
                "{fecha}, {hora} o {dia}."
            )
        ]
    errors = []
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    if unknown:
        errors.append(
            _("Dato desconocido: %(names)s. Solo se pueden usar {fecha}, {hora} y {dia}.")
            % {"names": ", ".join(f"{{{name}}}" for name in unknown)}
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        errors.append(
            _("Incluye %(names)s para que sepa cuándo es la cita.")
            % {"names": " y ".join(f"{{{name}}}" for name in missing)}
        )
    if word := _denied(text, organisation_name):
        errors.append(
            _(
                "El texto no puede decir «%(word)s»: revelaría de qué se trata la cita o "
                "quién la envía a quien vea su teléfono."
            )
            % {"word": word}
        )
    if PHONE_LIKE.search(text) or LINK_LIKE.search(text):
        errors.append(
            _(
                "No incluyas números de teléfono, correos ni enlaces: quien vea el mensaje "
                "podría usarlos para saber de dónde viene."
            )
        )
    if not unknown:
        # The sample that overflows most: "sábado" makes a 70-character message of one
        # that fits in 160 with any other weekday.
        length, limit = max(
            (sms_length(sample) for sample in _samples(text)), key=lambda size: size[0] - size[1]
        )
        if length > limit:
            errors.append(
                _(
                    "Con la fecha y la hora, el texto ocupa %(length)d caracteres y un SMS "
                    "admite %(limit)d (160, o 70 si lleva letras como á, í, ó, ú). Acórtalo."
                )
                % {"length": length, "limit": limit}
            )
    return errors


def render(template: str, *, organisation_name: str, starts_at: datetime) -> str:
    """The reminder for a hearing at `starts_at`, in local time. A template that no longer
    passes the checks (the organisation was renamed, the rules grew) gives way to the
    default one: a message must never leave unchecked."""
    if template_errors(template, organisation_name=organisation_name):
        template = DEFAULT_TEMPLATE
    local = timezone.localtime(starts_at)
    return template.strip().format(
        fecha=local.strftime("%d/%m/%Y"),
        hora=local.strftime("%H:%M"),
        dia=WEEKDAYS[local.weekday()],
    )
