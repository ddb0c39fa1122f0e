from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safety.instruments import Instrument, Item, label
from safety.models import Section
from safety.services import STEP_MAX_LENGTH

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NO_ANSWER = ""
ASSESSED_ON = "assessed_on"


class AssessmentForm(forms.Form):
    """The instrument as a form, built from its data: one radio group per item, each with a
    "Sin respuesta" choice (an assessment may be partial), critical items marked in words."""

    assessed_on = forms.DateField(label=gettext_lazy("Fecha de la evaluación"), widget=DATE)

    def __init__(self, *args: Any, instrument: Instrument, language: str, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # the questions end in "?"
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields[ASSESSED_ON].initial = timezone.localdate()
        critical_level = instrument.level(instrument.critical_min_level)
        self.critical_words = label(critical_level, language) if critical_level else ""
        for item in instrument.items:
            self.fields[item.code] = self._field(item, language)

    def _field(self, item: Item, language: str) -> forms.ChoiceField:
        if item.kind == "yes_no":
            choices = [("yes", _("Sí")), ("no", _("No"))]
        else:
            choices = [
                (option.code, self._option_label(option.critical, label(option, language)))
                for option in item.options
            ]
        text = label(item, language)
        help_parts = []
        if item.critical:
            text = _("%(text)s (pregunta crítica)") % {"text": text}
            help_parts.append(
                _("Pregunta crítica: si la respuesta es «sí», el nivel es %(level)s o más.")
                % {"level": self.critical_words}
            )
        if any(option.critical for option in item.options):
            help_parts.append(
                _("Las opciones marcadas como críticas elevan el nivel a %(level)s o más.")
                % {"level": self.critical_words}
            )
        if item.help_es:
            help_parts.append(label(item, language, "help"))
        return forms.ChoiceField(
            label=text,
            help_text=" ".join(help_parts),
            choices=[*choices, (NO_ANSWER, _("Sin respuesta"))],
            required=False,
            initial=NO_ANSWER,
            widget=forms.RadioSelect,
        )

    def _option_label(self, critical: bool, text: str) -> str:
        return _("%(text)s (crítica)") % {"text": text} if critical else text

    def answers(self) -> dict[str, str]:
        """Answered items only: an unanswered item is left out (the engine counts it 0)."""
        return {
            item.code: self.cleaned_data[item.code]
            for item in self.instrument.items
            if self.cleaned_data.get(item.code)
        }


class StepForm(forms.Form):
    section = forms.ChoiceField(label=gettext_lazy("Sección del plan"), choices=Section.choices)
    text = forms.CharField(
        label=gettext_lazy("Paso"),
        max_length=STEP_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Qué se hará y quién lo hará. Se guarda cifrado."),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Para cuándo (opcional)"), required=False, widget=DATE
    )
