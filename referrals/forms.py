"""Forms of the referral pages. They check shapes and turn ids into rows; the rules (consent,
categories within it, not to oneself, expiry, who may be assigned) live in
`referrals.services`, whose messages appear next to the fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInput, member_choices
from organisations.models import Membership, Organisation
from referrals.models import DeclineReason, Purpose
from survivors.models import SharedCategory

DEFAULT_DAYS = 90


class OpenIdChoiceField(forms.TypedChoiceField):
    """Shows the choices, but accepts any id: the service decides (and says why) when the
    id is not one it allows, e.g. the organisation's own id."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() or super().valid_value(value)


class OpenIdMultipleChoiceField(forms.TypedMultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() or super().valid_value(value)


class ReferralForm(forms.Form):
    to_organisation = OpenIdChoiceField(
        label=_("Organización de la red"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    external_service = forms.CharField(
        label=_("O un servicio externo"),
        max_length=200,
        required=False,
        help_text=_(
            "Un centro de salud, una casa de acogida, una oficina pública… Solo queda "
            "registrada: no da acceso a nada en Amparo."
        ),
    )
    purpose = forms.ChoiceField(label=_("Para qué"), choices=[("", "—"), *Purpose.choices])
    categories = forms.MultipleChoiceField(
        label=_("Qué se comparte"),
        choices=SharedCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Solo lo que ella aceptó compartir con esa organización."),
    )
    expires_on = forms.DateField(
        label=_("Vale hasta"),
        required=False,
        widget=DateInput(),
        help_text=_("Después de esa fecha la otra organización deja de ver el caso."),
    )

    def __init__(self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((o.pk, o.name) for o in organisations)]
        self.fields["to_organisation"].choices = choices  # type: ignore[attr-defined]
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)

    def referral_fields(self) -> dict[str, Any]:
        """The service's arguments, except `to_organisation` (an id here)."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "external_service": data["external_service"],
            "categories": data["categories"],
            "expires_on": data["expires_on"],
        }


class AcceptForm(forms.Form):
    assignees = OpenIdMultipleChoiceField(
        label=_("¿Quiénes atenderán el caso?"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Solo estas personas podrán leer lo que se comparte."),
    )

    def __init__(self, *args: Any, members: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["assignees"].choices = member_choices(self.members)  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motivo"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
