"""A second country is added with files only: Testland (`packs/tl`, fictional, Chilean
holidays and time zone) is loaded through the setting for extra packs, and a proceeding there
follows Testland's stages, counting units and holidays, through the same services as Bolivia."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from conftest import open_case
from jurisdictions.loader import PackError, load_all, load_pack, pack_dirs, read_pack
from jurisdictions.models import Department, Jurisdiction, Municipality, Offence
from jurisdictions.procedure import rules_for
from jurisdictions.tests.conftest import TESTLAND_DIR
from organisations.models import Membership
from proceedings.models import ChargeBasis, Deadline, Proceeding, SentenceOutcome
from proceedings.selectors import procedure_for
from proceedings.services import (
    EventData,
    ProceedingData,
    charges_reclassify,
    event_record,
    proceeding_create,
)

SANTIAGO = ZoneInfo("America/Santiago")


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SANTIAGO)


@pytest.fixture
def testland(settings, db) -> Jurisdiction:  # type: ignore[no-untyped-def]
    settings.AMPARO_EXTRA_JURISDICTION_PACKS = [str(TESTLAND_DIR)]
    loaded = load_all()
    assert [j.code for j in loaded] == ["bo", "tl"]
    return Jurisdiction.objects.get(code="tl")


@pytest.fixture
def lawyer(cast, org) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=cast["lawyer"], organisation=org)


def a_case(membership: Membership, municipality: str = "T10101") -> Case:
    return open_case(membership.user, municipality=municipality)


def a_proceeding(membership: Membership, case: Case, department: str) -> Proceeding:
    return proceeding_create(
        membership=membership,
        case=case,
        data=ProceedingData(department=Department.objects.get(code=department)),
    )


def record(
    membership: Membership,
    proceeding: Proceeding,
    type: str,
    on: dt.date,
    at: dt.time | None = None,
    **extra: object,
):  # type: ignore[no-untyped-def]
    return event_record(
        membership=membership,
        case=proceeding.case,
        proceeding=proceeding,
        data=EventData(type=type, occurred_on=on, occurred_time=at, **extra),  # type: ignore[arg-type]
    )


def deadlines(proceeding: Proceeding) -> dict[str, Deadline]:
    return {d.rule: d for d in Deadline.objects.filter(proceeding=proceeding)}


def test_the_pack_is_found_through_the_setting_and_loaded_as_rows(testland, settings) -> None:
    assert TESTLAND_DIR in pack_dirs()
    assert testland.name == "Testland"
    assert testland.time_zone == "America/Santiago"
    north = Department.objects.get(code="T1")
    assert (north.jurisdiction, north.iso_3166_2) == (testland, "CL-NB")
    assert Municipality.objects.filter(department__jurisdiction=testland).count() == 4
    assert set(Offence.objects.filter(jurisdiction=testland).values_list("code", flat=True)) == {
        "t100",
        "t101",
        "t200",
    }
    rules = rules_for("tl")
    assert list(rules.stages) == ["investigation", "charged", "trial", "verdict", "closed"]
    assert {r.unit for r in rules.deadlines.values()} == {
        "hours",
        "business_days",
        "calendar_days",
        "months",
    }
    # Bolivia is untouched
    assert Department.objects.get(code="02").jurisdiction.code == "bo"
    assert rules_for("bo").stages["preliminary"].name == "Investigación preliminar"


def test_a_pack_may_not_take_another_countrys_codes(testland, pack_copy) -> None:
    copy = pack_copy(TESTLAND_DIR)
    csv = copy / "departments.csv"
    csv.write_text(csv.read_text().replace("T2,", "02,"))
    municipalities = copy / "municipalities.csv"
    municipalities.write_text(municipalities.read_text().replace(",T2\n", ",02\n"))
    pack = read_pack(copy)  # the files alone are fine
    with pytest.raises(PackError) as refused:
        load_pack(pack)
    assert refused.value.errors == ["pack tl: department 02 belongs to another jurisdiction"]
    assert Department.objects.get(code="02").jurisdiction.code == "bo"
    assert Department.objects.get(code="T2").jurisdiction == testland


def test_a_case_in_testland_follows_testlands_procedure_and_calendar(testland, lawyer, org) -> None:
    case = a_case(lawyer)
    assert case.department.code == "T1"
    assert case.survivor.code.startswith("TLN-")
    proceeding = a_proceeding(lawyer, case, "T1")
    assert procedure_for(proceeding).pack_code == "tl"

    # Denuncia on Friday 14 Aug 2026. `formalizar`: 10 business days from the next day, in
    # T1 (Ñuble, CL-NB): Sat 15 (also Asunción) and Sun 16 do not count; Mon 17 = 1,
    # Tue 18 = 2, Wed 19 = 3, Thu 20 is Ñuble's own holiday (Nacimiento del Prócer), Fri 21
    # = 4, Mon 24..Fri 28 = 5..9, Mon 31 = 10: due at the end of 31 Aug (-04:00, winter).
    record(lawyer, proceeding, "denuncia", dt.date(2026, 8, 14))
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.stage_since) == ("investigation", dt.date(2026, 8, 14))
    assert proceeding.complaint_on == dt.date(2026, 8, 14)
    formalizar = deadlines(proceeding)["formalizar"]
    assert (formalizar.state, formalizar.due_at) == ("running", end_of(dt.date(2026, 8, 31)))

    # Arrest on Saturday 5 Sep 2026 at 10:00 (-04:00 = 14:00 UTC). `control_detencion`: 48
    # hours that run on: Chile moves its clocks forward at midnight on Sunday 6 Sep, so 48
    # elapsed hours end at 14:00 UTC on Mon 7 Sep = 11:00 local (-03:00), not 10:00.
    record(lawyer, proceeding, "detencion", dt.date(2026, 9, 5), dt.time(10, 0))
    control = deadlines(proceeding)["control_detencion"]
    assert control.due_at == dt.datetime(2026, 9, 7, 11, 0, tzinfo=SANTIAGO)
    assert control.due_at == dt.datetime(2026, 9, 7, 14, 0, tzinfo=dt.UTC)
    assert (control.state, control.assumed_time) == ("running", False)

    # Formal charge on Mon 7 Sep at 10:30 local: within the 48 hours (met); the 10 business
    # days to bring it ran out on 31 Aug (late). Stage: "charged".
    charge = record(lawyer, proceeding, "formalizacion", dt.date(2026, 9, 7), dt.time(10, 30))
    rows = deadlines(proceeding)
    assert (rows["control_detencion"].state, rows["control_detencion"].end_event) == (
        "met",
        charge,
    )
    assert rows["formalizar"].state == "late"
    # `acusar`: 2 months from 7 Sep = 7 Nov 2026, a Saturday: months do not skip days.
    assert (rows["acusar"].state, rows["acusar"].due_at) == (
        "running",
        end_of(dt.date(2026, 11, 7)),
    )
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.stage_since) == ("charged", dt.date(2026, 9, 7))

    # Charged under Testland's code: a Bolivian offence is refused.
    with pytest.raises(ValidationError) as refused:
        charges_reclassify(
            membership=lawyer,
            case=case,
            proceeding=proceeding,
            offences=[Offence.objects.get(jurisdiction__code="bo", code="308")],
            basis=ChargeBasis.CHARGE,
            on=dt.date(2026, 9, 7),
        )
    assert "offences" in refused.value.message_dict
    charges_reclassify(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        offences=[Offence.objects.get(jurisdiction=testland, code="t100")],
        basis=ChargeBasis.CHARGE,
        on=dt.date(2026, 9, 7),
    )

    # Pre-trial detention on Thu 10 Sep. `revision_prision`: 30 calendar days = Sat 10 Oct
    # 2026 (weekends and the 12 Oct holiday are not skipped; -03:00, summer time).
    record(lawyer, proceeding, "prision_preventiva", dt.date(2026, 9, 10))
    review = deadlines(proceeding)["revision_prision"]
    assert (review.state, review.due_at) == ("running", end_of(dt.date(2026, 10, 10)))
    # It does not run for t101 (the pack says so): reclassified, it no longer applies.
    charges_reclassify(
        membership=lawyer,
        case=case,
        proceeding=proceeding,
        offences=[Offence.objects.get(jurisdiction=testland, code="t101")],
        basis=ChargeBasis.CHARGE,
        on=dt.date(2026, 9, 11),
    )
    assert deadlines(proceeding)["revision_prision"].state == "not_applicable"

    # Indictment on Mon 9 Nov: after the 2 months (late); the trial stage follows.
    record(lawyer, proceeding, "acusacion", dt.date(2026, 11, 9))
    assert deadlines(proceeding)["acusar"].state == "late"
    record(
        lawyer,
        proceeding,
        "veredicto",
        dt.date(2026, 11, 20),
        outcome=SentenceOutcome.CONVICTION,
        sentence_years=Decimal("10"),
    )
    proceeding.refresh_from_db()
    assert proceeding.stage == "verdict"
    assert procedure_for(proceeding).stages[proceeding.stage].ends


def test_testlands_transitions_are_enforced(testland, lawyer) -> None:
    proceeding = a_proceeding(lawyer, a_case(lawyer, "T20101"), "T2")
    record(lawyer, proceeding, "denuncia", dt.date(2026, 8, 3))
    with pytest.raises(ValidationError) as refused:
        record(lawyer, proceeding, "acusacion", dt.date(2026, 8, 10))
    message = refused.value.message_dict["type"][0]
    assert "«Investigación»" in message  # where the proceeding stands
    assert "Formalización" in message  # where an indictment belongs, in Testland
    # Bolivian acts do not exist in Testland
    with pytest.raises(ValidationError) as unknown:
        record(lawyer, proceeding, "imputacion", dt.date(2026, 8, 10))
    assert "type" in unknown.value.message_dict
    assert Proceeding.objects.get(pk=proceeding.pk).stage == "investigation"


@pytest.mark.parametrize(
    ("complaint", "north", "south"),
    [
        # 14 Aug 2026 (Fri): in T1 Thu 20 Aug is Ñuble's holiday, so the 10th business day is
        # Mon 31 Aug; in T2 (Santiago) Thu 20 counts: 17..21 = 1..5, 24..28 = 6..10.
        (dt.date(2026, 8, 14), dt.date(2026, 8, 31), dt.date(2026, 8, 28)),
        # 3 Jul 2026 (Fri): T1's courts close 6..10 Jul (a vacation of T1 only, in the pack);
        # Thu 16 Jul is a national holiday (Virgen del Carmen). T1: Mon 13 = 1, 14 = 2,
        # 15 = 3, Fri 17 = 4, 20..24 = 5..9, Mon 27 = 10. T2: 6..10 = 1..5, 13..15 = 6..8,
        # Fri 17 = 9, Mon 20 = 10.
        (dt.date(2026, 7, 3), dt.date(2026, 7, 27), dt.date(2026, 7, 20)),
    ],
)
def test_business_days_follow_the_departments_holidays_and_vacations(
    testland, lawyer, complaint: dt.date, north: dt.date, south: dt.date
) -> None:
    case = a_case(lawyer)
    for department, due in (("T1", north), ("T2", south)):
        proceeding = a_proceeding(lawyer, case, department)
        record(lawyer, proceeding, "denuncia", complaint)
        assert deadlines(proceeding)["formalizar"].due_at == end_of(due), department


def test_the_files_hold_no_python() -> None:
    assert sorted(p.name for p in Path(TESTLAND_DIR).iterdir()) == [
        "calendar.toml",
        "departments.csv",
        "municipalities.csv",
        "offences.toml",
        "pack.toml",
        "procedure.toml",
    ]
