"""Fictional criminal proceedings for the demo cases, written through the real services so that
each one has the events, derived stage and deadlines, hearings, timeline and audit trail it
would have had if a lawyer had typed it in.

Every stage of the Bolivian pack is reached at least once, with the stalls the network sees:
an imputación overdue after an arrest, a preparatory stage past its six months, an appeal
window gone by, hearings suspended two and three times over. Dates count back from today (no
act in the future; hearings ahead fall this week and next, on weekdays), so the demo always
looks current. `plan()` is a pure function of the demo cases; `seed_proceedings()` writes it
and skips a case that already has a proceeding, so seeding again changes nothing.

No real person is named: the accused are recorded by relationship, and the two whose name the
lawyer needed read "Denunciado Ficticio 012". Courts and prosecutors' offices are plausible
institution names, not people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, TypedDict

from django.utils import timezone

from cases.models import Case
from cases.selectors import case_get_for_user, case_ids_for_survivors, incident_list
from core.context import current, set_context
from demo.cases import SEED, DemoCase, _acting, _Lookups, demo_cases
from demo.offices import directory, seat_of
from organisations.models import Membership
from proceedings import services as ps
from proceedings import services_hearings as hs
from proceedings import services_measures as ms
from proceedings.models import ChargeBasis, JusticeOffice, OfficeKind, Proceeding
from proceedings.selectors import proceeding_list
from survivors.models import Relationship, Sex
from survivors.selectors import survivor_matches
from survivors.services import Identity, identity_indexes

K = OfficeKind
# The court that has the file, by the stage reached; the court of each kind of hearing.
COURT_BY_STAGE = {
    **dict.fromkeys(("accused", "trial", "sentenced", "final", "extinguished"), K.SENTENCING_COURT),
    **dict.fromkeys(("appeal", "appeal_decided"), K.APPEAL_COURT),
    **dict.fromkeys(("cassation", "cassation_decided"), K.SUPREME_COURT),
}
COURT_BY_HEARING = {"juicio": K.SENTENCING_COURT, "apelacion": K.APPEAL_COURT}
COMPANIONS: tuple[str, ...] = ("lawyer", "social_worker")  # who goes with her, if on the team
OUTCOMES = {"conviction", "acquittal", "mixed"}
CHILDREN = ("child_rape", "child_abuse")
# Ley 348 art. 46: no salida alternativa where her life or sexual integrity was endangered.
NO_SEXUAL_VIOLENCE = ("domestic_violence", "psychological")
NO_CHILD = ("adult_rape", "domestic_violence", "harassment", "adolescent_estupro")


def acts(docket: str, now: dt.datetime) -> list[ps.EventData]:
    """Parse "denuncia 45, aprehension 3 21:30, sentencia 6 conviction 25": each act with how
    many days ago it happened ("5h": hours ago), then its time, verdict and years if any."""
    parsed = []
    for item in docket.split(","):
        event, ago, *rest = item.split()
        time = next((dt.time.fromisoformat(w) for w in rest if ":" in w), None)
        if ago.endswith("h"):
            moment = now - dt.timedelta(hours=int(ago[:-1]))
            on, time = moment.date(), moment.time().replace(second=0, microsecond=0)
        else:
            on = now.date() - dt.timedelta(days=int(ago))
        outcome = next((w for w in rest if w in OUTCOMES), "")
        years = next((Decimal(w) for w in rest if w.isdigit()), None)
        parsed.append(ps.EventData(event, on, time, outcome, years))
    return parsed


class Sitting(NamedTuple):
    """A hearing and its reschedulings, as "-60 prosecutor_absent, -35 judge_absent, 3": days
    from today of each date, each but the last suspended for the reason given. The last one
    is held, cancelled, suspended (with a reason) or, with nothing after it, still ahead."""

    type: str
    dates: str
    at: str = "09:00"
    attend: bool = False
    remind: bool = False


class Protect(NamedTuple):
    """A protection measure asked for `requested` days ago and what became of it."""

    measure: str
    requested: int
    status: str = ""  # "" still pending, granted or denied
    decided: int = 0
    expires_in: int | None = None  # days from today
    ended: int | None = None  # days ago
    breach: int | None = None  # days ago; reported to the authority the next day


@dataclass(frozen=True)
class Scenario:
    stage: str  # where the acts leave the proceeding (the tests check it)
    docket: str  # the acts, for `acts()`
    kinds: tuple[str, ...] = ()  # demo archetypes it fits (empty: any)
    lawyer: bool = False  # the demo lawyer is on the case: it fills her calendar
    organisation: str = ""  # only in this organisation's cases
    charged: tuple[str, ...] = ()  # the complaint's classification, when not the incident's
    imputed: tuple[str, ...] = ()  # reclassified at the imputación
    hearings: tuple[Sitting, ...] = ()
    measures: tuple[Protect, ...] = ()
    also: tuple[str, ...] = ()  # relationships of further accused
    named: bool = False  # the lawyer needed the accused's (fictional) name

    @property
    def complaint_days_ago(self) -> int:
        return int(self.docket.split(",")[0].split()[1])


def _trial(start: int, tail: str = "") -> str:
    """Denuncia, imputación, acusación and trial from `start` days ago, then `tail`."""
    trial = (f"denuncia {start}, aviso_inicio {start - 2}, imputacion {start - 20}, "
             f"acusacion {start - 160}, inicio_juicio {start - 300}")  # fmt: skip
    return f"{trial}, {tail}" if tail else trial


SCENARIOS = (
    # Years without a trial (suspended three times, never held), then the action extinguished.
    Scenario("extinguished", "denuncia 980, aviso_inicio 975, imputacion 900, acusacion 700, "
             "extincion 20", hearings=(Sitting("juicio", "-420 accused_absent, -330 judge_absent, "
                                               "-250 schedule_conflict"),)),
    Scenario("final", "denuncia 860, aviso_inicio 858, aprehension 841 19:00, imputacion 840, "
             "detencion_preventiva 838, acusacion 700, inicio_juicio 560, sentencia 540 "
             "conviction 20, apelacion 530, auto_de_vista 380, casacion 376, auto_supremo 120, "
             "ejecutoriada 100", kinds=("adult_rape", "child_rape"), named=True,
             measures=(Protect("prohibicion_acercamiento", 840, "granted", 838, ended=100),)),
    Scenario("cassation_decided", _trial(800, "sentencia 470 conviction 15, apelacion 460, "
             "auto_de_vista 300, casacion 296, auto_supremo 12")),
    Scenario("cassation", _trial(760, "sentencia 420 mixed 10, apelacion 410, auto_de_vista 160, "
             "casacion 157")),
    # Auto de vista three days ago: five business days to file the casación.
    Scenario("appeal_decided", _trial(700, "sentencia 300 conviction 12, apelacion 290, "
             "auto_de_vista 3"), organisation="slim-el-alto"),
    Scenario("appeal", _trial(650, "sentencia 200 conviction 18, apelacion 190"), lawyer=True,
             hearings=(Sitting("apelacion", "-60 not_notified, -25 prosecutor_absent, 10",
                               at="10:30", attend=True),)),
    # An acquittal 45 days ago that nobody appealed: the window has passed.
    Scenario("sentenced", _trial(620, "sentencia 45 acquittal"),
             hearings=(Sitting("juicio", "-320 held"), Sitting("juicio", "-45 held", "15:00"))),
    Scenario("sentenced", _trial(560, "sentencia 6 conviction 25"), kinds=("child_rape",),
             lawyer=True, imputed=("308bis",),
             hearings=(Sitting("juicio", "-30 witness_absent, -6 held"),)),
    Scenario("final", "denuncia 540, imputacion 520, procedimiento_abreviado 300, sentencia 290 "
             "conviction 8, ejecutoriada 270", kinds=NO_SEXUAL_VIOLENCE,
             hearings=(Sitting("abreviado", "-295 held"),)),
    # The trial began and has been suspended three times since; the next session is this week.
    Scenario("trial", _trial(520), lawyer=True, named=True,
             hearings=(Sitting("juicio", "-220 held"),
                       Sitting("juicio", "-40 defence_absent, -26 schedule_conflict, "
                               "-12 judge_absent, 4", "08:30", attend=True)),
             measures=(Protect("prohibicion_acercamiento", 500, "granted", 498, breach=20),)),
    # Abuso sexual at the complaint, violación at the imputación, which came 24 h late.
    Scenario("accused", "denuncia 480, aviso_inicio 478, aprehension 470 09:00, imputacion 467, "
             "detencion_preventiva 466, acusacion 200", kinds=("adult_rape",), lawyer=True,
             charged=("312",), imputed=("308",), also=(Relationship.ACQUAINTANCE,),
             hearings=(Sitting("cautelares", "-466 held", "18:00"),
                       Sitting("juicio", "-90 accused_absent, -50 witness_absent, 6", "14:30",
                               attend=True))),
    Scenario("accused", "denuncia 420, imputacion 400, acusacion 230",
             organisation="red-voluntariado",
             hearings=(Sitting("juicio", "2", "11:00", attend=True),)),
    Scenario("abbreviated", "denuncia 200, aviso_inicio 198, imputacion 120, "
             "procedimiento_abreviado 10", kinds=NO_CHILD, lawyer=True,
             hearings=(Sitting("abreviado", "8", "10:00", attend=True, remind=True),)),
    Scenario("dismissed", "denuncia 450, imputacion 430, sobreseimiento 100",
             kinds=("harassment", "adolescent_abuse")),
    Scenario("alternative", "denuncia 150, aviso_inicio 148, salida_alternativa 30",
             kinds=NO_SEXUAL_VIOLENCE,
             measures=(Protect("asistencia_familiar", 140, "granted", 135, expires_in=60),)),
    # Imputación eight months ago: the six months of the preparatory stage are long gone.
    Scenario("preparatory", "denuncia 260, aprehension 250 18:00, imputacion 249, "
             "detencion_preventiva 248", kinds=("child_rape",), lawyer=True, imputed=("308bis",),
             hearings=(Sitting("cautelares", "-248 held", "16:00"),
                       Sitting("conclusiva", "-60 prosecutor_absent, -35 judge_absent, "
                               "-12 not_notified, 3", "09:30")),
             measures=(Protect("prohibicion_acercamiento", 249, "granted", 248, expires_in=5),)),
    Scenario("preparatory", "denuncia 240, imputacion 215", organisation="slim-el-alto"),
    # Six months nearly up; the imputación came three days after the arrest.
    Scenario("preparatory", "denuncia 180, aviso_inicio 178, aprehension 175 09:00, "
             "imputacion 172, cautelares_dispuestas 171", kinds=("domestic_violence",),
             measures=(Protect("salida_agresor", 175, "granted", 171, expires_in=9),
                       Protect("asistencia_familiar", 20))),
    Scenario("preparatory", "denuncia 75, aviso_inicio 73, imputacion 60, "
             "cautelares_dispuestas 58", kinds=CHILDREN, lawyer=True,
             hearings=(Sitting("cautelares", "-58 held", "11:00"),
                       Sitting("anticipo_prueba", "9", "08:30", attend=True)),
             measures=(Protect("prohibicion_comunicacion", 60, "granted", 58, expires_in=40),
                       Protect("acogida", 60, "denied", 50))),
    # Arrested three nights ago and still no imputación: the 24 hours are long past.
    Scenario("preliminary", "denuncia 4, aprehension 3 21:30, aviso_inicio 2",
             measures=(Protect("salida_agresor", 3),)),
    # Arrested this morning: the imputación is due within the day, the hearing is next.
    Scenario("preliminary", "denuncia 1, aprehension 5h", kinds=("adult_rape", "harassment"),
             lawyer=True, hearings=(Sitting("cautelares", "1", "15:00"),)),
    # Twenty business days for the preliminary investigation, long gone (even with vacations).
    Scenario("preliminary", "denuncia 62, aviso_inicio 60", kinds=CHILDREN,
             hearings=(Sitting("anticipo_prueba", "-20 held"),),
             measures=(Protect("prohibicion_acercamiento", 60, "granted", 58, expires_in=12),)),
    Scenario("preliminary", "denuncia 24, aviso_inicio 22"),
    # Rejected two days ago: the objection is due within the week.
    Scenario("rejected", "denuncia 60, aviso_inicio 58, rechazo 2",
             measures=(Protect("prohibicion_intimidar", 50, "denied", 45),)),
    Scenario("rejected", "denuncia 120, aviso_inicio 115, rechazo 40",
             organisation="slim-el-alto"),
    Scenario("objection", "denuncia 150, aviso_inicio 148, rechazo 50, objecion_rechazo 47"),
    Scenario("archived", "denuncia 300, aviso_inicio 298, rechazo 200, objecion_rechazo 196, "
             "archivo 120", kinds=NO_SEXUAL_VIOLENCE),
)  # fmt: skip


# ----------------------------------------------------------------------------- the plan


def _incident_days_ago(spec: DemoCase) -> int:
    return spec.opened_days_ago + spec.incident_days_before_opening


def _lawyer_on(spec: DemoCase) -> bool:
    return spec.organisation == "ong-la-paz" and "lawyer" in (spec.intake_by, *spec.team)


def _fits(scenario: Scenario, spec: DemoCase) -> bool:
    return (
        spec.status != "closed"  # a closed case takes no new proceeding
        and _incident_days_ago(spec) >= scenario.complaint_days_ago
        and (not scenario.kinds or spec.archetype in scenario.kinds)
        and (not scenario.lawyer or _lawyer_on(spec))
        and (not scenario.organisation or spec.organisation == scenario.organisation)
    )


def plan(specs: list[DemoCase]) -> list[tuple[DemoCase, Scenario]]:
    """Which demo case gets which proceeding. The oldest complaints choose first, each taking
    the most recent incident old enough for it, so that the old cases are left to the
    scenarios that need them. Same cases, same plan."""
    free = sorted(specs, key=lambda s: (_incident_days_ago(s), s.number))
    chosen = []
    for scenario in sorted(SCENARIOS, key=lambda s: -s.complaint_days_ago):
        spec = next((s for s in free if _fits(scenario, s)), None)
        if spec is None:
            raise LookupError(f"no demo case fits the {scenario.stage} scenario")
        free.remove(spec)
        chosen.append((spec, scenario))
    return sorted(chosen, key=lambda pair: pair[0].number)


# ----------------------------------------------------------------------------- writing


def _find_case(spec: DemoCase, member: Membership) -> Case | None:
    indexes = identity_indexes(Identity(document_number=spec.document_number))
    survivors = [m.survivor_id for m in survivor_matches(membership=member, indexes=indexes)]
    found = case_ids_for_survivors(membership=member, survivor_ids=survivors)
    if not found:
        return None
    return case_get_for_user(membership=member, case_id=next(iter(found.values())))


Offices = dict[str, JusticeOffice]  # kind -> the office of the case's seat


class _On(TypedDict):
    membership: Membership
    case: Case
    proceeding: Proceeding


class _Writer:
    """Writes one scenario on one case as `member`: the demo lawyer when she is on the case,
    otherwise its lead."""

    def __init__(
        self, spec: DemoCase, case: Case, member: Membership, look: _Lookups, offices: Offices
    ) -> None:
        self.spec, self.case, self.member, self.look = spec, case, member, look
        self.offices, self.now = offices, timezone.localtime()

    def write(self, scenario: Scenario) -> Proceeding:
        steps = acts(scenario.docket, self.now)
        has_court = any(a.type in ("aviso_inicio", "imputacion") for a in steps)
        court = self.offices[COURT_BY_STAGE.get(scenario.stage, K.INVESTIGATING_COURT)]
        incidents = incident_list(case=self.case).filter(repeats_earlier=False).order_by("pk")
        data = ps.ProceedingData(
            department=self.case.department,
            prosecutor_number=f"FIS-DEMO-{self.spec.number:04d}",
            nurej=f"DEMO-NUREJ-{self.spec.number:04d}" if has_court else "",
            court=court if has_court else None,
            prosecutor_office=self.offices[K.PROSECUTOR],
            incident=incidents.first(),
        )
        proceeding = ps.proceeding_create(membership=self.member, case=self.case, data=data)
        self.on = _On(membership=self.member, case=self.case, proceeding=proceeding)
        name = f"Denunciado Ficticio {self.spec.number:03d}" if scenario.named else ""
        for relationship in (self.spec.relationship, *scenario.also):
            ps.accused_add(**self.on, relationship=relationship, sex=Sex.MALE, name=name)
            name = ""  # a name only for the first accused
        for act in steps:
            self._act(act, scenario)
        for sitting in scenario.hearings:
            self._hearings(sitting)
        for protect in scenario.measures:
            self._measure(protect)
        return proceeding

    def _charge(self, codes: tuple[str, ...], basis: str, on: dt.date) -> None:
        offences = [self.look.offences[code] for code in codes]
        ps.charges_reclassify(**self.on, offences=offences, basis=basis, on=on)

    def _act(self, act: ps.EventData, scenario: Scenario) -> None:
        ps.event_record(**self.on, data=act)
        charged = scenario.charged or self.spec.offences or ("272bis",)
        reclassified = set(scenario.imputed or charged) != set(charged)
        if act.type == "denuncia" and act.occurred_on:
            self._charge(charged, ChargeBasis.COMPLAINT, act.occurred_on)
        elif act.type == "imputacion" and act.occurred_on and reclassified:
            self._charge(scenario.imputed, ChargeBasis.CHARGE, act.occurred_on)

    def _hearings(self, sitting: Sitting) -> None:
        zone = hs.time_zone_of(self.on["proceeding"])
        dates = [item.split() for item in sitting.dates.split(",")]
        starts = []
        for days, *_outcome in dates:
            day = self.now.date() + dt.timedelta(days=int(days))
            while day.weekday() >= 5:  # courts sit on weekdays: move away from today
                day += dt.timedelta(days=1 if int(days) > 0 else -1)
            starts.append(dt.datetime.combine(day, dt.time.fromisoformat(sitting.at), zone))
        team = (self.spec.intake_by, *self.spec.team)
        people = [p for p in COMPANIONS if p in team] or [self.spec.lead]
        data = hs.HearingData(
            type=sitting.type,
            starts_at=starts[0],
            court=self.offices[COURT_BY_HEARING.get(sitting.type, K.INVESTIGATING_COURT)],
            survivor_must_attend=sitting.attend,
            remind_survivor=sitting.remind,
            companions=[self.look.users[p] for p in people],
        )
        hearing = hs.hearing_schedule(**self.on, data=data)
        for (_, reason), starts_at in zip(dates, starts[1:], strict=False):
            hearing = hs.hearing_reschedule(
                **self.on, hearing=hearing, starts_at=starts_at, suspension_reason=reason
            )
        last = dates[-1][1:]
        if last:
            status = last[0] if last[0] in ("held", "cancelled") else "suspended"
            reason = "" if status != "suspended" else last[0]
            hs.hearing_record_outcome(
                **self.on, hearing=hearing, status=status, suspension_reason=reason
            )

    def _measure(self, protect: Protect) -> None:
        def day(days_ago: int) -> dt.date:
            return self.now.date() - dt.timedelta(days=days_ago)

        on, code = self.on, protect.measure
        measure = ms.measure_request(**on, measure=code, requested_on=day(protect.requested))
        if protect.status:
            expires = None if protect.expires_in is None else day(-protect.expires_in)
            decided = day(protect.decided)
            ms.measure_decide(
                **on,
                protection=measure,
                status=protect.status,
                decided_on=decided,
                expires_on=expires,
            )
        if protect.breach is not None:
            occurred, reported = day(protect.breach), day(protect.breach - 1)
            ms.breach_report(
                **on,
                protection=measure,
                occurred_on=occurred,
                reported_to_authority=True,
                reported_on=reported,
            )
        if protect.ended is not None:
            ms.measure_end(**on, protection=measure, ended_on=day(protect.ended))


def seed_proceedings(seed: int = SEED) -> int:
    """Write the demo proceedings of the open cases that have none yet. Returns how many."""
    look = _Lookups()
    previous = current()
    created = 0
    try:
        offices = directory(look)
        for spec, scenario in plan(demo_cases(seed)):
            local = "lawyer" if _lawyer_on(spec) else spec.lead
            member = _acting(look.member(local, spec.organisation))
            case = _find_case(spec, member)
            if case is None or not case.is_open or proceeding_list(case=case).exists():
                continue
            _Writer(spec, case, member, look, offices[seat_of(spec.municipality)]).write(scenario)
            created += 1
    finally:
        set_context(previous)
    return created
