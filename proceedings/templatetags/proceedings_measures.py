"""`{% measure_rows proceeding as rows %}`: the protection measures of a proceeding with their
names in the reader's language, for the `proceedings/_measures.html` partial. The partial is
included by the proceeding page; the tag keeps it self-contained (two queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from proceedings.models import MeasureStatus, Proceeding, ProtectionMeasure
from proceedings.selectors import measure_list, procedure_for
from proceedings.services_measures import measure_label

register = template.Library()
SOON = dt.timedelta(days=14)


@dataclass(frozen=True)
class MeasureRow:
    protection: ProtectionMeasure
    label: str
    breaches: int
    expired: bool
    expires_soon: bool


@register.simple_tag
def measure_rows(proceeding: Proceeding) -> list[MeasureRow]:
    procedure, language = procedure_for(proceeding), get_language()
    today = timezone.localdate()
    rows = []
    for protection in measure_list(proceeding=proceeding):
        running = protection.status == MeasureStatus.GRANTED and protection.expires_on
        rows.append(
            MeasureRow(
                protection=protection,
                label=measure_label(procedure, protection.measure, language),
                breaches=len(protection.breaches.all()),
                expired=bool(running and protection.expires_on < today),  # type: ignore[operator]
                expires_soon=bool(
                    running and today <= protection.expires_on <= today + SOON  # type: ignore[operator]
                ),
            )
        )
    return rows
