"""Forms for protection measures. They check shapes; the rules (dates in order, not in the
future, a measure decided once) live in proceedings.services_measures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from jurisdictions.procedure import Measure
from proceedings.models import MeasureStatus

DECIDE, END = "decide", "end"


class MeasureRequestForm(forms.Form):
    measure = forms.ChoiceField(
        label=_("Medida"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Elige una medida de la lista.")},
    )
    requested_on = forms.DateField(
        label=_("Solicitada el"),
        widget=DateInput(),
        help_text=_("Fecha en que se pidió la medida a la Fiscalía o al juzgado."),
    )

    def __init__(self, *args: Any, measures: list[Measure], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(m.code, m.label(language)) for m in measures]  # type: ignore[attr-defined]


class MeasureDecideForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial=DECIDE)
    status = forms.ChoiceField(
        label=_("Decisión"),
        choices=[
            (MeasureStatus.GRANTED.value, _("Dispuesta")),
            (MeasureStatus.DENIED.value, _("Rechazada")),
        ],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Fecha de la decisión"), widget=DateInput())
    expires_on = forms.DateField(
        label=_("Vence el"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Solo si la resolución fija un plazo. La persona responsable del caso recibe una "
            "tarea 7 días antes."
        ),
    )


class MeasureEndForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, initial=END)
    ended_on = forms.DateField(
        label=_("Concluyó el"),
        widget=DateInput(),
        help_text=_("Fecha en que la medida dejó de regir (levantada, sustituida o cumplida)."),
    )


class BreachForm(forms.Form):
    occurred_on = forms.DateField(label=_("Fecha del incumplimiento"), widget=DateInput())
    reported_to_authority = forms.BooleanField(
        label=_("Se denunció a la autoridad"), required=False
    )
    reported_on = forms.DateField(
        label=_("Denunciado el"),
        required=False,
        widget=DateInput(),
        help_text=_("Déjalo vacío si no se sabe."),
    )
