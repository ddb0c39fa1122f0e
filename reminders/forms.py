from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reminders.models import Channel


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class TemplateForm(forms.Form):
    text = forms.CharField(
        label=_("Texto del recordatorio"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "true"}),
        help_text=_(
            "Solo la fecha y la hora: {fecha} (dd/mm/aaaa), {hora} (HH:MM) y, si quieres, "
            "{dia} (el día de la semana). Sin el nombre de la organización, sin palabras que "
            "digan de qué se trata, sin teléfonos ni enlaces. Debe caber en un SMS."
        ),
    )


class WindowForm(forms.Form):
    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices)
    safe_from = forms.TimeField(label=_("Desde"), widget=TimeInput())
    safe_until = forms.TimeField(
        label=_("Hasta"),
        widget=TimeInput(),
        help_text=_(
            "Hora de Bolivia, formato de 24 horas. El horario no puede pasar la medianoche."
        ),
    )
