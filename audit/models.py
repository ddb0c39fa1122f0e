from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("ver")
    CREATE = "create", _("crear")
    UPDATE = "update", _("modificar")
    DELETE = "delete", _("eliminar")
    EXPORT = "export", _("exportar")
    REVEAL = "reveal", _("revelar identidad")
    LOGIN = "login", _("inicio de sesión")
    LOGIN_FAILED = "login_failed", _("inicio de sesión fallido")
    LOGOUT = "logout", _("cierre de sesión")
    PERMISSION_DENIED = "permission_denied", _("acceso denegado")
    INVITE = "invite", _("invitar")
    DEACTIVATE = "deactivate", _("desactivar")
    SWITCH_ORGANISATION = "switch_organisation", _("cambiar de organización")
    TOKEN_CREATE = "token_create", _("crear token de API")
    TOKEN_REVOKE = "token_revoke", _("revocar token de API")
    KEY_ROTATION = "key_rotation", _("rotación de claves")


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    """One thing someone did. Holds names of fields, never values of personal data.

    Append-only: the model refuses updates and deletes, and a database trigger does too
    (see the migrations), so not even raw SQL from the app can rewrite history.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")
