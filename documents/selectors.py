"""Reads of case attachments.

Every function takes a `case` that the caller obtained through
`cases.selectors.case_get_for_user`: the access gate has been passed. An attachment of any
other case, or of another organisation, is "not found" (404), whether it exists or not.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cases.models import Case
from documents.models import Attachment


def attachment_list(*, case: Case, include_removed: bool = False) -> QuerySet[Attachment]:
    """The case's documents, newest first. The data key comes along, so showing each name
    (decrypted with her key) costs no further query."""
    attachments = Attachment.objects.filter(case=case).select_related(
        "case__survivor__data_key", "uploaded_by", "removed_by"
    )
    return attachments if include_removed else attachments.filter(removed_at__isnull=True)


def attachment_get(*, case: Case, attachment_id: int) -> Attachment:
    """A document of `case` that has not been removed; 404 otherwise."""
    attachment = attachment_list(case=case).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment
