"""How referrals read on a page: the status as people should read it (an open referral past
its expiry date has expired), the shared categories by name, and what each recorded read was
about. No queries here: callers pass rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from audit.models import AuditEvent
from referrals.models import Referral, Status
from survivors.models import SharedCategory

EXPIRED = "expired"
# The order in which categories are listed and the referred case page shows them.
CATEGORY_ORDER = [c.value for c in SharedCategory]


def status_label(status: str) -> str:
    if status == EXPIRED:
        return _("Vencida")
    return str(dict(Status.choices).get(status, status))


def category_labels(categories: Iterable[str]) -> list[str]:
    labels = dict(SharedCategory.choices)
    wanted = set(categories)
    return [str(labels[c]) for c in CATEGORY_ORDER if c in wanted]


def recipient_name(referral: Referral) -> str:
    if referral.to_organisation is not None:
        return referral.to_organisation.name
    return referral.external_service


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    status: str  # a Status value or "expired"
    status_label: str
    recipient: str
    categories: list[str]

    @property
    def is_open(self) -> bool:
        return self.status in (Status.PENDING, Status.ACCEPTED)


def referral_row(referral: Referral) -> ReferralRow:
    status = referral.effective_status()
    return ReferralRow(
        referral=referral,
        status=status,
        status_label=status_label(status),
        recipient=recipient_name(referral),
        categories=category_labels(referral.categories),
    )


@dataclass(frozen=True)
class ReadRow:
    event: AuditEvent
    what: str


def read_rows(events: Iterable[AuditEvent]) -> list[ReadRow]:
    """A read through a referral records `category:<code>` (or `case`) as its field."""
    labels = dict(SharedCategory.choices)
    rows = []
    for event in events:
        names = []
        for field in event.fields or []:
            code = str(field).removeprefix("category:")
            names.append(str(labels.get(code, _("el caso") if code == "case" else code)))
        rows.append(ReadRow(event, ", ".join(names) or "—"))
    return rows
