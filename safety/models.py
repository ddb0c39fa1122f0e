"""Risk assessments (a history, never edited) and the safety plan of each case.

An assessment stores the instrument's code and version with the answers and the engine's
result, so an old assessment still reads correctly after the instrument is revised. A
correction is a new assessment. Safety-plan steps are free text written with the survivor
(where she can sleep, whom she can call), so they are encrypted with her data key.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import RiskLevel
from crypto.fields import EncryptedTextField

USER = settings.AUTH_USER_MODEL

LEVELS = [(value, label) for value, label in RiskLevel.choices if value]


class RiskAssessment(models.Model):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="risk_assessments"
    )
    instrument_code = models.CharField(_("instrumento"), max_length=64)
    instrument_version = models.PositiveIntegerField(_("versión del instrumento"))
    answers = models.JSONField(_("respuestas"), default=dict, blank=True)  # item code → answer
    score = models.PositiveIntegerField(_("puntaje"))
    level = models.CharField(_("nivel de riesgo"), max_length=10, choices=LEVELS)
    score_level = models.CharField(_("nivel según el puntaje"), max_length=10, choices=LEVELS)
    critical_items = models.JSONField(_("preguntas críticas"), default=list, blank=True)
    missing = models.JSONField(_("preguntas sin respuesta"), default=list, blank=True)
    raised_by_critical = models.BooleanField(_("elevado por una pregunta crítica"))
    complete = models.BooleanField(_("completa"))
    assessed_by = models.ForeignKey(
        USER, verbose_name=_("evaluó"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("fecha de la evaluación"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The latest assessment (by date, then by when it was recorded) sets the case's level.
        ordering = ["-assessed_on", "-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "-assessed_on", "-created_at"])]

    def __str__(self) -> str:
        return f"assessment {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Risk assessments are never edited: record a new one.")
        super().save(*args, **kwargs)


class SafetyPlan(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="safety_plan")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"safety plan {self.pk}"


class Section(models.TextChoices):
    HOME = "home", _("Seguridad en casa")
    CONTACT = "contact", _("Contactos de emergencia")
    MOBILITY = "mobility", _("Desplazamientos y trabajo/escuela")
    CHILDREN = "children", _("Hijas e hijos")
    LEGAL = "legal", _("Medidas de protección y trámites")
    EMOTIONAL = "emotional", _("Apoyo emocional")
    OTHER = "other", _("Otro")


class SafetyStep(models.Model):
    """One dated step of the plan. Done steps keep their date; a step that no longer applies
    is withdrawn (`removed_at`), never deleted, so the plan's history stays readable."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="steps")
    section = models.CharField(_("sección"), max_length=10, choices=Section.choices)
    text = EncryptedTextField(_("paso"), data_key_field="survivor_data_key")
    due_on = models.DateField(_("para cuándo"), null=True, blank=True)
    done_on = models.DateField(_("cumplido el"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(_("retirado el"), null=True, blank=True)
    removed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["section", "done_on", "due_on", "pk"]

    def __str__(self) -> str:
        return f"safety step {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.plan.case.survivor.data_key

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None
