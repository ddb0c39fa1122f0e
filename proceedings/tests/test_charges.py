"""Charges and their reclassification history, on a real database, and what they do to the
detention limit that does not run for some offences (CPP 239.4: not for 308 bis)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import CaseEvent
from conftest import open_case
from jurisdictions.models import Department, GbvimsType, Jurisdiction, Offence, Status
from organisations.models import Membership
from proceedings.models import Charge, ChargeBasis, Deadline, Proceeding
from proceedings.selectors import charge_history, current_charges
from proceedings.services import (
    EventData,
    ProceedingData,
    charges_reclassify,
    event_record,
    proceeding_create,
)

ZONE = ZoneInfo("America/La_Paz")
DETENTION = "detencion_sin_acusacion"


def offence(code: str) -> Offence:
    return Offence.objects.get(jurisdiction__code="bo", code=code)


@pytest.fixture
def lawyer(cast, org) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=cast["lawyer"], organisation=org)


@pytest.fixture
def detained(lawyer: Membership) -> Proceeding:
    """La Paz: complaint 2 Mar 2026, charge 9 Mar, pre-trial detention ordered 10 Mar."""
    proceeding = proceeding_create(
        membership=lawyer,
        case=open_case(lawyer.user),
        data=ProceedingData(department=Department.objects.get(code="02")),
    )
    for type, day in (
        ("denuncia", "2026-03-02"),
        ("imputacion", "2026-03-09"),
        ("detencion_preventiva", "2026-03-10"),
    ):
        event_record(
            membership=lawyer,
            case=proceeding.case,
            proceeding=proceeding,
            data=EventData(type=type, occurred_on=dt.date.fromisoformat(day)),
        )
    return proceeding


def reclassify(
    membership: Membership, proceeding: Proceeding, codes: list[str], basis: str, on: str
) -> list[Charge]:
    return charges_reclassify(
        membership=membership,
        case=proceeding.case,
        proceeding=proceeding,
        offences=[offence(code) for code in codes],
        basis=basis,
        on=dt.date.fromisoformat(on),
    )


def detention(proceeding: Proceeding) -> Deadline:
    return Deadline.objects.get(proceeding=proceeding, rule=DETENTION)


def history(proceeding: Proceeding) -> list[tuple[str, str, str, str | None, str]]:
    return [
        (
            c.offence.code,
            c.basis,
            c.from_on.isoformat(),
            c.until_on.isoformat() if c.until_on else None,
            c.ended_by_basis,
        )
        for c in charge_history(proceeding=proceeding)
    ]


def snapshot(proceeding: Proceeding) -> dict[str, Any]:
    return {
        "charges": list(Charge.objects.filter(proceeding=proceeding).values()),
        "deadlines": list(Deadline.objects.filter(proceeding=proceeding).values()),
        "audit": AuditEvent.objects.count(),
        "timeline": CaseEvent.objects.filter(case=proceeding.case).count(),
    }


def test_reclassification_keeps_the_history_and_moves_the_detention_limit(lawyer, detained) -> None:
    # 12 months of detention without indictment from 10 Mar 2026: 10 Mar 2027
    row = detention(detained)
    due = dt.datetime(2027, 3, 10, 23, 59, 59, tzinfo=ZONE)
    assert (row.state, row.due_at) == ("running", due)

    (rape,) = reclassify(lawyer, detained, ["308"], ChargeBasis.COMPLAINT, "2026-03-02")
    assert (rape.offence.code, rape.created_by) == ("308", lawyer.user)
    assert detention(detained).state == "running"

    # the charge says the victim is a child: 308 bis (and abuse, 312)
    added = reclassify(lawyer, detained, ["308bis", "312"], ChargeBasis.CHARGE, "2026-03-09")
    assert sorted(c.offence.code for c in added) == ["308bis", "312"]
    assert history(detained) == [
        ("308", "complaint", "2026-03-02", "2026-03-09", "charge"),
        ("308bis", "charge", "2026-03-09", None, ""),
        ("312", "charge", "2026-03-09", None, ""),
    ]
    again = detention(detained)
    assert (again.pk, again.state, again.due_at) == (row.pk, "not_applicable", due)

    # the indictment goes back to 308: the limit runs again, the history keeps both 308 rows
    reclassify(lawyer, detained, ["308"], ChargeBasis.INDICTMENT, "2026-06-01")
    assert history(detained) == [
        ("308", "complaint", "2026-03-02", "2026-03-09", "charge"),
        ("308bis", "charge", "2026-03-09", "2026-06-01", "indictment"),
        ("312", "charge", "2026-03-09", "2026-06-01", "indictment"),
        ("308", "indictment", "2026-06-01", None, ""),
    ]
    assert (detention(detained).pk, detention(detained).state) == (row.pk, "running")
    assert [c.offence.code for c in current_charges(proceeding=detained)] == ["308"]


def test_an_offence_kept_keeps_its_row(lawyer, detained) -> None:
    (kept,) = reclassify(lawyer, detained, ["308"], ChargeBasis.COMPLAINT, "2026-03-02")
    added = reclassify(lawyer, detained, ["308", "312"], ChargeBasis.CHARGE, "2026-03-09")
    assert [c.offence.code for c in added] == ["312"]
    kept.refresh_from_db()
    assert (kept.until_on, kept.ended_by_basis) == (None, "")
    assert sorted(c.offence.code for c in current_charges(proceeding=detained)) == ["308", "312"]


def test_a_reclassification_is_audited_and_on_the_timeline(lawyer, detained) -> None:
    audit_before = AuditEvent.objects.count()
    reclassify(lawyer, detained, ["312", "308"], ChargeBasis.COMPLAINT, "2026-03-02")
    assert AuditEvent.objects.count() == audit_before + 1
    audit = AuditEvent.objects.order_by("-pk")[0]
    assert (audit.action, audit.object_type, audit.object_id, audit.fields) == (
        Action.UPDATE,
        "proceedings.proceeding",
        str(detained.pk),
        ["charges"],
    )
    line = CaseEvent.objects.filter(case=detained.case).order_by("-pk")[0]
    assert line.data == {
        "proceeding": detained.pk,
        "what": "reclassified",
        "basis": "complaint",
        "offences": ["308", "312"],
    }


def test_bad_reclassifications_are_refused_and_write_nothing(lawyer, detained) -> None:
    reclassify(lawyer, detained, ["308"], ChargeBasis.CHARGE, "2026-03-09")
    elsewhere = Jurisdiction.objects.create(
        code="zz", name="Otro país", version="1", time_zone="UTC"
    )
    foreign = Offence.objects.create(
        jurisdiction=elsewhere,
        code="308",
        article="308",
        name="Otro delito",
        gbvims=GbvimsType.RAPE,
        status=Status.ASSUMED,
        mapping_status=Status.ASSUMED,
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cases: list[tuple[list[Offence], str, dt.date, str]] = [
        ([], ChargeBasis.CHARGE, dt.date(2026, 3, 10), "offences"),
        ([foreign], ChargeBasis.CHARGE, dt.date(2026, 3, 10), "offences"),
        ([offence("312")], "rumour", dt.date(2026, 3, 10), "basis"),
        ([offence("312")], ChargeBasis.CHARGE, tomorrow, "on"),
        # before the classification in force (9 Mar)
        ([offence("312")], ChargeBasis.CHARGE, dt.date(2026, 3, 8), "on"),
    ]
    for offences, basis, on, field in cases:
        before = snapshot(detained)
        with pytest.raises(ValidationError) as refused:
            charges_reclassify(
                membership=lawyer,
                case=detained.case,
                proceeding=detained,
                offences=offences,
                basis=basis,
                on=on,
            )
        assert field in refused.value.message_dict, (field, refused.value.message_dict)
        assert snapshot(detained) == before


def test_only_members_who_may_work_the_case_reclassify(cast, lawyer, detained) -> None:
    for who in ("analyst", "outsider"):
        member = Membership.objects.get(user=cast[who])
        before = snapshot(detained)
        with pytest.raises(Http404):
            charges_reclassify(
                membership=member,
                case=detained.case,
                proceeding=detained,
                offences=[offence("308bis")],
                basis=ChargeBasis.CHARGE,
                on=dt.date(2026, 3, 9),
            )
        assert snapshot(detained) == before
