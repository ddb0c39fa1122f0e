from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.files import ALLOWED_KINDS
from documents.uploads import max_upload_bytes

# What the file picker offers; the content decides the kind in any case (documents/files.py).
ACCEPT = ",".join(
    [f".{ext}" for kind in ALLOWED_KINDS.values() for ext in kind.extensions]
    + sorted({kind.content_type.split(";")[0] for kind in ALLOWED_KINDS.values()})
)


def max_upload_megabytes() -> str:
    return f"{round(max_upload_bytes() / (1024 * 1024), 1):g}"


class AttachmentForm(forms.Form):
    # Empty files reach the upload check, which refuses them with its own message.
    file = forms.FileField(
        label=_("Archivo"),
        allow_empty_file=True,
        error_messages={"required": _("Elige un archivo.")},
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, imágenes JPEG, PNG o WebP, texto, DOCX u ODT; hasta %(mb)s MB. A las fotos "
            "se les quitan los datos ocultos, como el lugar donde se tomaron."
        ) % {"mb": max_upload_megabytes()}
