"""Forms that add to a case. They check shapes and turn codes into rows; the rules (dates not
in the future, who may consent, who may be assigned) live in the services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import ClosureReason, DatePrecision, Interviewer, Sensitivity
from core.widgets import FastSelect
from jurisdictions.models import GbvimsType, Municipality, Offence
from organisations.models import Membership, Organisation, Role
from survivors.models import (
    AgeBand,
    ConsentPurpose,
    ContactChannel,
    GivenBy,
    Relationship,
    Sex,
    SharedCategory,
)
from survivors.services import Identity

MONTHS = [
    (1, _("enero")),
    (2, _("febrero")),
    (3, _("marzo")),
    (4, _("abril")),
    (5, _("mayo")),
    (6, _("junio")),
    (7, _("julio")),
    (8, _("agosto")),
    (9, _("septiembre")),
    (10, _("octubre")),
    (11, _("noviembre")),
    (12, _("diciembre")),
]
ROLE_LABELS = dict(Role.choices)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (the rest on top)."""
    aliases: dict[str, str] = getattr(form, "error_aliases", dict)()
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = aliases.get(name, name)
        for e in errors:
            form.add_error(name if name in form.fields else None, e)


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _no_autofill(widget: forms.Widget) -> forms.Widget:
    widget.attrs["autocomplete"] = "off"
    return widget


def member_choices(members: Iterable[Membership]) -> list[tuple[int, str]]:
    return [
        (m.user_id, f"{m.user.display_name} · {ROLE_LABELS.get(m.role, m.role)}") for m in members
    ]


class IdentityForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nombre completo"),
        max_length=200,
        required=False,
        widget=_no_autofill(forms.TextInput()),
    )
    document_number = forms.CharField(
        label=_("Número de documento"),
        max_length=40,
        required=False,
        widget=_no_autofill(forms.TextInput()),
    )
    birth_date = forms.DateField(
        label=_("Fecha de nacimiento"), required=False, widget=_no_autofill(DateInput())
    )
    phone = forms.CharField(
        label=_("Teléfono"), max_length=40, required=False, widget=_no_autofill(forms.TextInput())
    )
    address = forms.CharField(
        label=_("Dirección"), max_length=300, required=False, widget=_no_autofill(forms.TextInput())
    )
    guardian_name = forms.CharField(
        label=_("Nombre de la persona tutora"),
        max_length=200,
        required=False,
        widget=_no_autofill(forms.TextInput()),
    )
    guardian_contact = forms.CharField(
        label=_("Contacto de la persona tutora"),
        max_length=200,
        required=False,
        widget=_no_autofill(forms.TextInput()),
    )

    def clean_birth_date(self) -> date | None:
        born: date | None = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise ValidationError(_("La fecha no puede estar en el futuro."))
        return born

    def identity(self) -> Identity:
        return Identity(**self.cleaned_data)

    @staticmethod
    def initial_from(values: dict[str, str]) -> dict[str, Any]:
        initial: dict[str, Any] = {k: v for k, v in values.items() if k != "birth_date"}
        if values.get("birth_date"):
            initial["birth_date"] = date.fromisoformat(values["birth_date"])
        return initial


class IncidentForm(forms.Form):
    date_precision = forms.ChoiceField(
        label=_("¿Qué tan precisa es la fecha?"),
        choices=DatePrecision.choices,
        initial=DatePrecision.MONTH,
        widget=forms.RadioSelect,
    )
    occurred_on = forms.DateField(
        label=_("Fecha exacta"),
        required=False,
        widget=DateInput(),
        help_text=_("Si la conoce."),
    )
    month = forms.TypedChoiceField(
        label=_("Mes"), choices=[("", "—"), *MONTHS], coerce=int, required=False
    )
    year = forms.IntegerField(label=_("Año"), min_value=1900, required=False)
    municipality = forms.ChoiceField(label=_("Municipio donde ocurrió"), widget=FastSelect)
    violence_type = forms.ChoiceField(
        label=_("Tipo de violencia"),
        choices=GbvimsType.choices,
        help_text=_("Si hay delitos, vale el tipo más grave entre este y los de los delitos."),
    )
    offences = forms.MultipleChoiceField(
        label=_("Delitos (Código Penal)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Puede completarse después."),
    )
    perpetrator_relationship = forms.ChoiceField(
        label=_("Relación del presunto agresor con ella"),
        choices=Relationship.choices,
        initial=Relationship.UNKNOWN,
    )
    perpetrator_sex = forms.ChoiceField(
        label=_("Sexo del presunto agresor"), choices=Sex.choices, initial=Sex.UNKNOWN
    )
    perpetrator_age_band = forms.ChoiceField(
        label=_("Edad del presunto agresor"),
        choices=[("", _("Sin dato")), *AgeBand.choices],
        required=False,
    )
    repeats_earlier = forms.BooleanField(
        label=_("Repite violencia anterior del mismo agresor"), required=False
    )

    def __init__(
        self,
        *args: Any,
        municipalities: Iterable[Municipality],
        offences: Iterable[Offence],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.municipalities = {m.code: m for m in municipalities}
        self.offence_rows = {o.code: o for o in offences}
        _choices(
            self, "municipality", [("", "—"), *grouped_municipalities(self.municipalities.values())]
        )
        _choices(
            self,
            "offences",
            [(o.code, f"Art. {o.article}: {o.name}") for o in self.offence_rows.values()],
        )
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_precision") == DatePrecision.EXACT:
            if not data.get("occurred_on"):
                self.add_error("occurred_on", _("Indica la fecha."))
        elif data.get("date_precision") == DatePrecision.MONTH:
            if not data.get("month"):
                self.add_error("month", _("Indica el mes."))
            if not data.get("year"):
                self.add_error("year", _("Indica el año."))
            if data.get("month") and data.get("year"):
                data["occurred_on"] = date(data["year"], data["month"], 1)
        return data

    def error_aliases(self) -> dict[str, str]:
        """A month-precision date is entered as month and year."""
        if self.cleaned_data.get("date_precision") == DatePrecision.MONTH:
            return {"occurred_on": "month"}
        return {}

    def incident_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "violence_type": data["violence_type"],
            "occurred_on": data["occurred_on"],
            "date_precision": data["date_precision"],
            "municipality": self.municipalities[data["municipality"]],
            "offences": [self.offence_rows[code] for code in data["offences"]],
            "perpetrator_relationship": data["perpetrator_relationship"],
            "perpetrator_sex": data["perpetrator_sex"],
            "perpetrator_age_band": data["perpetrator_age_band"],
            "repeats_earlier": data["repeats_earlier"],
        }


