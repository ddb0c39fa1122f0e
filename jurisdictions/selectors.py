"""Reading jurisdiction data: public reference data, no access rules."""

from __future__ import annotations

from django.db.models import QuerySet

from jurisdictions.models import Department, Municipality, Offence


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def municipality_list(*, department_code: str = "") -> QuerySet[Municipality]:
    qs = Municipality.objects.select_related("department").order_by("department__code", "name")
    return qs.filter(department__code=department_code) if department_code else qs


def municipality_by_code(code: str) -> Municipality | None:
    return Municipality.objects.select_related("department").filter(code=code).first()


def offence_list() -> QuerySet[Offence]:
    return Offence.objects.select_related("jurisdiction").order_by("article")
