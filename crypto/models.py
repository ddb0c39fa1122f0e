from __future__ import annotations

from cryptography.fernet import Fernet
from django.db import models
from django.utils import timezone

from crypto.keys import decrypt_with, encrypt_with, master, new_fernet_key


class KeyDestroyedError(Exception):
    """The data key was destroyed (the person was forgotten): the data is gone for good."""


class DataKey(models.Model):
    """A per-person data key, stored wrapped (encrypted) by the master key.

    Each survivor's identity is encrypted with her own data key; erasing her means destroying
    this one row's key material, which makes every copy of her identity unreadable, including
    copies in backups restored later (they hold only ciphertext under a key that no longer
    exists once backups of this table age out).
    """

    wrapped = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key {self.pk}"

    @classmethod
    def generate(cls) -> DataKey:
        """A fresh, unsaved key; the caller saves it in its own transaction."""
        return cls(wrapped=encrypt_with(master(), new_fernet_key()))

    def fernet(self) -> Fernet:
        cached: Fernet | None = getattr(self, "_fernet", None)
        if cached is not None:
            return cached
        if self.destroyed_at is not None or not self.wrapped:
            raise KeyDestroyedError
        fernet = Fernet(decrypt_with(master(), self.wrapped).encode("ascii"))
        self._fernet = fernet
        return fernet

    def destroy(self) -> None:
        self.wrapped = ""
        self.destroyed_at = timezone.now()
        self.__dict__.pop("_fernet", None)
        self.save(update_fields=["wrapped", "destroyed_at"])
