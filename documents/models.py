"""Documents attached to a case.

The file itself is never in the database: it is checked and cleaned (documents/files.py),
encrypted with the survivor's own data key and written to the default storage under a random
name. Erasing her identity destroys that key, so her documents become unreadable with it. The
row keeps only what the case needs to show the list: the name (encrypted with the same key,
because file names often hold names), the kind, the size and who uploaded it when.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField
from crypto.keys import DecryptionError

USER = settings.AUTH_USER_MODEL


class AttachmentKind(models.TextChoices):
    """The keys of documents.files.ALLOWED_KINDS, with a label for people."""

    PDF = "pdf", _("PDF")
    JPEG = "jpeg", _("Imagen JPEG")
    PNG = "png", _("Imagen PNG")
    WEBP = "webp", _("Imagen WebP")
    TEXT = "text", _("Texto")
    DOCX = "docx", _("Documento de Word (DOCX)")
    ODT = "odt", _("Documento de texto (ODT)")


class Attachment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="attachments")
    name = EncryptedTextField(_("nombre"), data_key_field="survivor_data_key")
    kind = models.CharField(_("tipo"), max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("tamaño"))  # bytes of the cleaned file
    # Of the cleaned file, checked on every read. Encrypted like the name: in clear, it would
    # let anyone holding the same file confirm it was filed, even after her erasure.
    sha256 = EncryptedTextField(data_key_field="survivor_data_key")
    # Where the encrypted file is in the default storage: "attachments/<random>.bin".
    blob = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("subido el"), default=timezone.now)
    # Removing deletes the file; the row stays, so the case keeps the trace of what was filed.
    removed_at = models.DateTimeField(_("retirado el"), null=True, blank=True)
    removed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["case", "-uploaded_at"])]

    def __str__(self) -> str:
        return f"attachment {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.case.survivor.data_key

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def readable_name(self) -> str | None:
        """The name, or None once her identity was erased (her data key is gone)."""
        return self._readable("name")

    @property
    def readable_sha256(self) -> str | None:
        return self._readable("sha256")

    def _readable(self, field: str) -> str | None:
        try:
            value = getattr(self, field)  # None once her data key was destroyed
        except DecryptionError:
            return None
        return None if value is None else str(value)
