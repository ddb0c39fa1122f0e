from __future__ import annotations

import base64
import hmac
import struct
import time
from hashlib import sha1

from allauth.mfa.models import Authenticator

from conftest import PASSWORD

SECRET = "JBSWY3DPEHPK3PXP"


def _totp(secret: str, at: float | None = None) -> str:
    """RFC 6238, written out here so the test does not trust the code under test."""
    counter = int((at or time.time()) // 30)
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", counter), sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _with_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, SECRET)


def test_it_asks_for_the_second_factor_after_the_password(client, cast):
    _with_totp(cast["lawyer"])
    response = client.post(
        "/accounts/login/", {"login": cast["lawyer"].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_it_signs_in_with_a_valid_totp_code(client, cast):
    _with_totp(cast["lawyer"])
    client.post("/accounts/login/", {"login": cast["lawyer"].email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": _totp(SECRET)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast["lawyer"].pk)


def test_it_refuses_a_wrong_totp_code(client, cast):
    _with_totp(cast["lawyer"])
    client.post("/accounts/login/", {"login": cast["lawyer"].email, "password": PASSWORD})
    wrong = "000000" if _totp(SECRET) != "000000" else "111111"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_offers_totp_webauthn_and_recovery_codes(client_for, cast):
    page = client_for(cast["lawyer"]).get("/accounts/2fa/").content.decode()
    assert "/accounts/2fa/totp/activate/" in page
    assert "/accounts/2fa/webauthn/" in page
    _with_totp(cast["lawyer"])
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(cast["lawyer"])
    assert Authenticator.objects.filter(
        user=cast["lawyer"], type=Authenticator.Type.RECOVERY_CODES
    ).exists()


def test_it_hashes_a_dummy_password_for_unknown_emails(client, db, monkeypatch):
    """No timing difference between known and unknown emails: both run the password hasher."""
    from django.contrib.auth import hashers

    calls = []
    real = hashers.make_password
    monkeypatch.setattr(hashers, "make_password", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(
        "django.contrib.auth.base_user.make_password",
        lambda *a, **k: calls.append(1) or real(*a, **k),
    )
    client.post("/accounts/login/", {"login": "ghost@example.org", "password": "whatever-1"})
    assert calls


def test_it_stores_totp_secrets_encrypted_and_rotates_them(cast, settings):
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    _with_totp(cast["lawyer"])
    stored = Authenticator.objects.get(user=cast["lawyer"], type=Authenticator.Type.TOTP)
    assert stored.data["secret"] != SECRET
    assert stored.data["secret"].startswith("gAAAA")
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    from allauth.mfa.totp.internal.auth import TOTP

    rotated = Authenticator.objects.get(pk=stored.pk)
    assert rotated.data["secret"] != stored.data["secret"]
    assert TOTP(rotated).validate_code(_totp(SECRET))
