"""Organisations, memberships and invitations. Each change is audited in its transaction."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, can_manage_platform, require_capability
from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from organisations.models import Invitation, Membership, Organisation, Role
from organisations.selectors import invitation_lock, token_hash


def organisation_create(
    *, user: User, name: str, slug: str, kind: str, city: str = ""
) -> Organisation:
    if not can_manage_platform(user):
        raise Http404
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Ya existe una organización con ese identificador.")})
    with transaction.atomic():
        org = Organisation(name=name, slug=slug, kind=kind, city=city)
        org.full_clean()
        org.save()
        audit_record(
            action=Action.CREATE,
            obj=org,
            fields=["name", "slug", "kind", "city"],
            organisation_id=org.pk,
        )
    return org


def _invitation_issue(
    *, organisation_id: int, email: str, role: str, invited_by_id: int, base_url: str
) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Rol desconocido.")})
    if Membership.objects.filter(
        organisation_id=organisation_id, user__email__iexact=email, is_active=True
    ).exists():
        raise ValidationError({"email": _("Esa persona ya es miembro de la organización.")})
    with transaction.atomic():
        invitation = Invitation(
            organisation_id=organisation_id,
            email=email,
            role=role,
            # A placeholder nobody knows; the worker issues the real token with the email.
            token_hash=token_hash(secrets.token_urlsafe(32)),
            invited_by_id=invited_by_id,
            expires_at=timezone.now() + timedelta(days=settings.AMPARO_INVITATION_DAYS),
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            action=Action.INVITE,
            obj=invitation,
            fields=["email", "role"],
            organisation_id=organisation_id,
        )
        # Enqueued in the same transaction: no invitation without its email, nor the reverse.
        from organisations.tasks import send_invitation

        send_invitation.enqueue(invitation_id=invitation.pk, base_url=base_url)
    return invitation


def invitation_create(
    *, membership: Membership | None, email: str, role: str, base_url: str
) -> Invitation:
    """Invite someone to the admin's organisation; the worker emails her the link."""
    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    return _invitation_issue(
        organisation_id=admin.organisation_id,
        email=email,
        role=role,
        invited_by_id=admin.user_id,
        base_url=base_url,
    )


def invitation_issue_token(*, invitation: Invitation) -> str:
    """A fresh token for a pending invitation; any earlier link stops working."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.save(update_fields=["token_hash"])
    return token


def organisation_invite_admin(
    *, user: User, organisation: Organisation, email: str, base_url: str
) -> Invitation:
    """The platform admin invites an organisation's administrator (its first, or a new one)."""
    if not can_manage_platform(user):
        raise Http404
    return _invitation_issue(
        organisation_id=organisation.pk,
        email=email,
        role=Role.ORG_ADMIN,
        invited_by_id=user.pk,
        base_url=base_url,
    )


def invitation_send(*, invitation: Invitation, accept_url: str) -> None:
    """The email names the organisation and the link, nothing about any case or survivor."""
    send_mail(
        subject=_("Invitación a Amparo"),
        message=_(
            "Te invitaron a unirte a %(org)s en Amparo.\n\n"
            "Acepta la invitación aquí (vence en %(days)s días):\n%(url)s\n"
        )
        % {
            "org": invitation.organisation.name,
            "days": settings.AMPARO_INVITATION_DAYS,
            "url": accept_url,
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_revoke(*, membership: Membership | None, invitation: Invitation) -> None:
    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    if invitation.organisation_id != admin.organisation_id:
        raise Http404
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(_("Esta invitación ya no está pendiente."))
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(action=Action.UPDATE, obj=invitation, fields=["revoked_at"])


def invitation_accept(
    *, invitation: Invitation, user: User | None, name: str = "", password: str = ""
) -> Membership:
    """Accept for the signed-in `user`, or create the account (name and password) if none.

    The invitation must still be pending; the signed-in person must own the invited email.
    """
    if not invitation.is_pending:
        raise ValidationError(_("Esta invitación venció o ya fue usada."))
    with transaction.atomic():
        locked = invitation_lock(invitation_id=invitation.pk)
        if not locked.is_pending:
            raise ValidationError(_("Esta invitación venció o ya fue usada."))
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(
                    _("Ya tienes una cuenta: inicia sesión para aceptar la invitación.")
                )
            user = User(email=invitation.email, name=name.strip())
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationError({"password": exc.messages}) from exc
            user.set_password(password)
            user.save()
            audit_record(
                action=Action.CREATE,
                obj=user,
                fields=["email", "name", "password"],
                actor_id=user.pk,
                organisation_id=invitation.organisation_id,
            )
        elif user.email.lower() != invitation.email.lower():
            raise ValidationError(_("Esta invitación es para otra dirección de correo."))
        membership, _created = Membership.objects.update_or_create(
            user=user,
            organisation_id=invitation.organisation_id,
            defaults={"role": invitation.role, "is_active": True, "deactivated_at": None},
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        audit_record(
            action=Action.CREATE,
            obj=membership,
            fields=["role"],
            actor_id=user.pk,
            organisation_id=invitation.organisation_id,
        )
    return membership


def member_deactivate(*, membership: Membership | None, member: Membership) -> None:
    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    if member.organisation_id != admin.organisation_id:
        raise Http404
    if not member.is_active:
        raise ValidationError(_("Esta persona ya está desactivada."))
    if (
        member.role == Role.ORG_ADMIN
        and not Membership.objects.filter(
            organisation_id=admin.organisation_id, role=Role.ORG_ADMIN, is_active=True
        )
        .exclude(pk=member.pk)
        .exists()
    ):
        raise ValidationError(_("La organización necesita al menos una administradora activa."))
    with transaction.atomic():
        member.is_active = False
        member.deactivated_at = timezone.now()
        member.save(update_fields=["is_active", "deactivated_at"])
        audit_record(action=Action.DEACTIVATE, obj=member, fields=["is_active"])


def acting_organisation_switch(
    *, memberships: list[Membership], organisation_id: int
) -> Membership:
    acting = next((m for m in memberships if m.organisation_id == organisation_id), None)
    if acting is None:
        raise Http404
    audit_record(
        action=Action.SWITCH_ORGANISATION,
        obj=acting.organisation,
        organisation_id=acting.organisation_id,
    )
    return acting
