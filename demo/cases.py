"""Fictional demo cases, written through the real services so that each one has the timeline,
audit trail, team and consents it would have had if people had typed it in.

Everything here is invented: names read "Persona Ficticia 001", document numbers "DEMO-0001".
The document number is also what makes the seed idempotent: a case whose survivor's document
is already registered in the organisation (by its blind index) is skipped.

`demo_cases()` is a pure function of the seed (dates are relative to today), so the same demo
comes out every time; `seed_cases()` writes it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from access.policy import membership_for
from accounts.models import User
from cases import services as cs
from cases.models import (
    Case,
    ClosureReason,
    DatePrecision,
    IntakeChannel,
    Interviewer,
    Sensitivity,
)
from core.context import RequestContext, current, set_context
from demo.seed import DOMAIN
from jurisdictions.models import GbvimsType, Municipality, Offence
from jurisdictions.selectors import municipality_list, offence_list
from organisations.models import Membership, Organisation
from survivors.models import (
    Consent,
    ConsentPurpose,
    Disability,
    GivenBy,
    Relationship,
    Sex,
    SharedCategory,
)
from survivors.selectors import survivor_matches
from survivors.services import Identity, Profile, identity_indexes

SEED = 2026
R = Relationship


@dataclass(frozen=True)
class Archetype:
    """A kind of case the partner organisations see, with what goes with it."""

    name: str
    ages: tuple[int, int]
    violence_type: str
    offences: tuple[tuple[str, ...], ...]  # one set is chosen
    relationships: tuple[str, ...]
    weight: int
    may_be_a_boy: bool = False
    gesell: bool = False  # a recorded Cámara Gesell interview is usual
    repeats: bool = False  # a second, earlier incident is usual


ARCHETYPES = (
    Archetype(
        "child_rape",
        (4, 13),
        GbvimsType.RAPE,
        (("308bis",), ("308bis", "312")),
        (R.STEPFATHER, R.UNCLE_AUNT, R.NEIGHBOUR, R.FATHER, R.COUSIN, R.GRANDPARENT),
        9,
        may_be_a_boy=True,
        gesell=True,
    ),
    Archetype(
        "child_abuse",
        (5, 13),
        GbvimsType.SEXUAL_ASSAULT,
        (("312",), ("312bis",)),
        (R.TEACHER, R.NEIGHBOUR, R.COUSIN, R.UNCLE_AUNT),
        6,
        may_be_a_boy=True,
        gesell=True,
    ),
    Archetype(
        "adolescent_estupro",
        (14, 17),
        GbvimsType.RAPE,
        (("309",),),
        (R.ACQUAINTANCE, R.PARTNER, R.TEACHER, R.NEIGHBOUR),
        6,
        gesell=True,
    ),
    Archetype(
        "adolescent_abuse",
        (14, 17),
        GbvimsType.SEXUAL_ASSAULT,
        (("312",), ("312quater",)),
        (R.TEACHER, R.NEIGHBOUR, R.STRANGER, R.ACQUAINTANCE),
        5,
        may_be_a_boy=True,
    ),
    Archetype(
        "adolescent_trafficking",
        (15, 17),
        GbvimsType.SEXUAL_ASSAULT,
        (("281bis",),),
        (R.ACQUAINTANCE, R.STRANGER),
        2,
    ),
    Archetype(
        "adult_rape",
        (18, 45),
        GbvimsType.RAPE,
        (("308",), ("308", "271")),
        (R.STRANGER, R.ACQUAINTANCE, R.FORMER_PARTNER, R.PARTNER, R.EMPLOYER),
        10,
    ),
    Archetype(
        "domestic_violence",
        (19, 58),
        GbvimsType.PHYSICAL_ASSAULT,
        (("272bis",), ("272bis", "271"), ("272bis", "270")),
        (R.PARTNER, R.PARTNER, R.FORMER_PARTNER),
        14,
        repeats=True,
    ),
    Archetype(
        "psychological",
        (22, 64),
        GbvimsType.PSYCHOLOGICAL_ABUSE,
        ((),),
        (R.PARTNER, R.FORMER_PARTNER),
        6,
        repeats=True,
    ),
    Archetype(
        "harassment",
        (18, 35),
        GbvimsType.SEXUAL_ASSAULT,
        (("312quater",),),
        (R.EMPLOYER, R.AUTHORITY, R.TEACHER),
        4,
    ),
)

# (organisation slug, number of cases, who does the intakes, municipality codes with weights)
ORGANISATION_PLAN = (
    (
        "ong-la-paz",
        52,
        ("lawyer", "lawyer", "social_worker", "psychologist", "coordinator"),
        {
            "020105": 10,  # El Alto
            "020101": 9,  # La Paz
            "020801": 2,  # Viacha
            "020104": 1,  # Achocalla
            "020201": 1,  # Achacachi
            "022001": 1,  # Caranavi
            "030101": 4,  # Cochabamba
            "030901": 2,  # Quillacollo
            "031001": 1,  # Sacaba
            "040101": 1,  # Oruro
            "070101": 1,  # Santa Cruz de la Sierra
            "010101": 1,  # Sucre
        },
    ),
    ("slim-el-alto", 8, ("outsider",), {"020105": 1}),
    ("red-voluntariado", 4, ("coordinator",), {"020105": 2, "020101": 1, "021202": 1}),
)
NGO_TEAM = ("lawyer", "social_worker", "psychologist", "law_student")
CLOSURE_REASONS = (
    ClosureReason.GOALS_MET,
    ClosureReason.SENTENCE,
    ClosureReason.REFERRED,
    ClosureReason.NO_CONTACT,
    ClosureReason.SURVIVOR_DECISION,
    ClosureReason.MOVED,
)
NOTE_BODIES = {
    Sensitivity.NORMAL: (
        "Entrevista de acogida: se explicó el acompañamiento y sus derechos.",
        "Se coordinó la próxima cita en la oficina.",
        "Se acompañó a la audiencia; fue suspendida y se fijó nueva fecha.",
    ),
    Sensitivity.TEAM: (
        "El equipo revisa la seguridad del domicilio antes de la visita.",
        "Pidió que las llamadas sean solo por la mañana.",
    ),
    Sensitivity.DISCIPLINE: (
        "Sesión de contención emocional; seguimiento semanal.",
        "Estrategia: pedir medidas de protección en la próxima audiencia.",
    ),
}
TASK_TITLES = (
    "Solicitar copia del cuaderno de investigación",
    "Llamar para confirmar la cita",
    "Preparar memorial de medidas de protección",
    "Coordinar con la DNA",
    "Visita domiciliaria",
    "Acompañar a la audiencia",
)


@dataclass(frozen=True)
class NoteSpec:
    author: str
    sensitivity: str
    body: str


@dataclass(frozen=True)
class TaskSpec:
    assignee: str
    title: str
    due_in_days: int | None  # negative: already due
    done: bool


@dataclass(frozen=True)
class TestimonySpec:
    days_after_opening: int
    interviewer: str
    institution: str
    recorded: bool
    gesell: bool


@dataclass(frozen=True)
class DemoCase:
    number: int
    organisation: str
    intake_by: str
    archetype: str
    age: int
    sex: str
    municipality: str
    violence_type: str
    offences: tuple[str, ...]
    relationship: str
    second_incident: bool
    intake_channel: str
    opened_days_ago: int
    incident_days_before_opening: int
    status: str  # open, closed or reopened
    closure_reason: str
    team: tuple[str, ...]  # added after the intake
    lead: str  # who leads the case (the intake person unless changed)
    testimonies: tuple[TestimonySpec, ...]
    notes: tuple[NoteSpec, ...]
    tasks: tuple[TaskSpec, ...]
    statistics_consent: bool
    statistics_withdrawn: bool
    contact_channels: tuple[str, ...]
    languages: tuple[str, ...]
    disability: str

    @property
    def is_child(self) -> bool:
        return self.age < 18

    @property
    def document_number(self) -> str:
        return f"DEMO-{self.number:04d}"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _testimonies(rng: random.Random, kind: Archetype, opened_days_ago: int) -> list[TestimonySpec]:
    first = rng.randint(1, max(1, min(20, opened_days_ago)))
    if kind.gesell and rng.random() < 0.6:
        # The single recorded interview... and then someone asks her to tell it again.
        again = min(opened_days_ago, first + rng.randint(10, 90))
        return [
            TestimonySpec(first, Interviewer.FORENSIC, "IDIF, Cámara Gesell", True, True),
            TestimonySpec(again, Interviewer.PROSECUTOR, "Fiscalía", False, False),
        ]
    if rng.random() < 0.5:
        who = rng.choice([Interviewer.POLICE, Interviewer.PROSECUTOR, Interviewer.SLIM])
        return [TestimonySpec(first, who, "", False, False)]
    return []


def _notes(rng: random.Random, intake_by: str, team: tuple[str, ...]) -> list[NoteSpec]:
    notes = [NoteSpec(intake_by, Sensitivity.NORMAL, rng.choice(NOTE_BODIES[Sensitivity.NORMAL]))]
    if team and rng.random() < 0.7:
        notes.append(
            NoteSpec(rng.choice(team), Sensitivity.TEAM, rng.choice(NOTE_BODIES[Sensitivity.TEAM]))
        )
    discipline = [p for p in (intake_by, *team) if p in ("psychologist", "lawyer")]
    if discipline and rng.random() < 0.6:
        author = discipline[-1]
        body = NOTE_BODIES[Sensitivity.DISCIPLINE][0 if author == "psychologist" else 1]
        notes.append(NoteSpec(author, Sensitivity.DISCIPLINE, body))
    return notes


def _tasks(rng: random.Random, people: tuple[str, ...], closed: bool) -> list[TaskSpec]:
    tasks = []
    for _n in range(rng.randint(0, 2)):
        due = rng.choice([None, rng.randint(-30, -1), rng.randint(0, 21)])
        done = closed or rng.random() < 0.3
        tasks.append(TaskSpec(rng.choice(people), rng.choice(TASK_TITLES), due, done))
    return tasks


def demo_cases(seed: int = SEED) -> list[DemoCase]:
    """The demo, as data. Same seed, same cases."""
    rng = random.Random(seed)  # noqa: S311 - fictional data, not security
    specs: list[DemoCase] = []
    boys = 0
    closures = 0
    number = 0
    for slug, count, intakers, places in ORGANISATION_PLAN:
        for _n in range(count):
            number += 1
            kind = rng.choices(ARCHETYPES, weights=[a.weight for a in ARCHETYPES])[0]
            age = rng.randint(*kind.ages)
            sex = Sex.FEMALE
            if kind.may_be_a_boy:
                boys += 1
                sex = Sex.MALE if boys % 4 == 1 else Sex.FEMALE
            intake_by = rng.choice(intakers)
            team: tuple[str, ...] = ()
            if slug == "ong-la-paz":
                chance = {"lawyer": 0.85, "social_worker": 0.6, "psychologist": 0.5}
                if age < 18 or kind.violence_type == GbvimsType.RAPE:
                    chance["psychologist"] = 0.8
                chance["law_student"] = 0.3
                team = tuple(p for p in NGO_TEAM if p != intake_by and rng.random() < chance[p])
            status = rng.choices(["open", "closed", "reopened"], weights=[6, 3, 1])[0]
            reason = ""
            if status != "open":
                reason = CLOSURE_REASONS[closures % len(CLOSURE_REASONS)]
                closures += 1
            opened_days_ago = rng.randint(40 if status != "open" else 3, 900)
            lead = "lawyer" if "lawyer" in team and rng.random() < 0.5 else intake_by
            channels = [IntakeChannel.WALK_IN, IntakeChannel.FELCV, IntakeChannel.HOTLINE]
            if slug != "slim-el-alto":
                channels += [IntakeChannel.SLIM, IntakeChannel.FISCALIA]
            if age < 18 and slug == "ong-la-paz" and rng.random() < 0.5:
                channels = [IntakeChannel.DNA]
            municipality = _weighted(rng, places)
            languages = ["es"] + (
                ["ay"] if municipality.startswith("02") and rng.random() < 0.3 else []
            )
            if municipality.startswith("03") and rng.random() < 0.4:
                languages.append("qu")
            specs.append(
                DemoCase(
                    number=number,
                    organisation=slug,
                    intake_by=intake_by,
                    archetype=kind.name,
                    age=age,
                    sex=sex,
                    municipality=municipality,
                    violence_type=kind.violence_type,
                    offences=rng.choice(kind.offences),
                    relationship=rng.choice(kind.relationships),
                    second_incident=kind.repeats and rng.random() < 0.5,
                    intake_channel=rng.choice(channels),
                    opened_days_ago=opened_days_ago,
                    incident_days_before_opening=rng.randint(1, 120),
                    status=status,
                    closure_reason=reason,
                    team=team,
                    lead=lead,
                    testimonies=tuple(_testimonies(rng, kind, opened_days_ago)),
                    notes=tuple(_notes(rng, intake_by, team)),
                    tasks=tuple(_tasks(rng, (intake_by, *team), status == "closed")),
                    statistics_consent=rng.random() < 0.85,
                    statistics_withdrawn=False,
                    contact_channels=tuple(
                        sorted(set(rng.sample(["call", "sms", "whatsapp", "visit"], 2)))
                    ),
                    languages=tuple(languages),
                    disability=Disability.NONE if rng.random() < 0.9 else Disability.PHYSICAL,
                )
            )
    # One survivor changed her mind about statistics: the consent is recorded, then withdrawn.
    first_with_statistics = next(i for i, s in enumerate(specs) if s.statistics_consent)
    withdrawn = specs[first_with_statistics]
    specs[first_with_statistics] = replace(withdrawn, statistics_withdrawn=True)
    return specs


class _Lookups:
    """Members, places and offences, read once for the whole seed."""

    def __init__(self) -> None:
        self.places: dict[str, Municipality] = {m.code: m for m in municipality_list()}
        self.offences: dict[str, Offence] = {o.code: o for o in offence_list()}
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        self.users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=DOMAIN)}
        self._memberships: dict[tuple[str, str], Membership] = {}

    def member(self, local: str, slug: str) -> Membership:
        key = (local, slug)
        if key not in self._memberships:
            found = membership_for(self.users[local], self.organisations[slug].pk)
            if found is None:
                raise LookupError(f"{local} is not an active member of {slug}")
            self._memberships[key] = found
        return self._memberships[key]


def _acting(membership: Membership) -> Membership:
    """The audit trail attributes what follows to this member, as a request would."""
    set_context(
        RequestContext(actor_id=membership.user_id, organisation_id=membership.organisation_id)
    )
    return membership


def _identity(spec: DemoCase, today: date) -> Identity:
    n = spec.number
    born = today - timedelta(days=spec.age * 365 + 30 + (n * 37) % 300)
    return Identity(
        full_name=f"Persona Ficticia {n:03d}",
        document_number=spec.document_number,
        birth_date=born,
        phone=f"000-DEMO-{n:03d}" if n % 3 else "",
        address=f"Dirección ficticia {n}",
        guardian_name=f"Tutora Ficticia {n:03d}" if spec.is_child else "",
        guardian_contact=f"000-TUTORA-{n:03d}" if spec.is_child else "",
    )


def _seeded_before(spec: DemoCase, member: Membership) -> bool:
    """Her fictional document is already registered in the organisation. Read through the
    selector, not the audited lookup of the intake: re-running the seed is not a search."""
    indexes = identity_indexes(Identity(document_number=spec.document_number))
    found = survivor_matches(membership=member, indexes=indexes)
    return any(match.same_organisation for match in found)


def _intake(spec: DemoCase, look: _Lookups, today: date) -> Case | None:
    member = _acting(look.member(spec.intake_by, spec.organisation))
    if _seeded_before(spec, member):
        return None
    place = look.places[spec.municipality]
    opened = today - timedelta(days=spec.opened_days_ago)
    # Her mother consents for a child; no demo case has the guardian as the alleged aggressor.
    guardian = R.MOTHER if spec.is_child else ""
    intake = cs.Intake(
        contact=cs.SafeContact(
            safe_to_talk=spec.number % 5 != 0,
            channels=list(spec.contact_channels),
            safe_hours="Por las mañanas" if spec.number % 2 else "De 14:00 a 18:00",
            may_leave_message=spec.number % 4 == 0,
            code_word=f"palabra ficticia {spec.number}",
        ),
        identity=_identity(spec, today),
        profile=Profile(
            age=spec.age,
            municipality=place,
            sex=spec.sex,
            languages=list(spec.languages),
            disability=spec.disability,
            guardian_relationship=guardian,
        ),
        incident=cs.IncidentData(
            violence_type=spec.violence_type,
            occurred_on=opened - timedelta(days=spec.incident_days_before_opening),
            date_precision=DatePrecision.EXACT if spec.number % 3 else DatePrecision.MONTH,
            municipality=place,
            offences=[look.offences[c] for c in spec.offences],
            perpetrator_relationship=spec.relationship,
            perpetrator_sex=Sex.MALE,
            perpetrator_age_band="25-34" if spec.number % 2 else "35-44",
        ),
        intake_channel=spec.intake_channel,
        summary=f"Caso ficticio de demostración n.º {spec.number:03d}.",
    )
    case = cs.intake_create(membership=member, intake=intake)
    # The intake service opens cases today; the demo spreads them over the last years.
    case.opened_on = opened
    case.created_at = timezone.now() - timedelta(days=spec.opened_days_ago)
    case.save(update_fields=["opened_on", "created_at"])
    return case


def _casework(spec: DemoCase, case: Case, look: _Lookups, today: date) -> None:
    org = spec.organisation
    intake_member = _acting(look.member(spec.intake_by, org))
    # Only the lead (or the coordination) changes the team: hand the lead over last.
    for person in sorted(spec.team, key=lambda p: p == spec.lead):
        cs.team_add(
            membership=intake_member,
            case=case,
            user_id=look.users[person].pk,
            lead=person == spec.lead,
        )
    if spec.second_incident:
        cs.incident_add(
            membership=intake_member,
            case=case,
            data=cs.IncidentData(
                violence_type=spec.violence_type,
                occurred_on=case.opened_on
                - timedelta(days=spec.incident_days_before_opening + 200),
                municipality=look.places[spec.municipality],
                perpetrator_relationship=spec.relationship,
                perpetrator_sex=Sex.MALE,
                repeats_earlier=True,
            ),
        )
    for t in spec.testimonies:
        cs.testimony_add(
            membership=_acting(look.member(spec.lead, org)),
            case=case,
            taken_on=min(today, case.opened_on + timedelta(days=t.days_after_opening)),
            interviewer=t.interviewer,
            institution=t.institution,
            recorded=t.recorded,
            gesell_chamber=t.gesell,
        )
    for n in spec.notes:
        cs.note_add(
            membership=_acting(look.member(n.author, org)),
            case=case,
            body=n.body,
            sensitivity=n.sensitivity,
        )
    for todo in spec.tasks:
        due = today + timedelta(days=todo.due_in_days) if todo.due_in_days is not None else None
        task = cs.task_add(
            membership=_acting(look.member(spec.lead, org)),
            case=case,
            title=todo.title,
            assignee_id=look.users[todo.assignee].pk,
            due_on=due,
        )
        if todo.done:
            cs.task_complete(membership=_acting(look.member(todo.assignee, org)), task=task)


def _consents(spec: DemoCase, case: Case, look: _Lookups) -> None:
    member = _acting(look.member(spec.intake_by, spec.organisation))
    child = spec.is_child

    def record(purpose: str, **extra: Any) -> Consent:
        return cs.case_consent_record(
            membership=member,
            case=case,
            purpose=purpose,
            given_by=GivenBy.GUARDIAN if child else GivenBy.SURVIVOR,
            child_assent=True if child else None,
            given_on=case.opened_on,
            **extra,
        )

    record(ConsentPurpose.CASE_MANAGEMENT)
    record(ConsentPurpose.CONTACT, channel=spec.contact_channels[0])
    if spec.statistics_consent:
        consent = record(ConsentPurpose.STATISTICS, scope="Estadísticas de la organización")
        if spec.statistics_withdrawn:
            cs.case_consent_withdraw(membership=member, case=case, consent=consent)
    if spec.closure_reason == ClosureReason.REFERRED:
        record(
            ConsentPurpose.SHARING,
            recipient=look.organisations["consultorio-umsa"],
            scope="Derivación para patrocinio legal",
            categories=[SharedCategory.INCIDENTS, SharedCategory.PROCEEDINGS],
        )


def _status(spec: DemoCase, case: Case, look: _Lookups, today: date) -> None:
    if spec.status == "open":
        return
    member = _acting(look.member(spec.lead, spec.organisation))
    span = (today - case.opened_on).days
    closed_on = case.opened_on + timedelta(days=span * 2 // 3)
    cs.case_close(membership=member, case=case, reason=spec.closure_reason, closed_on=closed_on)
    if spec.status == "reopened":
        cs.case_reopen(membership=member, case=case)


DANGER_ITEMS = [
    "violence_increasing",
    "death_threats",
    "weapon_access",
    "strangulation",
    "forced_sex",
    "controlling_jealousy",
    "isolation",
    "recent_separation",
    "threats_to_children",
    "stalking",
    "alcohol_drugs",
    "previous_reports_unanswered",
    "believes_capable_of_killing",
]
CHILD_ITEMS = [
    "aggressor_is_caregiver",
    "no_protective_adult",
    "repeated_abuse",
    "threats_to_child",
    "pressure_to_withdraw",
    "injuries_or_health",
    "school_dropout",
]


def _safety(number: int, spec: DemoCase, case: Case, look: _Lookups, today: date) -> None:
    """Two cases in three get a risk assessment (so lists show levels); the riskier ones a
    safety plan with a first step. Deterministic: it depends only on the case's number."""
    from safety.services import risk_assess, safety_step_add

    if number % 3 == 2:
        return
    rng = random.Random(SEED * 1000 + number)  # noqa: S311 - fictional demo data
    items, instrument = (
        (CHILD_ITEMS, "child_risk_bo") if case.survivor.is_child
        else (DANGER_ITEMS, "danger_assessment_bo")
    )  # fmt: skip
    answers = {item: rng.random() < 0.35 for item in items}
    member = _acting(look.member(spec.lead, spec.organisation))
    assessment = risk_assess(
        membership=member,
        case=case,
        instrument_code=instrument,
        answers=answers,
        assessed_on=max(case.opened_on, today - timedelta(days=rng.randint(0, 60))),
    )
    if assessment.level in {"high", "extreme"}:
        safety_step_add(
            membership=member,
            case=case,
            section="contact",
            text="Acordar con ella a quién llamar y una palabra de alerta (dato ficticio).",
            due_on=today + timedelta(days=7),
        )


def seed_cases(seed: int = SEED) -> tuple[int, int]:
    """Write the demo cases that are not there yet. Returns (created, already there)."""
    look = _Lookups()
    today = timezone.localdate()
    created = skipped = 0
    previous = current()
    try:
        for spec in demo_cases(seed):
            case = _intake(spec, look, today)
            if case is None:
                skipped += 1
                continue
            _casework(spec, case, look, today)
            _consents(spec, case, look)
            _safety(created + skipped, spec, case, look, today)
            _status(spec, case, look, today)
            created += 1
        from demo.proceedings import seed_proceedings  # it builds on the cases above

        seed_proceedings(seed)
    finally:
        set_context(previous)
    return created, skipped
