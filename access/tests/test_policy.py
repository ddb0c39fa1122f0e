from __future__ import annotations

import pytest
from django.http import Http404

from access.policy import (
    IDENTITY_ROLES,
    Capability,
    has_capability,
    membership_for,
    memberships_of,
    require_capability,
)
from organisations.models import Membership, Role


def test_it_grants_survivor_access_only_to_casework_roles(cast, org):
    for role in Role:
        membership = membership_for(cast[role.value], org.pk)
        expected = role not in {Role.ANALYST, Role.ORG_ADMIN}
        assert has_capability(membership, Capability.SEE_SURVIVORS) is expected, role
    assert set(IDENTITY_ROLES) == {
        Role.COORDINATOR,
        Role.LAWYER,
        Role.SOCIAL_WORKER,
        Role.PSYCHOLOGIST,
        Role.LAW_STUDENT,
        Role.SUPERVISOR,
    }


def test_it_gives_the_platform_admin_no_membership_and_no_capability(cast, org):
    admin = cast["platform_admin"]
    assert memberships_of(admin) == []
    assert membership_for(admin, org.pk) is None
    with pytest.raises(Http404):
        require_capability(membership_for(admin, org.pk), Capability.SEE_SURVIVORS)


def test_it_ignores_deactivated_memberships(cast, org):
    assert membership_for(cast["deactivated"], org.pk) is None
    assert memberships_of(cast["deactivated"]) == []


def test_it_ignores_memberships_of_deactivated_organisations(cast, org):
    org.is_active = False
    org.save(update_fields=["is_active"])
    assert memberships_of(cast["lawyer"]) == []


def test_it_ignores_deactivated_users(cast, org):
    lawyer = cast["lawyer"]
    membership = Membership.objects.get(user=lawyer)
    lawyer.is_active = False
    lawyer.save(update_fields=["is_active"])
    membership.refresh_from_db()
    assert not has_capability(membership, Capability.SEE_SURVIVORS)
    assert memberships_of(lawyer) == []


def test_it_never_lets_the_outsider_act_in_another_organisation(cast, org):
    assert membership_for(cast["outsider"], org.pk) is None
