"""documents.files: every sample is made here, so each test shows exactly what it feeds in."""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zipfile
import zlib

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

from crypto.keys import DecryptionError
from crypto.models import DataKey
from documents import files
from documents.files import (
    READ_CHUNK_BYTES,
    UploadRejectedError,
    check_upload,
    decrypt_bytes,
    encrypt_bytes,
    safe_name,
)

# --- Samples ---------------------------------------------------------------------------------


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefono"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (16.0, 30.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (68.0, 9.0, 0.0)
    return exif


def _image(fmt: str, size: tuple[int, int] = (40, 20), mode: str = "RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red").save(out, fmt, **options)
    return out.getvalue()


def _jpeg_with_metadata(orientation: int = 1) -> bytes:
    return _image(
        "JPEG",
        exif=_exif_with_gps(orientation),
        icc_profile=b"icc-profile-bytes",
        comment=b"Calle Falsa 123",
        xmp=b"<x:xmpmeta>Calle Falsa 123</x:xmpmeta>",
    )


def _pdf(*objects: bytes, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A well-formed PDF with the given objects (numbered from 1) and a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def _minimal_pdf(catalog_extra: bytes = b"") -> bytes:
    content = b"BT /F1 12 Tf 72 720 Td (Hola) Tj ET"
    return _pdf(
        b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    )


def _stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), dictionary, data)


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="%s"/>'
    b"</Types>"
)
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_RELS_NS = b"http://schemas.openxmlformats.org/package/2006/relationships"
_REL_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_ROOT_RELS = (
    b'<Relationships xmlns="%s"><Relationship Id="rId1" Type="%sofficeDocument" '
    b'Target="word/document.xml"/></Relationships>' % (_RELS_NS, _REL_TYPE)
)
_DOCUMENT = (
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Hola</w:t></w:r></w:p></w:body></w:document>"
)


