from __future__ import annotations

from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection

from cases.selectors import case_get_for_user, case_visible_to
from crypto.keys import DecryptionError, blind_index, normalise
from crypto.models import DataKey, KeyDestroyedError
from organisations.models import Membership
from survivors.models import Survivor
from survivors.services import Identity

IDENTITY = Identity(
    full_name="Ana Quispe Mamani", document_number="4.567.890 LP", birth_date=date(2000, 5, 1)
)


@pytest.fixture
def membership(cast):
    return Membership.objects.select_related("organisation", "user").get(user=cast["lawyer"])


@pytest.fixture
def case(cast, make_case):
    return make_case(cast["lawyer"], identity=IDENTITY)


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM survivors_survivor WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _reload(membership, case):
    return case_get_for_user(membership=membership, case_id=case.pk).survivor


def test_it_stores_identity_only_as_ciphertext(case):
    raw = _raw("full_name", case.survivor_id)
    assert "Ana" not in raw
    assert raw.startswith("gAAAA")


def test_it_decrypts_with_the_survivors_own_data_key(case, membership):
    survivor = _reload(membership, case)
    assert survivor.full_name == "Ana Quispe Mamani"
    assert survivor.document_number == "4.567.890 LP"
    assert survivor.birth_date == "2000-05-01"


def test_it_refuses_to_filter_on_encrypted_fields(case, membership):
    with pytest.raises(FieldError):
        list(case_visible_to(membership=membership).filter(survivor__full_name="Ana"))


def test_it_refuses_plaintext_bulk_updates_of_encrypted_fields(case):
    with pytest.raises(FieldError):
        Survivor.objects.filter(pk=case.survivor_id).update(full_name="Ana")


def test_it_indexes_documents_whatever_the_formatting(case):
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert survivor.document_index == blind_index("4567890lp", purpose="document")
    assert survivor.document_index != blind_index("4567891 LP", purpose="document")


def test_it_separates_blind_indexes_by_purpose():
    assert blind_index("70012345", purpose="phone") != blind_index("70012345", purpose="document")


def test_it_normalises_case_accents_spaces_and_punctuation():
    assert normalise("  José  Pérez-Ñuflo ") == normalise("jose perez nuflo")
    assert normalise("4.567.890 LP") == "4567890lp"


def test_it_fails_loudly_with_the_wrong_master_key(case, membership, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    survivor = _reload(membership, case)
    with pytest.raises(DecryptionError):
        _ = survivor.full_name


def test_it_makes_identity_unreadable_once_the_data_key_is_destroyed(case, membership):
    DataKey.objects.get(pk=case.survivor.data_key_id).destroy()
    survivor = _reload(membership, case)
    assert survivor.full_name is None  # gone for good, not an error
    assert _raw("full_name", case.survivor_id).startswith("gAAAA")  # only unreadable ciphertext
    assert DataKey.objects.get(pk=case.survivor.data_key_id).wrapped == ""
    with pytest.raises(KeyDestroyedError):
        DataKey.objects.get(pk=case.survivor.data_key_id).fernet()


def test_it_rotates_master_keys_and_keeps_data_readable(case, membership, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    wrapped_before = DataKey.objects.get(pk=case.survivor.data_key_id).wrapped
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DataKey.objects.get(pk=case.survivor.data_key_id).wrapped != wrapped_before
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be dropped
    assert _reload(membership, case).full_name == "Ana Quispe Mamani"


def test_it_changes_nothing_when_rotation_meets_a_foreign_key(case, settings):
    before = DataKey.objects.get(pk=case.survivor.data_key_id).wrapped
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError):
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DataKey.objects.get(pk=case.survivor.data_key_id).wrapped == before


def test_it_encrypts_each_survivor_under_a_different_data_key(case, cast, make_case):
    other = make_case(cast["lawyer"], identity=Identity(full_name="Ana Quispe Mamani"))
    assert other.survivor.data_key_id != case.survivor.data_key_id
    assert _raw("full_name", other.survivor_id) != _raw("full_name", case.survivor_id)
