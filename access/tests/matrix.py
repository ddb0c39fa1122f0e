"""The authorization matrix: every route, method and relationship → expected status.

A route or API operation missing here fails `test_matrix.py`. Relationships:
- `anonymous`: nobody signed in;
- each role, as a member of the organisation that owns the objects in play;
- `outsider`: a coordinator of *another* organisation (forged ids, cross-organisation reads);
- `deactivated`: signed in, but her membership was deactivated;
- `disabled`: her user account was deactivated (she is signed out on the next request);
- `platform_admin`: manages organisations, holds no membership.

Every session in the matrix has recently re-authenticated ("sudo"), so the statuses show the
authorization rules alone; re-authentication has its own tests.
"""

from __future__ import annotations

from access.policy import ROLE_CAPABILITIES, Capability
from organisations.models import Role

ROLES = [role.value for role in Role]
RELATIONSHIPS = ["anonymous", *ROLES, "outsider", "deactivated", "disabled", "platform_admin"]
SIGNED_OUT = {"anonymous", "disabled"}


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {rel: overrides.get(rel, status) for rel in RELATIONSHIPS}


def signed_in(status: int, *, out: int = 302, **overrides: int) -> dict[str, int]:
    return {rel: overrides.get(rel, out if rel in SIGNED_OUT else status) for rel in RELATIONSHIPS}


def members_with(
    capability: Capability | None,
    ok: int,
    *,
    out: int = 302,
    denied: int = 404,
    no_member: int | None = None,
    **overrides: int,
) -> dict[str, int]:
    """Roles holding `capability` in the acting organisation get `ok`, other roles `denied`;
    the outsider acts in her own organisation as a coordinator; signed-out people get `out`
    and people without any membership `no_member` (default: `denied`)."""

    def expected(rel: str) -> int:
        if rel in SIGNED_OUT:
            return out
        if rel in {"deactivated", "platform_admin"}:
            return denied if no_member is None else no_member
        role = Role.COORDINATOR if rel == "outsider" else rel
        if capability is None or capability in ROLE_CAPABILITIES[role]:
            return ok
        return denied

    return {rel: overrides.get(rel, expected(rel)) for rel in RELATIONSHIPS}


def case_team(ok: int, *, out: int = 302, denied: int = 404, **overrides: int) -> dict[str, int]:
    """Routes about the sample case (`{case}`): opened by the lawyer, who leads it and is its
    only team member. Coordinators and supervisors see the whole caseload; everyone else in
    the organisation is denied, as are other organisations and people without a membership."""
    allowed = {"coordinator", "supervisor", "lawyer"}
    return {
        rel: overrides.get(rel, out if rel in SIGNED_OUT else ok if rel in allowed else denied)
        for rel in RELATIONSHIPS
    }


def platform_admins(ok: int) -> dict[str, int]:
    return signed_in(404, platform_admin=ok)


_NO_MFA = {"mfa": 404}  # a page about an authenticator she does not have

