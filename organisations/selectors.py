from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from access.policy import Capability, can_manage_platform, require_capability
from organisations.models import Invitation, Membership, Organisation


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def member_list_visible_to(*, membership: Membership | None) -> QuerySet[Membership]:
    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    return (
        Membership.objects.filter(organisation_id=admin.organisation_id)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def member_get_for_admin(*, membership: Membership | None, member_id: int) -> Membership:
    member = member_list_visible_to(membership=membership).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def invitation_list_visible_to(*, membership: Membership | None) -> QuerySet[Invitation]:
    admin = require_capability(membership, Capability.MANAGE_MEMBERS)
    return Invitation.objects.filter(organisation_id=admin.organisation_id).select_related(
        "invited_by"
    )


def invitation_get_for_admin(*, membership: Membership | None, invitation_id: int) -> Invitation:
    invitation = invitation_list_visible_to(membership=membership).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The pending invitation behind a token, or None (unknown, used, revoked or expired)."""
    if not token or len(token) > 128:
        return None
    return (
        Invitation.objects.filter(
            token_hash=token_hash(token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation")
        .first()
    )


def organisation_list_for_platform(*, user: object) -> QuerySet[Organisation]:
    if not can_manage_platform(user):  # type: ignore[arg-type]
        raise Http404
    return Organisation.objects.order_by("name")


def invitation_lock(*, invitation_id: int) -> Invitation:
    """Lock an invitation row for the rest of the transaction (accepting it once only)."""
    return Invitation.objects.select_for_update().get(pk=invitation_id)


def member_list_visible_to_auditor(*, membership: Membership | None) -> QuerySet[Membership]:
    """Everyone who ever belonged to the organisation, to filter its audit trail by person."""
    auditor = require_capability(membership, Capability.VIEW_AUDIT)
    return (
        Membership.objects.filter(organisation_id=auditor.organisation_id)
        .select_related("user")
        .order_by("user__email")
    )


def organisation_get_for_platform(*, user: object, organisation_id: int) -> Organisation:
    organisation = organisation_list_for_platform(user=user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation


def invitation_pending_by_id(*, invitation_id: int) -> Invitation | None:
    return (
        Invitation.objects.filter(
            pk=invitation_id,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation")
        .first()
    )
