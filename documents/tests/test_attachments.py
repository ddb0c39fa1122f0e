"""Case attachments: upload, encrypted storage, download, removal, erasure; pages and API.

Every test gets its own MEDIA_ROOT (a temporary folder), so "nothing left in storage" is
checked by listing it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from PIL import ExifTags, Image, PngImagePlugin

from accounts.models import User
from api.services import api_token_create
from audit.models import AuditEvent
from cases.models import CaseEvent, CaseMember
from crypto.keys import DecryptionError
from documents import services
from documents.files import decrypt_bytes
from documents.models import Attachment
from documents.uploads import BoundedMemoryUploadHandler
from documents.views import content_disposition
from organisations.models import Membership

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- Fixtures and samples --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _membership(user: User) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, is_active=True)


@pytest.fixture
def case(cast: dict[str, User], make_case: Callable[..., Any]) -> Any:
    """Opened by the lawyer, who leads it and is its only team member."""
    return make_case(cast["lawyer"])


def _png_with_location() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefono"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (16.0, 30.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (68.0, 9.0, 0.0)
    text = PngImagePlugin.PngInfo()
    text.add_text("Location", "Calle Falsa 123, El Alto")
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(out, "PNG", exif=exif, pnginfo=text)
    return out.getvalue()


def _file(data: bytes, name: str, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _upload(user: User, case: Any, data: bytes = b"Acta de la audiencia", name: str = "acta.txt"):
    return services.attachment_upload(
        membership=_membership(user), case=case, upload=io.BytesIO(data), filename=name
    )


def _url(case: Any, attachment: Any = None, action: str = "") -> str:
    base = f"/cases/{case.pk}/documents/"
    return f"{base}{attachment.pk}/{action}/" if attachment is not None else base


def _erase(case: Any) -> None:
    from survivors.erasure import survivor_erase

    survivor_erase(survivor=case.survivor, actor_id=None, record=False)


# --- Upload and storage ----------------------------------------------------------------------


def test_it_stores_a_photo_encrypted_and_without_its_location(cast, case, client_for, media):
    client = client_for(cast["lawyer"])
    response = client.post(_url(case), {"file": _file(_png_with_location(), "foto.png")})
    assert response.status_code == 302
    attachment = Attachment.objects.get(case=case)
    assert (attachment.kind, attachment.content_type) == ("png", "image/png")
    assert attachment.blob.startswith("attachments/")
    assert attachment.blob.endswith(".bin")
    assert "foto" not in attachment.blob
    [stored] = _stored_files(media)
    raw = stored.read_bytes()
    assert PNG_SIGNATURE not in raw
    assert b"Calle Falsa" not in raw
    assert b"GPS" not in raw
    assert b"Telefono" not in raw
    # It is her data key that opens it, and what it holds is the cleaned image.
    plain = decrypt_bytes(case.survivor.data_key.fernet(), raw)
    assert plain.startswith(PNG_SIGNATURE)
    assert b"Calle Falsa" not in plain
    assert not Image.open(io.BytesIO(plain)).getexif()


def test_the_name_and_hash_are_stored_encrypted_with_her_key(cast, case):
    attachment = _upload(cast["lawyer"], case, name="denuncia de Ana Quispe.txt")
    digest = hashlib.sha256(b"Acta de la audiencia").hexdigest()
    raw_name, raw_hash = (
        Attachment.objects.filter(pk=attachment.pk).values_list("name", "sha256").get()
    )
    assert "Quispe" not in raw_name
    assert digest not in raw_hash
    stored = Attachment.objects.get(pk=attachment.pk)
    assert (stored.name, stored.sha256) == ("denuncia de Ana Quispe.txt", digest)


def test_it_downloads_the_cleaned_image_as_a_sandboxed_attachment(cast, case, client_for):
    client = client_for(cast["lawyer"])
    client.post(_url(case), {"file": _file(_png_with_location(), "foto.png")})
    attachment = Attachment.objects.get(case=case)
    response = client.get(_url(case, attachment, "download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"foto.png\"; filename*=UTF-8''foto.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(PNG_SIGNATURE)
    assert b"Calle Falsa" not in response.content
    assert not Image.open(io.BytesIO(response.content)).getexif()


def test_a_name_with_accents_is_sent_as_utf8_with_an_ascii_fallback(cast, case, client_for):
    attachment = _upload(cast["lawyer"], case, name="acta de María.txt")
    response = client_for(cast["lawyer"]).get(_url(case, attachment, "download"))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"acta de Maria.txt\"; filename*=UTF-8''acta%20de%20Mar%C3%ADa.txt"
    )
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"Acta de la audiencia"


def test_nothing_in_a_name_can_end_the_header_value():
    header = content_disposition('a"b;c\\d\r\nX: y.pdf')
    assert "\r" not in header
    assert "\n" not in header
    assert header.startswith("attachment; filename=\"a_b_c_d__X_ y.pdf\"; filename*=UTF-8''")
    assert header.endswith("a%22b%3Bc%5Cd%0D%0AX%3A%20y.pdf")


def test_an_upload_is_on_the_timeline_and_in_the_trail_without_its_name(cast, case, client_for):
    client_for(cast["lawyer"]).post(_url(case), {"file": _file(b"Acta", "Ana Quispe.txt")})
    attachment = Attachment.objects.get(case=case)
    event = CaseEvent.objects.get(case=case, kind="document")
    assert event.object_id == attachment.pk
    assert event.data == {"file_kind": "text", "size": 4}
    audit = AuditEvent.objects.get(action="create", object_type="documents.attachment")
    assert audit.object_id == str(attachment.pk)
    assert audit.fields == ["file", "name"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "denuncia.pdf", "no coincide con su tipo"),
        (b"", "vacio.txt", "está vacío"),
        (b"MZ\x90\x00" + b"\x00" * 64, "programa.exe", "no está permitido"),
    ],
    ids=["disguised", "empty", "unsupported"],
)
def test_it_refuses_a_bad_file_and_writes_nothing(
    cast, case, client_for, media, data, name, message
):
    events = CaseEvent.objects.count()
    response = client_for(cast["lawyer"]).post(_url(case), {"file": _file(data, name)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files(media) == []
    assert CaseEvent.objects.count() == events
    assert not AuditEvent.objects.filter(object_type="documents.attachment").exists()


def test_it_refuses_a_file_over_the_limit_and_writes_nothing(
    cast, case, client_for, media, settings
):
    settings.AMPARO_MAX_UPLOAD_BYTES = 1024
    big = b"texto " * 2000  # 12 KB of valid text
    response = client_for(cast["lawyer"]).post(_url(case), {"file": _file(big, "acta.txt")})
    assert response.status_code == 400
    assert "supera el tamaño máximo" in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files(media) == []


def test_it_asks_for_a_file_when_none_was_sent(cast, case, client_for, media):
    response = client_for(cast["lawyer"]).post(_url(case), {})
    assert response.status_code == 400
    assert "Elige un archivo." in response.content.decode()
    assert _stored_files(media) == []


def test_no_file_is_left_in_storage_when_the_database_write_fails(cast, case, media, monkeypatch):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _upload(cast["lawyer"], case)
    assert not Attachment.objects.exists()
    assert _stored_files(media) == []


def test_it_refuses_uploads_once_her_identity_was_erased(cast, case, client_for, media):
    _erase(case)
    response = client_for(cast["lawyer"]).post(_url(case), {"file": _file(b"Acta", "acta.txt")})
    assert response.status_code == 400
    assert "ya no se pueden subir documentos" in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files(media) == []


def test_an_upload_from_the_case_page_goes_back_to_it(cast, case, client_for):
    response = client_for(cast["lawyer"]).post(
        _url(case), {"file": _file(b"Acta", "acta.txt"), "back": "case"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/#documentos"


def test_an_upload_passes_the_csrf_check(cast, case, media):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["lawyer"])
    page = client.get(_url(case)).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        _url(case), {"csrfmiddlewaretoken": token, "file": _file(b"Acta", "acta.txt")}
    )
    assert response.status_code == 302
    assert len(_stored_files(media)) == 1


def test_the_list_page_makes_as_many_queries_for_many_documents_as_for_one(cast, case, client_for):
    client = client_for(cast["lawyer"])
    _upload(cast["lawyer"], case)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(case)).status_code == 200
        return len(captured)

    one = queries()
    for _n in range(3):
        _upload(cast["lawyer"], case)
    assert queries() == one


# --- The upload handler ----------------------------------------------------------------------


def test_the_upload_handler_keeps_at_most_the_limit_in_memory_and_the_real_size(settings):
    settings.AMPARO_MAX_UPLOAD_BYTES = 100
    handler = BoundedMemoryUploadHandler()
    handler.handle_raw_input(io.BytesIO(), {}, 10_000, "b")
    with pytest.raises(StopFutureHandlers):  # no other handler (and no disk) gets the file
        handler.new_file("file", "grande.txt", "text/plain", 10_000)
    for start in range(0, 10_000, 1_000):
        assert handler.receive_data_chunk(b"x" * 1_000, start) is None
    upload = handler.file_complete(10_000)
    assert upload.size == 10_000
    assert len(upload.read()) == 101


def test_no_upload_is_written_to_a_temporary_file(settings):
    assert settings.FILE_UPLOAD_HANDLERS == ["documents.uploads.BoundedMemoryUploadHandler"]


# --- Who can see what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["psychologist", "outsider", "org_admin"])
def test_people_who_cannot_see_the_case_get_404_everywhere(cast, case, client_for, media, who):
    attachment = _upload(cast["lawyer"], case)
    client = client_for(cast[who])
    assert client.get(_url(case)).status_code == 404
    response = client.post(_url(case), {"file": _file(b"Acta", "acta.txt")})
    assert response.status_code == 404
    assert client.get(_url(case, attachment, "download")).status_code == 404
    assert client.post(_url(case, attachment, "remove")).status_code == 404
    assert Attachment.objects.count() == 1
    assert len(_stored_files(media)) == 1
    assert not AuditEvent.objects.filter(action="view", object_type="documents.attachment")


def test_a_document_of_another_case_is_not_found(cast, case, make_case, client_for):
    other_case = make_case(cast["lawyer"])
    elsewhere = _upload(cast["lawyer"], other_case)
    client = client_for(cast["lawyer"])
    assert client.get(_url(case, elsewhere, "download")).status_code == 404
    assert client.post(_url(case, elsewhere, "remove")).status_code == 404
    assert Attachment.objects.get(pk=elsewhere.pk).removed_at is None


def test_a_document_of_another_organisation_is_not_found(cast, case, make_case, client_for):
    theirs = make_case(cast["outsider"])
    attachment = _upload(cast["outsider"], theirs)
    client = client_for(cast["coordinator"])
    assert client.get(_url(case, attachment, "download")).status_code == 404
    assert client.get(_url(theirs, attachment, "download")).status_code == 404


def test_every_download_is_audited(cast, case, client_for):
    attachment = _upload(cast["lawyer"], case)
    client = client_for(cast["coordinator"])
    client.get(_url(case, attachment, "download"))
    client.get(_url(case, attachment, "download"))
    reads = AuditEvent.objects.filter(
        action="view", object_type="documents.attachment", object_id=str(attachment.pk)
    )
    assert reads.count() == 2
    assert {(e.actor_id, tuple(e.fields)) for e in reads} == {(cast["coordinator"].pk, ("file",))}


def test_the_list_shows_names_and_is_audited(cast, case, client_for):
    _upload(cast["lawyer"], case, name="informe psicológico.txt")
    response = client_for(cast["supervisor"]).get(_url(case))
    assert response.status_code == 200
    assert "informe psicológico.txt" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="view", object_type="cases.case", object_id=str(case.pk), fields=["attachments"]
    ).exists()


def test_the_list_page_title_holds_no_name(cast, case, client_for):
    _upload(cast["lawyer"], case, name="Ana Quispe.txt")
    content = client_for(cast["lawyer"]).get(_url(case)).content.decode()
    title = content.split("<title>")[1].split("</title>")[0]
    assert "Quispe" not in title
    assert case.survivor.code in title


# --- Erasure ---------------------------------------------------------------------------------


def test_a_document_of_an_erased_identity_answers_410_and_is_not_audited(cast, case, client_for):
    attachment = _upload(cast["lawyer"], case, name="Ana Quispe.txt")
    _erase(case)
    client = client_for(cast["lawyer"])
    response = client.get(_url(case, attachment, "download"))
    assert response.status_code == 410
    assert "Este documento ya no se puede leer" in response.content.decode()
    assert not AuditEvent.objects.filter(action="view", object_type="documents.attachment")
    listing = client.get(_url(case))
    assert listing.status_code == 200
    assert "la identidad de esta persona fue borrada" in listing.content.decode()
    assert "Quispe" not in listing.content.decode()


def test_a_missing_or_damaged_file_answers_410(cast, case, client_for, media):
    first = _upload(cast["lawyer"], case)
    second = _upload(cast["lawyer"], case)
    default_storage.delete(first.blob)
    (media / second.blob).write_bytes(b"not a fernet token")
    client = client_for(cast["lawyer"])
    for attachment in (first, second):
        response = client.get(_url(case, attachment, "download"))
        assert response.status_code == 410
        assert "falta o está dañado" in response.content.decode()


def test_a_file_swapped_for_another_of_hers_is_refused(cast, case, client_for, media):
    first = _upload(cast["lawyer"], case, data=b"uno")
    second = _upload(cast["lawyer"], case, data=b"dos")
    (media / first.blob).write_bytes((media / second.blob).read_bytes())
    response = client_for(cast["lawyer"]).get(_url(case, first, "download"))
    assert response.status_code == 410


# --- Removal ---------------------------------------------------------------------------------


def test_removing_deletes_the_file_and_keeps_the_row(
    cast, case, client_for, media, django_capture_on_commit_callbacks
):
    attachment = _upload(cast["lawyer"], case)
    client = client_for(cast["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(case, attachment, "remove"))
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert attachment.removed_by_id == cast["coordinator"].pk
    assert _stored_files(media) == []
    assert client.get(_url(case, attachment, "download")).status_code == 404
    assert AuditEvent.objects.filter(
        action="delete", object_type="documents.attachment", fields=["file"]
    ).exists()
    assert CaseEvent.objects.filter(kind="document", data__removed=True).exists()
    page = client.get(_url(case)).content.decode()
    assert "Retirados" in page
    assert "acta.txt" in page


def test_a_failed_removal_keeps_the_file(cast, case, media, monkeypatch):
    attachment = _upload(cast["lawyer"], case)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.attachment_remove(membership=_membership(cast["lawyer"]), attachment=attachment)
    assert Attachment.objects.get(pk=attachment.pk).removed_at is None
    assert len(_stored_files(media)) == 1


def test_whoever_uploaded_it_may_remove_it_and_other_team_members_may_not(
    cast, case, client_for, media, django_capture_on_commit_callbacks
):
    for who in ("social_worker", "psychologist"):
        CaseMember.objects.create(case=case, user=cast[who], role=who)
    attachment = _upload(cast["social_worker"], case)
    assert (
        client_for(cast["psychologist"]).post(_url(case, attachment, "remove")).status_code == 404
    )
    assert len(_stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast["social_worker"]).post(_url(case, attachment, "remove"))
    assert response.status_code == 302
    assert _stored_files(media) == []


def test_a_document_can_be_removed_after_her_identity_was_erased(
    cast, case, client_for, media, django_capture_on_commit_callbacks
):
    attachment = _upload(cast["lawyer"], case)
    _erase(case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast["lawyer"]).post(_url(case, attachment, "remove"))
    assert response.status_code == 302
    assert _stored_files(media) == []


# --- The case page fragment ------------------------------------------------------------------


def test_the_case_section_lists_documents_and_offers_the_upload(cast, case):
    from documents.selectors import attachment_list

    attachment = _upload(cast["lawyer"], case, name="acta.txt")
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = cast["lawyer"]
    html = render_to_string(
        "documents/_case_section.html",
        {"case": case, "attachments": attachment_list(case=case), "can_manage": True},
        request=request,
    )
    assert 'id="documentos"' in html
    assert f'href="/cases/{case.pk}/documents/{attachment.pk}/download/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="back" value="case"' in html


# --- API -------------------------------------------------------------------------------------


def _api(user: User, client_for: Callable[[User | None], Any]) -> tuple[Any, dict[str, str]]:
    membership = _membership(user)
    _token, secret = api_token_create(
        user=user, organisation_id=membership.organisation_id, name="t", days=5
    )
    return client_for(None), {"Authorization": f"Bearer {secret}"}


def test_the_api_uploads_lists_and_downloads(cast, case, client_for, media):
    client, auth = _api(cast["lawyer"], client_for)
    url = f"/api/v1/cases/{case.pk}/documents"
    response = client.post(url, {"file": _file(_png_with_location(), "foto.png")}, headers=auth)
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["kind"], body["content_type"]) == ("foto.png", "png", "image/png")
    [stored] = _stored_files(media)
    assert PNG_SIGNATURE not in stored.read_bytes()
    listed = client.get(url, headers=auth).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    download = client.get(f"{url}/{body['id']}/download", headers=auth)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert download["Cache-Control"] == "no-store"
    assert download.content.startswith(PNG_SIGNATURE)
    assert b"Calle Falsa" not in download.content
    assert body["sha256"] == hashlib.sha256(download.content).hexdigest()
    assert AuditEvent.objects.filter(action="view", object_type="documents.attachment").exists()


def test_the_api_refuses_a_disguised_file_and_writes_nothing(cast, case, client_for, media):
    client, auth = _api(cast["lawyer"], client_for)
    response = client.post(
        f"/api/v1/cases/{case.pk}/documents",
        {"file": _file(b"<html><body>hola</body></html>", "denuncia.pdf")},
        headers=auth,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rejected"
    assert "no coincide con su tipo" in error["message"]
    assert "denuncia" not in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files(media) == []


def test_the_api_refuses_a_file_over_the_limit(cast, case, client_for, media, settings):
    settings.AMPARO_MAX_UPLOAD_BYTES = 1024
    client, auth = _api(cast["lawyer"], client_for)
    response = client.post(
        f"/api/v1/cases/{case.pk}/documents",
        {"file": _file(b"texto " * 2000, "acta.txt")},
        headers=auth,
    )
    assert response.status_code == 400
    assert "supera el tamaño máximo" in response.json()["error"]["message"]
    assert _stored_files(media) == []


def test_the_api_hides_documents_of_cases_one_cannot_see(cast, case, client_for, media):
    attachment = _upload(cast["lawyer"], case)
    client, auth = _api(cast["psychologist"], client_for)
    url = f"/api/v1/cases/{case.pk}/documents"
    assert client.get(url, headers=auth).status_code == 404
    response = client.post(url, {"file": _file(b"Acta", "acta.txt")}, headers=auth)
    assert response.status_code == 404
    assert client.get(f"{url}/{attachment.pk}/download", headers=auth).status_code == 404
    assert client.post(f"{url}/{attachment.pk}/remove", headers=auth).status_code == 404
    assert len(_stored_files(media)) == 1


def test_the_api_answers_410_for_an_erased_identity(cast, case, client_for):
    attachment = _upload(cast["lawyer"], case, name="Ana Quispe.txt")
    _erase(case)
    client, auth = _api(cast["lawyer"], client_for)
    url = f"/api/v1/cases/{case.pk}/documents"
    response = client.get(f"{url}/{attachment.pk}/download", headers=auth)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "unreadable"
    [item] = client.get(url, headers=auth).json()["items"]
    assert (item["name"], item["sha256"]) == (None, None)


def test_the_api_removes_a_document(
    cast, case, client_for, media, django_capture_on_commit_callbacks
):
    attachment = _upload(cast["lawyer"], case)
    client, auth = _api(cast["lawyer"], client_for)
    url = f"/api/v1/cases/{case.pk}/documents/{attachment.pk}/remove"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, headers=auth).status_code == 204
    assert Attachment.objects.get(pk=attachment.pk).removed_at is not None
    assert _stored_files(media) == []
    assert client.post(url, headers=auth).status_code == 404


def test_a_wrong_key_never_decrypts_a_stored_file(cast, case, make_case, media):
    attachment = _upload(cast["lawyer"], case)
    other = make_case(cast["lawyer"])
    raw = (media / attachment.blob).read_bytes()
    with pytest.raises(DecryptionError):
        decrypt_bytes(other.survivor.data_key.fernet(), raw)
