"""Writes to survivor records, each audited in the same transaction.

Callers pass a membership that has already been allowed to act on the survivor's case
(cases.selectors.case_get_for_user); services check capabilities again, deny by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.policy import Capability, require_capability
from audit.models import Action
from audit.services import audit_record
from crypto.keys import blind_index
from crypto.models import DataKey
from jurisdictions.models import Municipality
from organisations.models import Membership, Organisation
from survivors.models import (
    CHILD_BANDS,
    CodeSequence,
    Consent,
    ConsentPurpose,
    GivenBy,
    MatchNotice,
    SharedCategory,
    Survivor,
    age_band_for,
)
from survivors.selectors import PossibleMatch, survivor_by_id, survivor_matches


@dataclass
class Identity:
    """What identifies her. Every field optional; all stored encrypted."""

    full_name: str = ""
    document_number: str = ""
    birth_date: date | None = None
    phone: str = ""
    address: str = ""
    guardian_name: str = ""
    guardian_contact: str = ""

    def values(self) -> dict[str, str]:
        return {
            "full_name": self.full_name.strip(),
            "document_number": self.document_number.strip(),
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "phone": self.phone.strip(),
            "address": self.address.strip(),
            "guardian_name": self.guardian_name.strip(),
            "guardian_contact": self.guardian_contact.strip(),
        }


def identity_indexes(identity: Identity) -> dict[str, str]:
    values = identity.values()
    name_dob = ""
    if values["full_name"] and values["birth_date"]:
        name_dob = blind_index(f"{values['full_name']}|{values['birth_date']}", purpose="name_dob")
    return {
        "document_index": blind_index(values["document_number"], purpose="document")
        if values["document_number"]
        else "",
        "phone_index": blind_index(values["phone"], purpose="phone") if values["phone"] else "",
        "name_dob_index": name_dob,
    }


@dataclass
class Profile:
    """What is kept in clear for statistics."""

    age: int
    municipality: Municipality
    sex: str = "unknown"
    languages: list[str] = field(default_factory=list)
    disability: str = "unknown"
    guardian_relationship: str = ""
    guardian_is_alleged_aggressor: bool = False


def next_code(*, municipality: Municipality, year: int | None = None) -> str:
    """LPZ-2026-00042: department abbreviation, year, sequence. Call inside a transaction."""
    year = year or timezone.localdate().year
    prefix = municipality.department.abbreviation
    sequence, _ = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-{year}-{sequence.last:05d}"


def find_matches(*, membership: Membership, identity: Identity) -> list[PossibleMatch]:
    """Look for her across the network. The lookup itself is audited (which kinds of data were
    compared, and how many matched), since it tells which organisation attends someone."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    indexes = identity_indexes(identity)
    matches = survivor_matches(membership=membership, indexes=indexes)
    if any(indexes.values()):
        audit_record(
            action=Action.VIEW,
            object_type="survivors.match_lookup",
            object_id=len(matches),
            fields=[name for name, value in indexes.items() if value],
        )
    return matches


def survivor_register(*, membership: Membership, identity: Identity, profile: Profile) -> Survivor:
    """Create the survivor with her own data key. Callers check duplicates first."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    if not 0 <= profile.age <= 120:
        raise ValidationError({"age": _("La edad debe estar entre 0 y 120 años.")})
    band = age_band_for(profile.age)
    with transaction.atomic():
        data_key = DataKey.generate()
        data_key.save()
        survivor = Survivor(
            organisation_id=membership.organisation_id,
            code=next_code(municipality=profile.municipality),
            data_key=data_key,
            sex=profile.sex,
            age_band=band,
            is_child=band in CHILD_BANDS,
            languages=sorted(set(profile.languages)),
            disability=profile.disability,
            department=profile.municipality.department,
            municipality=profile.municipality,
            guardian_relationship=profile.guardian_relationship,
            guardian_is_alleged_aggressor=profile.guardian_is_alleged_aggressor,
            created_by_id=membership.user_id,
            **identity.values(),
            **identity_indexes(identity),
        )
        survivor.full_clean(exclude=["data_key", *Survivor.IDENTITY_FIELDS])
        survivor.save()
        touched = [name for name, value in identity.values().items() if value]
        audit_record(action=Action.CREATE, obj=survivor, fields=["code", *touched])
    return survivor


def identity_update(*, membership: Membership, survivor: Survivor, identity: Identity) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if survivor.identity_erased_at:
        raise ValidationError(_("La identidad de esta persona fue borrada y no puede editarse."))
    with transaction.atomic():
        changed = [n for n, v in identity.values().items() if (getattr(survivor, n) or "") != v]
        for name, value in identity.values().items():
            setattr(survivor, name, value)
        for name, value in identity_indexes(identity).items():
            setattr(survivor, name, value)
        survivor.save()
        audit_record(action=Action.UPDATE, obj=survivor, fields=changed)


REVEAL_REASONS = {
    "contact": _("Contactarla"),
    "legal_filing": _("Presentación legal o judicial"),
    "safety": _("Seguridad"),
    "referral": _("Derivación"),
    "other": _("Otro"),
}


def identity_reveal(
    *, membership: Membership, survivor: Survivor, reason: str = ""
) -> dict[str, str]:
    """Decrypt her identity for someone entitled to it; the trail records who, when, why."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    if reason and reason not in REVEAL_REASONS:
        raise ValidationError({"reason": _("Motivo desconocido.")})
    if survivor.identity_erased_at:
        return dict.fromkeys(Survivor.IDENTITY_FIELDS, "")
    with transaction.atomic():
        audit_record(
            action=Action.REVEAL,
            obj=survivor,
            fields=[*Survivor.IDENTITY_FIELDS, *([f"reason:{reason}"] if reason else [])],
        )
    return {name: getattr(survivor, name) or "" for name in Survivor.IDENTITY_FIELDS}


