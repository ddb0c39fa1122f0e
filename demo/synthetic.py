"""Synthetic casework in bulk, for benchmarks and for trying features at a realistic volume.

Two halves:
- `case_specs(count=, seed=)` is a pure function: the same seed gives the same cases (ages,
  places, dates, statuses, teams as slots), whatever the day and whatever the database. A
  longer run starts with the cases of a shorter one.
- `generate()` writes them with bulk inserts, a batch of cases at a time, in one transaction.
  Identities are encrypted like every other survivor's, each with her own data key (the
  encrypted fields' `pre_save` runs inside `bulk_create`, with the key already on the row).
  Survivor codes are reserved with one update per prefix and year and batch, in spec order, so
  in a fresh database the codes are deterministic too.

Rows are written directly, not through the services: the run records ONE audit event (create,
object type "demo.synthetic", fields ["cases"]) instead of one per row. The case timeline
(CaseEvent) is written as the services would have written it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from access.policy import IDENTITY_ROLES
from audit.models import Action
from audit.services import audit_record
from cases.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseStatus,
    ClosureReason,
    DatePrecision,
    EventKind,
    Incident,
    IntakeChannel,
    Interviewer,
    Note,
    Sensitivity,
    Task,
    Testimony,
)
from cases.services import derived_violence_type
from crypto.keys import blind_index
from crypto.models import DataKey
from demo.cases import ARCHETYPES, NOTE_BODIES, TASK_TITLES
from jurisdictions.models import Municipality, Offence
from jurisdictions.selectors import municipality_list, offence_list
from organisations.models import Membership, Organisation
from survivors.models import (
    CHILD_BANDS,
    CodeSequence,
    Consent,
    ConsentPurpose,
    GivenBy,
    Relationship,
    Sex,
    Survivor,
    age_band_for,
)

# Dates are counted back from a fixed day, not from today, so the same seed gives the same dates.
ANCHOR = date(2026, 6, 30)
SPAN_DAYS = 6 * 365
PLACES = {
    "020105": 24,  # El Alto
    "020101": 20,  # La Paz
    "020801": 3,  # Viacha
    "020104": 2,  # Achocalla
    "020201": 2,  # Achacachi
    "022001": 1,  # Caranavi
    "021701": 1,  # Copacabana
    "030101": 12,  # Cochabamba
    "030901": 4,  # Quillacollo
    "031001": 4,  # Sacaba
    "070101": 10,  # Santa Cruz de la Sierra
    "071001": 2,  # Montero
    "010101": 5,  # Sucre
    "040101": 4,  # Oruro
    "050101": 3,  # Potosí
    "060101": 3,  # Tarija
    "080101": 2,  # Trinidad
    "090101": 1,  # Cobija
}
STATUSES = ([CaseStatus.OPEN, CaseStatus.CLOSED, CaseStatus.REOPENED], [55, 35, 10])
RISKS = (["", "low", "moderate", "high", "extreme"], [30, 25, 25, 15, 5])
SENSITIVITIES = ([Sensitivity.NORMAL, Sensitivity.TEAM, Sensitivity.DISCIPLINE], [6, 3, 2])
CLOSURES = [c for c in ClosureReason.values if c != ClosureReason.DECEASED]
CHANNELS = [c for c in IntakeChannel.values if c != IntakeChannel.OTHER]
INTERVIEWERS = [Interviewer.POLICE, Interviewer.PROSECUTOR, Interviewer.SLIM, Interviewer.DNA]
NOTES = [body for bodies in NOTE_BODIES.values() for body in bodies]


@dataclass(frozen=True)
class NoteSpec:
    day: date
    sensitivity: str
    author: int  # slot in the case team
    body: int  # index into NOTES


@dataclass(frozen=True)
class TaskSpec:
    created: date
    assignee: int  # slot in the case team
    due_on: date | None
    done_on: date | None
    title: int  # index into TASK_TITLES


@dataclass(frozen=True)
class TestimonySpec:
    taken_on: date
    interviewer: str
    recorded: bool
    gesell: bool


@dataclass(frozen=True)
class CaseSpec:
    index: int
    age: int
    sex: str
    municipality: str
    opened_on: date
    status: str
    closed_on: date | None  # for reopened cases: when it had been closed
    closure_reason: str
    intake_channel: str
    risk_level: str
    violence_type: str
    offences: tuple[str, ...]
    relationship: str
    occurred_on: date
    earlier_incident_on: date | None
    team: tuple[int, ...]  # slots into the organisation's casework members; the first leads
    notes: tuple[NoteSpec, ...]
    tasks: tuple[TaskSpec, ...]
    testimonies: tuple[TestimonySpec, ...]
    statistics_consent: bool

    @property
    def is_child(self) -> bool:
        return self.age < 18

    @property
    def last_day(self) -> date:
        """The day of the last thing that happened on the case (its `updated_at`)."""
        days = [self.opened_on, self.closed_on or self.opened_on]
        days += [n.day for n in self.notes] + [t.taken_on for t in self.testimonies]
        days += [t.done_on or t.created for t in self.tasks]
        return max(days)


def _day(rng: random.Random, after: date, most: int) -> date:
    """A day from `after` to `after + most`, never past the anchor (and not piled up on it)."""
    return after + timedelta(days=rng.randint(0, max(0, min(most, (ANCHOR - after).days))))


def _testimonies(rng: random.Random, gesell: bool, opened: date) -> tuple[TestimonySpec, ...]:
    first = _day(rng, opened, 30)
    if gesell and rng.random() < 0.5:
        # A recorded Cámara Gesell interview, and then she is asked to tell it again.
        again = _day(rng, first, 120)
        return (
            TestimonySpec(first, Interviewer.FORENSIC, True, True),
            TestimonySpec(again, Interviewer.PROSECUTOR, False, False),
        )
    if rng.random() < 0.4:
        return (TestimonySpec(first, rng.choice(INTERVIEWERS), False, False),)
    return ()


def _notes(rng: random.Random, opened: date, team: int) -> tuple[NoteSpec, ...]:
    return tuple(
        NoteSpec(
            _day(rng, opened, 200),
            rng.choices(*SENSITIVITIES)[0],
            rng.randrange(team),
            rng.randrange(len(NOTES)),
        )
        for _n in range(rng.randint(0, 3))
    )


def _tasks(rng: random.Random, opened: date, team: int, closed: bool) -> tuple[TaskSpec, ...]:
    tasks = []
    for _n in range(rng.randint(0, 2)):
        created = _day(rng, opened, 150)
        due = created + timedelta(days=rng.randint(3, 40)) if rng.random() < 0.8 else None
        done = _day(rng, created, 30) if closed or rng.random() < 0.5 else None
        tasks.append(
            TaskSpec(created, rng.randrange(team), due, done, rng.randrange(len(TASK_TITLES)))
        )
    return tuple(tasks)


def _spec(rng: random.Random, index: int) -> CaseSpec:
    kind = rng.choices(ARCHETYPES, weights=[a.weight for a in ARCHETYPES])[0]
    age = rng.randint(*kind.ages)
    boy = kind.may_be_a_boy and rng.random() < 0.2
    status = rng.choices(*STATUSES)[0]
    opened = ANCHOR - timedelta(days=rng.randint(0, SPAN_DAYS))
    closed = _day(rng, opened, 400) if status != CaseStatus.OPEN else None
    team_size = rng.choice([1, 2, 2, 3, 3, 4])
    return CaseSpec(
        index=index,
        age=age,
        sex=Sex.MALE if boy else Sex.FEMALE,
        municipality=rng.choices(list(PLACES), weights=list(PLACES.values()))[0],
        opened_on=opened,
        status=status,
        closed_on=closed,
        closure_reason=rng.choice(CLOSURES) if closed else "",
        intake_channel=rng.choice(CHANNELS),
        risk_level=rng.choices(*RISKS)[0],
        violence_type=kind.violence_type,
        offences=rng.choice(kind.offences),
        relationship=rng.choice(kind.relationships),
        occurred_on=opened - timedelta(days=rng.randint(0, 180)),
        earlier_incident_on=(
            opened - timedelta(days=rng.randint(200, 900))
            if kind.repeats and rng.random() < 0.4
            else None
        ),
        team=tuple(rng.randrange(1000) for _n in range(team_size)),
        notes=_notes(rng, opened, team_size),
        tasks=_tasks(rng, opened, team_size, status == CaseStatus.CLOSED),
        testimonies=_testimonies(rng, kind.gesell, opened),
        statistics_consent=rng.random() < 0.85,
    )


def case_specs(*, count: int, seed: int) -> Iterator[CaseSpec]:
    """The synthetic cases, as data: a pure function of (count, seed)."""
    rng = random.Random(seed)  # noqa: S311 - fictional data, not security
    for index in range(count):
        yield _spec(rng, index)


# ------------------------------------------------------------------------------------------
# Writing


def team_pool(organisation: Organisation) -> list[Membership]:
    """Who can be on a synthetic case team, in a stable order (so slots map the same way)."""
    return list(
        Membership.objects.filter(
            organisation=organisation,
            is_active=True,
            role__in=IDENTITY_ROLES,
            user__is_active=True,
        ).order_by("user__email")
    )


def _insert[T: models.Model](model: type[T], rows: Sequence[T], batch: int) -> None:
    """Bulk insert of generated rows. This module only writes (it never reads survivor data
    back), which is why it may use the managers that elsewhere only selectors touch."""
    model._base_manager.bulk_create(rows, batch_size=batch)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class _Run:
    organisation: Organisation
    seed: int
    batch: int
    members: list[Membership]
    places: dict[str, Municipality]
    offences: dict[str, Offence]
    rows: Counter[str] = field(default_factory=Counter)
    codes: list[str] = field(default_factory=list)

    def insert[T: models.Model](self, model: type[T], rows: Sequence[T]) -> None:
        _insert(model, rows, self.batch)
        self.rows[model._meta.label] += len(rows)

    def team(self, spec: CaseSpec) -> list[Membership]:
        picked = [self.members[slot % len(self.members)] for slot in spec.team]
        return list({m.user_id: m for m in picked}.values())

    def reserve_codes(self, specs: list[CaseSpec]) -> list[str]:
        """Survivor codes for `specs`, in their order. The sequences of the prefixes and years
        needed are locked, then advanced in one update."""
        keys = [
            (self.places[s.municipality].department.abbreviation, s.opened_on.year) for s in specs
        ]
        needed = Counter(keys)
        sequences = {
            (s.prefix, s.year): s
            for s in CodeSequence.objects.select_for_update().filter(
                prefix__in={p for p, _y in needed}, year__in={y for _p, y in needed}
            )
        }
        for prefix, year in sorted(needed.keys() - sequences.keys()):
            sequences[(prefix, year)], _new = CodeSequence.objects.get_or_create(
                prefix=prefix, year=year
            )
        last: dict[tuple[str, int], int] = {}
        for key, n in needed.items():
            last[key] = sequences[key].last
            sequences[key].last += n
        CodeSequence.objects.bulk_update([sequences[k] for k in needed], ["last"])
        codes = []
        for prefix, year in keys:
            last[(prefix, year)] += 1
            codes.append(f"{prefix}-{year}-{last[(prefix, year)]:05d}")
        return codes


@dataclass
class _CaseRows:
    """The rows written for one case, kept to put its timeline together."""

    spec: CaseSpec
    case: Case
    team: list[Membership]
    incidents: list[tuple[Incident, list[Offence]]] = field(default_factory=list)
    testimonies: list[Testimony] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)


def _survivor(run: _Run, spec: CaseSpec, code: str, key: DataKey, lead: int) -> Survivor:
    band = age_band_for(spec.age)
    place = run.places[spec.municipality]
    name = f"Persona Sintética {run.seed}-{spec.index:07d}"
    document = f"SINT-{run.seed}-{spec.index:07d}"
    born = (spec.opened_on - timedelta(days=spec.age * 365 + spec.index % 300)).isoformat()
    return Survivor(
        organisation=run.organisation,
        code=code,
        data_key=key,
        full_name=name,
        document_number=document,
        birth_date=born,
        document_index=blind_index(document, purpose="document"),
        name_dob_index=blind_index(f"{name}|{born}", purpose="name_dob"),
        sex=spec.sex,
        age_band=band,
        is_child=band in CHILD_BANDS,
        languages=["es"],
        department=place.department,
        municipality=place,
        guardian_relationship=Relationship.MOTHER if spec.is_child else "",
        created_at=_at(spec.opened_on, 9),
        created_by_id=lead,
    )


def _case(run: _Run, spec: CaseSpec, survivor: Survivor, lead: int) -> Case:
    closed = spec.status == CaseStatus.CLOSED
    return Case(
        organisation=run.organisation,
        survivor=survivor,
        department_id=survivor.department_id,
        status=spec.status,
        closure_reason=spec.closure_reason if closed else "",
        opened_on=spec.opened_on,
        closed_on=spec.closed_on if closed else None,
        intake_channel=spec.intake_channel,
        lead_id=lead,
        summary=f"Caso sintético {spec.index}.",
        safe_to_talk=spec.index % 5 != 0,
        contact_channels=["call"] if spec.index % 2 else ["sms", "whatsapp"],
        risk_level=spec.risk_level,
        created_by_id=lead,
        created_at=_at(spec.opened_on, 9),
        # After the day's last event; spread over an hour, as real timestamps rarely tie.
        updated_at=_at(spec.last_day, 18) + timedelta(seconds=spec.index % 3600),
    )


def _children(run: _Run, r: _CaseRows) -> None:
    """Incidents, testimonies, notes, tasks and consents of one case (not yet saved)."""
    spec, case, lead = r.spec, r.case, r.team[0].user_id
    month = spec.index % 3 == 0  # a third of the dates are known only to the month
    charged = [run.offences[code] for code in spec.offences]
    happened = [(spec.occurred_on, charged)]
    if spec.earlier_incident_on:
        happened.append((spec.earlier_incident_on, []))
    for number, (day, offences) in enumerate(happened):
        incident = Incident(
            case=case,
            occurred_on=day.replace(day=1) if month else day,
            date_precision=DatePrecision.MONTH if month else DatePrecision.EXACT,
            municipality=run.places[spec.municipality],
            violence_type=derived_violence_type(spec.violence_type, offences),
            perpetrator_relationship=spec.relationship,
            perpetrator_sex=Sex.MALE,
            survivor_was_child=spec.is_child,
            repeats_earlier=number > 0,
            created_by_id=lead,
            created_at=_at(spec.opened_on, 9, 5),
        )
        r.incidents.append((incident, offences))
    for t in spec.testimonies:
        r.testimonies.append(
            Testimony(
                case=case,
                taken_on=t.taken_on,
                interviewer=t.interviewer,
                institution="IDIF, Cámara Gesell" if t.gesell else "",
                recorded=t.recorded,
                gesell_chamber=t.gesell,
                created_by_id=lead,
                created_at=_at(t.taken_on, 12),
            )
        )
    for note in spec.notes:
        author = r.team[note.author % len(r.team)]
        r.notes.append(
            Note(
                case=case,
                author_id=author.user_id,
                discipline=author.role,
                sensitivity=note.sensitivity,
                body=NOTES[note.body],
                created_at=_at(note.day, 15),
            )
        )
    for todo in spec.tasks:
        r.tasks.append(
            Task(
                case=case,
                title=TASK_TITLES[todo.title],
                assignee_id=r.team[todo.assignee % len(r.team)].user_id,
                due_on=todo.due_on,
                done_at=_at(todo.done_on, 16) if todo.done_on else None,
                created_by_id=lead,
                created_at=_at(todo.created, 11),
            )
        )
    purposes = [ConsentPurpose.CASE_MANAGEMENT]
    if spec.statistics_consent:
        purposes.append(ConsentPurpose.STATISTICS)
    for purpose in purposes:
        r.consents.append(
            Consent(
                survivor=case.survivor,
                purpose=purpose,
                given_by=GivenBy.GUARDIAN if spec.is_child else GivenBy.SURVIVOR,
                child_assent=True if spec.is_child else None,
                given_on=spec.opened_on,
                recorded_by_id=lead,
                recorded_at=_at(spec.opened_on, 9, 20),
            )
        )


def _timeline(r: _CaseRows) -> Iterator[CaseEvent]:
    """The events the services would have written for these rows."""
    spec, case, lead = r.spec, r.case, r.team[0].user_id

    def event(at: datetime, kind: str, actor: int, obj: Any = None, **data: Any) -> CaseEvent:
        pk = getattr(obj, "pk", None)
        return CaseEvent(case=case, at=at, kind=kind, actor_id=actor, object_id=pk, data=data)

    yield event(_at(spec.opened_on, 9), EventKind.INTAKE, lead, case, channel=case.intake_channel)
    for member in r.team[1:]:
        yield event(
            _at(spec.opened_on, 9, 10), EventKind.TEAM, lead, added=member.user_id, lead=False
        )
    for i, _offences in r.incidents:
        yield event(
            i.created_at,
            EventKind.INCIDENT,
            lead,
            i,
            violence_type=i.violence_type,
            occurred_on=i.occurred_on.isoformat(),
            precision=i.date_precision,
        )
    for c in r.consents:
        yield event(c.recorded_at, EventKind.CONSENT, lead, c, purpose=c.purpose)
    for t in r.testimonies:
        yield event(
            t.created_at,
            EventKind.TESTIMONY,
            lead,
            t,
            interviewer=t.interviewer,
            recorded=t.recorded,
            gesell=t.gesell_chamber,
        )
    for n in r.notes:
        yield event(n.created_at, EventKind.NOTE, n.author_id, n, sensitivity=n.sensitivity)
    for task in r.tasks:
        due = task.due_on.isoformat() if task.due_on else None
        yield event(task.created_at, EventKind.TASK, lead, task, due_on=due)
        if task.done_at:
            yield event(task.done_at, EventKind.TASK_DONE, task.assignee_id, task)
    if spec.closed_on:
        reason = spec.closure_reason
        closed_at = _at(spec.closed_on, 17)
        yield event(closed_at, EventKind.STATUS, lead, status="closed", reason=reason)
        if spec.status == CaseStatus.REOPENED:
            yield event(closed_at + timedelta(hours=1), EventKind.STATUS, lead, status="reopened")


def _write_batch(run: _Run, specs: list[CaseSpec]) -> None:
    keys = [DataKey.generate() for _spec in specs]
    run.insert(DataKey, keys)
    codes = run.reserve_codes(specs)
    teams = [run.team(s) for s in specs]
    survivors = [
        _survivor(run, s, code, key, team[0].user_id)
        for s, code, key, team in zip(specs, codes, keys, teams, strict=True)
    ]
    run.insert(Survivor, survivors)
    cases = [
        _CaseRows(spec=s, case=_case(run, s, survivor, team[0].user_id), team=team)
        for s, survivor, team in zip(specs, survivors, teams, strict=True)
    ]
    run.insert(Case, [r.case for r in cases])
    run.codes += [codes[0], codes[-1]]
    team = [
        CaseMember(case=r.case, user_id=m.user_id, role=m.role, added_at=_at(r.spec.opened_on, 9))
        for r in cases
        for m in r.team
    ]
    run.insert(CaseMember, team)
    for r in cases:
        _children(run, r)
    run.insert(Incident, [i for r in cases for i, _o in r.incidents])
    through = Incident.offences.through
    links = [
        through(incident_id=i.pk, offence_id=o.pk)
        for r in cases
        for i, offences in r.incidents
        for o in offences
    ]
    run.insert(through, links)
    run.insert(Testimony, [t for r in cases for t in r.testimonies])
    run.insert(Note, [n for r in cases for n in r.notes])
    run.insert(Task, [t for r in cases for t in r.tasks])
    run.insert(Consent, [c for r in cases for c in r.consents])
    run.insert(CaseEvent, [e for r in cases for e in _timeline(r)])


@dataclass(frozen=True)
class Summary:
    cases: int
    rows: dict[str, int]
    first_code: str
    last_code: str


def generate(
    *,
    organisation: Organisation,
    count: int,
    seed: int,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write `count` synthetic cases into `organisation`, in one transaction, with one audit
    event for the whole run. The caller checks the arguments (see the command)."""
    members = team_pool(organisation)
    if not members:
        raise ValueError("The organisation has nobody who works cases.")
    run = _Run(
        organisation=organisation,
        seed=seed,
        batch=batch,
        members=members,
        places={m.code: m for m in municipality_list()},
        offences={o.code: o for o in offence_list()},
    )
    missing = set(PLACES) - set(run.places)
    if missing:
        raise ValueError("Jurisdiction data is not loaded (run migrate).")
    specs = case_specs(count=count, seed=seed)
    done = 0
    with transaction.atomic():
        while chunk := list(islice(specs, batch)):
            _write_batch(run, chunk)
            done += len(chunk)
            if progress:
                progress(done, count)
        audit_record(
            action=Action.CREATE,
            object_type="demo.synthetic",
            fields=["cases"],
            organisation_id=organisation.pk,
        )
    return Summary(
        cases=done, rows=dict(run.rows), first_code=run.codes[0], last_code=run.codes[-1]
    )
