"""Shapes of the cases API. Outputs hold codes, bands and places, never identity: the only
identity that leaves the API is the reveal's answer (IdentityOut)."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from cases.models import ClosureReason, DatePrecision, IntakeChannel, Interviewer, Sensitivity
from jurisdictions.models import GbvimsType
from survivors.models import (
    AgeBand,
    ConsentPurpose,
    ContactChannel,
    Disability,
    GivenBy,
    Language,
    Relationship,
    Sex,
)

# ---- outputs


def place(municipality: Any) -> dict[str, str]:
    return {
        "code": municipality.code,
        "name": municipality.name,
        "department_code": municipality.department.code,
        "department": municipality.department.name,
    }


def person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user is not None else None


class PlaceOut(Schema):
    code: str = Field(description="código INE del municipio")
    name: str
    department_code: str
    department: str


class PersonOut(Schema):
    id: int
    name: str


class _CaseFields(Schema):
    id: int
    code: str
    status: str
    risk_level: str = Field(description="vacío si aún no se evaluó")
    age_band: str = Field(description="edad al ingreso, por tramos")
    municipality: PlaceOut
    lead: PersonOut | None
    opened_on: date
    updated_at: datetime


class CaseRowOut(_CaseFields):
    @staticmethod
    def resolve_code(obj: Any) -> str:
        return str(obj.survivor.code)

    @staticmethod
    def resolve_age_band(obj: Any) -> str:
        return str(obj.survivor.age_band)

    @staticmethod
    def resolve_municipality(obj: Any) -> dict[str, str]:
        return place(obj.survivor.municipality)

    @staticmethod
    def resolve_lead(obj: Any) -> dict[str, Any] | None:
        return person(obj.lead)


class IncidentOut(Schema):
    id: int
    occurred_on: date
    date_precision: str
    municipality: PlaceOut
    offences: list[str] = Field(description="códigos de delito")
    violence_type: str
    perpetrator_relationship: str
    perpetrator_sex: str
    perpetrator_age_band: str
    survivor_was_child: bool
    repeats_earlier: bool

    @staticmethod
    def resolve_municipality(obj: Any) -> dict[str, str]:
        return place(obj.municipality)

    @staticmethod
    def resolve_offences(obj: Any) -> list[str]:
        return [o.code for o in obj.offences.all()]


class TeamMemberOut(Schema):
    user_id: int
    name: str
    role: str
    is_lead: bool


class CaseOut(_CaseFields):
    closure_reason: str
    closed_on: date | None
    intake_channel: str
    sex: str
    is_child: bool
    incidents: list[IncidentOut]
    testimonies_count: int
    revictimisation_warning: bool = Field(
        description="hubo una declaración grabada y volvieron a pedirle que declare"
    )
    team: list[TeamMemberOut]


class NoteOut(Schema):
    id: int
    author: PersonOut
    discipline: str
    sensitivity: str
    body: str | None  # None once her identity was erased (the key is gone)
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> dict[str, Any] | None:
        return person(obj.author)


class TaskOut(Schema):
    id: int
    title: str | None  # None once her identity was erased
    assignee_id: int
    due_on: date | None
    done_at: datetime | None


class TestimonyOut(Schema):
    id: int
    taken_on: date
    interviewer: str
    institution: str
    recorded: bool
    gesell_chamber: bool


class ConsentOut(Schema):
    id: int
    purpose: str
    recipient_id: int | None
    channel: str
    given_by: str
    child_assent: bool | None
    scope: str
    given_on: date
    expires_on: date | None
    withdrawn_at: datetime | None
    is_active: bool
    categories: list[str] = Field(
        default_factory=list,
        description="para compartir: qué partes de su caso (identity, incidents, "
        "proceedings, notes)",
    )

    @staticmethod
    def resolve_is_active(obj: Any) -> bool:
        return bool(obj.is_active())


class IdentityOut(Schema):
    """Her identity and the safe-contact code word: the answer of an audited reveal."""

    full_name: str
    document_number: str
    birth_date: str
    phone: str
    address: str
    guardian_name: str
    guardian_contact: str
    code_word: str


class DuplicateDetail(Schema):
    code: str
    message: str
    organisations: list[str]


class DuplicateOut(Schema):
    error: DuplicateDetail


# ---- inputs


class CaseQuery(Schema):
    """The case list's filters (the same as on the page)."""

    code: str = Field(default="", max_length=32, description="todo o parte del código")
    status: str = Field(default="", description="open, closed, reopened o active (no cerrados)")
    member: int | None = Field(default=None, description="id de una persona del equipo")
    department: str = Field(default="", description="código INE del departamento")
    municipality: str = Field(default="", description="código INE del municipio")
    offence: str = Field(default="", description="código de delito")
    risk: str = Field(default="", description="low, moderate, high, extreme o none (sin evaluar)")
    age_band: str = ""
    sort: str = Field(
        default="-updated_at", description="-updated_at, -opened_on, opened_on, code, -risk"
    )