def _zip(entries: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, entries[stored_first], zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != stored_first:
                archive.writestr(name, data)
    return out.getvalue()


def _docx(
    main_type: bytes = _DOCX_MAIN,
    document_rels: bytes | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    entries = {
        "[Content_Types].xml": _CONTENT_TYPES % main_type,
        "_rels/.rels": _ROOT_RELS,
        "word/document.xml": _DOCUMENT,
    }
    if document_rels is not None:
        entries["word/_rels/document.xml.rels"] = (
            b'<Relationships xmlns="%s">%s</Relationships>' % (_RELS_NS, document_rels)
        )
    entries.update(extra or {})
    return _zip(entries)


def _odt(manifest_extra: bytes = b"", extra: dict[str, bytes] | None = None) -> bytes:
    entries = {
        "mimetype": b"application/vnd.oasis.opendocument.text",
        "content.xml": b'<office:document-content xmlns:office="urn:oasis:names:tc:'
        b'opendocument:xmlns:office:1.0"/>',
        "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        b'opendocument:xmlns:manifest:1.0">%s</manifest:manifest>' % manifest_extra,
    }
    entries.update(extra or {})
    return _zip(entries, stored_first="mimetype")


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares huge dimensions but holds a few bytes: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def _check(data: bytes, filename: str, **kwargs) -> files.CheckedFile:
    return check_upload(io.BytesIO(data), filename=filename, **kwargs)


def _rejection(data: bytes, filename: str, **kwargs) -> UploadRejectedError:
    with pytest.raises(UploadRejectedError) as caught:
        _check(data, filename, **kwargs)
    return caught.value


# --- Images ----------------------------------------------------------------------------------


def test_it_strips_gps_metadata_from_jpegs():
    original = _jpeg_with_metadata()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    checked = _check(original, "foto.jpg")

    cleaned = Image.open(io.BytesIO(checked.data))
    cleaned.load()
    assert cleaned.format == "JPEG"
    assert cleaned.size == (40, 20)
    assert not cleaned.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment"} & cleaned.info.keys()
    assert b"Calle Falsa" not in checked.data
    assert b"Telefono" not in checked.data
    assert (checked.kind, checked.content_type, checked.name) == ("jpeg", "image/jpeg", "foto.jpg")


def test_it_applies_the_exif_orientation_before_dropping_it():
    rotated = _jpeg_with_metadata(orientation=6)  # "rotate 90° clockwise to display"

    cleaned = Image.open(io.BytesIO(_check(rotated, "foto.jpg").data))

    assert cleaned.size == (20, 40)
    assert not cleaned.getexif()


def test_it_strips_text_chunks_icc_and_exif_from_pngs():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "Calle Falsa 123")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Calle Falsa 123</x:xmpmeta>")
    original = _image("PNG", mode="RGBA", pnginfo=text, icc_profile=b"icc", exif=_exif_with_gps())

    checked = _check(original, "captura.png")

    cleaned = Image.open(io.BytesIO(checked.data))
    cleaned.load()
    assert cleaned.mode == "RGBA"  # transparency kept
    assert not {"Comment", "XML:com.adobe.xmp", "icc_profile", "exif"} & cleaned.info.keys()
    assert not cleaned.getexif()
    assert b"Calle Falsa" not in checked.data


def test_it_strips_exif_and_xmp_from_webp():
    original = _image("WEBP", exif=_exif_with_gps(), xmp=b"<x:xmpmeta>Calle Falsa</x:xmpmeta>")

    checked = _check(original, "imagen.webp")

    cleaned = Image.open(io.BytesIO(checked.data))
    cleaned.load()
    assert cleaned.format == "WEBP"
    assert not {"exif", "xmp", "icc_profile"} & cleaned.info.keys()
    assert b"Calle Falsa" not in checked.data


def test_it_keeps_16_bit_greys_visible():
    grey = Image.new("I;16", (4, 1))
    grey.putdata([0, 1000, 30000, 65535])
    out = io.BytesIO()
    grey.save(out, "PNG")

    cleaned = Image.open(io.BytesIO(_check(out.getvalue(), "rx.png").data))

    assert list(cleaned.get_flattened_data()) == [0, 3, 117, 255]


def test_it_drops_bytes_hidden_after_the_image():
    original = _image("PNG") + b"<script>alert(1)</script>"

    assert b"<script>" not in _check(original, "x.png").data


def test_it_refuses_a_decompression_bomb_image():
    bomb = _png_header_only(100_000, 100_000)  # 10 gigapixels in a few hundred bytes
    assert len(bomb) < 1000

    rejection = _rejection(bomb, "bomba.png")

    assert rejection.code == "too_large"
    assert "megapíxeles" in rejection.message


def test_the_pixel_limit_comes_from_settings(settings):
    settings.AMPARO_MAX_IMAGE_PIXELS = 500

    assert _rejection(_image("PNG", size=(30, 20)), "x.png").code == "too_large"
    assert _check(_image("PNG", size=(20, 20)), "x.png").kind == "png"


def test_it_refuses_a_truncated_jpeg():
    truncated = _image("JPEG", size=(200, 200))[:300]

    assert _rejection(truncated, "x.jpg").code == "corrupt"


# --- PDF -------------------------------------------------------------------------------------


def test_it_accepts_a_minimal_pdf_unchanged():
    pdf = _minimal_pdf()

    checked = _check(pdf, "denuncia.pdf")

    assert (checked.kind, checked.content_type, checked.name) == (
        "pdf",
        "application/pdf",
        "denuncia.pdf",
    )
    assert checked.data == pdf


def test_it_refuses_a_pdf_with_javascript():
    pdf = _minimal_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")

    rejection = _rejection(pdf, "x.pdf")

    assert rejection.code == "active_content"
    assert "JavaScript" in rejection.message


@pytest.mark.parametrize(
    "catalog_extra",
    [
        b"/OpenAction << /S /J#61vaScript /J#53 (x) >>",  # hex-escaped names
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        b"/OpenAction << /S /GoToR /F (\\\\servidor\\share\\x.pdf) >>",
        b"/OpenAction << /S /SubmitForm /F (https://example.org) >>",
        b"/OpenAction << /JS (app.alert(1)) >>",  # /JS alone, outside any stream
    ],
)
def test_it_refuses_pdf_actions_and_attachments(catalog_extra):
    assert _rejection(_minimal_pdf(catalog_extra), "x.pdf").code == "active_content"


def test_it_finds_javascript_hidden_in_a_compressed_object_stream():
    hidden = b"6 0 << /S /JavaScript /JS (app.alert(1)) >>"  # object 6, at offset 4
    object_stream = _stream(
        zlib.compress(hidden), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode"
    )
    pdf = _pdf(*_minimal_pdf_objects(), object_stream)
    assert b"JavaScript" not in pdf

    assert _rejection(pdf, "x.pdf").code == "active_content"


def _minimal_pdf_objects() -> list[bytes]:
    return [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        _stream(b"BT ET"),
    ]


def test_it_does_not_mistake_binary_image_data_for_a_js_entry():
    # "/JS" followed by a delimiter turns up by chance in megabytes of compressed data; inside
    # a stream it is data, not a dictionary key, so the PDF is accepted.
    image = _stream(b"\x8a\x01/JS \x00\xff" * 10, b"/Subtype /Image /Filter /DCTDecode")
    pdf = _pdf(*_minimal_pdf_objects()[:4], image)

    assert _check(pdf, "escaneo.pdf").kind == "pdf"


def test_it_refuses_an_encrypted_pdf():
    pdf = _pdf(*_minimal_pdf_objects()[:4], trailer=b"/Root 1 0 R /Encrypt 9 0 R")

    assert _rejection(pdf, "x.pdf").code == "encrypted"


def test_it_refuses_a_truncated_pdf():
    assert _rejection(_minimal_pdf()[:-200], "x.pdf").code == "corrupt"


def test_it_refuses_a_pdf_whose_streams_inflate_too_much(monkeypatch):
    monkeypatch.setattr(files, "MAX_PDF_INFLATED_BYTES", 4 * 1024 * 1024)
    bomb = _stream(zlib.compress(b"\x00" * (8 * 1024 * 1024), 9), b"/Filter /FlateDecode")
    pdf = _pdf(*_minimal_pdf_objects(), bomb)
    assert len(pdf) < 20_000

    assert _rejection(pdf, "x.pdf").code == "zip_bomb"


def test_it_scans_a_pdf_full_of_unclosed_streams_in_linear_time():
    # A regex spanning "stream ... endstream" took minutes on this; each step is a find() now.
    pdf = b"%PDF-1.7\n" + b"stream\n" * 20_000 + b"%%EOF\n"

    started = time.monotonic()
    _check(pdf, "x.pdf")

    assert time.monotonic() - started < 5


def test_it_refuses_a_pdf_built_to_slow_the_scan(monkeypatch):
    monkeypatch.setattr(files, "MAX_PDF_NAME_ESCAPES", 100)
    pdf = _pdf(*_minimal_pdf_objects()[:4], b"<< /Names [%s] >>" % (b"/a#41 " * 101))

    assert _rejection(pdf, "x.pdf").code == "corrupt"


# --- DOCX and ODT ----------------------------------------------------------------------------


def test_it_accepts_a_docx():
    hyperlink = (
        b'<Relationship Id="rId9" Type="%shyperlink" Target="https://www.example.org" '
        b'TargetMode="External"/>' % _REL_TYPE
    )
    docx = _docx(document_rels=hyperlink)

    checked = _check(docx, "informe.docx")

    assert (checked.kind, checked.name) == ("docx", "informe.docx")
    assert checked.content_type.endswith("wordprocessingml.document")
    assert checked.data == docx


def test_it_accepts_an_odt():
    checked = _check(_odt(), "informe.odt")

    assert (checked.kind, checked.content_type) == (
        "odt",
        "application/vnd.oasis.opendocument.text",
    )


def test_it_refuses_a_zip_bomb_docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES % _DOCX_MAIN)
        archive.writestr("word/document.xml", _DOCUMENT)
        with archive.open("word/media/relleno.bin", "w") as padding:
            zeros = b"\x00" * (1024 * 1024)
            for _ in range(files.MAX_ZIP_UNCOMPRESSED_BYTES // len(zeros) + 1):
                padding.write(zeros)
    assert len(out.getvalue()) < 1024 * 1024

    assert _rejection(out.getvalue(), "x.docx").code == "zip_bomb"


def test_it_refuses_a_docx_with_too_many_entries():
    many = {f"word/media/{n}.xml": b"" for n in range(files.MAX_ZIP_ENTRIES)}

    assert _rejection(_docx(extra=many), "x.docx").code == "zip_bomb"


@pytest.mark.parametrize(
    "extra",
    [
        {"word/vbaProject.bin": b"macro"},
        {"word/embeddings/oleObject1.bin": b"ole"},
        {"word/activeX/activeX1.xml": b"<ax/>"},
    ],
)
def test_it_refuses_a_docx_with_macros_or_embedded_objects(extra):
    assert _rejection(_docx(extra=extra), "x.docx").code == "active_content"


def test_it_refuses_a_docx_with_a_remote_template():
    remote = (
        b'<Relationship Id="rId1" Type="%sattachedTemplate" '
        b'Target="https://example.org/t.dotm" TargetMode="External"/>' % _REL_TYPE
    )

    assert _rejection(_docx(document_rels=remote), "x.docx").code == "active_content"


def test_it_refuses_a_macro_enabled_document_dressed_as_docx():
    docm = _docx(main_type=b"application/vnd.ms-word.document.macroEnabled.main+xml")

    assert _rejection(docm, "x.docx").code == "disguised"
    assert _rejection(docm, "x.docm").code == "unsupported_type"


def test_it_refuses_a_docx_with_xml_entities():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    bomb = _zip({"[Content_Types].xml": laughs, "word/document.xml": _DOCUMENT})

    assert _rejection(bomb, "x.docx").code == "corrupt"


def test_it_refuses_a_docx_with_an_encrypted_entry():
    docx = bytearray(_docx())
    central = docx.index(b"PK\x01\x02")  # first central directory entry: flag bits at +8
    docx[central + 8] |= 0x1

    assert _rejection(bytes(docx), "x.docx").code == "encrypted"


def test_it_refuses_an_odt_with_macros():
    macros = _odt(extra={"Basic/Standard/Module1.xml": b"<m/>"})

    assert _rejection(macros, "x.odt").code == "active_content"


def test_it_refuses_an_encrypted_odt():
    encrypted = _odt(b"<manifest:file-entry><manifest:encryption-data/></manifest:file-entry>")

    assert _rejection(encrypted, "x.odt").code == "encrypted"


def test_it_refuses_other_zip_archives():
    archive = _zip({"fotos/1.jpg": _image("JPEG")})

    assert _rejection(archive, "fotos.zip").code == "unsupported_type"
    assert _rejection(archive, "fotos.docx").code == "disguised"


# --- Text ------------------------------------------------------------------------------------


def test_it_accepts_utf8_text():
    text = "Declaración: la señora llegó a las 10:00.\n".encode()

    checked = _check(text, "notas.txt")

    assert (checked.kind, checked.content_type, checked.name) == (
        "text",
        "text/plain; charset=utf-8",
        "notas.txt",
    )
    assert checked.data == text


def test_it_refuses_text_with_nul_bytes():
    utf16 = "Declaración".encode("utf-16")  # what Notepad calls "Unicode"

    rejection = _rejection(utf16, "notas.txt")

    assert rejection.code == "unsupported_type"
    assert "UTF-8" in rejection.message


def test_it_refuses_text_that_is_not_utf8():
    latin1 = "Declaración de la señora".encode("latin-1")

    assert _rejection(latin1, "notas.txt").code == "unsupported_type"


def test_it_refuses_html_even_as_text():
    html = b"  <!DOCTYPE html><html><script>alert(1)</script></html>"

    assert _rejection(html, "pagina.html").code == "unsupported_type"
    assert _rejection(html, "notas.txt").code == "disguised"


# --- Disguised files -------------------------------------------------------------------------


def test_it_refuses_an_html_file_named_pdf():
    assert _rejection(b"<html><body>hola</body></html>", "x.pdf").code == "disguised"


def test_it_refuses_an_executable_named_pdf_or_jpg():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

    assert _rejection(exe, "x.pdf").code == "disguised"
    assert _rejection(exe, "x.jpg").code == "disguised"
    assert _rejection(exe, "x.exe").code == "unsupported_type"


def test_it_refuses_a_png_named_pdf():
    # The name claims another kind we accept: the wrong file was probably picked.
    rejection = _rejection(_image("PNG"), "x.pdf")

    assert rejection.code == "disguised"
    assert rejection.message == "El contenido del archivo no coincide con su tipo."


def test_it_renames_an_allowed_kind_whose_name_claims_no_allowed_kind():
    assert _check(_image("PNG"), "escaneo").name == "escaneo.png"
    assert _check(_image("PNG"), "foto.exe").name == "foto.png"
    assert _check(_minimal_pdf(), "denuncia.PDF ").name == "denuncia.pdf"
    assert _check(_image("JPEG"), "IMG_0001.JPEG").name == "IMG_0001.jpg"


# --- Size ------------------------------------------------------------------------------------


def test_it_refuses_an_empty_file():
    assert _rejection(b"", "x.pdf").code == "empty"


class EndlessStream(io.RawIOBase):
    """A never-ending upload that fails the test if read much past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.delivered = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "an unbounded read would take the whole upload into memory"
        self.delivered += size
        assert self.delivered <= self.limit + READ_CHUNK_BYTES, "read past the limit"
        return b"a" * size


class UnreadableStream(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("read although the size was known to be too large")


def test_it_stops_reading_as_soon_as_the_limit_is_passed():
    stream = EndlessStream(limit=1024 * 1024)

    with pytest.raises(UploadRejectedError) as caught:
        check_upload(stream, filename="x.txt", max_bytes=1024 * 1024)

    assert caught.value.code == "too_large"
    assert stream.delivered == 1024 * 1024 + 1


def test_the_size_limit_comes_from_settings(settings):
    settings.AMPARO_MAX_UPLOAD_BYTES = 2 * 1024 * 1024

    assert _check(b"a" * (2 * 1024 * 1024), "x.txt").kind == "text"
    rejection = _rejection(b"a" * (2 * 1024 * 1024 + 1), "x.txt")
    assert rejection.code == "too_large"
    assert rejection.message == "El archivo supera el tamaño máximo de 2 MB."


def test_it_trusts_a_django_upload_size_before_reading():
    upload = SimpleUploadedFile("x.txt", b"a" * 100, content_type="text/plain")
    upload.file = UnreadableStream()  # the size alone must refuse it

    with pytest.raises(UploadRejectedError) as caught:
        check_upload(upload, filename=upload.name, max_bytes=50)

    assert caught.value.code == "too_large"


def test_it_reads_a_django_upload_from_its_start():
    upload = SimpleUploadedFile("denuncia.pdf", _minimal_pdf(), content_type="text/html")
    upload.read(10)  # as a form validator might have

    checked = check_upload(upload, filename=upload.name)

    assert checked.kind == "pdf"
    assert checked.data == _minimal_pdf()


# --- Names, rejections, results --------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\Escritorio\\denuncia.pdf", "denuncia.pdf"),
        ("in\x00for\x1bme\r\n.pdf", "informe.pdf"),
        ("foto\u202egpj.exe", "fotogpj.pdf"),  # right-to-left override removed
        ('a<b>:"c"|?*.pdf', "a_b___c.pdf"),
        ("..", "documento.pdf"),
        ("", "documento.pdf"),
        (".pdf", "documento.pdf"),
        ("Dr. Pérez", "Dr. Pérez.pdf"),
        ("acta   final.v2", "acta final.pdf"),
        ("Declaración.pdf", "Declaración.pdf"),
    ],
)
def test_it_sanitises_the_file_name(filename, expected):
    assert safe_name(filename, "pdf") == expected


def test_it_limits_the_name_length():
    name = safe_name("ñ" * 500 + ".pdf", "pdf")

    assert name == "ñ" * files.MAX_NAME_STEM_CHARS + ".pdf"


def test_a_rejection_never_carries_the_file_name():
    rejection = _rejection(b"", "denuncia_Ana_Quispe.pdf")

    assert "Ana" not in str(rejection)
    assert "Ana" not in repr(rejection)
    assert "Ana" not in rejection.message


def test_the_hash_is_of_the_cleaned_bytes():
    checked = _check(_jpeg_with_metadata(), "x.jpg")

    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest()


# --- Encryption ------------------------------------------------------------------------------


def test_encrypted_bytes_round_trip_with_a_survivor_data_key():
    fernet = DataKey.generate().fernet()  # unsaved: no database needed
    data = _minimal_pdf()

    token = encrypt_bytes(fernet, data)

    assert data not in token
    assert decrypt_bytes(fernet, token) == data


def test_decrypting_with_another_key_fails_cleanly():
    token = encrypt_bytes(Fernet(Fernet.generate_key()), b"secreto")
    other = MultiFernet([Fernet(Fernet.generate_key())])

    with pytest.raises(DecryptionError):
        decrypt_bytes(other, token)
