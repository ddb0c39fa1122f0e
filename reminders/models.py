"""Safe reminders to a survivor before a hearing.

A reminder goes only on a channel she consented to (an active `contact` consent), only inside
the safe hours recorded for that channel on her case (`ReminderWindow`: no window, no
reminder), with a neutral text from her organisation's template (`ReminderTemplate`). Each one
is an `OutboundMessage`: one per hearing and channel, ever (a unique constraint), so a planner
that runs twice, or two workers racing, can never remind her twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    """The contact channels a written reminder can go on (a subset of ContactChannel)."""

    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class ReminderTemplate(models.Model):
    """An organisation's reminder text. Holds no survivor data."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(_("texto del recordatorio"), max_length=300)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"reminder template {self.organisation_id}"


class ReminderWindow(models.Model):
    """The hours of the day (America/La_Paz) when a reminder on `channel` is safe for her."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    safe_from = models.TimeField(_("desde"))
    safe_until = models.TimeField(_("hasta"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(fields=["case", "channel"], name="one_window_per_channel"),
            models.CheckConstraint(
                condition=models.Q(safe_from__lt=models.F("safe_until")),
                name="window_starts_before_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"window {self.channel}@{self.case_id}"


class MessageState(models.TextChoices):
    SCHEDULED = "scheduled", _("Programado")
    SENDING = "sending", _("Enviándose")
    OUTBOX = "outbox", _("Por enviar a mano")
    SENT = "sent", _("Enviado")
    FAILED = "failed", _("Falló")
    CANCELLED = "cancelled", _("Cancelado")


PENDING_STATES = (MessageState.SCHEDULED, MessageState.OUTBOX)
# States in which a coordinator may record that she reached the survivor herself.
HAND_SENDABLE_STATES = (MessageState.OUTBOX, MessageState.FAILED)


class CancelReason(models.TextChoices):
    HEARING_CHANGED = "hearing", _("La audiencia ya no está programada")
    REMINDER_OFF = "reminder_off", _("La audiencia ya no pide recordatorio")
    CASE_CLOSED = "case_closed", _("El caso está cerrado")
    NO_CONSENT = "no_consent", _("Sin consentimiento vigente para este canal")
    NO_WINDOW = "no_window", _("Sin horario seguro en que enviarlo a tiempo")
    NO_MESSAGES = "no_messages", _("No se le pueden dejar mensajes")
    NO_PHONE = "no_phone", _("Sin número de teléfono registrado")
    TOO_LATE = "too_late", _("No se envió antes de la audiencia")


class OutboundMessage(models.Model):
    """One reminder of one hearing on one channel. The recipient's number is never stored
    here: it is read (and the read audited) from her encrypted identity when it is sent or
    shown to a coordinator. The text is neutral by construction, and stored encrypted with
    her data key all the same."""

    hearing = models.ForeignKey("proceedings.Hearing", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    state = models.CharField(
        _("estado"), max_length=10, choices=MessageState.choices, default=MessageState.SCHEDULED
    )
    scheduled_for = models.DateTimeField(_("programado para"))
    hearing_starts_at = models.DateTimeField()  # the date and time the text announces
    body = EncryptedTextField(data_key_field="survivor_data_key")
    backend = models.CharField(max_length=10, blank=True)  # which backend took it
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=40, blank=True)  # a code, never a gateway body
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["scheduled_for", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "channel"], name="one_reminder_per_hearing_and_channel"
            )
        ]
        indexes = [models.Index(fields=["organisation", "state", "scheduled_for"])]

    def __str__(self) -> str:
        return f"reminder {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.case.survivor.data_key