class SafeContactIn(Schema):
    safe_to_talk: bool | None = None
    channels: list[ContactChannel] = []
    safe_hours: str = Field(default="", max_length=120)
    may_leave_message: bool | None = None
    code_word: str = Field(default="", max_length=100)


class IdentityIn(Schema):
    full_name: str = Field(default="", max_length=200)
    document_number: str = Field(default="", max_length=40)
    birth_date: date | None = None
    phone: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    guardian_name: str = Field(default="", max_length=200)
    guardian_contact: str = Field(default="", max_length=200)


class ProfileIn(Schema):
    age: int = Field(..., ge=0, le=120)
    municipality: str = Field(..., description="código INE del municipio")
    sex: Sex = Sex.UNKNOWN
    languages: list[Language] = []
    disability: Disability = Disability.UNKNOWN
    guardian_relationship: Relationship | None = None
    guardian_is_alleged_aggressor: bool = False


class IncidentIn(Schema):
    violence_type: GbvimsType
    occurred_on: date = Field(..., description="no puede estar en el futuro")
    date_precision: DatePrecision = DatePrecision.MONTH
    municipality: str = Field(
        default="", description="código INE; por defecto, el de la sobreviviente"
    )
    offences: list[str] = Field(default=[], description="códigos de delito")
    perpetrator_relationship: Relationship = Relationship.UNKNOWN
    perpetrator_sex: Sex = Sex.UNKNOWN
    perpetrator_age_band: AgeBand | None = None
    repeats_earlier: bool = False


class IntakeIn(Schema):
    """The three steps of the intake in one body: safe contact, who, what happened."""

    contact: SafeContactIn = Field(default_factory=SafeContactIn)
    identity: IdentityIn = Field(default_factory=IdentityIn)
    profile: ProfileIn
    incident: IncidentIn
    intake_channel: IntakeChannel = IntakeChannel.WALK_IN
    summary: str = Field(default="", max_length=5000)
    confirmed_new_person: bool = Field(
        default=False,
        description="ya se habló de la posible coincidencia y es otra persona "
        "(no vale para coincidencias dentro de la propia organización)",
    )


class NoteIn(Schema):
    body: str = Field(..., max_length=20000)
    sensitivity: Sensitivity = Sensitivity.NORMAL


class TaskIn(Schema):
    title: str = Field(..., max_length=300)
    assignee_id: int | None = Field(default=None, description="por defecto, quien la crea")
    due_on: date | None = None


class TestimonyIn(Schema):
    taken_on: date = Field(..., description="no puede estar en el futuro")
    interviewer: Interviewer
    institution: str = Field(default="", max_length=120)
    recorded: bool = False
    gesell_chamber: bool = False


class ConsentIn(Schema):
    purpose: ConsentPurpose
    given_by: GivenBy
    given_on: date = Field(..., description="no puede estar en el futuro")
    child_assent: bool | None = None
    recipient_id: int | None = Field(default=None, description="organización, para compartir")
    channel: ContactChannel | None = None
    scope: str = Field(default="", max_length=300)
    expires_on: date | None = None
    categories: list[str] = Field(
        default_factory=list,
        description="para compartir: qué acepta compartir (identity, incidents, proceedings, "
        "notes)",
    )


class RevealIn(Schema):
    reason: str = Field(default="", description="contact, legal_filing, safety, referral u other")


class TeamIn(Schema):
    user_id: int = Field(..., description="id de una persona de la organización que trabaja casos")
    lead: bool = Field(default=False, description="designarla responsable (reemplaza a la actual)")


class CloseIn(Schema):
    reason: ClosureReason
    closed_on: date = Field(..., description="no puede estar en el futuro ni antes de la apertura")
