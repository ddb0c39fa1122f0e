"""Writes (and audited reads) of case attachments.

Upload: the file is checked and cleaned (documents/files.py), encrypted with the survivor's
own data key and written to the default storage under a random name; then the row, its
timeline line and its audit event are written in one transaction. If that transaction fails,
the file just written is deleted: there is never a stored file without its row. (A crash
between the two can still leave one behind; it is ciphertext under her key.)

Reading a document is reading protected data: every successful read is audited (`view`).
Removing deletes the file once the removal is committed; the row stays for the trail.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import IO

from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, can_manage_case, require_capability
from audit.models import Action
from audit.services import audit_record
from cases.models import Case, EventKind
from cases.services import case_note_event
from crypto.keys import DecryptionError
from crypto.models import KeyDestroyedError
from documents.files import UploadRejectedError, check_upload, decrypt_bytes, encrypt_bytes
from documents.models import Attachment
from organisations.models import Membership

logger = logging.getLogger("amparo.documents")

BLOB_FOLDER = "attachments"


class AttachmentUnreadableError(Exception):
    """The document can no longer be read: her identity was erased (her data key destroyed),
    or the stored file is missing or damaged. Carries a reason code, never data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _gate(membership: Membership, case: Case) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if case.organisation_id != membership.organisation_id:
        raise Http404


def can_remove(membership: Membership, attachment: Attachment) -> bool:
    """The case's lead, coordinators and supervisors, and whoever uploaded it."""
    return attachment.uploaded_by_id == membership.user_id or can_manage_case(
        membership, attachment.case
    )


def _survivor_key(case: Case) -> Fernet:
    try:
        return case.survivor.data_key.fernet()
    except KeyDestroyedError:
        raise ValidationError(
            {
                "file": _(
                    "La identidad de esta persona fue borrada: ya no se pueden subir documentos."
                )
            }
        ) from None


def _new_blob_name() -> str:
    return f"{BLOB_FOLDER}/{secrets.token_hex(16)}.bin"


def attachment_upload(
    *, membership: Membership, case: Case, upload: IO[bytes], filename: str
) -> Attachment:
    """Check, clean, encrypt and store `upload`. A refused file raises ValidationError (on
    the "file" field, with the check's Spanish message and its code) and writes nothing."""
    _gate(membership, case)
    fernet = _survivor_key(case)
    try:
        checked = check_upload(upload, filename=filename)
    except UploadRejectedError as exc:
        raise ValidationError({"file": ValidationError(exc.message, code=exc.code)}) from None
    token = encrypt_bytes(fernet, checked.data)
    blob = default_storage.save(_new_blob_name(), ContentFile(token))
    try:
        with transaction.atomic():
            attachment = Attachment(
                case=case,
                name=checked.name,
                kind=checked.kind,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=checked.sha256,
                blob=blob,
                uploaded_by_id=membership.user_id,
            )
            attachment.save()
            case_note_event(
                case=case,
                kind=EventKind.DOCUMENT,
                actor_id=membership.user_id,
                obj=attachment,
                file_kind=checked.kind,
                size=attachment.size,
            )
            audit_record(action=Action.CREATE, obj=attachment, fields=["name", "file"])
    except BaseException:
        default_storage.delete(blob)
        raise
    return attachment


def attachment_read(*, membership: Membership, attachment: Attachment) -> bytes:
    """The document's bytes, decrypted; the read is audited. Raises AttachmentUnreadableError
    when it can't be read any more (nothing is audited then: nothing was read)."""
    _gate(membership, attachment.case)
    if attachment.is_removed:
        raise Http404
    try:
        fernet = attachment.case.survivor.data_key.fernet()
    except KeyDestroyedError:
        raise AttachmentUnreadableError("erased") from None
    data = _decrypt_blob(attachment, fernet)
    with transaction.atomic():
        audit_record(action=Action.VIEW, obj=attachment, fields=["file"])
    return data


def _decrypt_blob(attachment: Attachment, fernet: Fernet) -> bytes:
    try:
        with default_storage.open(attachment.blob, "rb") as stored:
            token = stored.read()
        data = decrypt_bytes(fernet, token)
    except FileNotFoundError:
        logger.error("attachment %s: stored file missing", attachment.pk)
        raise AttachmentUnreadableError("missing") from None
    except DecryptionError:
        logger.error("attachment %s: stored file does not decrypt", attachment.pk)
        raise AttachmentUnreadableError("damaged") from None
    # Fernet proves the file was encrypted with her key; the hash proves it is this document.
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        logger.error("attachment %s: stored file does not match its hash", attachment.pk)
        raise AttachmentUnreadableError("damaged")
    return data


def attachment_remove(*, membership: Membership, attachment: Attachment) -> None:
    """Delete the stored file and mark the row removed (it stays, for the trail). Only the
    case's managers and the person who uploaded it; anyone else gets 404."""
    _gate(membership, attachment.case)
    if not can_remove(membership, attachment):
        raise Http404
    if attachment.is_removed:
        raise ValidationError(_("Este documento ya fue retirado."))
    with transaction.atomic():
        attachment.removed_at = timezone.now()
        attachment.removed_by_id = membership.user_id
        attachment.save(update_fields=["removed_at", "removed_by"])
        case_note_event(
            case=attachment.case,
            kind=EventKind.DOCUMENT,
            actor_id=membership.user_id,
            obj=attachment,
            file_kind=attachment.kind,
            removed=True,
        )
        audit_record(action=Action.DELETE, obj=attachment, fields=["file"])
        blob = attachment.blob
        transaction.on_commit(lambda: _delete_blob(attachment.pk, blob))


def _delete_blob(attachment_id: int, blob: str) -> None:
    try:
        default_storage.delete(blob)
    except OSError:
        # The removal stands; the file left behind is ciphertext under her key.
        logger.exception("attachment %s: stored file could not be deleted", attachment_id)


def attachment_list_record_view(*, membership: Membership, case: Case) -> None:
    """Opening the documents page shows their names: recorded like any read of the case."""
    _gate(membership, case)
    with transaction.atomic():
        audit_record(action=Action.VIEW, obj=case, fields=["attachments"])
