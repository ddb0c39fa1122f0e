"""Forms for the directory of courts and prosecutors' offices. Unknown departments and kinds
are refused by the fields; duplicates and empty names by proceedings.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jurisdictions.models import Department
from jurisdictions.selectors import department_list
from proceedings.models import OfficeKind

COURTS = "court"  # every kind of court at once, in the filter


def _departments() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in department_list()]


class OfficeFilterForm(forms.Form):
    department = forms.ChoiceField(
        label=_("Departamento"),
        required=False,
        error_messages={"invalid_choice": _("Ese departamento no existe.")},
    )
    kind = forms.ChoiceField(
        label=_("Tipo"),
        required=False,
        choices=[("", _("Todos")), (COURTS, _("Todos los juzgados")), *OfficeKind.choices],
        error_messages={"invalid_choice": _("Elige un tipo de la lista.")},
    )
    inactive = forms.BooleanField(label=_("Incluir las desactivadas"), required=False)

    def __init__(self, *args: Any, can_manage: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("Todos")), *_departments()]  # type: ignore[attr-defined]
        if not can_manage:
            del self.fields["inactive"]  # only who maintains the directory sees retired offices


class OfficeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Tipo"),
        choices=OfficeKind.choices,
        error_messages={"invalid_choice": _("Elige un tipo de la lista.")},
    )
    name = forms.CharField(
        label=_("Nombre"),
        max_length=200,
        help_text=_(
            "Como lo conoce la gente del lugar, por ejemplo «Juzgado 2.º de Instrucción Penal "
            "de El Alto»."
        ),
    )
    department = forms.ChoiceField(
        label=_("Departamento"),
        error_messages={"invalid_choice": _("Ese departamento no existe.")},
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *_departments()]  # type: ignore[attr-defined]
        if editing:
            self.fields["is_active"] = forms.BooleanField(
                label=_("Activa"),
                required=False,
                help_text=_(
                    "Desmarca para retirarla del directorio: deja de ofrecerse en los procesos "
                    "nuevos, y los procesos y audiencias que ya la nombran la conservan."
                ),
            )

    def clean_department(self) -> Department | None:
        code = self.cleaned_data.get("department")
        return department_list().filter(code=code).first() if code else None
