"""The network-wide deadline list's filters. Unknown values are errors (400), never silently
replaced."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

OVERDUE, SOON, ALL = "overdue", "soon", "all"
DEFAULT_DAYS, MIN_DAYS, MAX_DAYS = 7, 1, 90


class DeadlineFilterForm(forms.Form):
    # The tabs above the list set it; the form keeps it when the number of days changes.
    tab = forms.ChoiceField(
        label=_("Mostrar"),
        required=False,
        widget=forms.HiddenInput,
        choices=[
            (ALL, _("Todos los plazos corriendo")),
            (OVERDUE, _("Vencidos")),
            (SOON, _("Vencen pronto")),
        ],
    )
    days = forms.IntegerField(
        label=_("«Pronto» es dentro de (días)"),
        required=False,
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        help_text=_("Entre 1 y 90. Si lo dejas vacío, 7."),
    )

    def tab_value(self) -> str:
        return self.cleaned_data.get("tab") or ALL

    def days_value(self) -> int:
        return self.cleaned_data.get("days") or DEFAULT_DAYS
