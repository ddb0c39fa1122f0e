from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from conftest import PASSWORD, run_tasks
from organisations import selectors, services
from organisations.models import Invitation, Membership, Organisation, Role


def _invite(client, email="nueva@example.org", role=Role.LAWYER):
    return client.post("/org/members/", {"email": email, "role": role})


def _token_from_mail() -> str:
    run_tasks()
    match = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body)
    assert match
    return match.group(1)


def test_it_lists_members_for_the_organisation_admin(cast, client_for):
    response = client_for(cast["org_admin"]).get("/org/members/")
    assert response.status_code == 200
    assert cast["lawyer"].email.encode() in response.content
    assert cast["outsider"].email.encode() not in response.content


@pytest.mark.parametrize("role", ["coordinator", "lawyer", "analyst", "outsider", "platform_admin"])
def test_it_hides_member_management_from_everyone_else(cast, client_for, role):
    assert client_for(cast[role]).get("/org/members/").status_code == 404


def test_it_asks_for_reauthentication_before_inviting(cast, client_for):
    response = _invite(client_for(cast["org_admin"]))
    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert not Invitation.objects.exists()


def test_it_invites_by_email_with_only_the_organisation_and_link(cast, sudo_client_for, org):
    response = _invite(sudo_client_for(cast["org_admin"]))
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "nueva@example.org"
    assert invitation.expires_at - timezone.now() > timedelta(days=6)
    assert not mail.outbox  # the worker sends it
    token = _token_from_mail()
    body = mail.outbox[-1].body
    assert org.name in body
    assert mail.outbox[-1].to == ["nueva@example.org"]
    invitation.refresh_from_db()
    assert invitation.token_hash != token
    assert AuditEvent.objects.filter(action=Action.INVITE, actor=cast["org_admin"]).exists()


def test_it_rejects_a_bad_invitation_and_writes_nothing(cast, sudo_client_for):
    response = _invite(sudo_client_for(cast["org_admin"]), email="not-an-email", role="king")
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_it_refuses_to_invite_a_current_member(cast, sudo_client_for):
    response = _invite(sudo_client_for(cast["org_admin"]), email=cast["lawyer"].email)
    assert response.status_code == 400
    assert "ya es miembro" in response.content.decode()


