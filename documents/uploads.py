"""The upload handler: uploads stay in memory, bounded, and never vanish.

Django's default handlers write any upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary
file, in clear, before any view runs; its memory-only handler, on a request over that size,
drops the file without a word, so the person would be told to choose a file she did choose.

This handler keeps at most AMPARO_MAX_UPLOAD_BYTES + 1 bytes of file data per request, in
memory, throws the rest away as it arrives, and still reports the file's real size. The
upload check (documents.files.check_upload) reads that size first and refuses the file with its
usual message ("El archivo supera el tamaño máximo de 10 MB."), on the pages and the API alike.
The body a proxy lets through is still received: cap it there too (nginx client_max_body_size).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler

from documents.files import DEFAULT_MAX_UPLOAD_BYTES


def max_upload_bytes() -> int:
    return int(getattr(settings, "AMPARO_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


class BoundedMemoryUploadHandler(MemoryFileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 (Django's signature)
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.activated = True  # whatever the request's size: the file must not vanish
        # One budget for the whole request: a second file can't double the memory held.
        self.room = max_upload_bytes() + 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        kept = raw_data[: max(self.room, 0)]
        if kept:
            self.file.write(kept)
            self.room -= len(kept)
        # Returning nothing consumes the chunk: no other handler (and no disk) sees it.

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,  # the size sent, not the bytes kept: the check refuses on it
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
