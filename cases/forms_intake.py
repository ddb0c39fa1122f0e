"""The short intake: three forms, one per step, and the draft that carries them between steps.

The draft lives in the session, encrypted with the master key, because what she tells us before
the case exists (her name, a code word) must not sit readable in the sessions table. It keeps
the raw values each step posted, so every step can be shown again as she left it, and every
step is validated again when the case is opened.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dates import MONTHS
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import DatePrecision, IntakeChannel
from cases.services import IncidentData, Intake, SafeContact
from core.widgets import FastSelect
from crypto.keys import DecryptionError, decrypt_with, encrypt_with, master
from jurisdictions.models import GbvimsType, Municipality
from jurisdictions.selectors import municipality_by_code, municipality_list
from survivors.models import ContactChannel, Disability, Language, Relationship, Sex
from survivors.services import Identity, Profile

SESSION_KEY = "cases.intake_draft"
LAST_STEP = 3

YES, NO, UNKNOWN = "yes", "no", "unknown"
_ANSWER = {YES: True, NO: False}


def _answer(value: str) -> bool | None:
    return _ANSWER.get(value)


@dataclass(frozen=True)
class Fieldset:
    legend: str | Promise
    names: tuple[str, ...]
    hint: str | Promise = ""
    optional: bool = False  # shown folded (<details>) when it is not safe to talk


@dataclass(frozen=True)
class Group:
    fieldset: Fieldset
    fields: list[forms.BoundField]
    has_errors: bool


class StepForm(forms.Form):
    title: str | Promise = ""
    fieldsets: tuple[Fieldset, ...] = ()

    def grouped(self) -> list[Group]:
        groups = []
        for fs in self.fieldsets:
            fields = [self[name] for name in fs.names]
            groups.append(Group(fs, fields, any(f.errors for f in fields)))
        return groups


class SafeContactForm(StepForm):
    """Step 1: is it safe to talk now, and how may we reach her without putting her at risk."""

    title = _("¿Es seguro hablar ahora?")
    safe_to_talk = forms.ChoiceField(
        label=_("¿Puede hablar ahora sin riesgo?"),
        choices=[
            (YES, _("Sí, puede hablar")),
            (NO, _("No, ahora no es seguro")),
            (UNKNOWN, _("No se pudo preguntar")),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Pregúntale si alguien puede escuchar o ver la conversación."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Medios seguros para contactarla"),
        choices=ContactChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    safe_hours = forms.CharField(
        label=_("Horarios seguros"),
        max_length=120,
        required=False,
        help_text=_("Por ejemplo: lunes a viernes de 9:00 a 12:00."),
    )
    may_leave_message = forms.ChoiceField(
        label=_("¿Se le puede dejar un mensaje?"),
        choices=[(YES, _("Sí")), (NO, _("No")), (UNKNOWN, _("No se sabe"))],
        widget=forms.RadioSelect,
        required=False,
    )
    code_word = forms.CharField(
        label=_("Palabra clave"),
        max_length=60,
        required=False,
        help_text=_(
            "Una palabra que ella elige para confirmar que es ella quien responde. "
            "Se guarda cifrada."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    fieldsets = (
        Fieldset(
            _("Ahora"),
            ("safe_to_talk",),
            hint=_(
                "Si no es seguro, no insistas: acuerden un momento seguro y registra solo cómo "
                "y cuándo contactarla. Lo demás puede esperar."
            ),
        ),
        Fieldset(
            _("Contacto seguro"),
            ("channels", "safe_hours", "may_leave_message", "code_word"),
        ),
    )

    def contact(self) -> SafeContact:
        d = self.cleaned_data
        return SafeContact(
            safe_to_talk=_answer(d["safe_to_talk"]),
            channels=list(d["channels"]),
            safe_hours=d["safe_hours"],
            may_leave_message=_answer(d["may_leave_message"]),
            code_word=d["code_word"],
        )


def municipality_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities grouped by department, each shown as «Municipio (Departamento)»."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in municipality_list():
        groups.setdefault(place.department.name, []).append((place.code, str(place)))
    return list(groups.items())


class WhoForm(StepForm):
    """Step 2: who she is. Only age and municipality are required; identity is optional."""

    title = _("¿Quién?")
    age = forms.IntegerField(
        label=_("Edad"),
        min_value=0,
        max_value=120,
        error_messages={
            "required": _("Indica la edad, aunque sea aproximada."),
            "min_value": _("La edad debe estar entre 0 y 120 años."),
            "max_value": _("La edad debe estar entre 0 y 120 años."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sex = forms.ChoiceField(
        label=_("Sexo"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False
    )
    municipality = forms.CharField(
        label=_("Municipio donde vive"),
        error_messages={"required": _("Elige el municipio.")},
        widget=FastSelect,
    )
    languages = forms.MultipleChoiceField(
        label=_("Idiomas que habla"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    disability = forms.ChoiceField(
        label=_("Discapacidad"),
        choices=Disability.choices,
        initial=Disability.UNKNOWN,
        required=False,
    )
    full_name = forms.CharField(label=_("Nombre completo"), max_length=200, required=False)
    document_number = forms.CharField(label=_("Número de documento"), max_length=40, required=False)
    birth_date = forms.DateField(
        label=_("Fecha de nacimiento"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    phone = forms.CharField(
        label=_("Teléfono"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    guardian_name = forms.CharField(
        label=_("Nombre de la persona tutora"), max_length=200, required=False
    )
    guardian_contact = forms.CharField(
        label=_("Contacto de la persona tutora"), max_length=200, required=False
    )
    guardian_relationship = forms.ChoiceField(
        label=_("Relación de la persona tutora"),
        choices=[("", _("Sin dato")), *Relationship.choices],
        required=False,
    )
    guardian_is_alleged_aggressor = forms.BooleanField(
        label=_("La persona tutora es presunta agresora"), required=False
    )
    fieldsets = (
        Fieldset(
            _("Datos básicos"),
            ("age", "sex", "municipality", "languages", "disability"),
            hint=_(
                "Amparo genera un código para ella al abrir el caso (por ejemplo, "
                "LPZ-2026-00042). Las listas y los encabezados muestran el código, nunca su "
                "nombre."
            ),
        ),
        Fieldset(
            _("Identidad (opcional)"),
            ("full_name", "document_number", "birth_date", "phone"),
            hint=_(
                "Se guarda cifrada y sirve para saber si ya la atiende otra organización. "
                "Puedes completarla después."
            ),
            optional=True,
        ),
        Fieldset(
            _("Persona tutora (opcional)"),
            (
                "guardian_name",
                "guardian_contact",
                "guardian_relationship",
                "guardian_is_alleged_aggressor",
            ),
            hint=_(
                "Para niñas, niños y adolescentes (menores de 18 años). Si la persona tutora "
                "es la presunta agresora, márcalo: no podrá dar consentimientos por ella."
            ),
            optional=True,
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["municipality"].widget
        widget.choices = [("", _("Elige el municipio")), *municipality_choices()]
        self.place: Municipality | None = None

    def clean_municipality(self) -> str:
        code = self.cleaned_data["municipality"].strip()
        self.place = municipality_by_code(code)
        if self.place is None:
            raise forms.ValidationError(
                _("No conocemos ese municipio. Elige uno de la lista."), code="unknown"
            )
        return code

    def clean_birth_date(self) -> date | None:
        born: date | None = self.cleaned_data["birth_date"]
        if born and born > timezone.localdate():
            raise forms.ValidationError(_("La fecha no puede estar en el futuro."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        age, born = data.get("age"), data.get("birth_date")
        if age is not None and born and _age_on(born, timezone.localdate()) != age:
            self.add_error("age", _("La edad no coincide con la fecha de nacimiento."))
        return data

    def identity(self) -> Identity:
        d = self.cleaned_data
        return Identity(
            full_name=d["full_name"],
            document_number=d["document_number"],
            birth_date=d["birth_date"],
            phone=d["phone"],
            guardian_name=d["guardian_name"],
            guardian_contact=d["guardian_contact"],
        )

    def profile(self) -> Profile:
        d = self.cleaned_data
        assert self.place is not None  # noqa: S101 - set by clean_municipality
        return Profile(
            age=d["age"],
            municipality=self.place,
            sex=d["sex"] or Sex.UNKNOWN,
            languages=list(d["languages"]),
            disability=d["disability"] or Disability.UNKNOWN,
            guardian_relationship=d["guardian_relationship"],
            guardian_is_alleged_aggressor=d["guardian_is_alleged_aggressor"],
        )


def _age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class WhatForm(StepForm):
    """Step 3: what happened, in the fewest words. Details go on the case page later."""

    title = _("¿Qué pasó?")
    violence_type = forms.ChoiceField(
        label=_("Tipo de violencia"),
        choices=GbvimsType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Elige el tipo de violencia.")},
        help_text=_("Si hubo más de un tipo, elige el primero de la lista que corresponda."),
    )
    date_precision = forms.ChoiceField(
        label=_("¿Qué tan precisa es la fecha?"),
        choices=[
            (DatePrecision.MONTH, _("Mes y año aproximados")),
            (DatePrecision.EXACT, _("Fecha exacta")),
        ],
        widget=forms.RadioSelect,
        initial=DatePrecision.MONTH,
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("Mes"),
        choices=[("", _("Elige el mes")), *MONTHS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )
    year = forms.IntegerField(
        label=_("Año"),
        min_value=1900,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    occurred_on = forms.DateField(
        label=_("Fecha exacta"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Solo si la fecha exacta es conocida."),
    )
    intake_channel = forms.ChoiceField(
        label=_("Vía de ingreso"),
        choices=IntakeChannel.choices,
        initial=IntakeChannel.WALK_IN,
        required=False,
    )
    summary = forms.CharField(
        label=_("Resumen breve (opcional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lo mínimo para orientar al equipo. Se guarda cifrado."),
    )
    fieldsets = (
        Fieldset(_("El hecho"), ("violence_type",)),
        Fieldset(
            _("¿Cuándo?"),
            ("date_precision", "month", "year", "occurred_on"),
            hint=_("Basta con el mes y el año aproximados."),
        ),
        Fieldset(_("Ingreso"), ("intake_channel", "summary")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        precision = data.get("date_precision") or DatePrecision.MONTH
        data["date_precision"] = precision
        data["intake_channel"] = data.get("intake_channel") or IntakeChannel.WALK_IN
        data["day"] = self._day(data, precision)
        return data

    def _day(self, data: dict[str, Any], precision: str) -> date | None:
        today = timezone.localdate()
        if precision == DatePrecision.EXACT:
            day: date | None = data.get("occurred_on")
            if day is None and "occurred_on" not in self.errors:
                self.add_error("occurred_on", _("Indica la fecha exacta."))
            if day and day > today:
                self.add_error("occurred_on", _("La fecha no puede estar en el futuro."))
                return None
            return day
        month, year = data.get("month"), data.get("year")
        if not month and "month" not in self.errors:
            self.add_error("month", _("Indica el mes aproximado."))
        if not year and "year" not in self.errors:
            self.add_error("year", _("Indica el año aproximado."))
        if not (month and year):
            return None
        if (year, month) > (today.year, today.month):
            self.add_error("year", _("La fecha no puede estar en el futuro."))
            return None
        return date(year, month, 1)

    def incident(self) -> IncidentData:
        d = self.cleaned_data
        return IncidentData(
            violence_type=d["violence_type"],
            occurred_on=d["day"],
            date_precision=d["date_precision"],
        )


STEP_FORMS: dict[int, type[StepForm]] = {1: SafeContactForm, 2: WhoForm, 3: WhatForm}

# Where the intake service's field errors belong.
SERVICE_FIELDS = {
    "birth_date": (2, "birth_date"),
    "age": (2, "age"),
    "municipality": (2, "municipality"),
    "violence_type": (3, "violence_type"),
    "occurred_on": (3, "occurred_on"),
    "date_precision": (3, "date_precision"),
    "intake_channel": (3, "intake_channel"),
}


@dataclass
class Draft:
    """What the three steps collected so far, for one organisation."""

    organisation_id: int
    step: int = 1
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    pending_match: bool = False  # the last attempt found a possible match
    referral_asked: list[int] = field(default_factory=list)  # organisation ids

    @classmethod
    def load(cls, session: SessionBase, organisation_id: int) -> Draft:
        """The draft in the session; a fresh one if there is none, it cannot be read, or it
        was started while acting for another organisation."""
        token = session.get(SESSION_KEY)
        if token:
            try:
                draft = cls(**json.loads(decrypt_with(master(), token)))
            except (DecryptionError, TypeError, ValueError):
                draft = None
            if draft is not None and draft.organisation_id == organisation_id:
                return draft
        return cls(organisation_id=organisation_id)

    def save(self, session: SessionBase) -> None:
        session[SESSION_KEY] = encrypt_with(master(), json.dumps(asdict(self)))

    @staticmethod
    def clear(session: SessionBase) -> None:
        session.pop(SESSION_KEY, None)

    @property
    def not_safe_now(self) -> bool:
        return self.values.get("1", {}).get("safe_to_talk") == [NO]

    def keep(self, step: int, posted: MultiValueDict[str, str]) -> None:
        names = STEP_FORMS[step].base_fields
        self.values[str(step)] = {n: posted.getlist(n) for n in names if n in posted}

    def form(self, step: int, posted: MultiValueDict[str, str] | None = None) -> StepForm:
        """The step's form: bound to what was posted, else to what the draft kept, else
        unbound (first visit)."""
        kept = self.values.get(str(step))
        if posted is None and kept is not None:
            posted = MultiValueDict(kept)
        return STEP_FORMS[step](posted)

    def intake(self, *, confirmed_new_person: bool) -> tuple[Intake | None, StepForm | None]:
        """The intake from every step, validated again; or the first step's form that fails."""
        done: dict[int, Any] = {}
        for step in STEP_FORMS:
            form = self.form(step)
            if not form.is_bound:
                form = STEP_FORMS[step](MultiValueDict())
            if not form.is_valid():
                self.step = step
                return None, form
            done[step] = form
        contact, who, what = done[1], done[2], done[3]
        return (
            Intake(
                contact=contact.contact(),
                identity=who.identity(),
                profile=who.profile(),
                incident=what.incident(),
                intake_channel=what.cleaned_data["intake_channel"],
                summary=what.cleaned_data["summary"],
                confirmed_new_person=confirmed_new_person,
            ),
            None,
        )