# (route pattern, method) → (path with sample arguments, POST data, expected statuses).
# `{member}`, `{invitation}`, `{token}` and `{invitation_token}` are objects of the owning
# organisation (see test_matrix.py).
URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    ("", "GET"): ("/", {}, signed_in(200)),
    ("healthz", "GET"): ("/healthz", {}, everyone(200)),
    ("i18n/setlang/", "POST"): ("/i18n/setlang/", {"language": "en"}, everyone(302)),
    ("accounts/logout/", "GET"): ("/accounts/logout/", {}, signed_in(200)),
    ("accounts/logout/", "POST"): ("/accounts/logout/", {}, everyone(302)),
    ("accounts/email/", "GET"): ("/accounts/email/", {}, everyone(404)),
    ("accounts/confirm-email/", "GET"): ("/accounts/confirm-email/", {}, everyone(404)),
    ("^accounts/confirm-email/(?P<key>[-:\\w]+)/$", "GET"): (
        "/accounts/confirm-email/abc/",
        {},
        everyone(404),
    ),
    ("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", "GET"): (
        "/accounts/confirm-email/abc/",
        {},
        everyone(404),
    ),
    ("accounts/login/code/confirm/", "GET"): ("/accounts/login/code/confirm/", {}, everyone(404)),
    ("accounts/reauthenticate/code/", "GET"): ("/accounts/reauthenticate/code/", {}, everyone(404)),
    ("accounts/reauthenticate/code/confirm/", "GET"): (
        "/accounts/reauthenticate/code/confirm/",
        {},
        everyone(404),
    ),
    ("accounts/login/", "GET"): ("/accounts/login/", {}, signed_in(302, out=200)),
    ("accounts/login/", "POST"): ("/accounts/login/", {}, signed_in(302, out=200)),
    ("accounts/inactive/", "GET"): ("/accounts/inactive/", {}, everyone(200)),
    ("accounts/signup/", "GET"): ("/accounts/signup/", {}, signed_in(302, out=200)),
    ("accounts/signup/", "POST"): ("/accounts/signup/", {}, signed_in(302, out=200)),
    ("accounts/reauthenticate/", "GET"): ("/accounts/reauthenticate/", {}, signed_in(200)),
    ("accounts/password/change/", "GET"): ("/accounts/password/change/", {}, signed_in(200)),
    ("accounts/password/change/", "POST"): ("/accounts/password/change/", {}, signed_in(200)),
    ("accounts/password/set/", "GET"): ("/accounts/password/set/", {}, signed_in(302)),
    ("accounts/password/reset/", "GET"): ("/accounts/password/reset/", {}, everyone(200)),
    ("accounts/password/reset/", "POST"): ("/accounts/password/reset/", {}, everyone(200)),
    ("accounts/password/reset/done/", "GET"): ("/accounts/password/reset/done/", {}, everyone(200)),
    ("accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$", "GET"): (
        "/accounts/password/reset/key/1-bad-key/",
        {},
        everyone(200),
    ),
    ("accounts/password/reset/key/done/", "GET"): (
        "/accounts/password/reset/key/done/",
        {},
        everyone(200),
    ),
    ("accounts/2fa/", "GET"): ("/accounts/2fa/", {}, signed_in(200)),
    ("accounts/2fa/authenticate/", "GET"): ("/accounts/2fa/authenticate/", {}, everyone(302)),
    ("accounts/2fa/reauthenticate/", "GET"): ("/accounts/2fa/reauthenticate/", {}, signed_in(302)),
    ("accounts/2fa/totp/activate/", "GET"): ("/accounts/2fa/totp/activate/", {}, signed_in(200)),
    ("accounts/2fa/totp/deactivate/", "GET"): (
        "/accounts/2fa/totp/deactivate/",
        {},
        signed_in(404),
    ),
    ("accounts/2fa/recovery-codes/", "GET"): ("/accounts/2fa/recovery-codes/", {}, signed_in(404)),
    ("accounts/2fa/recovery-codes/generate/", "GET"): (
        "/accounts/2fa/recovery-codes/generate/",
        {},
        signed_in(200),
    ),
    ("accounts/2fa/recovery-codes/download/", "GET"): (
        "/accounts/2fa/recovery-codes/download/",
        {},
        signed_in(404),
    ),
    ("accounts/2fa/webauthn/", "GET"): ("/accounts/2fa/webauthn/", {}, signed_in(200)),
    ("accounts/2fa/webauthn/add/", "GET"): ("/accounts/2fa/webauthn/add/", {}, signed_in(200)),
    ("accounts/2fa/webauthn/reauthenticate/", "GET"): (
        "/accounts/2fa/webauthn/reauthenticate/",
        {},
        signed_in(302),
    ),
    ("accounts/2fa/webauthn/keys/<int:pk>/remove/", "POST"): (
        "/accounts/2fa/webauthn/keys/999/remove/",
        {},
        signed_in(404),
    ),
    ("accounts/2fa/webauthn/keys/<int:pk>/edit/", "GET"): (
        "/accounts/2fa/webauthn/keys/999/edit/",
        {},
        signed_in(404),
    ),
    ("org/switch/", "POST"): (
        "/org/switch/",
        {"organisation": "{org}"},
        members_with(None, 302, outsider=404),
    ),
    ("org/members/", "GET"): ("/org/members/", {}, members_with(Capability.MANAGE_MEMBERS, 200)),
    ("org/members/", "POST"): (
        "/org/members/",
        {"email": "bad"},
        members_with(Capability.MANAGE_MEMBERS, 400),
    ),
    ("org/members/<int:member_id>/deactivate/", "POST"): (
        "/org/members/{member}/deactivate/",
        {},
        members_with(Capability.MANAGE_MEMBERS, 302),
    ),
    ("org/invitations/<int:invitation_id>/revoke/", "POST"): (
        "/org/invitations/{invitation}/revoke/",
        {},
        members_with(Capability.MANAGE_MEMBERS, 302),
    ),
    ("org/platform/", "GET"): ("/org/platform/", {}, platform_admins(200)),
    ("org/platform/", "POST"): ("/org/platform/", {}, platform_admins(400)),
    ("org/platform/<int:organisation_id>/invite-admin/", "POST"): (
        "/org/platform/{org}/invite-admin/",
        {"email": "new-admin@example.org"},
        platform_admins(302),
    ),
    ("invitations/<str:token>/", "GET"): ("/invitations/{invitation_token}/", {}, everyone(200)),
    # Nobody in the cast is the invitee: a signed-in person is refused, an empty form too.
    ("invitations/<str:token>/", "POST"): ("/invitations/{invitation_token}/", {}, everyone(400)),
    ("audit/", "GET"): ("/audit/", {}, members_with(Capability.VIEW_AUDIT, 200)),
    ("audit/export.csv", "GET"): (
        "/audit/export.csv",
        {},
        members_with(Capability.VIEW_AUDIT, 200),
    ),
    ("settings/api-tokens/", "GET"): (
        "/settings/api-tokens/",
        {},
        members_with(Capability.USE_API, 200),
    ),
    ("settings/api-tokens/", "POST"): (
        "/settings/api-tokens/",
        {},
        members_with(Capability.USE_API, 400),
    ),
    ("settings/api-tokens/<int:token_id>/revoke/", "POST"): (
        "/settings/api-tokens/{token}/revoke/",
        {},
        members_with(Capability.USE_API, 404, lawyer=302),
    ),
    ("api/v1/openapi.json", "GET"): ("/api/v1/openapi.json", {}, everyone(200)),
    ("api/v1/docs", "GET"): ("/api/v1/docs", {}, signed_in(200)),
    ("api/v1/", "GET"): ("/api/v1/", {}, everyone(404)),
}

# API operations (OpenAPI path, method) → (path with arguments, expected statuses). The API
# answers 401 to people without a usable session or token, and 404 to the forbidden.
API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("/api/v1/me", "GET"): ("/api/v1/me", members_with(None, 200, out=401, no_member=401)),
    ("/api/v1/tokens", "GET"): ("/api/v1/tokens", members_with(None, 200, out=401, no_member=401)),
    ("/api/v1/tokens/{token_id}/revoke", "POST"): (
        "/api/v1/tokens/{token}/revoke",
        members_with(None, 404, out=401, no_member=401, lawyer=204),
    ),
    ("/api/v1/audit/events", "GET"): (
        "/api/v1/audit/events",
        members_with(Capability.VIEW_AUDIT, 200, out=401, no_member=401),
    ),
    ("/api/v1/organisation/members", "GET"): (
        "/api/v1/organisation/members",
        members_with(Capability.MANAGE_MEMBERS, 200, out=401, no_member=401),
    ),
}
