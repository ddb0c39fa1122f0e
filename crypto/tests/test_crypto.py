from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection

from crypto.keys import DecryptionError, blind_index, normalise
from crypto.models import DataKey, KeyDestroyedError
from organisations.models import Membership
from survivors.selectors import survivor_find_by_document, survivor_get_for_user
from survivors.services import survivor_forget, survivor_register


@pytest.fixture
def membership(cast):
    return Membership.objects.select_related("organisation", "user").get(user=cast["lawyer"])


@pytest.fixture
def survivor(membership):
    return survivor_register(
        membership=membership,
        code="LPZ-2026-00001",
        full_name="Ana Quispe Mamani",
        document_number="4.567.890 LP",
    )


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM survivors_survivor WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_stores_identity_only_as_ciphertext(survivor):
    raw = _raw("full_name", survivor.pk)
    assert "Ana" not in raw
    assert raw.startswith("gAAAA")


def test_it_decrypts_with_the_survivors_own_data_key(survivor, membership):
    loaded = survivor_get_for_user(membership=membership, code="LPZ-2026-00001")
    assert loaded.full_name == "Ana Quispe Mamani"
    assert loaded.document_number == "4.567.890 LP"


def test_it_refuses_to_filter_on_encrypted_fields(survivor, membership):
    from survivors.selectors import survivor_visible_to

    with pytest.raises(FieldError):
        list(survivor_visible_to(membership=membership).filter(full_name="Ana Quispe Mamani"))


def test_it_matches_documents_through_the_blind_index_whatever_the_formatting(survivor):
    assert (
        survivor_find_by_document(document_index=blind_index("4567890lp", purpose="document")).get()
        == survivor
    )
    assert not survivor_find_by_document(
        document_index=blind_index("4567891 LP", purpose="document")
    ).exists()


def test_it_separates_blind_indexes_by_purpose():
    assert blind_index("70012345", purpose="phone") != blind_index("70012345", purpose="document")


def test_it_normalises_case_accents_spaces_and_punctuation():
    assert normalise("  José  Pérez-Ñuflo ") == normalise("jose perez nuflo")
    assert normalise("4.567.890 LP") == "4567890lp"


def test_it_fails_loudly_with_the_wrong_master_key(survivor, membership, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    loaded = survivor_get_for_user(membership=membership, code="LPZ-2026-00001")
    with pytest.raises(DecryptionError):
        _ = loaded.full_name


def test_it_makes_identity_unreadable_once_the_data_key_is_destroyed(survivor, membership):
    survivor_forget(membership=membership, survivor=survivor)
    loaded = survivor_get_for_user(membership=membership, code="LPZ-2026-00001")
    with pytest.raises(KeyDestroyedError):
        _ = loaded.full_name
    assert DataKey.objects.get(pk=survivor.data_key_id).wrapped == ""


def test_it_rotates_master_keys_and_keeps_data_readable(survivor, membership, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    wrapped_before = DataKey.objects.get(pk=survivor.data_key_id).wrapped
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DataKey.objects.get(pk=survivor.data_key_id).wrapped != wrapped_before
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be dropped
    loaded = survivor_get_for_user(membership=membership, code="LPZ-2026-00001")
    assert loaded.full_name == "Ana Quispe Mamani"


def test_it_changes_nothing_when_rotation_meets_a_foreign_key(survivor, settings):
    before = DataKey.objects.get(pk=survivor.data_key_id).wrapped
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError):
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DataKey.objects.get(pk=survivor.data_key_id).wrapped == before


def test_it_encrypts_each_survivor_under_a_different_data_key(survivor, membership):
    other = survivor_register(
        membership=membership, code="LPZ-2026-00002", full_name="Ana Quispe Mamani"
    )
    assert other.data_key_id != survivor.data_key_id
    assert _raw("full_name", other.pk) != _raw("full_name", survivor.pk)


def test_it_refuses_to_start_without_keys_when_debug_is_off():
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "BLIND_INDEX_KEY": "y" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr
