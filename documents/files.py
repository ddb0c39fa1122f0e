"""Check and clean an uploaded file before it is stored encrypted.

The file's type is decided from its content, never from its name or the browser's content type.
Only the kinds in ALLOWED_KINDS get through; images are decoded and re-encoded without their
metadata (GPS coordinates in a photo can give away where a survivor lives or shelters); PDFs with
scripts, launch actions or attached files are refused; DOCX and ODT are checked as the ZIP
archives they are. Design notes and limits: documents/README.md.

Messages never include the file name or content: exceptions end up in logs, and a file name
such as "denuncia_<nombre>.pdf" is personal data.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from types import MappingProxyType
from typing import IO, TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from crypto.keys import DecryptionError

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 40 megapixels: more than any phone's default photo. One decoded RGBA copy is 160 MB, and
# cleaning holds two or three at once, so this also bounds the memory a single upload can take.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
READ_CHUNK_BYTES = 64 * 1024

# A DOCX or ODT has tens of entries, a few hundred with many images; a 10 MB document that
# unpacks to more than 200 MB is built to hurt whoever opens it.
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
# The few small entries we read ourselves ([Content_Types].xml, *.rels, the ODF manifest).
MAX_ZIP_MEMBER_READ_BYTES = 2 * 1024 * 1024
# Compressed PDF streams are inflated to look inside them; past this the PDF is refused.
MAX_PDF_INFLATED_BYTES = 256 * 1024 * 1024
MAX_NAME_STEM_CHARS = 100


@dataclass(frozen=True)
class Kind:
    """A document type we accept. `extensions[0]` is the one given to stored names."""

    content_type: str
    extensions: tuple[str, ...]

    @property
    def extension(self) -> str:
        return self.extensions[0]


ALLOWED_KINDS: Mapping[str, Kind] = MappingProxyType(
    {
        "pdf": Kind("application/pdf", ("pdf",)),
        "jpeg": Kind("image/jpeg", ("jpg", "jpeg", "jpe", "jfif")),
        "png": Kind("image/png", ("png",)),
        "webp": Kind("image/webp", ("webp",)),
        "text": Kind("text/plain; charset=utf-8", ("txt", "text")),
        "docx": Kind(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
        ),
        "odt": Kind("application/vnd.oasis.opendocument.text", ("odt",)),
    }
)
_KIND_BY_EXTENSION = {ext: name for name, kind in ALLOWED_KINDS.items() for ext in kind.extensions}


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # a key of ALLOWED_KINDS
    content_type: str  # canonical, from the kind
    name: str  # sanitised display name, with the kind's extension
    data: bytes  # the cleaned bytes: images re-encoded, everything else as uploaded
    sha256: str  # hex digest of `data`


class UploadRejectedError(Exception):
    """The upload was refused. `code` is stable (for code and tests); `message` is for people.

    Codes: empty, too_large, unsupported_type, disguised, corrupt, active_content, zip_bomb,
    encrypted.
    """

    def __init__(self, code: str, message: _StrOrPromise, **params: object) -> None:
        super().__init__(code)  # only the code: this may be logged
        self.code = code
        self._message = message
        self.params = params

    @property
    def message(self) -> str:
        """Translated into the language active when it is read, not when it was raised."""
        text = str(self._message)
        return text % self.params if self.params else text


def check_upload(stream: IO[bytes], *, filename: str, max_bytes: int | None = None) -> CheckedFile:
    """Read `stream` (a file object or Django UploadedFile) and return it checked and cleaned.

    Raises UploadRejectedError. `filename` is only used to name the result and to notice a
    disguised file; it never decides the type.
    """
    limit = max_bytes if max_bytes is not None else _setting_max_upload_bytes()
    data = _read_limited(stream, limit)
    if not data:
        raise UploadRejectedError("empty", _("El archivo está vacío."))
    kind = _allowed_kind(_sniff(data), _declared_kind(filename))
    cleaned = _clean(kind, data)
    return CheckedFile(
        kind=kind,
        content_type=ALLOWED_KINDS[kind].content_type,
        name=safe_name(filename, kind),
        data=cleaned,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


def encrypt_bytes(fernet: Fernet | MultiFernet, data: bytes) -> bytes:
    """Fernet holds the whole file in memory (about 2.5 times its size while encrypting),
    which is fine for uploads capped at a few MB."""
    return fernet.encrypt(data)


def decrypt_bytes(fernet: Fernet | MultiFernet, token: bytes) -> bytes:
    try:
        return fernet.decrypt(token)
    except InvalidToken as exc:
        raise DecryptionError("A stored file could not be decrypted with this key.") from exc


def safe_name(filename: str, kind: str) -> str:
    """A display name: no folders, no control or bidi characters, the kind's extension.

    The user's extension is dropped (the kind decides it), so "foto.exe" holding a PNG becomes
    "foto.png", and a right-to-left override can't make "gpj.exe" look like "exe.jpg".
    """
    base = re.split(r"[\\/]", filename)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = " ".join(re.sub(r'[<>:"|?*]', "_", base).split())
    # Drop something that looks like an extension, but keep "Dr. Pérez".
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" ._")
    stem = stem[:MAX_NAME_STEM_CHARS].rstrip(" .")
    return f"{stem or 'documento'}.{ALLOWED_KINDS[kind].extension}"


# --- Reading ---------------------------------------------------------------------------------


def _setting_max_upload_bytes() -> int:
    return int(getattr(settings, "AMPARO_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _too_large(limit: int) -> UploadRejectedError:
    megabytes = f"{round(limit / (1024 * 1024), 1):g}"
    return UploadRejectedError(
        "too_large", _("El archivo supera el tamaño máximo de %(mb)s MB."), mb=megabytes
    )


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    """Read at most limit + 1 bytes: one byte past the limit is enough to refuse."""
    size = getattr(stream, "size", None)  # Django's UploadedFile knows it without reading
    if isinstance(size, int) and size > limit:
        raise _too_large(limit)
    if stream.seekable():
        stream.seek(0)
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(READ_CHUNK_BYTES, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise _too_large(limit)
    return b"".join(chunks)


# --- Deciding the type -----------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    """The kind the content says it is: an ALLOWED_KINDS key, "zip" or "markup" (recognised but
    refused), or None (unknown binary)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if b"\x00" in data or not _is_utf8(data):
        return None
    # HTML, SVG, XML or RTF would be more than text to whatever opens them.
    if data.lstrip(b"\xef\xbb\xbf \t\r\n\x0c").startswith((b"<", b"{\\rtf")):
        return "markup"
    return "text"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _declared_kind(filename: str) -> str | None:
    """The allowed kind the file name claims, if any."""
    _, dot, extension = filename.rpartition(".")
    return _KIND_BY_EXTENSION.get(extension.strip().lower()) if dot else None