def match_notice_create(
    *, membership: Membership, match: PossibleMatch, ask_referral: bool
) -> MatchNotice:
    """Tell the holding organisation that we may be attending the same person."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    if match.same_organisation:
        raise ValidationError(_("Esta persona ya está registrada en tu organización."))
    with transaction.atomic():
        notice = MatchNotice(
            survivor=survivor_by_id(survivor_id=match.survivor_id),
            holder=match.organisation,
            requester_id=membership.organisation_id,
            requested_by_id=membership.user_id,
            matched_on=list(match.matched_on),
            referral_requested=ask_referral,
        )
        notice.save()
        audit_record(action=Action.CREATE, obj=notice, fields=["matched_on"])
    return notice


def consent_record(
    *,
    membership: Membership,
    survivor: Survivor,
    purpose: str,
    given_by: str,
    given_on: date,
    child_assent: bool | None = None,
    recipient: Organisation | None = None,
    channel: str = "",
    scope: str = "",
    expires_on: date | None = None,
    alleged_aggressor_relationships: set[str] = frozenset(),  # type: ignore[assignment]
    categories: Sequence[str] = (),
) -> Consent:
    """Record one consent. For a child, a guardian consents (never one recorded as the
    alleged aggressor) and the child's own assent is asked."""
    require_capability(membership, Capability.SEE_SURVIVORS)
    errors: dict[str, str] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Propósito desconocido.")
    if purpose == ConsentPurpose.SHARING and recipient is None:
        errors["recipient"] = _("Indica con qué organización se comparte.")
    if purpose == ConsentPurpose.SHARING and not categories:
        errors["categories"] = _("Indica qué partes de su caso acepta compartir.")
    if any(c not in SharedCategory.values for c in categories):
        errors["categories"] = _("Categoría desconocida.")
    if categories and purpose != ConsentPurpose.SHARING:
        errors["categories"] = _("Las categorías solo corresponden a compartir.")
    if purpose == ConsentPurpose.CONTACT and not channel:
        errors["channel"] = _("Indica el canal de contacto.")
    if given_on > timezone.localdate():
        errors["given_on"] = _("La fecha no puede estar en el futuro.")
    if expires_on and expires_on < given_on:
        errors["expires_on"] = _("El vencimiento es anterior a la fecha del consentimiento.")
    if survivor.is_child:
        if given_by != GivenBy.GUARDIAN:
            errors["given_by"] = _(
                "Para una niña, niño o adolescente consiente su madre, padre o persona tutora."
            )
        elif survivor.guardian_is_alleged_aggressor or (
            survivor.guardian_relationship
            and survivor.guardian_relationship in alleged_aggressor_relationships
        ):
            errors["given_by"] = _(
                "La persona tutora está registrada como presunta agresora: no puede consentir."
            )
        if child_assent is None:
            errors["child_assent"] = _("Registra si la niña, niño o adolescente asiente.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent(
            survivor=survivor,
            purpose=purpose,
            recipient=recipient,
            channel=channel,
            given_by=given_by,
            child_assent=child_assent,
            scope=scope.strip()[:300],
            categories=sorted(set(categories)),
            given_on=given_on,
            expires_on=expires_on,
            recorded_by_id=membership.user_id,
        )
        consent.save()
        audit_record(action=Action.CREATE, obj=consent, fields=["purpose", "given_by"])
    return consent


def consent_withdraw(*, membership: Membership, consent: Consent) -> None:
    require_capability(membership, Capability.SEE_SURVIVORS)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("Este consentimiento ya fue retirado."))
    with transaction.atomic():
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by_id = membership.user_id
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(action=Action.UPDATE, obj=consent, fields=["withdrawn_at"])


def match_notice_close(*, membership: Membership, notice: MatchNotice) -> None:
    """The holding organisation has dealt with a notice (a referral is handled outside
    Amparo for now). Its coordinators and supervisors close it."""
    from access.policy import sees_whole_caseload

    require_capability(membership, Capability.SEE_SURVIVORS)
    if not sees_whole_caseload(membership) or notice.holder_id != membership.organisation_id:
        raise ValidationError(_("Solo la coordinación de la organización puede cerrar el aviso."))
    if notice.state != MatchNotice.State.OPEN:
        raise ValidationError(_("Este aviso ya estaba atendido."))
    with transaction.atomic():
        notice.state = MatchNotice.State.CLOSED
        notice.save(update_fields=["state"])
        audit_record(action=Action.UPDATE, obj=notice, fields=["state"])
