"""The hearing services: good input writes the hearing, its audit event and a timeline line
in one go; bad input is refused with a clear error and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import CaseEvent
from cases.services import case_close, team_remove
from conftest import open_case
from organisations.models import Membership
from proceedings.models import Hearing, HearingStatus, OfficeKind, SuspensionReason
from proceedings.services_hearings import (
    HearingData,
    hearing_record_outcome,
    hearing_reschedule,
    hearing_schedule,
    hearing_update,
)
from proceedings.tests.hearings_setup import (
    COMPLAINT_ON,
    at,
    in_days,
    join_team,
    make_court,
    make_proceeding,
    membership_of,
)


@pytest.fixture
def setting(cast: dict[str, Any]) -> dict[str, Any]:
    case = open_case(cast["lawyer"])
    return {
        "case": case,
        "proceeding": make_proceeding(cast["lawyer"], case),
        "court": make_court(cast["coordinator"]),
        "lawyer": membership_of(cast["lawyer"]),
    }


def _counts() -> tuple[int, int, int]:
    return Hearing.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()


def _data(setting: dict[str, Any], **changes: Any) -> HearingData:
    values: dict[str, Any] = {
        "type": "cautelares",
        "starts_at": in_days(3, hour=10),
        "court": setting["court"],
    }
    return HearingData(**(values | changes))


def _schedule(setting: dict[str, Any], **changes: Any) -> Hearing:
    return hearing_schedule(
        membership=setting["lawyer"],
        case=setting["case"],
        proceeding=setting["proceeding"],
        data=_data(setting, **changes),
    )


def _refused(call: Any) -> dict[str, list[str]]:
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        call()
    assert _counts() == before
    error = caught.value
    return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}


# ----------------------------------------------------------------------------- schedule


def test_it_schedules_a_hearing_with_its_audit_event_and_timeline_line(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    hearing = _schedule(
        setting,
        companions=[cast["psychologist"], cast["lawyer"]],
        survivor_must_attend=True,
        remind_survivor=True,
    )

    hearing.refresh_from_db()
    assert hearing.organisation_id == setting["case"].organisation_id
    assert hearing.status == HearingStatus.SCHEDULED
    assert hearing.starts_at == in_days(3, hour=10)
    assert timezone.is_aware(hearing.starts_at)
    assert set(hearing.companions.all()) == {cast["psychologist"], cast["lawyer"]}
    assert hearing.survivor_must_attend
    assert hearing.remind_survivor
    line = CaseEvent.objects.filter(case=setting["case"]).first()
    assert line is not None
    assert line.object_id == hearing.pk
    assert line.data == {
        "proceeding": setting["proceeding"].pk,
        "what": "hearing_scheduled",
        "hearing": hearing.pk,
        "type": "cautelares",
    }
    audit = AuditEvent.objects.filter(object_type="proceedings.hearing").get()
    assert audit.action == "create"
    assert audit.object_id == str(hearing.pk)
    assert audit.actor_id == cast["lawyer"].pk
    assert "court" in audit.fields
    assert "starts_at" in audit.fields


def test_it_takes_a_hearing_on_the_day_of_the_denuncia_in_la_paz_time(setting):
    hearing = _schedule(setting, starts_at=at(COMPLAINT_ON, hour=0, minute=30))
    assert hearing.pk is not None


def test_it_refuses_a_hearing_the_evening_before_the_denuncia_though_utc_says_same_day(
    setting,
):
    # 23:30 in La Paz on 1 March is 03:30 UTC on 2 March, the day of the denuncia.
    evening = at(COMPLAINT_ON - dt.timedelta(days=1), hour=23, minute=30)
    assert evening.astimezone(dt.UTC).date() == COMPLAINT_ON
    errors = _refused(lambda: _schedule(setting, starts_at=evening))
    assert "02/03/2026" in errors["starts_at"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "tea_party"}, "type"),
        ({"type": ""}, "type"),
        ({"court": None}, "court"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": dt.datetime(2026, 12, 1, 9, 0)}, "starts_at"),  # noqa: DTZ001 naive on purpose
        ({"starts_at": at(dt.date(2026, 2, 1))}, "starts_at"),
        ({"starts_at": in_days(6 * 366)}, "starts_at"),
    ],
    ids=["unknown type", "no type", "no court", "no date", "naive", "before denuncia", "far"],
)
def test_it_refuses_bad_input_and_writes_nothing(setting, changes, field):
    errors = _refused(lambda: _schedule(setting, **changes))
    assert list(errors) == [field]


def test_it_refuses_an_inactive_court(cast, setting):
    closed = make_court(cast["coordinator"], "Juzgado cerrado", active=False)
    errors = _refused(lambda: _schedule(setting, court=closed))
    assert errors["court"] == ["Elige un juzgado o tribunal activo del directorio."]


def test_it_refuses_a_prosecutors_office_as_the_court(cast, setting):
    office = make_court(cast["coordinator"], "Fiscalía de El Alto", kind=OfficeKind.PROSECUTOR)
    assert list(_refused(lambda: _schedule(setting, court=office))) == ["court"]


@pytest.mark.parametrize("who", ["outsider", "deactivated", "analyst", "org_admin"])
def test_it_refuses_a_companion_who_cannot_work_cases_here(cast, setting, who):
    errors = _refused(lambda: _schedule(setting, companions=[cast["lawyer"], cast[who]]))
    assert list(errors) == ["companions"]


def test_it_refuses_a_companion_whose_account_was_disabled(cast, setting):
    join_team(setting["case"], cast["psychologist"])  # on the team: only the account stops her
    cast["psychologist"].is_active = False
    cast["psychologist"].save(update_fields=["is_active"])
    assert list(_refused(lambda: _schedule(setting, companions=[cast["psychologist"]]))) == [
        "companions"
    ]


def test_it_refuses_a_companion_who_cannot_open_the_case(cast, setting):
    # The psychologist works cases in this organisation but is not on this case's team: she
    # would see the hearing in her calendar and feed without being able to open the case.
    errors = _refused(lambda: _schedule(setting, companions=[cast["psychologist"]]))
    assert errors == {
        "companions": [
            "Quien acompaña debe poder abrir este caso: súmala primero al equipo del caso."
        ]
    }


def test_it_takes_team_members_coordinators_and_supervisors_as_companions(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    companions = [cast["psychologist"], cast["coordinator"], cast["supervisor"]]
    hearing = _schedule(setting, companions=companions)
    assert set(hearing.companions.all()) == set(companions)


def test_it_refuses_a_companion_removed_from_the_team(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    team_remove(
        membership=membership_of(cast["coordinator"]),
        case=setting["case"],
        user_id=cast["psychologist"].pk,
    )
    assert list(_refused(lambda: _schedule(setting, companions=[cast["psychologist"]]))) == [
        "companions"
    ]


def test_it_asks_for_the_denuncia_first(cast, setting):
    proceeding = make_proceeding(cast["lawyer"], setting["case"], complaint_on=None)
    errors = _refused(
        lambda: hearing_schedule(
            membership=setting["lawyer"],
            case=setting["case"],
            proceeding=proceeding,
            data=_data(setting),
        )
    )
    assert "Registra primero la denuncia" in errors["starts_at"][0]


def test_it_refuses_a_hearing_in_a_closed_case(setting):
    case_close(
        membership=setting["lawyer"],
        case=setting["case"],
        reason="other",
        closed_on=timezone.localdate(),
    )
    errors = _refused(lambda: _schedule(setting))
    assert "cerrado" in errors[""][0]


def test_it_answers_404_to_a_member_of_another_organisation(cast, setting):
    before = _counts()
    with pytest.raises(Http404):
        hearing_schedule(
            membership=membership_of(cast["outsider"]),
            case=setting["case"],
            proceeding=setting["proceeding"],
            data=_data(setting),
        )
    assert _counts() == before


def test_it_answers_404_to_a_role_that_does_not_work_cases(cast, setting):
    with pytest.raises(Http404):
        hearing_schedule(
            membership=membership_of(cast["analyst"]),
            case=setting["case"],
            proceeding=setting["proceeding"],
            data=_data(setting),
        )


def test_it_answers_404_for_a_proceeding_of_another_case(cast, setting):
    other = open_case(cast["lawyer"])
    with pytest.raises(Http404):
        hearing_schedule(
            membership=setting["lawyer"],
            case=other,
            proceeding=setting["proceeding"],
            data=_data(setting),
        )


# ----------------------------------------------------------------------------- update


def test_it_corrects_a_scheduled_hearing(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    hearing = _schedule(setting, companions=[cast["lawyer"]])
    other_court = make_court(cast["coordinator"], "Tribunal 2º de Sentencia")
    hearing_update(
        membership=setting["lawyer"],
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=hearing,
        data=_data(
            setting,
            court=other_court,
            starts_at=in_days(4, hour=15),
            companions=[cast["psychologist"]],
        ),
    )
    hearing.refresh_from_db()
    assert hearing.court == other_court
    assert hearing.starts_at == in_days(4, hour=15)
    assert list(hearing.companions.all()) == [cast["psychologist"]]
    audit = AuditEvent.objects.filter(object_type="proceedings.hearing", action="update").get()
    assert audit.fields == ["companions", "court", "starts_at"]
    assert CaseEvent.objects.filter(case=setting["case"]).first().data["what"] == (
        "hearing_updated"
    )


def test_it_refuses_a_correction_to_a_companion_who_cannot_open_the_case(cast, setting):
    hearing = _schedule(setting, companions=[cast["lawyer"]])
    errors = _refused(
        lambda: hearing_update(
            membership=setting["lawyer"],
            case=setting["case"],
            proceeding=setting["proceeding"],
            hearing=hearing,
            data=_data(setting, companions=[cast["psychologist"]]),
        )
    )
    assert errors["companions"][0].startswith("Quien acompaña debe poder abrir este caso")
    assert list(hearing.companions.all()) == [cast["lawyer"]]
    assert not AuditEvent.objects.filter(object_type="proceedings.hearing", action="update")


def test_it_refuses_to_correct_a_hearing_with_an_outcome(setting):
    hearing = _schedule(setting, starts_at=in_days(-1))
    hearing_record_outcome(
        membership=setting["lawyer"],
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=hearing,
        status=HearingStatus.HELD,
    )
    errors = _refused(
        lambda: hearing_update(
            membership=setting["lawyer"],
            case=setting["case"],
            proceeding=setting["proceeding"],
            hearing=hearing,
            data=_data(setting),
        )
    )
    assert "ya tiene resultado" in errors[""][0]


def test_it_refuses_a_correction_before_the_denuncia(setting):
    hearing = _schedule(setting)
    _refused(
        lambda: hearing_update(
            membership=setting["lawyer"],
            case=setting["case"],
            proceeding=setting["proceeding"],
            hearing=hearing,
            data=_data(setting, starts_at=at(dt.date(2026, 1, 5))),
        )
    )
    hearing.refresh_from_db()
    assert hearing.starts_at == in_days(3, hour=10)


# ----------------------------------------------------------------------------- outcome


def _outcome(setting: dict[str, Any], hearing: Hearing, status: str, reason: str = "") -> Hearing:
    return hearing_record_outcome(
        membership=setting["lawyer"],
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=hearing,
        status=status,
        suspension_reason=reason,
    )


def test_it_records_a_held_hearing_once_its_time_has_come(setting):
    hearing = _schedule(setting, starts_at=in_days(-2))
    _outcome(setting, hearing, HearingStatus.HELD)
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.HELD
    line = CaseEvent.objects.filter(case=setting["case"]).first()
    assert line.data["what"] == "hearing_held"
    assert "reason" not in line.data


def test_it_refuses_a_hearing_held_before_it_starts(setting):
    hearing = _schedule(setting)
    errors = _refused(lambda: _outcome(setting, hearing, HearingStatus.HELD))
    assert list(errors) == ["status"]
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SCHEDULED


def test_it_records_a_suspension_with_its_coded_reason(setting):
    hearing = _schedule(setting)  # suspended in advance: allowed before its time
    _outcome(setting, hearing, HearingStatus.SUSPENDED, SuspensionReason.JUDGE_ABSENT)
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SUSPENDED
    assert hearing.suspension_reason == "judge_absent"
    line = CaseEvent.objects.filter(case=setting["case"]).first()
    assert line.data["what"] == "hearing_suspended"
    assert line.data["reason"] == "judge_absent"
    audit = AuditEvent.objects.filter(object_type="proceedings.hearing", action="update").get()
    assert audit.fields == ["status", "suspension_reason"]


def test_it_records_a_cancellation_any_time(setting):
    hearing = _schedule(setting)
    _outcome(setting, hearing, HearingStatus.CANCELLED)
    assert CaseEvent.objects.filter(case=setting["case"]).first().data["what"] == (
        "hearing_cancelled"
    )


@pytest.mark.parametrize(
    ("status", "reason", "field"),
    [
        ("suspended", "", "suspension_reason"),
        ("suspended", "the_moon", "suspension_reason"),
        ("cancelled", "judge_absent", "suspension_reason"),
        ("scheduled", "", "status"),
        ("postponed", "", "status"),
    ],
)
def test_it_refuses_a_bad_outcome(setting, status, reason, field):
    hearing = _schedule(setting)
    errors = _refused(lambda: _outcome(setting, hearing, status, reason))
    assert list(errors) == [field]


def test_it_refuses_a_second_outcome(setting):
    hearing = _schedule(setting)
    _outcome(setting, hearing, HearingStatus.CANCELLED)
    errors = _refused(lambda: _outcome(setting, hearing, HearingStatus.SUSPENDED, "other"))
    assert "Cancelada" in errors[""][0]


def test_it_refuses_an_outcome_recorded_meanwhile_by_someone_else(setting):
    hearing = _schedule(setting)
    stale = Hearing.objects.get(pk=hearing.pk)
    _outcome(setting, hearing, HearingStatus.CANCELLED)
    _refused(lambda: _outcome(setting, stale, HearingStatus.SUSPENDED, "other"))
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.CANCELLED


# ----------------------------------------------------------------------------- reschedule


def _reschedule(
    setting: dict[str, Any], hearing: Hearing, starts_at: Any, reason: str = ""
) -> Hearing:
    return hearing_reschedule(
        membership=setting["lawyer"],
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=hearing,
        starts_at=starts_at,
        suspension_reason=reason,
    )


def test_it_reschedules_a_suspended_hearing_into_a_chain_readable_both_ways(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    first = _schedule(setting, companions=[cast["psychologist"]], survivor_must_attend=True)
    _outcome(setting, first, HearingStatus.SUSPENDED, SuspensionReason.NOT_NOTIFIED)
    second = _reschedule(setting, first, in_days(20, hour=11))

    second.refresh_from_db()
    first.refresh_from_db()
    assert second.rescheduled_from == first
    assert first.rescheduled_to == second
    assert (second.type, second.court, second.status) == (first.type, first.court, "scheduled")
    assert second.survivor_must_attend
    assert list(second.companions.all()) == [cast["psychologist"]]
    assert first.status == HearingStatus.SUSPENDED  # unchanged
    line = CaseEvent.objects.filter(case=setting["case"]).first()
    assert line.object_id == second.pk
    assert line.data["what"] == "hearing_rescheduled"
    assert line.data["reason"] == "not_notified"
    assert line.data["previous"] == first.pk


def test_it_suspends_a_scheduled_hearing_it_reschedules_with_the_reason_given(setting):
    first = _schedule(setting)
    second = _reschedule(setting, first, in_days(30), SuspensionReason.DEFENCE_ABSENT)
    first.refresh_from_db()
    assert first.status == HearingStatus.SUSPENDED
    assert first.suspension_reason == "defence_absent"
    whats = [e.data["what"] for e in CaseEvent.objects.filter(case=setting["case"])[:2]]
    assert whats == ["hearing_rescheduled", "hearing_suspended"]
    assert second.rescheduled_from_id == first.pk


def test_it_needs_the_reason_to_reschedule_a_scheduled_hearing(setting):
    first = _schedule(setting)
    errors = _refused(lambda: _reschedule(setting, first, in_days(30)))
    assert list(errors) == ["suspension_reason"]
    first.refresh_from_db()
    assert first.status == HearingStatus.SCHEDULED


def test_it_refuses_to_reschedule_a_held_hearing(setting):
    first = _schedule(setting, starts_at=in_days(-1))
    _outcome(setting, first, HearingStatus.HELD)
    errors = _refused(lambda: _reschedule(setting, first, in_days(30)))
    assert "realizada" in errors[""][0]


def test_it_refuses_to_reschedule_twice(setting):
    first = _schedule(setting)
    _reschedule(setting, first, in_days(30), "other")
    errors = _refused(lambda: _reschedule(setting, first, in_days(40)))
    assert errors[""] == ["Esta audiencia ya fue reprogramada."]


@pytest.mark.parametrize("when", ["earlier", "naive", "before denuncia"])
def test_it_refuses_a_bad_new_date(setting, when):
    first = _schedule(setting)
    starts_at = {
        "earlier": in_days(1),
        "naive": dt.datetime(2026, 12, 30, 9, 0),  # noqa: DTZ001 naive on purpose
        "before denuncia": at(dt.date(2026, 1, 1)),
    }[when]
    errors = _refused(lambda: _reschedule(setting, first, starts_at, "other"))
    assert list(errors) == ["starts_at"]


def test_it_leaves_behind_companions_who_have_left_the_organisation(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    join_team(setting["case"], cast["social_worker"])
    first = _schedule(setting, companions=[cast["psychologist"], cast["social_worker"]])
    Membership.objects.filter(user=cast["social_worker"]).update(is_active=False)
    second = _reschedule(setting, first, in_days(30), "other")
    assert list(second.companions.all()) == [cast["psychologist"]]


def test_it_leaves_behind_companions_who_have_left_the_case_team(cast, setting):
    join_team(setting["case"], cast["psychologist"])
    join_team(setting["case"], cast["social_worker"])
    first = _schedule(setting, companions=[cast["psychologist"], cast["social_worker"]])
    team_remove(
        membership=membership_of(cast["coordinator"]),
        case=setting["case"],
        user_id=cast["social_worker"].pk,
    )
    second = _reschedule(setting, first, in_days(30), "other")
    assert list(second.companions.all()) == [cast["psychologist"]]


def test_it_lets_a_coordinator_off_the_team_reschedule(cast, setting):
    first = _schedule(setting)
    second = hearing_reschedule(
        membership=membership_of(cast["coordinator"]),
        case=setting["case"],
        proceeding=setting["proceeding"],
        hearing=first,
        starts_at=in_days(30),
        suspension_reason="other",
    )
    assert second.created_by_id == cast["coordinator"].pk
