from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, OrganisationKind, Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Correo electrónico"), max_length=254)
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)


class AcceptNewAccountForm(forms.Form):
    name = forms.CharField(label=_("Tu nombre"), max_length=150)
    password = forms.CharField(
        label=_("Contraseña"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Al menos 10 caracteres; evita contraseñas comunes."),
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "city"]

    kind = forms.ChoiceField(label=_("Tipo"), choices=OrganisationKind.choices)
    admin_email = forms.EmailField(
        label=_("Correo de su administradora"),
        help_text=_("Recibirá una invitación para administrar la organización."),
    )


class AdminInvitationForm(forms.Form):
    email = forms.EmailField(label=_("Correo de la nueva administradora"))
