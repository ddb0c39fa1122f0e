"""The case list's filters: one form for the page and the API, so both accept and refuse the
same values. Unknown codes are errors (400), never silently ignored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import CaseStatus, RiskLevel
from cases.selectors import SORTS, CaseFilters, casework_members
from core.widgets import FastSelect
from jurisdictions.selectors import department_list, municipality_list, offence_list
from organisations.models import Membership
from survivors.models import AgeBand

ACTIVE = "active"
NOT_ASSESSED = "none"  # RiskLevel.NONE is "", which a query string cannot tell from "any"

SORT_LABELS = {
    "-updated_at": _("Actividad más reciente"),
    "-opened_on": _("Apertura: más recientes"),
    "opened_on": _("Apertura: más antiguos"),
    "code": _("Código"),
    "-risk": _("Riesgo: más alto primero"),
}
assert set(SORT_LABELS) == set(SORTS)  # noqa: S101 - a sort without a label is a bug

STATUS_CHOICES = [("", _("Todos")), (ACTIVE, _("Activos (no cerrados)")), *CaseStatus.choices]
RISK_CHOICES = [
    ("", _("Cualquiera")),
    (NOT_ASSESSED, _("Sin evaluar")),
    *((value, label) for value, label in RiskLevel.choices if value),
]


def _unknown(what: Any) -> dict[str, Any]:
    return {"invalid_choice": what}


class CaseFilterForm(forms.Form):
    code = forms.CharField(
        label=_("Código"),
        required=False,
        max_length=32,
        help_text=_("Todo o parte del código, por ejemplo LPZ-2026."),
    )
    status = forms.ChoiceField(label=_("Estado"), required=False, choices=STATUS_CHOICES)
    member = forms.TypedChoiceField(
        label=_("Persona del equipo"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=_unknown(_("Esa persona no trabaja casos en tu organización.")),
    )
    department = forms.ChoiceField(
        label=_("Departamento"),
        required=False,
        error_messages=_unknown(_("Código de departamento desconocido.")),
    )
    municipality = forms.ChoiceField(
        label=_("Municipio"),
        required=False,
        widget=FastSelect,
        error_messages=_unknown(_("Código de municipio (INE) desconocido.")),
    )
    offence = forms.ChoiceField(
        label=_("Delito"),
        required=False,
        widget=FastSelect,
        error_messages=_unknown(_("Código de delito desconocido.")),
    )
    risk = forms.ChoiceField(label=_("Nivel de riesgo"), required=False, choices=RISK_CHOICES)
    age_band = forms.ChoiceField(
        label=_("Edad al ingreso"), required=False, choices=[("", _("Todas")), *AgeBand.choices]
    )
    sort = forms.ChoiceField(
        label=_("Ordenar por"), required=False, choices=list(SORT_LABELS.items())
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = casework_members(membership=membership)
        municipalities: dict[str, list[tuple[str, str]]] = {}
        for m in municipality_list():
            municipalities.setdefault(m.department.name, []).append((m.code, m.name))
        choices: dict[str, list[Any]] = {
            "member": [(p.user_id, p.user.display_name) for p in people],
            "department": [(d.code, d.name) for d in department_list()],
            "municipality": list(municipalities.items()),
            "offence": [(o.code, f"Art. {o.article}: {o.name}") for o in offence_list()],
        }
        for name, values in choices.items():
            self.fields[name].choices = [("", _("Todos")), *values]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department, municipality = data.get("department"), data.get("municipality")
        if department and municipality and not municipality.startswith(department):
            # INE municipality codes start with their department's code.
            raise ValidationError(
                {"municipality": _("Ese municipio no está en el departamento elegido.")}
            )
        return data

    def filters(self) -> CaseFilters:
        d = self.cleaned_data
        risk = d.get("risk") or ""
        return CaseFilters(
            code=(d.get("code") or "").strip(),
            status=d.get("status") or "",
            member_id=d.get("member"),
            department=d.get("department") or "",
            municipality=d.get("municipality") or "",
            offence=d.get("offence") or "",
            risk_level=None if not risk else "" if risk == NOT_ASSESSED else risk,
            age_band=d.get("age_band") or "",
            sort=d.get("sort") or "-updated_at",
        )
