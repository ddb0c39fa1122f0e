"""Forms of the proceeding pages. They check shapes and turn ids and codes into rows; the rules
(transitions, dates, which office fits where, a closed case) live in proceedings.services, whose
messages are shown next to the fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput
from cases.models import DatePrecision, Incident
from core.widgets import FastSelect
from jurisdictions.models import Department, Offence
from proceedings.models import ChargeBasis, JusticeOffice, SentenceOutcome
from proceedings.selectors import office_get
from proceedings.services import IDENTIFIER_MAX, NAME_MAX, EventData, ProceedingData
from survivors.models import Relationship, Sex

EMPTY = ("", "—")
# The same words as the services use, for an id the directory does not know at all.
COURT_UNKNOWN = _("Elige un juzgado o tribunal activo del directorio.")
PROSECUTOR_UNKNOWN = _("Elige una fiscalía activa del directorio.")
EVENT_UNKNOWN = _("Elige un acto procesal de la lista.")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _private(widget: forms.Widget, **attrs: Any) -> forms.Widget:
    widget.attrs.update({"autocomplete": "off", "spellcheck": "false", **attrs})
    return widget


def _set_choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        field.choices = choices
    else:
        cast(forms.Select, field.widget).choices = choices


def _office(value: str, message: Any) -> JusticeOffice | None:
    if not value:
        return None
    try:
        return office_get(office_id=int(value))
    except (ValueError, Http404):
        raise ValidationError(message) from None


class ProceedingForm(forms.Form):
    department = forms.ChoiceField(
        label=_("Departamento"),
        widget=FastSelect,
        help_text=_("Donde se tramita el proceso. Los juzgados y fiscalías se listan según él."),
    )
    prosecutor_number = forms.CharField(
        label=_("Número de caso fiscal"),
        required=False,
        strip=True,
        widget=_private(forms.TextInput(), maxlength=IDENTIFIER_MAX),
        help_text=_("Se guarda cifrado."),
    )
    nurej = forms.CharField(
        label=_("NUREJ"),
        required=False,
        strip=True,
        widget=_private(forms.TextInput(), maxlength=IDENTIFIER_MAX),
        help_text=_("Número Único de Registro Judicial. Se guarda cifrado."),
    )
    court = forms.CharField(label=_("Juzgado o tribunal"), required=False, widget=FastSelect)
    prosecutor_office = forms.CharField(label=_("Fiscalía"), required=False, widget=FastSelect)
    incident = forms.TypedChoiceField(
        label=_("Hecho del caso"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Si el proceso se refiere a uno de los hechos registrados."),
    )

    def __init__(
        self,
        *args: Any,
        departments: Iterable[Department],
        courts: Iterable[JusticeOffice],
        prosecutor_offices: Iterable[JusticeOffice],
        incidents: Iterable[Incident],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {d.code: d for d in departments}
        self.incidents = {i.pk: i for i in incidents}
        _set_choices(
            self, "department", [EMPTY, *((c, d.name) for c, d in self.departments.items())]
        )
        _set_choices(self, "court", [EMPTY, *((str(o.pk), o.name) for o in courts)])
        _set_choices(
            self, "prosecutor_office", [EMPTY, *((str(o.pk), o.name) for o in prosecutor_offices)]
        )
        _set_choices(
            self,
            "incident",
            [EMPTY, *((pk, _incident_label(i)) for pk, i in self.incidents.items())],
        )

    def clean_court(self) -> JusticeOffice | None:
        return _office(self.cleaned_data.get("court", ""), COURT_UNKNOWN)

    def clean_prosecutor_office(self) -> JusticeOffice | None:
        return _office(self.cleaned_data.get("prosecutor_office", ""), PROSECUTOR_UNKNOWN)

    def data_for_service(self) -> ProceedingData:
        data = self.cleaned_data
        return ProceedingData(
            department=self.departments.get(data["department"]),
            prosecutor_number=data["prosecutor_number"],
            nurej=data["nurej"],
            court=data["court"],
            prosecutor_office=data["prosecutor_office"],
            incident=self.incidents.get(data["incident"]) if data["incident"] else None,
        )


def _incident_label(incident: Incident) -> str:
    pattern = "m/Y" if incident.date_precision == DatePrecision.MONTH else "d/m/Y"
    day = dateformat.format(incident.occurred_on, pattern)
    return f"{day} · {incident.get_violence_type_display()}"


class AccusedForm(forms.Form):
    relationship = forms.ChoiceField(
        label=_("Relación con la sobreviviente"), choices=[EMPTY, *Relationship.choices]
    )
    sex = forms.ChoiceField(label=_("Sexo"), choices=Sex.choices, initial=Sex.UNKNOWN)
    name = forms.CharField(
        label=_("Nombre (solo si hace falta)"),
        required=False,
        widget=_private(forms.TextInput(), maxlength=NAME_MAX),
        help_text=_(
            "Regístralo solo si el trámite lo necesita. Se guarda cifrado y se muestra solo a "
            "pedido, y queda registrado quién lo vio."
        ),
    )


class ChargesForm(forms.Form):
    offences = forms.MultipleChoiceField(
        label=_("Delitos"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Todos los delitos de la calificación vigente; los que no marques dejan de regir."
        ),
    )
    basis = forms.ChoiceField(
        label=_("Según"),
        required=False,
        choices=[EMPTY, *ChargeBasis.choices],
        help_text=_("El acto que fija esta calificación."),
    )
    on = forms.DateField(label=_("Fecha"), widget=DateInput())

    def __init__(self, *args: Any, offences: Iterable[Offence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offence_rows = {o.code: o for o in offences}
        _set_choices(
            self,
            "offences",
            [(code, f"Art. {o.article}: {o.name}") for code, o in self.offence_rows.items()],
        )
        self.fields["on"].initial = timezone.localdate()

    def chosen_offences(self) -> list[Offence]:
        return [self.offence_rows[code] for code in self.cleaned_data["offences"]]


class EventForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Acto procesal"),
        widget=FastSelect,
        error_messages={"required": EVENT_UNKNOWN, "invalid_choice": EVENT_UNKNOWN},
        help_text=_(
            "Arriba, los actos que corresponden a la etapa actual. Los demás sirven para "
            "registrar actos anteriores con su fecha."
        ),
    )
    occurred_on = forms.DateField(label=_("Fecha del acto"), required=False, widget=DateInput())
    occurred_time = forms.TimeField(
        label=_("Hora (opcional)"),
        required=False,
        widget=TimeInput(),
        help_text=_(
            "Importa para los plazos en horas, como las 24 horas tras una aprehensión. Sin "
            "hora, el plazo se cuenta desde el inicio de ese día."
        ),
    )
    outcome = forms.ChoiceField(
        label=_("Resultado de la sentencia"),
        required=False,
        choices=[EMPTY, *SentenceOutcome.choices],
        help_text=_("Solo para una sentencia."),
    )
    sentence_years = forms.DecimalField(
        label=_("Años de condena"),
        required=False,
        max_digits=4,
        decimal_places=1,
        help_text=_("Solo para una sentencia condenatoria o mixta."),
    )

    def __init__(
        self,
        *args: Any,
        allowed: list[tuple[str, str]],
        others: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        groups: list[Any] = [EMPTY]
        if allowed:
            groups.append((_("Corresponden a la etapa actual"), allowed))
        if others:
            groups.append((_("No corresponden a la etapa actual"), others))
        _set_choices(self, "type", groups)

    def data_for_service(self) -> EventData:
        data = self.cleaned_data
        return EventData(
            type=data["type"],
            occurred_on=data["occurred_on"],
            occurred_time=data["occurred_time"],
            outcome=data["outcome"],
            sentence_years=data["sentence_years"],
        )
