"""Production start-up: secrets required, `check --deploy` clean. Run in subprocesses so each
case imports the settings fresh from its own environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "DEBUG": "0",
    "SECRET_KEY": "a-long-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "FIELD_ENCRYPTION_KEYS": "Q1b8t1Gm0l3k9o2sH8yD5Xn3vBv8ZcV2kRrT7wYqJ0E=",
    "BLIND_INDEX_KEY": "b" * 40,
    "ALLOWED_HOSTS": "amparo.example.org",
}


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**env, "AMPARO_VAR_DIR": str(ROOT / "var" / "test-settings")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"])
def test_it_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _run(env, "check")
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_it_reports_nothing_on_check_deploy():
    result = _run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_uses_argon2_first():
    from config import settings as module

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_refuses_a_malformed_encryption_key():
    result = _run({**PRODUCTION, "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}, "check")
    assert result.returncode != 0
    assert "malformed key" in result.stderr
