"""Forms for hearings. They check shapes and turn ids into rows; the rules (a date after the
denuncia, an active court, who may accompany) live in proceedings.services_hearings.

A hearing's date and time are typed as the court gives them, in the local time of the
proceeding's jurisdiction (America/La_Paz for Bolivia), and stored as an aware datetime.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput, member_choices
from core.widgets import FastSelect
from organisations.models import Membership
from proceedings.models import HearingStatus, JusticeOffice, SuspensionReason


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def court_choices(courts: Iterable[JusticeOffice], first_department_id: int) -> list[Any]:
    """Courts grouped by department, the proceeding's department first."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for court in courts:
        group = groups.setdefault(court.department_id, (court.department.name, []))
        group[1].append((court.pk, court.name))
    order = sorted(groups, key=lambda d: (d != first_department_id, groups[d][0]))
    return [("", "—"), *[(groups[d][0], groups[d][1]) for d in order]]


class _When(forms.Form):
    date = forms.DateField(label=_("Fecha"), widget=DateInput())
    time = forms.TimeField(
        label=_("Hora"), widget=TimeInput(), help_text=_("Hora local, formato de 24 horas.")
    )

    def __init__(self, *args: Any, time_zone: ZoneInfo, **kwargs: Any) -> None:
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)

    def error_aliases(self) -> dict[str, str]:
        return {"starts_at": "date"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("date"), data.get("time")
        data["starts_at"] = (
            dt.datetime.combine(day, time, tzinfo=self.time_zone) if day and time else None
        )
        return data

    @staticmethod
    def initial_for(starts_at: dt.datetime, time_zone: ZoneInfo) -> dict[str, Any]:
        local = starts_at.astimezone(time_zone)
        return {"date": local.date(), "time": local.time().replace(second=0, microsecond=0)}


class HearingForm(_When):
    type = forms.ChoiceField(label=_("Tipo de audiencia"))
    court = forms.TypedChoiceField(
        label=_("Juzgado o tribunal"), coerce=int, empty_value=None, widget=FastSelect
    )
    companions = forms.TypedMultipleChoiceField(
        label=_("Quién la acompaña"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Personas de la organización que acompañan a la sobreviviente."),
    )
    survivor_must_attend = forms.BooleanField(
        label=_("La sobreviviente debe asistir"), required=False
    )
    remind_survivor = forms.BooleanField(
        label=_("Recordarle la audiencia a la sobreviviente"),
        required=False,
        help_text=_(
            "Solo por un canal que ella aceptó, dentro de su horario seguro y con un texto neutro."
        ),
    )

    field_order = [
        "type",
        "date",
        "time",
        "court",
        "companions",
        "survivor_must_attend",
        "remind_survivor",
    ]

    def __init__(
        self,
        *args: Any,
        types: list[tuple[str, str]],
        courts: Iterable[JusticeOffice],
        department_id: int,
        members: Iterable[Membership],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("type", [("", "—"), *types])
        self._choices("court", court_choices(courts, department_id))
        self._choices("companions", member_choices(members))

    def _choices(self, name: str, choices: list[Any]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("¿Cómo resultó la audiencia?"),
        choices=[
            (HearingStatus.HELD.value, HearingStatus.HELD.label),
            (HearingStatus.SUSPENDED.value, HearingStatus.SUSPENDED.label),
            (HearingStatus.CANCELLED.value, HearingStatus.CANCELLED.label),
        ],
        widget=forms.RadioSelect,
    )
    suspension_reason = forms.ChoiceField(
        label=_("Motivo de la suspensión"),
        choices=[("", "—"), *SuspensionReason.choices],
        required=False,
        help_text=_("Solo si se suspendió."),
    )


class RescheduleForm(_When):
    suspension_reason = forms.ChoiceField(
        label=_("¿Por qué se suspendió?"),
        choices=[("", "—"), *SuspensionReason.choices],
        required=False,
    )

    def __init__(self, *args: Any, ask_reason: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_reason:  # the outcome already recorded says why
            del self.fields["suspension_reason"]
