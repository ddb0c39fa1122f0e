"""`{% hearing_rows proceeding as rows %}`: the rows of a proceeding's hearings section, so
that `proceedings/_hearings.html` needs only `case` and `proceeding` from the page that
includes it."""

from __future__ import annotations

from django import template

from proceedings.models import Proceeding
from proceedings.views.hearings import HearingRow
from proceedings.views.hearings import hearing_rows as rows_of

register = template.Library()


@register.simple_tag
def hearing_rows(proceeding: Proceeding) -> list[HearingRow]:
    return rows_of(proceeding)