def grouped_municipalities(
    municipalities: Iterable[Municipality],
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities as option groups, one per department (in the order given)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for m in municipalities:
        groups.setdefault(m.department.name, []).append((m.code, m.name))
    return list(groups.items())


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Nota"), widget=forms.Textarea(attrs={"rows": 6}))
    sensitivity = forms.ChoiceField(
        label=_("¿Quién puede leerla?"),
        choices=Sensitivity.choices,
        initial=Sensitivity.NORMAL,
        widget=forms.RadioSelect,
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Tarea"), max_length=300)
    assignee = forms.TypedChoiceField(label=_("Asignada a"), coerce=int)
    due_on = forms.DateField(label=_("Vence"), required=False, widget=DateInput())

    def __init__(self, *args: Any, members: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "assignee", [("", "—"), *member_choices(members)])


class TestimonyForm(forms.Form):
    taken_on = forms.DateField(label=_("Fecha"), widget=DateInput())
    interviewer = forms.ChoiceField(
        label=_("¿Quién le pidió declarar?"), choices=Interviewer.choices
    )
    institution = forms.CharField(label=_("Institución u oficina"), max_length=120, required=False)
    recorded = forms.BooleanField(label=_("Fue grabada"), required=False)
    gesell_chamber = forms.BooleanField(label=_("En Cámara Gesell"), required=False)


class TeamForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Persona"), coerce=int)
    lead = forms.BooleanField(
        label=_("Designarla responsable del caso"),
        required=False,
        help_text=_("Solo hay una persona responsable; reemplaza a la actual."),
    )

    def __init__(self, *args: Any, members: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "user", [("", "—"), *member_choices(members)])


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motivo de cierre"), choices=[("", "—"), *ClosureReason.choices]
    )
    closed_on = forms.DateField(label=_("Fecha de cierre"), widget=DateInput())


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Propósito"), choices=ConsentPurpose.choices)
    recipient = forms.TypedChoiceField(
        label=_("Organización con la que se comparte"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Solo para compartir."),
    )
    categories = forms.MultipleChoiceField(
        label=_("¿Qué acepta compartir?"),
        choices=SharedCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Solo para compartir: lo único que esa organización podrá ver de su caso."),
    )
    channel = forms.ChoiceField(
        label=_("Canal de contacto"),
        choices=[("", "—"), *ContactChannel.choices],
        required=False,
        help_text=_("Solo para contacto."),
    )
    given_by = forms.ChoiceField(
        label=_("¿Quién da el consentimiento?"), choices=GivenBy.choices, widget=forms.RadioSelect
    )
    child_assent = forms.NullBooleanField(
        label=_("¿La niña, niño o adolescente asiente?"),
        required=False,
        widget=forms.Select(
            choices=[("", _("No corresponde")), ("true", _("Sí")), ("false", _("No"))]
        ),
        help_text=_("Obligatorio para niñas, niños y adolescentes."),
    )
    given_on = forms.DateField(label=_("Fecha"), widget=DateInput())
    expires_on = forms.DateField(label=_("Vence"), required=False, widget=DateInput())
    scope = forms.CharField(
        label=_("Alcance"),
        max_length=300,
        required=False,
        help_text=_("Qué datos o documentos cubre, si es más acotado que el propósito."),
    )

    def __init__(self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        _choices(
            self, "recipient", [("", "—"), *((pk, o.name) for pk, o in self.organisations.items())]
        )
        self.fields["given_on"].initial = timezone.localdate()

    def consent_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        recipient = data.pop("recipient")
        return {**data, "recipient": self.organisations.get(recipient) if recipient else None}
