"""Shapes of the referrals API, and the functions that fill them.

A referral names its case by CODE, never by a survivor's name; statuses are the effective
ones (a pending or accepted referral past its expiry date reads `expired`). The referred data
the receiving side reads holds no identifiers: no name, no NUREJ, no prosecutor's number.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from cases.schemas import PersonOut, person
from proceedings.schemas import CodeOut
from referrals.models import DeclineReason, Purpose, Referral
from referrals.models import Status as ReferralStatus
from survivors.models import SharedCategory

# ---- outputs


class OrganisationOut(Schema):
    id: int
    name: str


class ReferralOut(Schema):
    """A referral as the receiving side sees it (the inbox)."""

    id: int
    case_code: str = Field(description="código del caso; nunca el nombre")
    from_organisation: OrganisationOut
    to_organisation: OrganisationOut | None = Field(description="null: servicio externo")
    external_service: str
    purpose: CodeOut
    categories: list[CodeOut] = Field(description="qué se comparte, según su consentimiento")
    expires_on: dt.date
    status: CodeOut = Field(
        description="pending, accepted, declined, revoked, completed, recorded o expired"
    )
    requested_by: PersonOut
    requested_at: dt.datetime
    decided_by: PersonOut | None
    decided_at: dt.datetime | None
    decline_reason: CodeOut | None
    ended_by: PersonOut | None
    ended_at: dt.datetime | None
    assignees: list[PersonOut]


class ReadOut(Schema):
    """A read by the receiving side through the referral."""

    at: dt.datetime
    actor: PersonOut | None
    category: str = Field(description="la categoría leída; vacío: el resumen del caso")


class OutgoingReferralOut(ReferralOut):
    """A referral as the referring side sees it, inside its case."""

    case_id: int


class OutgoingReferralDetailOut(OutgoingReferralOut):
    reads: list[ReadOut] = Field(
        description="lo que leyó la organización que recibe: las 100 lecturas más recientes"
    )
    reads_count: int = Field(description="todas las lecturas")


class ReferredDeadlineOut(Schema):
    rule: CodeOut
    due_at: dt.datetime
    state: CodeOut
    overdue: bool


class ReferredHearingOut(Schema):
    type: CodeOut
    starts_at: dt.datetime
    court: str = Field(description="nombre del juzgado")
    status: CodeOut


class ReferredProceedingOut(Schema):
    """Where a criminal proceeding stands: no identifiers, no accused."""

    department: str
    stage: CodeOut
    stage_since: dt.date | None
    deadlines: list[ReferredDeadlineOut]
    hearings: list[ReferredHearingOut]


# ---- inputs


class ReferralIn(Schema):
    """To another organisation of the network (`to_organisation_id`, sharing `categories`
    she consented to share with it) or to an outside service (`external_service`, which
    grants nothing): one of the two."""

    to_organisation_id: int | None = None
    external_service: str = Field(default="", max_length=200)
    purpose: Purpose
    categories: list[SharedCategory] = []
    expires_on: dt.date = Field(..., description="como máximo un año desde hoy")


class AcceptIn(Schema):
    assignee_ids: list[int] = Field(
        ..., description="personas de tu organización que atenderán el caso"
    )


class DeclineIn(Schema):
    reason: DeclineReason


# ---- filling the outputs


def _code(choices: Any, value: str) -> dict[str, str]:
    return {"code": value, "label": str(choices(value).label)}


def _organisation(organisation: Any) -> dict[str, Any] | None:
    return {"id": organisation.pk, "name": organisation.name} if organisation else None


def status_out(referral: Referral) -> dict[str, str]:
    status = referral.effective_status()
    if status == "expired":
        return {"code": status, "label": _("Vencida")}
    return _code(ReferralStatus, status)


def referral_out(referral: Referral) -> dict[str, Any]:
    """`assignees` prefetched (the selectors do)."""
    return {
        "id": referral.pk,
        "case_code": referral.case.survivor.code,
        "from_organisation": _organisation(referral.from_organisation),
        "to_organisation": _organisation(referral.to_organisation),
        "external_service": referral.external_service,
        "purpose": _code(Purpose, referral.purpose),
        "categories": [_code(SharedCategory, c) for c in referral.categories],
        "expires_on": referral.expires_on,
        "status": status_out(referral),
        "requested_by": person(referral.requested_by),
        "requested_at": timezone.localtime(referral.requested_at),
        "decided_by": person(referral.decided_by),
        "decided_at": referral.decided_at and timezone.localtime(referral.decided_at),
        "decline_reason": _code(DeclineReason, referral.decline_reason)
        if referral.decline_reason
        else None,
        "ended_by": person(referral.ended_by),
        "ended_at": referral.ended_at and timezone.localtime(referral.ended_at),
        "assignees": [person(user) for user in referral.assignees.all()],
    }


def outgoing_out(referral: Referral) -> dict[str, Any]:
    return {**referral_out(referral), "case_id": referral.case_id}


def read_out(event: Any, names: dict[int, str]) -> dict[str, Any]:
    """An audit event of a read: its fields are `category:<code>` or `case`."""
    category = next(
        (f.removeprefix("category:") for f in event.fields if f.startswith("category:")), ""
    )
    actor = {"id": event.actor_id, "name": names.get(event.actor_id, "")}
    return {
        "at": timezone.localtime(event.at),
        "actor": actor if event.actor_id else None,
        "category": category,
    }