def test_it_creates_an_account_when_a_new_person_accepts(cast, sudo_client_for, client, org):
    _invite(sudo_client_for(cast["org_admin"]))
    token = _token_from_mail()
    assert client.get(f"/invitations/{token}/").status_code == 200
    response = client.post(f"/invitations/{token}/", {"name": "Nueva", "password": PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(email="nueva@example.org")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).organisation == org
    assert Invitation.objects.get().accepted_at is not None


def test_it_rejects_a_weak_password_and_creates_nothing(cast, sudo_client_for, client):
    _invite(sudo_client_for(cast["org_admin"]))
    token = _token_from_mail()
    response = client.post(f"/invitations/{token}/", {"name": "Nueva", "password": "123"})
    assert response.status_code == 400
    assert not User.objects.filter(email="nueva@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_it_adds_a_membership_when_an_existing_user_accepts(
    cast, sudo_client_for, client_for, org, other_org
):
    _invite(sudo_client_for(cast["org_admin"]), email=cast["outsider"].email, role=Role.ANALYST)
    token = _token_from_mail()
    response = client_for(cast["outsider"]).post(f"/invitations/{token}/")
    assert response.status_code == 302
    assert Membership.objects.get(user=cast["outsider"], organisation=org).role == Role.ANALYST


def test_it_refuses_an_invitation_meant_for_someone_else(cast, sudo_client_for, client_for, org):
    _invite(sudo_client_for(cast["org_admin"]))
    token = _token_from_mail()
    client_for(cast["outsider"]).post(f"/invitations/{token}/")
    assert not Membership.objects.filter(user=cast["outsider"], organisation=org).exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("state", ["expired", "revoked", "used", "unknown"])
def test_it_refuses_expired_revoked_used_and_unknown_invitations(
    cast, sudo_client_for, client, state
):
    _invite(sudo_client_for(cast["org_admin"]))
    token = _token_from_mail()
    invitation = Invitation.objects.get()
    if state == "expired":
        invitation.expires_at = timezone.now() - timedelta(seconds=1)
    elif state == "revoked":
        invitation.revoked_at = timezone.now()
    elif state == "used":
        invitation.accepted_at = timezone.now()
    else:
        token = "x" * 40
    invitation.save()
    response = client.post(f"/invitations/{token}/", {"name": "Nueva", "password": PASSWORD})
    assert response.status_code == 404
    assert not User.objects.filter(email="nueva@example.org").exists()


def test_it_revokes_a_pending_invitation(cast, sudo_client_for):
    admin = sudo_client_for(cast["org_admin"])
    _invite(admin)
    invitation = Invitation.objects.get()
    assert admin.post(f"/org/invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_deactivates_a_member_whose_access_ends_on_the_next_request(
    cast, sudo_client_for, client_for
):
    lawyer = client_for(cast["lawyer"])
    assert b"Casa Prueba" in lawyer.get("/").content
    member = Membership.objects.get(user=cast["lawyer"])
    assert (
        sudo_client_for(cast["org_admin"]).post(f"/org/members/{member.pk}/deactivate/").status_code
        == 302
    )
    member.refresh_from_db()
    assert not member.is_active
    assert b"Casa Prueba" not in lawyer.get("/").content
    assert AuditEvent.objects.filter(action=Action.DEACTIVATE, object_id=str(member.pk)).exists()


def test_it_keeps_the_last_active_admin(cast, sudo_client_for):
    admin = Membership.objects.get(user=cast["org_admin"])
    sudo_client_for(cast["org_admin"]).post(f"/org/members/{admin.pk}/deactivate/")
    admin.refresh_from_db()
    assert admin.is_active


def test_it_answers_404_for_another_organisations_member_id(cast, sudo_client_for):
    foreign = Membership.objects.get(user=cast["outsider"])
    response = sudo_client_for(cast["org_admin"]).post(f"/org/members/{foreign.pk}/deactivate/")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


class TestSwitcher:
    @pytest.fixture
    def both(self, cast, other_org):
        Membership.objects.create(
            user=cast["coordinator"], organisation=other_org, role=Role.LAWYER
        )
        return cast["coordinator"]

    def test_it_switches_the_acting_organisation_and_records_it(self, both, client_for, other_org):
        client = client_for(both)
        response = client.post("/org/switch/", {"organisation": other_org.pk})
        assert response.status_code == 302
        assert b"Otra Org" in client.get("/").content
        switch = AuditEvent.objects.get(action=Action.SWITCH_ORGANISATION)
        assert switch.organisation_id == other_org.pk
        client.get("/api/v1/me")
        assert client.get("/api/v1/me").json()["organisation_slug"] == "otra"

    def test_it_refuses_a_forged_organisation_id(self, cast, client_for, other_org):
        client = client_for(cast["lawyer"])
        assert client.post("/org/switch/", {"organisation": other_org.pk}).status_code == 404
        assert client.post("/org/switch/", {"organisation": "abc"}).status_code == 404
        assert client.get("/api/v1/me").json()["organisation_slug"] == "casa"

    def test_it_falls_back_when_the_chosen_membership_is_revoked(self, both, client_for, other_org):
        client = client_for(both)
        client.post("/org/switch/", {"organisation": other_org.pk})
        Membership.objects.filter(user=both, organisation=other_org).update(is_active=False)
        assert client.get("/api/v1/me").json()["organisation_slug"] == "casa"


def test_it_lets_the_platform_admin_create_an_organisation_and_invite_its_admin(
    cast, sudo_client_for, client
):
    response = sudo_client_for(cast["platform_admin"]).post(
        "/org/platform/",
        {
            "name": "Nueva ONG",
            "slug": "nueva",
            "kind": "ngo",
            "city": "Sucre",
            "admin_email": "jefa@example.org",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(slug="nueva")
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role) == ("jefa@example.org", Role.ORG_ADMIN)
    token = _token_from_mail()
    client.post(f"/invitations/{token}/", {"name": "Jefa", "password": PASSWORD})
    assert Membership.objects.get(user__email="jefa@example.org").organisation == org


def test_it_rejects_a_duplicate_or_bad_organisation_and_writes_nothing(cast, sudo_client_for):
    client = sudo_client_for(cast["platform_admin"])
    response = client.post(
        "/org/platform/", {"name": "X", "slug": "casa", "kind": "ngo", "admin_email": "a@b.org"}
    )
    assert response.status_code == 400
    response = client.post("/org/platform/", {"name": "", "slug": "no spaces", "kind": "bank"})
    assert response.status_code == 400
    assert Organisation.objects.count() == 2
    assert not Invitation.objects.exists()


def test_it_rolls_back_the_organisation_when_its_admin_cannot_be_invited(
    cast, sudo_client_for, monkeypatch
):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"email": "no"})

    monkeypatch.setattr("organisations.services.organisation_invite_admin", refuse)
    response = sudo_client_for(cast["platform_admin"]).post(
        "/org/platform/",
        {"name": "Nueva", "slug": "nueva", "kind": "ngo", "admin_email": "a@b.org"},
    )
    assert response.status_code == 400
    assert not Organisation.objects.filter(slug="nueva").exists()


def test_it_lets_the_platform_admin_invite_a_new_admin_to_an_organisation(
    cast, sudo_client_for, org
):
    client = sudo_client_for(cast["platform_admin"])
    response = client.post(f"/org/platform/{org.pk}/invite-admin/", {"email": "otra@example.org"})
    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.ORG_ADMIN
    client.post(f"/org/platform/{org.pk}/invite-admin/", {"email": "bad"})
    assert Invitation.objects.count() == 1


def test_it_keeps_the_platform_admin_out_of_organisation_data(cast, client_for):
    client = client_for(cast["platform_admin"])
    for path in ["/audit/", "/org/members/", "/settings/api-tokens/"]:
        assert client.get(path).status_code == 404
    assert client.get("/api/v1/me").status_code == 401


def test_it_sends_nothing_for_an_invitation_revoked_before_the_worker_ran(cast, sudo_client_for):
    admin = sudo_client_for(cast["org_admin"])
    _invite(admin)
    admin.post(f"/org/invitations/{Invitation.objects.get().pk}/revoke/")
    run_tasks()
    assert not mail.outbox


def test_it_makes_a_new_link_when_the_invitation_is_sent_again(cast, org):
    from organisations.tasks import send_invitation

    admin = Membership.objects.get(user=cast["org_admin"])
    invitation = services.invitation_create(
        membership=admin, email="x@example.org", role=Role.LAWYER, base_url="https://a.example/"
    )
    first = _token_from_mail()
    send_invitation.enqueue(invitation_id=invitation.pk, base_url="https://a.example/")
    second = _token_from_mail()
    assert first != second
    assert selectors.invitation_get_by_token(token=first) is None
    assert selectors.invitation_get_by_token(token=second) == invitation
    assert mail.outbox[-1].body.count("https://a.example/invitations/") == 1
