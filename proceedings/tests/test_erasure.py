"""After a survivor is erased (her data key destroyed), her proceedings' encrypted fields read
as absent and every page and API answer about them still works, without the old values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jurisdictions.models import Department
from organisations.models import Membership
from proceedings.models import Hearing, JusticeOffice, OfficeKind
from proceedings.services import (
    EventData,
    ProceedingData,
    accused_add,
    event_record,
    proceeding_create,
)
from survivors import erasure


@pytest.fixture(autouse=True)
def _ledger(settings, tmp_path):
    settings.AMPARO_ERASURE_LEDGER = str(tmp_path / "ledger.jsonl")


def _m(user):
    return Membership.objects.select_related("organisation", "user").get(user=user)


def test_an_erased_survivors_proceeding_pages_keep_working(
    cast, org, make_member, make_case, sudo_client_for
):
    case = make_case(cast["lawyer"])
    lawyer = _m(cast["lawyer"])
    la_paz = Department.objects.get(code="02")
    court = JusticeOffice.objects.create(
        kind=OfficeKind.SENTENCING_COURT, name="Juzgado 1.º", department=la_paz,
        created_by=cast["coordinator"],
    )  # fmt: skip
    proceeding = proceeding_create(
        membership=lawyer,
        case=case,
        data=ProceedingData(department=la_paz, nurej="NUREJ-SECRETO-77", court=court),
    )
    accused = accused_add(
        membership=lawyer, case=case, proceeding=proceeding, relationship="partner",
        name="Nombre Secreto",
    )  # fmt: skip
    event_record(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        data=EventData(type="denuncia", occurred_on=timezone.localdate() - dt.timedelta(days=3)),
    )
    hearing = Hearing(
        proceeding=proceeding,
        organisation=org,
        type="cautelares",
        starts_at=timezone.now() + dt.timedelta(days=2),
        court=court,
        created_by=cast["lawyer"],
    )
    hearing.save()

    second = make_member("coordinator", org, "second-coordinator@example.org")
    request = erasure.erasure_request(
        membership=_m(cast["coordinator"]), survivor=case.survivor, reason="safety"
    )
    erasure.erasure_confirm(membership=_m(second), request=request)

    client = sudo_client_for(cast["lawyer"])
    base = f"/cases/{case.pk}/proceedings/{proceeding.pk}/"
    for path in [
        f"/cases/{case.pk}/",
        base,
        base + "edit/",
        base + f"hearings/{hearing.pk}/",
        "/justice/deadlines/",
        "/justice/hearings/",
        f"/api/v1/cases/{case.pk}/proceedings/{proceeding.pk}",
        f"/api/v1/cases/{case.pk}/proceedings",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"NUREJ-SECRETO-77" not in response.content, path
        assert b"Nombre Secreto" not in response.content, path
    response = client.post(base + f"accused/{accused.pk}/reveal/")
    assert response.status_code == 200
    assert b"Nombre Secreto" not in response.content