def _allowed_kind(kind: str | None, declared: str | None) -> str:
    """The content's kind, if we take it and the name doesn't claim another kind we take.

    A name that claims no allowed kind ("escaneo", "foto.exe") only gets the right extension.
    A name that claims a different allowed kind (a PNG named x.pdf, an HTML page named x.jpg)
    is refused as disguised: either the wrong file was picked, which the person should notice
    before it is filed, or someone wants it taken for what it isn't.
    """
    if kind is not None and kind in ALLOWED_KINDS:
        if declared is not None and declared != kind:
            raise UploadRejectedError(
                "disguised", _("El contenido del archivo no coincide con su tipo.")
            )
        return kind
    if kind is None and declared == "text":
        raise UploadRejectedError(
            "unsupported_type", _("El archivo de texto debe estar guardado en UTF-8.")
        )
    if declared is not None:
        raise UploadRejectedError(
            "disguised", _("El contenido del archivo no coincide con su tipo.")
        )
    raise UploadRejectedError(
        "unsupported_type",
        _(
            "Este tipo de archivo no está permitido. Puedes subir PDF, imágenes JPEG, PNG o "
            "WebP, texto, DOCX u ODT."
        ),
    )


# --- Images ----------------------------------------------------------------------------------

_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_SAVE_OPTIONS: dict[str, dict[str, int]] = {
    "jpeg": {"quality": 95},
    "png": {},
    "webp": {"quality": 90},
}


