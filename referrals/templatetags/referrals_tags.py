"""Template helpers for what a survivor consented to share."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from referrals.display import category_labels

register = template.Library()


@register.filter(name="shared_categories")
def shared_categories(codes: Iterable[str] | None) -> str:
    """SharedCategory codes as their names, in the usual order: "Hechos, Notas"."""
    return ", ".join(category_labels(codes or []))
