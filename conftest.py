"""The fixed cast every test works with, so each test reads like a line of the permission
matrix: members of `org` in every role, an `outsider` in `other_org`, a `deactivated` member,
a `platform_admin`, and `anonymous`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, connections
from django.db.models.signals import post_migrate
from django.test import Client

from accounts.models import User
from audit import triggers
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


_REINSTALL_UID = "conftest.reinstall_audit_triggers"


def _reinstall_after_flush(sender: Any, using: str, **kwargs: Any) -> None:
    post_migrate.disconnect(sender=sender, dispatch_uid=_REINSTALL_UID)
    triggers.install(connections[using])


@pytest.fixture(autouse=True)
def _audit_triggers_lifted_for_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test ends by emptying every table, which the audit table's append-only
    triggers refuse. The triggers stand during the test and are dropped for that flush only:
    this fixture requests `transactional_db` itself, so it is torn down just before the flush;
    the flush ends with post_migrate, on which the triggers are installed again."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    request.getfixturevalue("transactional_db")
    triggers.install(connection)
    yield
    triggers.remove(connection)
    post_migrate.connect(
        _reinstall_after_flush,
        sender=apps.get_app_config("audit"),
        dispatch_uid=_REINSTALL_UID,
        weak=False,
    )


def run_tasks() -> None:
    """Run every queued background task with the real database-backed worker, then stop.

    The worker closes "old" connections between tasks; inside a test's transaction that would
    close the test's own connection (PostgreSQL), so that housekeeping is switched off here.
    """
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO()
        )


def open_case(
    user: User,
    *,
    age: int = 25,
    municipality: str = "020105",
    violence_type: str = "rape",
    identity: Any = None,
    **profile: Any,
) -> Any:
    """Open a case through the real intake service, as `user` acting in her organisation."""
    from datetime import date

    from cases.services import IncidentData, Intake, SafeContact, intake_create
    from jurisdictions.models import Municipality
    from survivors.services import Identity, Profile

    membership = Membership.objects.select_related("organisation", "user").get(
        user=user, is_active=True
    )
    place = Municipality.objects.select_related("department").get(code=municipality)
    return intake_create(
        membership=membership,
        intake=Intake(
            contact=SafeContact(safe_to_talk=True, channels=["call"]),
            identity=identity or Identity(),
            profile=Profile(age=age, municipality=place, **profile),
            incident=IncidentData(violence_type=violence_type, occurred_on=date(2026, 3, 1)),
        ),
    )


@pytest.fixture
def make_case(db: None) -> Callable[..., Any]:
    return open_case