def _clean(kind: str, data: bytes) -> bytes:
    if kind in _PIL_FORMATS:
        return _clean_image(data, kind)
    if kind == "pdf":
        return _check_pdf(data)
    if kind in ("docx", "odt"):
        return _check_office(data, kind)
    return data  # text: _sniff already checked it is UTF-8, without NUL bytes, not markup


def _clean_image(data: bytes, kind: str) -> bytes:
    """Decode and re-encode: only the pixels survive (no EXIF, GPS, XMP, ICC, text chunks).

    Re-encoding also drops anything hidden after the image data. Animated images keep their
    first frame.
    """
    image = _decode_image(data, _PIL_FORMATS[kind])
    try:
        image = ImageOps.exif_transpose(image)  # keep how the photo looks; its EXIF goes below
        pixels = _pixels_only(image, kind)
        out = BytesIO()
        pixels.save(out, format=_PIL_FORMATS[kind], **_SAVE_OPTIONS[kind])
    except Exception as exc:  # malformed EXIF, odd modes: Pillow raises many types
        raise _corrupt() from exc
    return out.getvalue()


def _decode_image(data: bytes, pil_format: str) -> Image.Image:
    max_pixels = int(getattr(settings, "AMPARO_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))
    too_big = UploadRejectedError(
        "too_large",
        _("La imagen tiene más de %(megapixels)s megapíxeles. Redúcela e inténtalo de nuevo."),
        megapixels=max_pixels // 1_000_000,
    )
    try:
        image = Image.open(BytesIO(data), formats=[pil_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except OSError as exc:  # includes UnidentifiedImageError
        raise _corrupt() from exc
    # Checked on the header, before decoding allocates the pixels.
    if image.width * image.height > max_pixels:
        raise too_big
    try:
        image.load()
    except Exception as exc:  # truncated or malformed: Pillow raises many types
        raise _corrupt() from exc
    return image


def _pixels_only(image: Image.Image, kind: str) -> Image.Image:
    """A fresh image holding only the pixels: savers fall back to `image.info` for some
    metadata (ICC profile, comments), and a new image has none."""
    mode = _target_mode(image, kind)
    if image.mode.startswith("I"):  # 16-bit greys: scale to 8 bits, a plain convert clips
        image = image.convert("I").point(lambda value: value / 256)
    converted = image.convert(mode)
    fresh = Image.new(mode, converted.size)
    fresh.paste(converted)
    return fresh


def _target_mode(image: Image.Image, kind: str) -> str:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha and kind != "jpeg":  # JPEG has no transparency
        return "RGBA"
    return "L" if image.mode in ("1", "L") or image.mode.startswith("I") else "RGB"


# --- PDF -------------------------------------------------------------------------------------

# Scripts, programs to launch, attached files, rich media, forms that send data away, links
# to other files (which on Windows can leak the reader's password hash). Long enough that
# random compressed bytes don't spell them by chance, so they are looked for everywhere.
_PDF_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"Rendition",
        b"SubmitForm",
        b"ImportData",
        b"GoToR",
        b"GoToE",
    }
)
# /JS is short enough to turn up by chance in binary data, so it is looked for only outside
# streams. A script also needs /S /JavaScript (or /S /Rendition), which is looked for anywhere.
_PDF_SHORT_ACTIVE_NAMES = frozenset({b"JS"})


def _pdf_name_pattern(names: frozenset[bytes]) -> re.Pattern[bytes]:
    """One of `names` as a whole PDF name: "/Launch" but not "/LaunchX"."""
    alternatives = b"|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rb"/(%s)(?=[\x00\t\n\x0c\r ()<>\[\]{}/%%]|\Z)" % alternatives)


_PDF_ACTIVE_OR_ENCRYPTED = _pdf_name_pattern(_PDF_ACTIVE_NAMES | {b"Encrypt"})
_PDF_SHORT_ACTIVE = _pdf_name_pattern(_PDF_SHORT_ACTIVE_NAMES)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_START = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\r|\n)")
# Decoding one "#xx" escape takes about a microsecond in Python. Real PDFs have a few
# thousand (random image bytes hold ~30 per MB); one with a million is built to be slow.
MAX_PDF_NAME_ESCAPES = 1_000_000


def _check_pdf(data: bytes) -> bytes:
    """Refuse scripts and attachments found by a byte scan (not a PDF parser: see README)."""
    if b"%%EOF" not in data[-1024:]:
        raise _corrupt()
    streams = _pdf_stream_bodies(data)
    unescape = _PdfUnescaper()
    _refuse_pdf_names(unescape(_outside(data, streams)), _PDF_SHORT_ACTIVE)
    for layer in _pdf_layers(data, streams):
        _refuse_pdf_names(unescape(layer), _PDF_ACTIVE_OR_ENCRYPTED)
    return data


def _refuse_pdf_names(text: bytes, pattern: re.Pattern[bytes]) -> None:
    found = pattern.search(text)
    if found is None:
        return
    if found[1] == b"Encrypt":
        raise _encrypted()  # its strings and streams can't be read to check them
    raise UploadRejectedError(
        "active_content",
        _(
            "El PDF contiene contenido activo (JavaScript, acciones o archivos adjuntos) "
            "y no se puede guardar."
        ),
    )


class _PdfUnescaper:
    """Decodes "#xx" escapes, so "/J#61vaScript" reads "/JavaScript", within one budget of
    escapes for the whole file."""

    def __init__(self) -> None:
        self.escapes_left = MAX_PDF_NAME_ESCAPES

    def __call__(self, buffer: bytes) -> bytes:
        if b"#" not in buffer:
            return buffer
        return _PDF_NAME_ESCAPE.sub(self._decode, buffer)

    def _decode(self, match: re.Match[bytes]) -> bytes:
        self.escapes_left -= 1
        if self.escapes_left < 0:
            raise _corrupt()
        return bytes([int(match[1], 16)])


def _pdf_stream_bodies(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each stream's data. One pass with find(): a regex spanning
    "stream ... endstream" would backtrack over the whole file for every unclosed stream."""
    bodies = []
    position = 0
    while match := _PDF_STREAM_START.search(data, position):
        end = data.find(b"endstream", match.end())
        if end == -1:
            break
        bodies.append((match.end(), end))
        position = end + len(b"endstream")
    return bodies


def _outside(data: bytes, bodies: list[tuple[int, int]]) -> bytes:
    """The file without its streams' data: objects and their dictionaries."""
    pieces = []
    previous = 0
    for start, end in bodies:
        pieces.append(data[previous:start])
        previous = end
    pieces.append(data[previous:])
    return b" ".join(pieces)


def _pdf_layers(data: bytes, bodies: list[tuple[int, int]]) -> Iterator[bytes]:
    """The file itself, then the inflated content of its Flate-compressed streams in chunks
    (object streams hide dictionaries, and so actions, from a scan of the raw bytes).

    Chunks overlap so a name cut in two is still seen whole.
    """
    yield data
    budget = MAX_PDF_INFLATED_BYTES
    view = memoryview(data)
    for start, end in bodies:
        tail = b""
        for chunk in _inflate(view[start:end]):
            budget -= len(chunk)
            if budget < 0:
                raise _zip_bomb()
            yield tail + chunk
            tail = chunk[-64:]


def _inflate(body: bytes | memoryview) -> Iterator[bytes]:
    """Inflate in 1 MB steps; a stream that isn't zlib data (an image, a font) yields nothing."""
    inflater = zlib.decompressobj()
    pending = body
    while pending and not inflater.eof:
        try:
            chunk = inflater.decompress(pending, 1024 * 1024)
        except zlib.error:
            return  # not Flate, or damaged: readers can't inflate the rest either
        pending = inflater.unconsumed_tail
        yield chunk


# --- DOCX and ODT (ZIP archives) -------------------------------------------------------------

_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Relationships Word follows to run or load code: embedded objects and packages, ActiveX
# controls, macros, and alternative-format chunks (RTF or HTML that Word converts on opening).
_DOCX_ACTIVE_RELATIONSHIPS = ("/oleObject", "/package", "/control", "/vbaProject", "/aFChunk")
_DOCX_ACTIVE_PARTS = ("word/embeddings/", "word/activex/")
_ODT_ACTIVE_PARTS = ("basic/", "scripts/")  # LibreOffice Basic and script macros


def _zip_kind(data: bytes) -> str:
    """Which archive this is: "docx", "odt", or "zip" for any other. Reads only small entries."""
    with _open_zip(data) as archive:
        infos = archive.infolist()
        names = [info.filename.lower() for info in infos]
        # Office parts are case-insensitive: two entries with one name are ambiguous.
        if len(set(names)) != len(names):
            raise _corrupt()
        # Office and LibreOffice only store or deflate. zipfile can't cap what other methods
        # (bzip2, lzma) inflate in one step, so they aren't read at all.
        if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
            return "zip"
        exact = set(archive.namelist())
        if "mimetype" in exact and _read_member(archive, "mimetype").strip() == _ODT_MIMETYPE:
            return "odt"
        if "[Content_Types].xml" in exact:
            types = _parse_xml(_read_member(archive, "[Content_Types].xml"))
            if any(element.get("ContentType") == _DOCX_MAIN for element in types.iter()):
                return "docx"
    return "zip"


def _check_office(data: bytes, kind: str) -> bytes:
    with _open_zip(data) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _zip_bomb()
        if sum(info.file_size for info in infos) > MAX_ZIP_UNCOMPRESSED_BYTES:
            raise _zip_bomb()
        if any(info.flag_bits & 0x1 for info in infos):
            raise _encrypted()
        if kind == "docx":
            _check_docx(archive)
        else:
            _check_odt(archive)
    return data


def _check_docx(archive: zipfile.ZipFile) -> None:
    names = [info.filename for info in archive.infolist()]
    lowered = [name.lower() for name in names]
    if any(n.startswith(_DOCX_ACTIVE_PARTS) or "vbaproject" in n for n in lowered):
        raise _office_active()
    for name in names:
        if not name.lower().endswith(".rels"):
            continue
        for relationship in _parse_xml(_read_member(archive, name)).iter():
            rel_type = relationship.get("Type", "")
            external = relationship.get("TargetMode", "").lower() == "external"
            # A remote template or object is fetched, and run, when the document opens.
            if rel_type.endswith(_DOCX_ACTIVE_RELATIONSHIPS) or (
                external and not rel_type.endswith("/hyperlink")
            ):
                raise _office_active()


def _check_odt(archive: zipfile.ZipFile) -> None:
    if any(info.filename.lower().startswith(_ODT_ACTIVE_PARTS) for info in archive.infolist()):
        raise _office_active()
    # ODF encrypts entries itself (not with ZIP encryption) and says so in the manifest.
    if b"encryption-data" in _read_member(archive, "META-INF/manifest.xml"):
        raise _encrypted()


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _corrupt() from exc


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """One small entry. zipfile never inflates past the size the entry declares."""
    try:
        info = archive.getinfo(name)
        if info.file_size > MAX_ZIP_MEMBER_READ_BYTES:
            raise _corrupt()
        if info.flag_bits & 0x1:
            raise _encrypted()
        return archive.read(info)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise _corrupt() from exc


def _parse_xml(data: bytes) -> Element:
    """defusedxml refuses entity tricks (billion laughs, external entities)."""
    try:
        return defusedxml.ElementTree.fromstring(data)
    except (ParseError, defusedxml.DefusedXmlException) as exc:
        raise _corrupt() from exc


# --- Shared rejections -----------------------------------------------------------------------


def _corrupt() -> UploadRejectedError:
    return UploadRejectedError("corrupt", _("El archivo está dañado o incompleto."))


def _encrypted() -> UploadRejectedError:
    return UploadRejectedError(
        "encrypted", _("El archivo está protegido con contraseña. Súbelo sin protección.")
    )


def _zip_bomb() -> UploadRejectedError:
    return UploadRejectedError(
        "zip_bomb", _("El archivo ocupa demasiado al descomprimirlo y no se puede guardar.")
    )


def _office_active() -> UploadRejectedError:
    return UploadRejectedError(
        "active_content",
        _(
            "El documento contiene macros, objetos incrustados o plantillas externas y no se "
            "puede guardar."
        ),
    )
