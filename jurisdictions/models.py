"""Country rules as rows, loaded from the versioned packs in `jurisdictions/packs/<code>/`.

Rows are replaced from the files by `manage.py load_jurisdictions` (and after every migrate);
nobody edits them in the database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmado")
    TO_CHECK = "to_check", _("por verificar")
    ASSUMED = "assumed", _("supuesto")


class GbvimsType(models.TextChoices):
    """GBVIMS core types, in the order that decides an incident's type (first that applies)."""

    RAPE = "rape", _("Violación")
    SEXUAL_ASSAULT = "sexual_assault", _("Agresión sexual")
    PHYSICAL_ASSAULT = "physical_assault", _("Agresión física")
    FORCED_MARRIAGE = "forced_marriage", _("Matrimonio forzado")
    DENIAL_OF_RESOURCES = (
        "denial_of_resources",
        _("Negación de recursos, oportunidades o servicios"),
    )
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Abuso psicológico o emocional")


GBVIMS_PRECEDENCE = [choice.value for choice in GbvimsType]


class Jurisdiction(models.Model):
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    version = models.CharField(max_length=32)
    time_zone = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE)
    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100)
    abbreviation = models.CharField(max_length=8)
    # ISO 3166-2 code (e.g. "BO-L"): picks the department's holidays in the `holidays` package.
    iso_3166_2 = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="municipalities"
    )
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    province_code = models.CharField(max_length=8)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.department.name})"


class Offence(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE)
    code = models.CharField(max_length=16)
    article = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    penalty = models.CharField(max_length=200, blank=True)
    gbvims = models.CharField(max_length=30, choices=GbvimsType.choices)
    victim_min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    victim_under = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    mapping_status = models.CharField(max_length=10, choices=Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["jurisdiction", "article"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "code"], name="one_offence_code")
        ]

    def __str__(self) -> str:
        return f"Art. {self.article}: {self.name}"
