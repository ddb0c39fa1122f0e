"""Reads the proceedings API needs beyond `proceedings.selectors`: public reference data."""

from __future__ import annotations

from django.http import Http404

from jurisdictions.models import Jurisdiction


def jurisdiction_get(*, code: str) -> Jurisdiction:
    """A loaded jurisdiction by its pack code; 404 for any other code (never a file read)."""
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        raise Http404
    return jurisdiction
