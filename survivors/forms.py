from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from survivors.models import ErasureReason


class ErasureRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Motivo"), choices=ErasureReason.choices)
    confirm = forms.BooleanField(
        label=_("Entiendo que su identidad será ilegible para siempre una vez confirmado."),
    )


class RetentionForm(forms.Form):
    years = forms.IntegerField(
        label=_("Borrar la identidad tras (años desde el cierre del último caso)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Déjalo vacío para no borrar automáticamente."),
    )
