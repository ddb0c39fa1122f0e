"""Recording procedural acts on a real database: the act, the stage and the deadlines it
derives, the audit event and the case timeline line are written together, or nothing is.

Dates are in the past of the day the suite runs (acts may not be dated in the future);
due dates are worked out by hand in the comments (Bolivia's pack, La Paz, America/La_Paz).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import Action, AuditEvent
from cases.models import Case, CaseEvent
from cases.selectors import case_get_for_user
from conftest import open_case
from jurisdictions.models import Department
from organisations.models import Membership, Role
from proceedings.models import (
    Deadline,
    DeadlineAlert,
    ProceduralEvent,
    Proceeding,
    SentenceOutcome,
)
from proceedings.selectors import (
    effective_events,
    event_get,
    event_history,
    is_superseded,
    proceeding_get,
)
from proceedings.services import (
    EventData,
    ProceedingData,
    event_record,
    event_void,
    proceeding_create,
)

ZONE = ZoneInfo("America/La_Paz")


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZONE)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def lawyer(cast, org) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(user=cast["lawyer"], organisation=org)


@pytest.fixture
def proceeding(lawyer: Membership) -> Proceeding:
    """A proceeding in La Paz, on a case the lawyer leads (survivor in El Alto)."""
    case = open_case(lawyer.user)
    return proceeding_create(
        membership=lawyer,
        case=case,
        data=ProceedingData(department=Department.objects.get(code="02")),
    )


def record(
    membership: Membership,
    proceeding: Proceeding,
    type: str,
    on: dt.date | str | None,
    at: str | None = None,
    corrects: ProceduralEvent | None = None,
    **extra: Any,
) -> ProceduralEvent:
    return event_record(
        membership=membership,
        case=proceeding.case,
        proceeding=proceeding,
        data=EventData(
            type=type,
            occurred_on=d(on) if isinstance(on, str) else on,
            occurred_time=dt.time.fromisoformat(at) if at else None,
            **extra,
        ),
        corrects=corrects,
    )


def deadlines(proceeding: Proceeding) -> dict[str, Deadline]:
    rows = Deadline.objects.filter(proceeding=proceeding)
    found = {row.rule: row for row in rows}
    assert len(found) == len(rows), "one row per rule in these scenarios"
    return found


def snapshot(proceeding: Proceeding) -> dict[str, Any]:
    """Everything a write may touch."""
    fresh = Proceeding.objects.get(pk=proceeding.pk)
    return {
        "events": list(ProceduralEvent.objects.filter(proceeding=proceeding).values()),
        "deadlines": list(Deadline.objects.filter(proceeding=proceeding).values()),
        "alerts": DeadlineAlert.objects.count(),
        "audit": AuditEvent.objects.count(),
        "timeline": CaseEvent.objects.filter(case=proceeding.case).count(),
        "stage": (fresh.stage, fresh.stage_since, fresh.complaint_on, fresh.updated_at),
    }


def refused(proceeding: Proceeding, call: Any, field: str | None = None) -> str:
    """Call it: it must raise ValidationError and write nothing. Returns the message."""
    before = snapshot(proceeding)
    with pytest.raises(ValidationError) as error:
        call()
    assert snapshot(proceeding) == before
    if field is None:
        return " ".join(error.value.messages)
    assert field in error.value.message_dict, error.value.message_dict
    return " ".join(error.value.message_dict[field])


# ----------------------------------------------------------------------------- recording


def test_an_act_writes_itself_its_stage_deadlines_audit_and_timeline(lawyer, proceeding) -> None:
    audit_before = AuditEvent.objects.count()
    timeline_before = CaseEvent.objects.filter(case=proceeding.case).count()
    complaint = record(lawyer, proceeding, "denuncia", "2026-11-02")

    assert list(effective_events(proceeding=proceeding)) == [complaint]
    assert (complaint.recorded_by, complaint.supersedes, complaint.is_void) == (
        lawyer.user,
        None,
        False,
    )
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.stage_since, proceeding.complaint_on) == (
        "preliminary",
        d("2026-11-02"),
        d("2026-11-02"),
    )
    # the 3-year limit (CPP 133) runs from the complaint: 2 Nov 2029
    (row,) = Deadline.objects.filter(proceeding=proceeding)
    assert (row.rule, row.start_event, row.state) == ("duracion_maxima", complaint, "running")
    assert row.due_at == end_of(d("2029-11-02"))
    assert row.organisation_id == proceeding.case.organisation_id

    assert AuditEvent.objects.count() == audit_before + 1
    audit = AuditEvent.objects.order_by("-pk")[0]
    assert (audit.action, audit.object_type, audit.object_id) == (
        Action.CREATE,
        "proceedings.proceduralevent",
        str(complaint.pk),
    )
    assert audit.fields == ["occurred_on", "type"]  # names, never values

    lines = CaseEvent.objects.filter(case=proceeding.case).order_by("-pk")
    assert lines.count() == timeline_before + 1
    assert lines[0].data == {
        "proceeding": proceeding.pk,
        "what": "event",
        "event": "denuncia",
        "on": "2026-11-02",
    }
    assert lines[0].actor == lawyer.user


def test_the_next_acts_move_the_stage_and_start_and_stop_deadlines(lawyer, proceeding) -> None:
    record(lawyer, proceeding, "denuncia", "2026-06-01")
    notice = record(lawyer, proceeding, "aviso_inicio", "2026-06-02")
    arrest = record(lawyer, proceeding, "aprehension", "2026-06-03", "10:00")
    rows = deadlines(proceeding)
    # aviso_inicio on Tue 2 Jun 2026, 20 business days in La Paz: Wed 3 = 1, Thu 4: Corpus
    # Christi, Fri 5 = 2, 8..12 Jun = 3..7, 15..19 = 8..12, Mon 22: Año Nuevo Aymara
    # (observed), 23..26 = 13..16, 29, 30 Jun, 1, 2 Jul = 17..20: due Thu 2 Jul.
    assert rows["investigacion_preliminar"].start_event == notice
    assert rows["investigacion_preliminar"].due_at == end_of(d("2026-07-02"))
    assert rows["imputacion_24h"].start_event == arrest
    assert rows["imputacion_24h"].due_at == dt.datetime(2026, 6, 4, 10, 0, tzinfo=ZONE)

    charge = record(lawyer, proceeding, "imputacion", "2026-06-04", "09:00")
    rows = deadlines(proceeding)
    assert (rows["imputacion_24h"].state, rows["imputacion_24h"].end_event) == ("met", charge)
    assert rows["imputacion_24h"].ended_at == dt.datetime(2026, 6, 4, 9, 0, tzinfo=ZONE)
    assert rows["investigacion_preliminar"].state == "met"
    # six months of preparatory stage from 4 Jun: 4 Dec 2026
    assert rows["etapa_preparatoria"].due_at == end_of(d("2026-12-04"))
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.stage_since) == ("preparatory", d("2026-06-04"))


def test_an_impossible_act_is_refused_with_an_explanation_and_writes_nothing(
    lawyer, proceeding
) -> None:
    record(lawyer, proceeding, "denuncia", "2026-03-02")
    message = refused(
        proceeding, lambda: record(lawyer, proceeding, "acusacion", "2026-03-05"), "type"
    )
    assert "Acusación" in message
    assert "Investigación preliminar" in message
    assert "Etapa preparatoria" in message
    # a second complaint, an act before the complaint: the same
    refused(proceeding, lambda: record(lawyer, proceeding, "denuncia", "2026-03-04"), "type")
    refused(proceeding, lambda: record(lawyer, proceeding, "aprehension", "2026-03-01"), "type")


@pytest.mark.parametrize(
    ("type", "on", "field"),
    [
        ("no_such_act", "2026-03-05", "type"),
        ("aprehension", None, "occurred_on"),
        ("aprehension", "1989-12-31", "occurred_on"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(lawyer, proceeding, type, on, field) -> None:
    record(lawyer, proceeding, "denuncia", "2026-03-02")
    refused(proceeding, lambda: record(lawyer, proceeding, type, on), field)


def test_acts_may_not_be_dated_in_the_future(lawyer, proceeding) -> None:
    today = timezone.localdate()
    message = refused(
        proceeding,
        lambda: record(lawyer, proceeding, "denuncia", today + dt.timedelta(days=1)),
        "occurred_on",
    )
    assert "futuro" in message
    record(lawyer, proceeding, "denuncia", today)  # today is fine
    assert Proceeding.objects.get(pk=proceeding.pk).complaint_on == today


# ----------------------------------------------------------------------------- sentences


@pytest.fixture
def at_trial(lawyer, proceeding) -> Proceeding:
    record(lawyer, proceeding, "denuncia", "2026-01-05")
    record(lawyer, proceeding, "imputacion", "2026-02-02")
    record(lawyer, proceeding, "acusacion", "2026-05-04")
    record(lawyer, proceeding, "inicio_juicio", "2026-08-03")
    return proceeding


@pytest.mark.parametrize(
    ("outcome", "years", "field"),
    [
        ("", None, "outcome"),
        ("guilty", Decimal("5"), "outcome"),
        (SentenceOutcome.ACQUITTAL, Decimal("5"), "sentence_years"),
        (SentenceOutcome.ACQUITTAL, Decimal("0"), "sentence_years"),
        (SentenceOutcome.CONVICTION, None, "sentence_years"),
        (SentenceOutcome.CONVICTION, Decimal("0"), "sentence_years"),
        (SentenceOutcome.MIXED, None, "sentence_years"),
        (SentenceOutcome.CONVICTION, Decimal("-3"), "sentence_years"),
        (SentenceOutcome.CONVICTION, Decimal("60.5"), "sentence_years"),
    ],
)
def test_a_sentence_needs_a_consistent_outcome_and_years(
    lawyer, at_trial, outcome, years, field
) -> None:
    refused(
        at_trial,
        lambda: record(
            lawyer, at_trial, "sentencia", "2026-10-05", outcome=outcome, sentence_years=years
        ),
        field,
    )


@pytest.mark.parametrize(
    ("outcome", "years"),
    [("conviction", Decimal("15.5")), ("mixed", Decimal("60")), ("acquittal", None)],
)
def test_a_valid_sentence_is_recorded(lawyer, at_trial, outcome, years) -> None:
    sentence = record(
        lawyer, at_trial, "sentencia", "2026-10-05", outcome=outcome, sentence_years=years
    )
    sentence.refresh_from_db()
    assert (sentence.outcome, sentence.sentence_years) == (outcome, years)
    at_trial.refresh_from_db()
    assert at_trial.stage == "sentenced"
    # 15 business days to appeal from Mon 5 Oct 2026 (La Paz): 6..9 Oct = 1..4,
    # 12..16 = 5..9, 19..23 = 10..14, Mon 26 Oct = 15 (17 Oct, Día de la Dignidad, is a
    # Saturday).
    assert deadlines(at_trial)["apelacion"].due_at == end_of(d("2026-10-26"))


def test_only_a_sentence_carries_an_outcome_or_years(lawyer, at_trial) -> None:
    refused(
        at_trial,
        lambda: record(lawyer, at_trial, "medidas_proteccion", "2026-09-01", outcome="conviction"),
        "outcome",
    )
    refused(
        at_trial,
        lambda: record(
            lawyer, at_trial, "medidas_proteccion", "2026-09-01", sentence_years=Decimal("3")
        ),
        "outcome",
    )


# ----------------------------------------------------------------------------- corrections


def test_a_correction_supersedes_keeps_history_and_recomputes(lawyer, proceeding) -> None:
    record(lawyer, proceeding, "denuncia", "2026-06-01")
    notice = record(lawyer, proceeding, "aviso_inicio", "2026-06-02")
    record(lawyer, proceeding, "aprehension", "2026-06-03", "10:00")
    rows = deadlines(proceeding)
    arrest_row, notice_row = rows["imputacion_24h"], rows["investigacion_preliminar"]
    for row in (arrest_row, notice_row):  # alerts already sent (as the alert job writes them)
        DeadlineAlert(deadline=row, user=lawyer.user, lead=dt.timedelta(hours=12)).save()

    # The notice was on Fri 5 Jun, not Tue 2 Jun. 20 business days from 5 Jun (La Paz):
    # 8..12 Jun = 1..5, 15..19 = 6..10, Mon 22: Año Nuevo Aymara (observed), 23..26 = 11..14,
    # 29, 30 Jun, 1, 2, 3 Jul = 15..19, Mon 6 Jul = 20.
    correction = record(lawyer, proceeding, "aviso_inicio", "2026-06-05", corrects=notice)
    assert correction.supersedes == notice
    assert is_superseded(event=notice)
    assert list(event_history(proceeding=proceeding)).count(notice) == 1  # history kept
    assert notice not in effective_events(proceeding=proceeding)
    assert event_get(proceeding=proceeding, event_id=notice.pk) == notice

    rows = deadlines(proceeding)
    # the notice's deadline now starts from the correction, with its new due date
    assert rows["investigacion_preliminar"].start_event == correction
    assert rows["investigacion_preliminar"].due_at == end_of(d("2026-07-06"))
    assert not Deadline.objects.filter(pk=notice_row.pk).exists()
    # the arrest's deadline did not change: same row, its alert kept
    assert rows["imputacion_24h"].pk == arrest_row.pk
    assert DeadlineAlert.objects.filter(deadline=arrest_row).count() == 1

    line = CaseEvent.objects.filter(case=proceeding.case).order_by("-pk")[0]
    assert (line.data["what"], line.data["event"], line.data["on"]) == (
        "corrected",
        "aviso_inicio",
        "2026-06-05",
    )
    audit = AuditEvent.objects.order_by("-pk")[0]
    assert (audit.object_id, audit.fields) == (
        str(correction.pk),
        ["occurred_on", "supersedes", "type"],
    )


def test_correcting_the_stopping_act_changes_the_state_not_the_row(lawyer, proceeding) -> None:
    record(lawyer, proceeding, "denuncia", "2026-06-01")
    record(lawyer, proceeding, "aprehension", "2026-06-03", "10:00")
    charge = record(lawyer, proceeding, "imputacion", "2026-06-04", "09:00")
    row = deadlines(proceeding)["imputacion_24h"]
    DeadlineAlert(deadline=row, user=lawyer.user, lead=dt.timedelta(hours=4)).save()
    assert row.state == "met"
    # the charge was at 11:00, an hour after the 24 h (due 4 Jun 10:00)
    fixed = record(lawyer, proceeding, "imputacion", "2026-06-04", "11:00", corrects=charge)
    again = deadlines(proceeding)["imputacion_24h"]
    assert (again.pk, again.state, again.end_event) == (row.pk, "late", fixed)
    assert DeadlineAlert.objects.filter(deadline=row).count() == 1
    # the stage now dates from the corrected act (same day)
    proceeding.refresh_from_db()
    assert proceeding.stage == "preparatory"


def test_a_correction_that_breaks_the_sequence_is_refused(lawyer, proceeding) -> None:
    complaint = record(lawyer, proceeding, "denuncia", "2026-06-01")
    record(lawyer, proceeding, "aviso_inicio", "2026-06-02")
    # a complaint after the notice to the judge: the notice would come first
    refused(
        proceeding,
        lambda: record(lawyer, proceeding, "denuncia", "2026-06-10", corrects=complaint),
        "type",
    )
    # correcting an act with an act of another type is checked the same way
    refused(
        proceeding,
        lambda: record(lawyer, proceeding, "imputacion", "2026-06-01", corrects=complaint),
        "type",
    )


def test_a_superseded_or_void_act_cannot_be_corrected_again(lawyer, proceeding) -> None:
    complaint = record(lawyer, proceeding, "denuncia", "2026-06-01")
    record(lawyer, proceeding, "denuncia", "2026-05-29", corrects=complaint)
    message = refused(
        proceeding,
        lambda: record(lawyer, proceeding, "denuncia", "2026-05-28", corrects=complaint),
    )
    assert "corregido o anulado" in message
    arrest = record(lawyer, proceeding, "aprehension", "2026-06-02")
    event_void(membership=lawyer, case=proceeding.case, proceeding=proceeding, event=arrest)
    refused(
        proceeding,
        lambda: record(lawyer, proceeding, "aprehension", "2026-06-03", corrects=arrest),
    )


def test_an_act_of_another_proceeding_cannot_be_corrected_here(lawyer, proceeding) -> None:
    other = proceeding_create(
        membership=lawyer,
        case=proceeding.case,
        data=ProceedingData(department=Department.objects.get(code="02")),
    )
    foreign = record(lawyer, other, "denuncia", "2026-06-01")
    refused(
        proceeding,
        lambda: record(lawyer, proceeding, "denuncia", "2026-06-01", corrects=foreign),
    )
    with pytest.raises(Http404):
        event_get(proceeding=proceeding, event_id=foreign.pk)


def test_a_same_day_correction_keeps_its_place_among_that_days_acts(lawyer, proceeding) -> None:
    # complaint and notice on the same day, without times: the recording order puts the
    # complaint first. Its correction is recorded last, yet takes the complaint's place.
    complaint = record(lawyer, proceeding, "denuncia", "2026-06-01")
    record(lawyer, proceeding, "aviso_inicio", "2026-06-01")
    fixed = record(lawyer, proceeding, "denuncia", "2026-06-01", corrects=complaint)
    assert fixed.pk > complaint.pk
    assert fixed.supersedes == complaint
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.complaint_on) == ("preliminary", d("2026-06-01"))
    # and a later act still fits after both
    record(lawyer, proceeding, "imputacion", "2026-06-15")


# ----------------------------------------------------------------------------- void


def test_voiding_an_act_withdraws_it_and_its_deadlines(lawyer, proceeding) -> None:
    record(lawyer, proceeding, "denuncia", "2026-06-01")
    notice = record(lawyer, proceeding, "aviso_inicio", "2026-06-02")
    row = deadlines(proceeding)["investigacion_preliminar"]
    DeadlineAlert(deadline=row, user=lawyer.user, lead=dt.timedelta(days=1)).save()
    timeline_before = CaseEvent.objects.filter(case=proceeding.case).count()

    void = event_void(membership=lawyer, case=proceeding.case, proceeding=proceeding, event=notice)

    assert (void.is_void, void.supersedes, void.type) == (True, notice, "aviso_inicio")
    assert [e.type for e in effective_events(proceeding=proceeding)] == ["denuncia"]
    assert event_history(proceeding=proceeding).count() == 3  # nothing is deleted
    assert set(deadlines(proceeding)) == {"duracion_maxima"}
    assert not DeadlineAlert.objects.filter(deadline_id=row.pk).exists()
    audit = AuditEvent.objects.order_by("-pk")[0]
    assert (audit.action, audit.object_id, audit.fields) == (
        Action.DELETE,
        str(notice.pk),
        ["type"],
    )
    line = CaseEvent.objects.filter(case=proceeding.case).order_by("-pk")[0]
    assert CaseEvent.objects.filter(case=proceeding.case).count() == timeline_before + 1
    assert (line.data["what"], line.data["event"]) == ("voided", "aviso_inicio")
    # a notice may be recorded again (once counts effective acts only)
    record(lawyer, proceeding, "aviso_inicio", "2026-06-03")


def test_voiding_the_only_act_returns_the_proceeding_to_its_start(lawyer, proceeding) -> None:
    complaint = record(lawyer, proceeding, "denuncia", "2026-06-01")
    event_void(membership=lawyer, case=proceeding.case, proceeding=proceeding, event=complaint)
    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.stage_since, proceeding.complaint_on) == (
        "start",
        None,
        None,
    )
    assert not Deadline.objects.filter(proceeding=proceeding).exists()


def test_voiding_an_act_that_later_acts_depend_on_is_refused(lawyer, proceeding) -> None:
    record(lawyer, proceeding, "denuncia", "2026-03-02")
    charge = record(lawyer, proceeding, "imputacion", "2026-03-09")
    record(lawyer, proceeding, "acusacion", "2026-06-01")
    message = refused(
        proceeding,
        lambda: event_void(
            membership=lawyer, case=proceeding.case, proceeding=proceeding, event=charge
        ),
        "type",
    )
    assert "Acusación" in message  # the act that would no longer fit
    assert "Etapa preparatoria" in message


def test_a_void_or_superseded_act_cannot_be_voided(lawyer, proceeding) -> None:
    complaint = record(lawyer, proceeding, "denuncia", "2026-03-02")
    arrest = record(lawyer, proceeding, "aprehension", "2026-03-03")
    void = event_void(membership=lawyer, case=proceeding.case, proceeding=proceeding, event=arrest)
    for event in (arrest, void):
        refused(
            proceeding,
            lambda event=event: event_void(
                membership=lawyer, case=proceeding.case, proceeding=proceeding, event=event
            ),
        )
    record(lawyer, proceeding, "denuncia", "2026-03-01", corrects=complaint)
    refused(
        proceeding,
        lambda: event_void(
            membership=lawyer, case=proceeding.case, proceeding=proceeding, event=complaint
        ),
    )


# ----------------------------------------------------------------------------- who may


def test_only_those_who_may_open_the_case_reach_its_proceedings(
    cast, org, make_member, lawyer, proceeding
) -> None:
    case = proceeding.case
    for role in ("lawyer", "coordinator", "supervisor"):
        member = Membership.objects.get(user=cast[role], organisation=org)
        seen = case_get_for_user(membership=member, case_id=case.pk)
        assert proceeding_get(case=seen, proceeding_id=proceeding.pk) == proceeding
    other_lawyer = make_member(Role.LAWYER, org, "lawyer-2@example.org")
    for user in (other_lawyer, cast["analyst"], cast["outsider"], cast["psychologist"]):
        member = Membership.objects.get(user=user)
        with pytest.raises(Http404):
            case_get_for_user(membership=member, case_id=case.pk)
    with pytest.raises(Http404):
        case_get_for_user(membership=None, case_id=case.pk)
    # a proceeding is only found through its own case
    other_case = open_case(cast["lawyer"])
    with pytest.raises(Http404):
        proceeding_get(case=other_case, proceeding_id=proceeding.pk)


def test_the_services_check_again_and_write_nothing_for_the_wrong_member(
    cast, org, lawyer, proceeding
) -> None:
    complaint = record(lawyer, proceeding, "denuncia", "2026-03-02")
    case: Case = proceeding.case
    for who in ("analyst", "outsider"):
        member = Membership.objects.get(user=cast[who])
        before = snapshot(proceeding)
        with pytest.raises(Http404):
            event_record(
                membership=member,
                case=case,
                proceeding=proceeding,
                data=EventData(type="aprehension", occurred_on=d("2026-03-03")),
            )
        with pytest.raises(Http404):
            event_void(membership=member, case=case, proceeding=proceeding, event=complaint)
        with pytest.raises(Http404):
            proceeding_create(
                membership=member,
                case=case,
                data=ProceedingData(department=Department.objects.get(code="02")),
            )
        assert snapshot(proceeding) == before
        assert Proceeding.objects.filter(case=case).count() == 1
