"""The access gate: the one place that decides who may see and change what.

Rules, one condition per line, so each reads as a line of the authorization matrix:
- a person acts through an *active* membership of an *active* organisation, read from the
  database on every request (grants are never cached in the session);
- each role carries a fixed set of capabilities; nothing else grants anything;
- a platform admin manages organisations but holds no capability over survivor data;
- missing and forbidden look the same to the caller: `Http404`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.http import Http404

from organisations.models import Membership, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from cases.models import Case
    from referrals.models import Referral


class Capability(StrEnum):
    SEE_SURVIVORS = "see_survivors"  # open cases and see survivor identity (with reveal)
    VIEW_STATISTICS = "view_statistics"  # de-identified figures only
    MANAGE_MEMBERS = "manage_members"  # invite and deactivate members
    VIEW_AUDIT = "view_audit"  # search and export the organisation's audit trail
    USE_API = "use_api"  # hold personal API tokens
    MANAGE_DIRECTORY = "manage_directory"  # maintain the network's courts and prosecutors


_CASEWORK = {Capability.SEE_SURVIVORS, Capability.USE_API}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.COORDINATOR: frozenset(
        _CASEWORK | {Capability.VIEW_STATISTICS, Capability.MANAGE_DIRECTORY}
    ),
    Role.LAWYER: frozenset(_CASEWORK),
    Role.SOCIAL_WORKER: frozenset(_CASEWORK),
    Role.PSYCHOLOGIST: frozenset(_CASEWORK),
    Role.LAW_STUDENT: frozenset(_CASEWORK),
    Role.SUPERVISOR: frozenset(_CASEWORK | {Capability.VIEW_STATISTICS}),
    Role.ANALYST: frozenset({Capability.VIEW_STATISTICS, Capability.USE_API}),
    Role.ORG_ADMIN: frozenset(
        {Capability.MANAGE_MEMBERS, Capability.VIEW_AUDIT, Capability.USE_API}
    ),
}

# Roles that can see survivor identity.
IDENTITY_ROLES = frozenset(
    role for role, caps in ROLE_CAPABILITIES.items() if Capability.SEE_SURVIVORS in caps
)
# MFA is required, when AMPARO_REQUIRE_MFA is on, of everyone who can see identity or who can
# grant access to it (an organisation admin invites members; a platform admin invites admins).
MFA_ROLES = IDENTITY_ROLES | {Role.ORG_ADMIN}


# Roles that see every case of their organisation; the other casework roles see the cases
# whose team they are on.
CASELOAD_ROLES = frozenset({Role.COORDINATOR, Role.SUPERVISOR})


def sees_whole_caseload(membership: Membership | None) -> bool:
    return (
        membership is not None
        and has_capability(membership, Capability.SEE_SURVIVORS)
        and membership.role in CASELOAD_ROLES
    )


def can_manage_case(membership: Membership | None, case: Case) -> bool:
    """Change the team, close or reopen a case: its lead, coordinators and supervisors."""
    if membership is None:
        return False
    if not has_capability(membership, Capability.SEE_SURVIVORS):
        return False
    if case.organisation_id != membership.organisation_id:
        return False
    if membership.role in CASELOAD_ROLES:
        return True
    return case.lead_id == membership.user_id


def may_decide_referrals(membership: Membership | None) -> bool:
    """Accept or decline the referrals made to the organisation: its coordinators and
    supervisors (the people who see its whole caseload)."""
    return sees_whole_caseload(membership)


def can_read_referred(
    membership: Membership | None, referral: Referral, category: str = ""
) -> bool:
    """A referral lets someone of the receiving organisation read the survivor's case when,
    at this request: she acts for that organisation and works cases; she is one of the people
    the referral was assigned to; it is accepted, not ended, not expired; the survivor's
    sharing consent is still active; and (for a category) she consented to share it."""
    if membership is None or not has_capability(membership, Capability.SEE_SURVIVORS):
        return False
    if referral.to_organisation_id != membership.organisation_id:
        return False
    if not referral.grants_access():
        return False
    if referral.consent is None or not referral.consent.is_active():
        return False
    if referral.consent.recipient_id != referral.to_organisation_id:
        return False
    if category and category not in referral.categories:
        return False
    if category and category not in referral.consent.categories:
        return False
    return referral.assignees.filter(pk=membership.user_id).exists()


def is_signed_in(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def memberships_of(user: User | AnonymousUser | None) -> list[Membership]:
    """The active memberships through which `user` may act, freshly read."""
    if user is None or not is_signed_in(user) or user.pk is None:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def membership_for(
    user: User | AnonymousUser | None, organisation_id: int | None
) -> Membership | None:
    if organisation_id is None or user is None or not is_signed_in(user) or user.pk is None:
        return None
    return (
        Membership.objects.filter(
            user_id=user.pk,
            organisation_id=organisation_id,
            is_active=True,
            organisation__is_active=True,
        )
        .select_related("organisation", "user")
        .first()
    )


def has_capability(membership: Membership | None, capability: Capability) -> bool:
    if membership is None:
        return False
    if not membership.is_active:
        return False
    if not membership.organisation.is_active:
        return False
    if not membership.user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(membership.role, frozenset())


def require_capability(membership: Membership | None, capability: Capability) -> Membership:
    """The membership if it holds `capability`; otherwise 404, as if nothing were there."""
    if membership is None or not has_capability(membership, capability):
        raise Http404
    return membership


def can_manage_platform(user: User | AnonymousUser | None) -> bool:
    return is_signed_in(user) and bool(getattr(user, "is_platform_admin", False))


def needs_mfa(user: User | AnonymousUser | None, memberships: list[Membership]) -> bool:
    return can_manage_platform(user) or any(m.role in MFA_ROLES for m in memberships)
