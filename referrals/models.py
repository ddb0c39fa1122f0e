"""Referrals: organisation A refers a case (or one service within it) to organisation B, or
records a referral to an outside service.

An accepted referral to an organisation is a grant: B's assigned people may read the data
categories the survivor consented to share with B, until the expiry date, completion or
revocation. The grant is read from these rows on every request (`referrals.selectors`), so any
change takes effect on the next one. A referral to an outside service grants nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Purpose(models.TextChoices):
    LEGAL = "legal", _("Representación legal")
    PSYCHOLOGICAL = "psychological", _("Apoyo psicológico")
    SOCIAL_WORK = "social_work", _("Trabajo social")
    SHELTER = "shelter", _("Casa de acogida")
    HEALTH = "health", _("Salud")
    OTHER = "other", _("Otro")


class Status(models.TextChoices):
    PENDING = "pending", _("Pendiente de respuesta")
    ACCEPTED = "accepted", _("Aceptada")
    DECLINED = "declined", _("Rechazada")
    REVOKED = "revoked", _("Revocada")
    COMPLETED = "completed", _("Concluida")
    RECORDED = "recorded", _("Registrada (servicio externo)")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("Sin capacidad para recibir más casos")
    OUT_OF_AREA = "out_of_area", _("Fuera de nuestra zona")
    NOT_OUR_SERVICE = "not_our_service", _("No ofrecemos ese servicio")
    CONFLICT = "conflict", _("Conflicto de interés")
    OTHER = "other", _("Otro motivo")


class Referral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organización que recibe"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # A referral to an outside service (a health centre, a shelter) names it and grants nothing.
    external_service = models.CharField(_("servicio externo"), max_length=200, blank=True)
    purpose = models.CharField(_("para qué"), max_length=16, choices=Purpose.choices)
    categories = models.JSONField(_("qué se comparte"), default=list, blank=True)
    consent = models.ForeignKey(
        "survivors.Consent", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    expires_on = models.DateField(_("vence"))
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(
        _("motivo"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    ended_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    assignees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, verbose_name=_("personas asignadas"), related_name="referrals_assigned", blank=True
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["case", "status"]),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.expires_on < (today or timezone.localdate())

    @property
    def is_external(self) -> bool:
        return self.to_organisation_id is None

    def grants_access(self, today: dt.date | None = None) -> bool:
        """Accepted, not ended, not expired: B's assigned people may read its categories."""
        return self.status == Status.ACCEPTED and not self.is_expired(today)

    def effective_status(self, today: dt.date | None = None) -> str:
        """The status as people should read it: a pending or accepted referral past its
        expiry date has expired."""
        if self.status in (Status.PENDING, Status.ACCEPTED) and self.is_expired(today):
            return "expired"
        return self.status
