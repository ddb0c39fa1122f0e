"""An encrypted text field.

The column holds a Fernet token. Reading the attribute decrypts it, with the row's own data key
(`data_key_field`, envelope encryption) or with the master key. A value that no key opens raises
`DecryptionError`; it is never handed out as if it were the value. A value whose data key was
destroyed (the person was erased) reads as None: it is gone, and pages show it as absent.
The field cannot be filtered on (only `isnull`): exact matches go through a blind index.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from crypto.keys import decrypt_with, encrypt_with, master
from crypto.models import KeyDestroyedError


class Ciphertext(str):
    """A token as loaded from the database, told apart from a plaintext set by code."""

    __slots__ = ()


class _DecryptingAttribute(DeferredAttribute):
    field: EncryptedTextField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            try:
                value = decrypt_with(self.field.fernet_for(instance), value)
            except KeyDestroyedError:
                value = None
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    descriptor_class = _DecryptingAttribute

    def __init__(self, *args: Any, data_key_field: str | None = None, **kwargs: Any) -> None:
        self.data_key_field = data_key_field
        kwargs.setdefault("blank", True)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.data_key_field:
            kwargs["data_key_field"] = self.data_key_field
        return name, path, args, kwargs

    def fernet_for(self, instance: Any) -> Fernet | MultiFernet:
        if self.data_key_field is None:
            return master()
        data_key = getattr(instance, self.data_key_field)
        fernet: Fernet = data_key.fernet()
        return fernet

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return Ciphertext(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "" or isinstance(value, Ciphertext):
            return value
        return Ciphertext(encrypt_with(self.fernet_for(model_instance), str(value)))

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, Ciphertext):
            return value
        # Reached only by paths that skip pre_save (update(), filters): refuse plaintext.
        raise FieldError("Encrypted fields cannot be queried or bulk-updated with plaintext.")

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(f"Encrypted fields do not support the '{lookup_name}' lookup.")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: Any) -> str:
        """Serialisation (dumpdata) writes the ciphertext, never the plaintext."""
        value = obj.__dict__.get(self.attname)
        return "" if value is None else str(self.pre_save(obj, add=False))
