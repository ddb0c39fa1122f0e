"""Documents of a case: list and upload, download, remove. Every view fetches the case through
the access gate (`case_get_for_user`: 404 for missing and forbidden alike) before anything
else, and the attachment only within that case.

Stored files are never shown inline in the app's origin: a download is always an attachment,
sandboxed, not sniffed and not cached (see documents/README.md for why).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.policy import Capability, can_manage_case
from cases.models import Case
from cases.selectors import case_get_for_user
from core.decorators import member_required
from documents import selectors, services
from documents.files import ALLOWED_KINDS
from documents.forms import AttachmentForm
from documents.models import Attachment


def _case(request: HttpRequest, case_id: int) -> Case:
    return case_get_for_user(membership=request.membership, case_id=case_id)  # type: ignore[attr-defined]


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, error)


def _back(request: HttpRequest, case: Case) -> HttpResponse:
    """Back to where the form was: the case page's documents section, or the documents page."""
    if request.POST.get("back") == "case":
        return redirect(reverse("cases:detail", args=[case.pk]) + "#documentos")
    return redirect("documents:list", case_id=case.pk)


@member_required(Capability.SEE_SURVIVORS)
@require_http_methods(["GET", "POST"])
def attachment_list(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's documents; POST (multipart) uploads one."""
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    posted = request.method == "POST"
    form = AttachmentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.attachment_upload(
                membership=membership, case=case, upload=upload, filename=upload.name or ""
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Documento guardado."))
            return _back(request, case)
    services.attachment_list_record_view(membership=membership, case=case)
    attachments = list(selectors.attachment_list(case=case, include_removed=True))
    return TemplateResponse(
        request,
        "documents/attachment_list.html",
        {
            "case": case,
            "attachments": [a for a in attachments if not a.is_removed],
            "removed": [a for a in attachments if a.is_removed],
            "can_manage": can_manage_case(membership, case),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@member_required(Capability.SEE_SURVIVORS)
@require_GET
def attachment_download(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    attachment = selectors.attachment_get(case=case, attachment_id=attachment_id)
    try:
        data = services.attachment_read(membership=membership, attachment=attachment)
    except services.AttachmentUnreadableError as exc:
        return TemplateResponse(
            request,
            "documents/attachment_unreadable.html",
            {"case": case, "erased": exc.reason == "erased"},
            status=410,
        )
    return file_response(attachment, data)


@member_required(Capability.SEE_SURVIVORS)
@require_POST
def attachment_remove(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    case = _case(request, case_id)
    attachment = selectors.attachment_get(case=case, attachment_id=attachment_id)
    try:
        services.attachment_remove(membership=membership, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Documento retirado: el archivo se borró."))
    return _back(request, case)


# --- The download response -------------------------------------------------------------------


def file_response(attachment: Attachment, data: bytes) -> HttpResponse:
    """The file as a download that no browser will render in the app's origin: attachment,
    no sniffing, a sandboxing CSP that allows nothing, never cached."""
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(_download_name(attachment))
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _download_name(attachment: Attachment) -> str:
    extension = ALLOWED_KINDS[attachment.kind].extension if attachment.kind in ALLOWED_KINDS else ""
    return attachment.readable_name or f"documento.{extension or 'bin'}"


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987). The name
    is already sanitised (no folders, control or bidi characters); both forms are quoted
    again here so nothing in it can end the header value."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch if ch.isalnum() or ch in " ._-()" else "_" for ch in ascii_name)
    encoded = quote(name, safe="")
    return f"attachment; filename=\"{fallback or 'documento'}\"; filename*=UTF-8''{encoded}"
