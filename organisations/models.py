from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("ONG")
    VOLUNTEER_NETWORK = "volunteer_network", _("Red de voluntariado")
    LEGAL_CLINIC = "legal_clinic", _("Consultorio jurídico universitario")
    PUBLIC_SERVICE = "public_service", _("Servicio público")
    OTHER = "other", _("Otra")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinadora")
    LAWYER = "lawyer", _("Abogada")
    SOCIAL_WORKER = "social_worker", _("Trabajadora social")
    PSYCHOLOGIST = "psychologist", _("Psicóloga")
    LAW_STUDENT = "law_student", _("Estudiante de derecho")
    SUPERVISOR = "supervisor", _("Supervisora")
    ANALYST = "analyst", _("Analista")
    ORG_ADMIN = "org_admin", _("Administradora de la organización")


class Organisation(models.Model):
    name = models.CharField(_("nombre"), max_length=200)
    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    kind = models.CharField(_("tipo"), max_length=30, choices=OrganisationKind.choices)
    city = models.CharField(_("ciudad"), max_length=100, blank=True)
    is_active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organización")
        verbose_name_plural = _("organizaciones")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in an organisation. Every grant starts here and is read per request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.organisation_id}:{self.role}"


class Invitation(models.Model):
    """An expiring, single-use invitation. Only a hash of its token is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("correo electrónico"))
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
