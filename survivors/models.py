from __future__ import annotations

from django.db import models
from django.utils import timezone

from crypto.fields import EncryptedTextField


class Survivor(models.Model):
    """A survivor, known everywhere by a pseudonymous code.

    Identity fields are encrypted with her own data key; the blind index allows an exact
    document-number match without decrypting anything. (The platform spine defines the
    protected core; intake, cases and the rest of the record come with the cases work.)
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="survivors"
    )
    code = models.CharField(max_length=32, unique=True)
    data_key = models.OneToOneField("crypto.DataKey", on_delete=models.PROTECT, related_name="+")
    full_name = EncryptedTextField(data_key_field="data_key")
    document_number = EncryptedTextField(data_key_field="data_key")
    document_index = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    IDENTITY_FIELDS = ("full_name", "document_number")

    def __str__(self) -> str:
        return self.code
