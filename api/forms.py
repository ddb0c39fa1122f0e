from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=100, help_text=_("Para qué lo usarás."))
    days = forms.IntegerField(
        label=_("Vigencia (días)"),
        min_value=1,
        max_value=settings.AMPARO_API_TOKEN_MAX_DAYS,
        initial=90,
    )
