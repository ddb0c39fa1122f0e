from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.models import Action
from audit.selectors import AuditFilters


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Persona"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(
        label=_("Acción"), required=False, choices=[("", _("Todas")), *Action.choices]
    )
    object_type = forms.CharField(label=_("Tipo de objeto"), required=False, max_length=60)
    object_id = forms.CharField(label=_("ID del objeto"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, actors: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["actor"].choices = [("", _("Todas")), *actors]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("La fecha «desde» es posterior a la fecha «hasta»."))
        return data

    def filters(self) -> AuditFilters:
        d = self.cleaned_data
        return AuditFilters(
            actor_id=d.get("actor"),
            action=d.get("action") or "",
            object_type=(d.get("object_type") or "").strip(),
            object_id=(d.get("object_id") or "").strip(),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
        )
