"""The deadline engine against dates computed by hand, with Bolivia's pack and the `holidays`
package (country BO). Every expected date is worked out in the comment above it.

Counting (CPP 130, as the pack encodes it): business days start the day after the act and skip
Saturdays, Sundays, national and departmental holidays and the judicial vacations of
calendar.toml; hours run on; calendar days and months skip nothing. A day-based deadline is
due at the end of its last day (23:59:59, America/La_Paz, UTC-4 all year).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from jurisdictions.calendar import JudicialCalendar, due_at
from jurisdictions.procedure import DeadlineRule, Procedure, rules_for
from proceedings.engine import (
    Clock,
    Step,
    TransitionError,
    current_stage,
    deadlines,
    recording_order,
    replay,
)

LA_PAZ_TZ = "America/La_Paz"
ZONE = ZoneInfo(LA_PAZ_TZ)
_order = count(1)


def bo() -> Procedure:
    return rules_for("bo")


def calendar(department: str) -> JudicialCalendar:
    """A department of Bolivia by its INE code, with its ISO 3166-2 subdivision."""
    iso = {"02": "BO-L", "03": "BO-C", "07": "BO-S"}[department]
    return JudicialCalendar(bo(), department, iso)


def step(type: str, on: str, at: str | None = None) -> Step:
    """An event as recorded, in recording order (each call is recorded after the previous)."""
    n = next(_order)
    time = dt.time.fromisoformat(at) if at else None
    return Step(key=n, type=type, on=dt.date.fromisoformat(on), time=time, order=n)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 59, 59), tzinfo=ZONE)


def at(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment).replace(tzinfo=ZONE)


def clocks(
    steps: list[Step], department: str = "02", charged: tuple[str, ...] = ()
) -> dict[str, Clock]:
    found = deadlines(bo(), steps, calendar(department), LA_PAZ_TZ, charged)
    by_rule: dict[str, Clock] = {}
    for clock in found:
        assert clock.rule.code not in by_rule, f"two clocks for {clock.rule.code}"
        by_rule[clock.rule.code] = clock
    return by_rule


# Acts that lead to the stages where the deadlines under test start.
def to_trial(start: str = "2025-06-02") -> list[Step]:
    return [
        step("denuncia", start),
        step("imputacion", "2025-07-01"),
        step("acusacion", "2025-12-01"),
        step("inicio_juicio", "2026-01-12"),
    ]


def to_appeal_ruling() -> list[Step]:
    return [*to_trial(), step("sentencia", "2026-02-02"), step("apelacion", "2026-02-20")]


# ----------------------------------------------------------------------------- the calendar


def test_why_a_day_does_not_count() -> None:
    la_paz = calendar("02")
    assert la_paz.closed_because(dt.date(2026, 12, 19)) == "weekend"  # Saturday
    assert la_paz.closed_because(dt.date(2026, 12, 23)) == ""  # Wednesday, before vacation
    assert la_paz.closed_because(dt.date(2026, 12, 24)) == "judicial_vacation"  # first day
    assert la_paz.closed_because(dt.date(2026, 12, 25)) == "holiday"  # Navidad
    assert la_paz.closed_because(dt.date(2027, 1, 1)) == "holiday"  # Año Nuevo
    assert la_paz.closed_because(dt.date(2027, 1, 8)) == "judicial_vacation"  # last day
    assert la_paz.closed_because(dt.date(2027, 1, 11)) == ""  # Monday after
    assert la_paz.closed_because(dt.date(2027, 1, 22)) == "holiday"  # Estado Plurinacional
    assert la_paz.closed_because(dt.date(2026, 2, 16)) == "holiday"  # Carnaval (Monday)
    assert la_paz.closed_because(dt.date(2026, 2, 17)) == "holiday"  # Carnaval (Tuesday)
    assert la_paz.closed_because(dt.date(2026, 4, 3)) == "holiday"  # Viernes Santo
    assert la_paz.closed_because(dt.date(2026, 4, 2)) == ""  # Holy Thursday counts in BO
    # departmental days count only in their own department
    assert la_paz.closed_because(dt.date(2026, 7, 16)) == "holiday"
    assert calendar("07").closed_because(dt.date(2026, 7, 16)) == ""
    assert calendar("07").closed_because(dt.date(2026, 9, 24)) == "holiday"
    assert la_paz.closed_because(dt.date(2026, 9, 24)) == ""
    assert calendar("03").closed_because(dt.date(2026, 9, 14)) == "holiday"
    assert la_paz.closed_because(dt.date(2026, 9, 14)) == ""


# ----------------------------------------------------------------------------- business days


def test_twenty_business_days_across_the_year_end_vacation_and_new_year() -> None:
    # Notice to the judge on Fri 18 Dec 2026; 20 business days (investigacion_preliminar).
    # Sat 19, Sun 20: weekend. Mon 21 = 1, Tue 22 = 2, Wed 23 = 3.
    # Thu 24 Dec .. Fri 8 Jan 2027: judicial vacation (it also covers Navidad and Año Nuevo).
    # Sat 9, Sun 10: weekend. Mon 11 = 4, Tue 12 = 5, Wed 13 = 6, Thu 14 = 7, Fri 15 = 8,
    # Mon 18 = 9, Tue 19 = 10, Wed 20 = 11, Thu 21 = 12, Fri 22 Jan: national holiday
    # (Creación del Estado Plurinacional), Mon 25 = 13, Tue 26 = 14, Wed 27 = 15, Thu 28 = 16,
    # Fri 29 = 17, Mon 1 Feb = 18, Tue 2 = 19, Wed 3 Feb = 20.
    found = clocks([step("denuncia", "2026-12-15"), step("aviso_inicio", "2026-12-18")])
    clock = found["investigacion_preliminar"]
    assert clock.started_at == at("2026-12-18T00:00")
    assert clock.due_at == end_of("2027-02-03")
    assert clock.state == "running"


def test_new_year_counts_as_a_holiday_even_without_a_vacation() -> None:
    # The pack has no vacation for 2023/24. Rejection on Thu 28 Dec 2023; 5 business days
    # to object: Fri 29 = 1, Sat 30 and Sun 31: weekend, Mon 1 Jan 2024: Año Nuevo,
    # Tue 2 = 2, Wed 3 = 3, Thu 4 = 4, Fri 5 Jan = 5.
    found = clocks([step("denuncia", "2023-12-11"), step("rechazo", "2023-12-28")])
    assert found["objecion_rechazo"].due_at == end_of("2024-01-05")


def test_an_act_inside_the_vacation_counts_from_its_end() -> None:
    # Rejection on Mon 29 Dec 2025, inside the 26 Dec 2025 .. 9 Jan 2026 vacation.
    # Nothing counts until Fri 9 Jan; Sat 10, Sun 11: weekend; Mon 12 = 1, Tue 13 = 2,
    # Wed 14 = 3, Thu 15 = 4, Fri 16 Jan 2026 = 5.
    found = clocks([step("denuncia", "2025-12-01"), step("rechazo", "2025-12-29")])
    assert found["objecion_rechazo"].due_at == end_of("2026-01-16")


def test_carnaval_2026() -> None:
    # Carnaval 2026: Mon 16 and Tue 17 Feb. Rejection on Thu 12 Feb: Fri 13 = 1,
    # Sat 14, Sun 15: weekend, Mon 16, Tue 17: Carnaval, Wed 18 = 2, Thu 19 = 3, Fri 20 = 4,
    # Mon 23 Feb = 5.
    found = clocks([step("denuncia", "2026-02-02"), step("rechazo", "2026-02-12")])
    assert found["objecion_rechazo"].due_at == end_of("2026-02-23")


def test_carnaval_2027() -> None:
    # Carnaval 2027: Mon 8 and Tue 9 Feb. Rejection on Fri 5 Feb: Sat 6, Sun 7: weekend,
    # Mon 8, Tue 9: Carnaval, Wed 10 = 1, Thu 11 = 2, Fri 12 = 3, Mon 15 = 4, Tue 16 Feb = 5.
    found = clocks([step("denuncia", "2027-01-25"), step("rechazo", "2027-02-05")])
    assert found["objecion_rechazo"].due_at == end_of("2027-02-16")


def test_la_paz_day_counts_in_santa_cruz_but_not_in_la_paz() -> None:
    # Sentence on Mon 13 Jul 2026; 15 business days to appeal.
    # La Paz: Tue 14 = 1, Wed 15 = 2, Thu 16: Día del departamento de La Paz, Fri 17 = 3,
    # Mon 20..Fri 24 = 4..8, Mon 27..Fri 31 = 9..13, Mon 3 Aug = 14, Tue 4 Aug = 15.
    # Santa Cruz: Thu 16 counts, so Tue 14 = 1 .. Fri 31 = 14 and Mon 3 Aug = 15.
    steps = [*to_trial(), step("sentencia", "2026-07-13")]
    assert clocks(steps, "02")["apelacion"].due_at == end_of("2026-08-04")
    assert clocks(steps, "07")["apelacion"].due_at == end_of("2026-08-03")


def test_santa_cruz_day_counts_in_la_paz_but_not_in_santa_cruz() -> None:
    # Rejection on Mon 21 Sep 2026; 5 business days.
    # Santa Cruz: Tue 22 = 1, Wed 23 = 2, Thu 24: Día del departamento de Santa Cruz,
    # Fri 25 = 3, Mon 28 = 4, Tue 29 Sep = 5.
    # La Paz: Tue 22 = 1, Wed 23 = 2, Thu 24 = 3, Fri 25 = 4, Mon 28 Sep = 5.
    steps = [step("denuncia", "2026-09-01"), step("rechazo", "2026-09-21")]
    assert clocks(steps, "07")["objecion_rechazo"].due_at == end_of("2026-09-29")
    assert clocks(steps, "02")["objecion_rechazo"].due_at == end_of("2026-09-28")


def test_cochabamba_day_counts_only_in_cochabamba() -> None:
    # Rejection on Fri 11 Sep 2026; 5 business days.
    # Cochabamba: Sat 12, Sun 13: weekend, Mon 14: Día del departamento de Cochabamba,
    # Tue 15 = 1, Wed 16 = 2, Thu 17 = 3, Fri 18 = 4, Mon 21 Sep = 5.
    # La Paz: Mon 14 = 1, Tue 15 = 2, Wed 16 = 3, Thu 17 = 4, Fri 18 Sep = 5.
    steps = [step("denuncia", "2026-09-01"), step("rechazo", "2026-09-11")]
    assert clocks(steps, "03")["objecion_rechazo"].due_at == end_of("2026-09-21")
    assert clocks(steps, "02")["objecion_rechazo"].due_at == end_of("2026-09-18")


def test_good_friday() -> None:
    # Appeal ruling on Wed 1 Apr 2026; 5 business days for cassation.
    # Thu 2 = 1 (Holy Thursday is not a holiday in Bolivia), Fri 3: Viernes Santo,
    # Sat 4, Sun 5: weekend, Mon 6 = 2, Tue 7 = 3, Wed 8 = 4, Thu 9 Apr = 5.
    steps = [*to_appeal_ruling(), step("auto_de_vista", "2026-04-01")]
    assert clocks(steps)["casacion"].due_at == end_of("2026-04-09")


# ----------------------------------------------------------------------------- hours


def test_the_24_hour_rule_counts_hours_from_the_time_of_the_arrest() -> None:
    # Arrest on Mon 2 Mar 2026 at 22:30: the charge is due 24 hours later, Tue 3 Mar 22:30.
    arrest = [step("denuncia", "2026-03-02"), step("aprehension", "2026-03-02", "22:30")]
    running = clocks(arrest)["imputacion_24h"]
    assert (running.started_at, running.due_at) == (at("2026-03-02T22:30"), at("2026-03-03T22:30"))
    assert (running.state, running.assumed_time) == ("running", False)
    # charged at 21:00 the next day: met; at 23:00: late
    met = clocks([*arrest, step("imputacion", "2026-03-03", "21:00")])["imputacion_24h"]
    assert (met.state, met.ended_at) == ("met", at("2026-03-03T21:00"))
    late = clocks([*arrest, step("imputacion", "2026-03-03", "23:00")])["imputacion_24h"]
    assert (late.state, late.ended_at) == ("late", at("2026-03-03T23:00"))


def test_hours_run_through_weekends_and_holidays() -> None:
    # Arrest on Sat 14 Feb 2026 at 20:00, before Carnaval: due Sun 15 Feb at 20:00.
    steps = [step("denuncia", "2026-02-14"), step("aprehension", "2026-02-14", "20:00")]
    assert clocks(steps)["imputacion_24h"].due_at == at("2026-02-15T20:00")


def test_an_arrest_dated_without_a_time_counts_from_the_start_of_its_day() -> None:
    # Arrest on 2 Mar 2026, no time: the clock starts at 00:00 (flagged as an assumed time),
    # due at 00:00 on 3 Mar.
    arrest = [step("denuncia", "2026-03-01"), step("aprehension", "2026-03-02")]
    clock = clocks(arrest)["imputacion_24h"]
    assert clock.assumed_time is True
    assert (clock.started_at, clock.due_at) == (at("2026-03-02T00:00"), at("2026-03-03T00:00"))
    # A charge dated 3 Mar without a time is taken at the start of that day: on time.
    same = clocks([*arrest, step("imputacion", "2026-03-03")])["imputacion_24h"]
    assert (same.state, same.ended_at) == ("met", at("2026-03-03T00:00"))
    # Dated 4 Mar: late.
    assert clocks([*arrest, step("imputacion", "2026-03-04")])["imputacion_24h"].state == "late"


# ----------------------------------------------------------------------- calendar days, months


def test_calendar_days_do_not_skip_holidays() -> None:
    # A precautionary-measures rule in calendar days (the unit the pack allows for them):
    # measures ordered on Thu 12 Feb 2026 + 10 calendar days = Sun 22 Feb, through Carnaval.
    rule = DeadlineRule(
        "revision_cautelar",
        "Revisión de medidas cautelares",
        "Review of precautionary measures",
        starts_on="cautelares_dispuestas",
        stopped_by=(),
        duration=10,
        unit="calendar_days",
        source="test",
        status="assumed",
    )
    procedure = dataclasses.replace(bo(), deadlines={rule.code: rule})
    steps = [step("denuncia", "2026-02-02"), step("cautelares_dispuestas", "2026-02-12", "16:00")]
    (clock,) = deadlines(procedure, steps, calendar("02"), LA_PAZ_TZ)
    assert clock.due_at == end_of("2026-02-22")
    # and across the year-end vacation: 20 Dec 2026 + 10 days = 30 Dec (inside it)
    assert due_at(rule, at("2026-12-20T09:00"), calendar("02"), LA_PAZ_TZ) == end_of("2026-12-30")


def test_months_do_not_skip_holidays_or_vacations() -> None:
    # Charge on Mon 31 Aug 2026: the preparatory stage lasts 6 months: 31 Feb 2027 does not
    # exist, so the last day of February: Sun 28 Feb 2027 (a Sunday, not moved).
    steps = [step("denuncia", "2026-08-03"), step("imputacion", "2026-08-31")]
    assert clocks(steps)["etapa_preparatoria"].due_at == end_of("2027-02-28")
    # Pre-trial detention ordered on Mon 29 Dec 2025, inside a vacation: 12 months end on
    # Tue 29 Dec 2026, inside the next vacation, and stay there.
    detention = [
        step("denuncia", "2025-12-01"),
        step("imputacion", "2025-12-15"),
        step("detencion_preventiva", "2025-12-29"),
    ]
    assert clocks(detention)["detencion_sin_acusacion"].due_at == end_of("2026-12-29")
    # The whole proceeding: 36 months from a denuncia on 29 Feb 2024 = 28 Feb 2027.
    assert clocks([step("denuncia", "2024-02-29")])["duracion_maxima"].due_at == end_of(
        "2027-02-28"
    )


# ----------------------------------------------------------------------------- states


def test_a_deadline_met_by_a_stopping_act() -> None:
    # Notice on Mon 2 Mar 2026; 20 business days: 3..6 Mar = 1..4, 9..13 = 5..9,
    # 16..20 = 10..14, 23..27 = 15..19, Mon 30 Mar = 20 (Good Friday is 3 Apr, after).
    # Charged on 20 Mar: met.
    steps = [
        step("denuncia", "2026-02-27"),
        step("aviso_inicio", "2026-03-02"),
        step("imputacion", "2026-03-20"),
    ]
    clock = clocks(steps)["investigacion_preliminar"]
    assert clock.due_at == end_of("2026-03-30")
    assert (clock.state, clock.end, clock.ended_at) == ("met", steps[2], end_of("2026-03-20"))


def test_an_act_on_the_last_day_is_on_time_and_one_day_later_is_late() -> None:
    # Rejection on Mon 2 Mar 2026; 5 business days: Tue 3..Fri 6 = 1..4, Mon 9 Mar = 5.
    base = [step("denuncia", "2026-02-27"), step("rechazo", "2026-03-02")]
    on_time = clocks([*base, step("objecion_rechazo", "2026-03-09")])["objecion_rechazo"]
    assert (on_time.due_at, on_time.state) == (end_of("2026-03-09"), "met")
    late = clocks([*base, step("objecion_rechazo", "2026-03-10")])["objecion_rechazo"]
    assert late.state == "late"


def test_a_deadline_ends_without_verdict_when_the_proceeding_ends() -> None:
    # The preparatory stage runs from the charge; the criminal action is extinguished
    # before any indictment: the stage's limit neither was met nor missed: "ended".
    steps = [
        step("denuncia", "2026-01-05"),
        step("imputacion", "2026-02-02"),
        step("extincion", "2026-10-01"),
    ]
    found = clocks(steps)
    assert (found["etapa_preparatoria"].state, found["etapa_preparatoria"].end) == (
        "ended",
        steps[2],
    )
    assert found["duracion_maxima"].state == "ended"


def test_the_detention_limit_does_not_apply_to_child_rape() -> None:
    steps = [
        step("denuncia", "2026-01-05"),
        step("imputacion", "2026-01-06"),
        step("detencion_preventiva", "2026-01-07"),
    ]
    # charged with rape (308): 12 months from 7 Jan 2026 = 7 Jan 2027
    running = clocks(steps, charged=("308",))["detencion_sin_acusacion"]
    assert (running.state, running.due_at) == ("running", end_of("2027-01-07"))
    # with child rape (308 bis) among the charges, the limit does not run (CPP 239.4)
    for charged in (("308bis",), ("308", "308bis"), ("252bis",), ("258",)):
        clock = clocks(steps, charged=charged)["detencion_sin_acusacion"]
        assert clock.state == "not_applicable", charged
        assert clock.end is None
    # other deadlines are not affected
    assert clocks(steps, charged=("308bis",))["etapa_preparatoria"].state == "running"


def test_a_second_arrest_does_not_restart_the_running_24_hours() -> None:
    # Two accused arrested on 2 Mar 2026 at 08:00 and 20:00, one charge on 3 Mar at 10:00:
    # one clock, from the first arrest (the earlier, binding limit: 3 Mar 08:00), late.
    first = step("aprehension", "2026-03-02", "08:00")
    steps = [
        step("denuncia", "2026-03-01"),
        first,
        step("aprehension", "2026-03-02", "20:00"),
        step("imputacion", "2026-03-03", "10:00"),
    ]
    found = deadlines(bo(), steps, calendar("02"), LA_PAZ_TZ)
    (clock,) = [c for c in found if c.rule.code == "imputacion_24h"]
    assert (clock.start, clock.due_at, clock.state) == (first, at("2026-03-03T08:00"), "late")


# ----------------------------------------------------------------------------- transitions


def test_an_indictment_before_any_charge_is_refused_with_the_stages_named() -> None:
    steps = [step("denuncia", "2026-03-02"), step("acusacion", "2026-03-05")]
    with translation.override("es"), pytest.raises(TransitionError) as refused:
        replay(bo(), steps)
    message = str(refused.value)
    assert "«Acusación»" in message
    assert "05/03/2026" in message
    assert "«Investigación preliminar»" in message  # where the proceeding stands
    assert message.endswith("Corresponde a: Etapa preparatoria.")  # where it belongs


def test_the_first_act_must_be_one_that_opens_a_proceeding() -> None:
    with translation.override("es"), pytest.raises(TransitionError) as refused:
        replay(bo(), [step("aprehension", "2026-03-02")])
    assert "sin actos registrados" in str(refused.value)
    assert "Investigación preliminar" in str(refused.value)


def test_an_unknown_act_is_refused() -> None:
    with pytest.raises(TransitionError, match="formalizacion"):
        replay(bo(), [step("denuncia", "2026-03-02"), step("formalizacion", "2026-03-05")])


def test_acts_that_happen_once() -> None:
    with translation.override("es"), pytest.raises(TransitionError, match="solo puede haber uno"):
        replay(bo(), [step("denuncia", "2026-03-02"), step("denuncia", "2026-03-03")])
    with pytest.raises(TransitionError, match="Aviso al juez"):
        replay(
            bo(),
            [
                step("denuncia", "2026-03-02"),
                step("aviso_inicio", "2026-03-03"),
                step("aviso_inicio", "2026-03-04"),
            ],
        )
    # an arrest is not once: two accused may be arrested
    steps = [
        step("denuncia", "2026-03-02"),
        step("aprehension", "2026-03-03"),
        step("aprehension", "2026-03-04"),
    ]
    assert [stage for _, stage in replay(bo(), steps)] == ["preliminary"] * 3


def test_the_stage_follows_the_acts_and_an_act_that_changes_nothing_keeps_it() -> None:
    steps = [
        step("denuncia", "2026-01-05"),
        step("aviso_inicio", "2026-01-06"),
        step("imputacion", "2026-02-02"),
        step("medidas_proteccion", "2026-02-10"),  # no `to`: the stage stays
    ]
    assert [stage for _, stage in replay(bo(), steps)] == [
        "preliminary",
        "preliminary",
        "preparatory",
        "preparatory",
    ]
    assert current_stage(bo(), steps) == ("preparatory", dt.date(2026, 2, 2))
    assert current_stage(bo(), []) == ("start", None)


def test_a_back_dated_act_is_replayed_in_date_order() -> None:
    # Recorded in this order: complaint (1 Mar), charge (10 Mar), then an arrest on 5 Mar
    # learnt of later. Replayed by date, the arrest falls in the preliminary stage: accepted.
    complaint = step("denuncia", "2026-03-01")
    charge = step("imputacion", "2026-03-10")
    arrest = step("aprehension", "2026-03-05", "10:00")
    steps = [complaint, charge, arrest]
    assert [s for s, _ in replay(bo(), steps)] == [complaint, arrest, charge]
    assert current_stage(bo(), steps) == ("preparatory", dt.date(2026, 3, 10))
    # ... and its 24 hours (due 6 Mar 10:00) were closed by the charge on 10 Mar: late
    clock = clocks(steps)["imputacion_24h"]
    assert (clock.due_at, clock.state, clock.end) == (at("2026-03-06T10:00"), "late", charge)
    # A notice to the judge back-dated after the charge does not fit there: refused.
    with pytest.raises(TransitionError, match="Investigación preliminar"):
        replay(bo(), [*steps, step("aviso_inicio", "2026-03-12")])
    # An indictment back-dated before the charge: refused.
    with pytest.raises(TransitionError, match="Etapa preparatoria"):
        replay(bo(), [*steps, step("acusacion", "2026-03-08")])


def test_acts_of_the_same_day() -> None:
    # Without times, the order of recording decides: an arrest recorded before the
    # complaint of the same day comes first, and is refused.
    with pytest.raises(TransitionError):
        replay(bo(), [step("aprehension", "2026-03-02"), step("denuncia", "2026-03-02")])
    # With times, the time decides, whatever the recording order.
    arrest = step("aprehension", "2026-03-02", "10:00")
    complaint = step("denuncia", "2026-03-02", "09:00")
    assert [s for s, _ in replay(bo(), [arrest, complaint])] == [complaint, arrest]
    late_complaint = step("denuncia", "2026-03-02", "15:00")
    with pytest.raises(TransitionError):
        replay(bo(), [arrest, late_complaint])
    # An act without a time comes before the timed acts of its day.
    untimed = step("denuncia", "2026-03-02")
    assert [s for s, _ in replay(bo(), [arrest, untimed])] == [untimed, arrest]


def test_a_correction_takes_the_place_of_the_act_it_corrects() -> None:
    # events 1 (complaint) and 2 (notice) on the same day; 3 corrects 1, 4 corrects 3.
    order = recording_order({1: None, 2: None, 3: 1, 4: 3, 5: None})
    assert order == {1: 1, 2: 2, 3: 1, 4: 1, 5: 5}
    notice = Step(key=2, type="aviso_inicio", on=dt.date(2026, 3, 2), order=order[2])
    corrected = Step(key=4, type="denuncia", on=dt.date(2026, 3, 2), order=order[4])
    assert [s for s, _ in replay(bo(), [notice, corrected])] == [corrected, notice]
