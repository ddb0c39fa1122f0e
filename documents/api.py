"""Case documents over the API, with the same gate, services and audit as the pages.

Mounted at /api/v1/cases beside the cases and safety routers (django-ninja allows several
routers on one prefix; their paths are distinct), and authenticated like them: the case is
checked during authentication, so a case one cannot see is 404 before the upload is read.
Names are returned, as on the case page, to callers who may open the case; they never go to
logs. A download is the same response as the page's: an attachment, sandboxed, not cached.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from api.schemas import ErrorOut
from cases.api import CaseworkSessionAuth, CaseworkTokenAuth
from cases.models import Case
from cases.selectors import case_get_for_user
from documents import selectors, services
from documents.models import Attachment
from documents.views import file_response
from organisations.models import Membership

router = Router(tags=["documents"], auth=[CaseworkTokenAuth(), CaseworkSessionAuth()])

_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}


class AttachmentOut(Schema):
    id: int
    name: str | None  # null once her identity was erased: the name was encrypted with her key
    kind: str
    content_type: str
    size: int
    sha256: str | None  # of the file as stored (images are cleaned); null once erased
    uploaded_by_id: int
    uploaded_at: datetime

    @staticmethod
    def resolve_name(obj: Attachment) -> str | None:
        return obj.readable_name

    @staticmethod
    def resolve_sha256(obj: Attachment) -> str | None:
        return obj.readable_sha256


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _case(request: HttpRequest, case_id: int) -> Case:
    return case_get_for_user(membership=_membership(request), case_id=case_id)


@router.get(
    "/{case_id}/documents",
    response={200: list[AttachmentOut], **_ERRORS},
    url_name="documents_list",
)
@paginate(LimitOffsetPagination)
def attachment_list(request: HttpRequest, case_id: int) -> Any:
    """The case's documents (not the removed ones), newest first. Reading the list is
    recorded, since it shows the documents' names."""
    case = _case(request, case_id)
    services.attachment_list_record_view(membership=_membership(request), case=case)
    return selectors.attachment_list(case=case)


@router.post(
    "/{case_id}/documents",
    response={201: AttachmentOut, 400: ErrorOut, 422: ErrorOut, **_ERRORS},
    url_name="documents_upload",
)
def attachment_upload(
    request: HttpRequest, case_id: int, file: File[UploadedFile]
) -> Status[Attachment]:
    """Upload one file (multipart/form-data, field `file`). Its kind is decided by its
    content; images lose their metadata (GPS included). A refused file answers 400 with
    code "rejected" and the reason in `message`, and nothing is stored."""
    attachment = services.attachment_upload(
        membership=_membership(request),
        case=_case(request, case_id),
        upload=file,
        filename=file.name or "",
    )
    return Status(201, attachment)


_FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The file, as an attachment.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


@router.get(
    "/{case_id}/documents/{attachment_id}/download",
    response={410: ErrorOut, **_ERRORS},
    url_name="documents_download",
    openapi_extra=_FILE_RESPONSE,
)
def attachment_download(
    request: HttpRequest, case_id: int, attachment_id: int
) -> HttpResponse | Status[dict[str, Any]]:
    """The decrypted file. Every download is recorded. 410 when it can no longer be read (her
    identity was erased, which destroys the key it was encrypted with)."""
    attachment = selectors.attachment_get(case=_case(request, case_id), attachment_id=attachment_id)
    try:
        data = services.attachment_read(membership=_membership(request), attachment=attachment)
    except services.AttachmentUnreadableError:
        message = _("Este documento ya no se puede leer.")
        return Status(410, {"error": {"code": "unreadable", "message": message}})
    return file_response(attachment, data)


@router.post(
    "/{case_id}/documents/{attachment_id}/remove",
    response={204: None, 400: ErrorOut, **_ERRORS},
    url_name="documents_remove",
)
def attachment_remove(request: HttpRequest, case_id: int, attachment_id: int) -> Status[None]:
    """Delete the file; the record stays. The case's lead, coordinators and supervisors, and
    whoever uploaded it (404 for anyone else)."""
    attachment = selectors.attachment_get(case=_case(request, case_id), attachment_id=attachment_id)
    services.attachment_remove(membership=_membership(request), attachment=attachment)
    return Status(204, None)
