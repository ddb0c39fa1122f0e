"""The fixed cast every test works with, so each test reads like a line of the permission
matrix: members of `org` in every role, an `outsider` in `other_org`, a `deactivated` member,
a `platform_admin`, and `anonymous`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from organisations.models import Membership, Organisation, OrganisationKind, Role

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def org(db: None) -> Organisation:
    return Organisation.objects.create(name="Casa Prueba", slug="casa", kind=OrganisationKind.NGO)


@pytest.fixture
def other_org(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Otra Org", slug="otra", kind=OrganisationKind.PUBLIC_SERVICE
    )


@pytest.fixture
def make_member(db: None) -> Callable[..., User]:
    def make(role: str, organisation: Organisation, email: str | None = None) -> User:
        email = email or f"{role}-{organisation.slug}@example.org"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, PASSWORD, name=role.title()
        )
        Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def cast(
    org: Organisation, other_org: Organisation, make_member: Callable[..., User]
) -> dict[str, User]:
    people = {role.value: make_member(role.value, org) for role in Role}
    people["outsider"] = make_member(Role.COORDINATOR, other_org, "outsider@example.org")
    deactivated = make_member(Role.LAWYER, org, "gone@example.org")
    Membership.objects.filter(user=deactivated).update(is_active=False)
    people["deactivated"] = deactivated
    people["platform_admin"] = User.objects.create_superuser("root@example.org", PASSWORD)
    return people


@pytest.fixture
def client_for(db: None) -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def grant_sudo(client: Client, user: User, *, seconds_ago: float = 0) -> None:
    """Mark the client's session as re-authenticated `seconds_ago` (allauth's own record)."""
    import time

    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time() - seconds_ago, "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def sudo_client_for(client_for: Callable[[User | None], Client]) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = client_for(user)
        grant_sudo(client, user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Argon2 stays the production hasher (see accounts/tests); tests hash quickly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
