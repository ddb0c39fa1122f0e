"""The documents app's routes in the authorization matrix (see access/tests/matrix.py).

The routes about one document need it in a case of their own, so this module opens
`{doc_case}` the way cases/tests/matrix_cases.py opens `{case}`: by the lawyer, who leads it
and is its only team member (`case_team` applies unchanged), with `{attachment}`, a text
file she uploaded, in it. Removing is for the case's managers and the uploader: here the
coordinator, the supervisor and the lawyer, the same people who see the case.

The matrix posts an empty form: the page refuses it with 400 and the API with 422 (the file
is a required part), in both cases only after the case was found visible (the API checks the
case while authenticating, so a case one cannot see is 404 before the body is read).

The sample file is written to the default storage (var/test/media in the test suite) for
each test that builds the objects; the files this module wrote are deleted when the run ends.
"""

from __future__ import annotations

import atexit
import io
from typing import Any

from access.tests.matrix import case_team

_API = {"out": 401, "deactivated": 401, "platform_admin": 401}
_WRITTEN: list[str] = []


def _delete_written() -> None:
    from django.core.files.storage import default_storage

    for blob in _WRITTEN:
        default_storage.delete(blob)


atexit.register(_delete_written)


def objects(cast: dict[str, Any], org: Any) -> dict[str, str]:
    from conftest import open_case
    from documents.services import attachment_upload
    from organisations.models import Membership

    case = open_case(cast["lawyer"])
    lawyer = Membership.objects.select_related("organisation", "user").get(
        user=cast["lawyer"], organisation=org
    )
    attachment = attachment_upload(
        membership=lawyer, case=case, upload=io.BytesIO(b"Acta de la audiencia"), filename="acta"
    )
    _WRITTEN.append(attachment.blob)
    return {"doc_case": str(case.pk), "attachment": str(attachment.pk)}


URLS: dict[tuple[str, str], tuple[str, dict[str, str], dict[str, int]]] = {
    ("cases/<int:case_id>/documents/", "GET"): ("/cases/{doc_case}/documents/", {}, case_team(200)),
    ("cases/<int:case_id>/documents/", "POST"): (
        "/cases/{doc_case}/documents/",
        {},
        case_team(400),
    ),
    ("cases/<int:case_id>/documents/<int:attachment_id>/download/", "GET"): (
        "/cases/{doc_case}/documents/{attachment}/download/",
        {},
        case_team(200),
    ),
    ("cases/<int:case_id>/documents/<int:attachment_id>/remove/", "POST"): (
        "/cases/{doc_case}/documents/{attachment}/remove/",
        {},
        case_team(302),
    ),
}

API: dict[tuple[str, str], tuple[str, dict[str, int]]] = {
    ("/api/v1/cases/{case_id}/documents", "GET"): (
        "/api/v1/cases/{doc_case}/documents",
        case_team(200, **_API),
    ),
    ("/api/v1/cases/{case_id}/documents", "POST"): (
        "/api/v1/cases/{doc_case}/documents",
        case_team(422, **_API),
    ),
    ("/api/v1/cases/{case_id}/documents/{attachment_id}/download", "GET"): (
        "/api/v1/cases/{doc_case}/documents/{attachment}/download",
        case_team(200, **_API),
    ),
    ("/api/v1/cases/{case_id}/documents/{attachment_id}/remove", "POST"): (
        "/api/v1/cases/{doc_case}/documents/{attachment}/remove",
        case_team(204, **_API),
    ),
}
