"""Criminal proceedings of a case: identifiers, accused, charges, procedural events, the legal
deadlines they start, hearings and protection measures.

Stages, event types, deadline rules, hearing types and protection measures are *codes* from the
jurisdiction pack (`jurisdictions.procedure.rules_for`). Events are never edited or deleted: a
correction is a new event that supersedes the old one. The stage and the deadlines are derived
from the events (`proceedings.engine`) and stored only so that lists can filter and sort.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField
from survivors.models import Relationship, Sex

USER = settings.AUTH_USER_MODEL


class OfficeKind(models.TextChoices):
    PROSECUTOR = "prosecutor", _("Fiscalía")
    INVESTIGATING_COURT = "investigating", _("Juzgado de instrucción")
    SENTENCING_COURT = "sentencing", _("Juzgado o tribunal de sentencia")
    APPEAL_COURT = "appeal", _("Sala penal (apelación)")
    SUPREME_COURT = "supreme", _("Tribunal Supremo")
    OTHER_COURT = "other_court", _("Otro juzgado")


COURT_KINDS = [k for k in OfficeKind.values if k != OfficeKind.PROSECUTOR]


class JusticeOffice(models.Model):
    """A court or a prosecutor's office: a public directory that coordinators maintain for the
    whole network. It holds no survivor data."""

    kind = models.CharField(_("tipo"), max_length=16, choices=OfficeKind.choices)
    name = models.CharField(_("nombre"), max_length=200)
    department = models.ForeignKey(
        "jurisdictions.Department",
        verbose_name=_("departamento"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "jurisdictions.Municipality",
        verbose_name=_("municipio"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("activo"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["department__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "kind", "name"], name="one_office_per_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_court(self) -> bool:
        return self.kind != OfficeKind.PROSECUTOR


class Proceeding(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="proceedings")
    incident = models.ForeignKey(
        "cases.Incident",
        verbose_name=_("hecho"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    department = models.ForeignKey(
        "jurisdictions.Department",
        verbose_name=_("departamento"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Official identifiers locate the file in the Fiscalía's and the courts' systems, and so
    # the survivor: encrypted with her data key.
    prosecutor_number = EncryptedTextField(
        _("número de caso fiscal"), data_key_field="survivor_data_key"
    )
    nurej = EncryptedTextField(_("NUREJ"), data_key_field="survivor_data_key")
    court = models.ForeignKey(
        JusticeOffice,
        verbose_name=_("juzgado o tribunal"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    prosecutor_office = models.ForeignKey(
        JusticeOffice,
        verbose_name=_("fiscalía"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Derived from the events by proceedings.engine; stored for lists and statistics.
    stage = models.CharField(_("etapa"), max_length=40, default="start", db_index=True)
    stage_since = models.DateField(_("en la etapa desde"), null=True, blank=True)
    complaint_on = models.DateField(_("fecha de la denuncia"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"proceeding {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.case.survivor.data_key


class Accused(models.Model):
    """One accused person. The name is recorded only when the lawyer needs it, encrypted."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="accused")
    relationship = models.CharField(
        _("relación con la sobreviviente"), max_length=20, choices=Relationship.choices
    )
    sex = models.CharField(_("sexo"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    name = EncryptedTextField(_("nombre (solo si hace falta)"), data_key_field="survivor_data_key")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"accused {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.proceeding.case.survivor.data_key


class ChargeBasis(models.TextChoices):
    COMPLAINT = "complaint", _("Denuncia")
    CHARGE = "charge", _("Imputación")
    INDICTMENT = "indictment", _("Acusación")
    SENTENCE = "sentence", _("Sentencia")
    APPEAL = "appeal", _("Recurso")


class Charge(models.Model):
    """One offence charged, from a procedural act until a reclassification replaces it. The
    rows of a proceeding are its classification history."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="charges")
    offence = models.ForeignKey(
        "jurisdictions.Offence", verbose_name=_("delito"), on_delete=models.PROTECT
    )
    basis = models.CharField(_("según"), max_length=12, choices=ChargeBasis.choices)
    from_on = models.DateField(_("desde"))
    until_on = models.DateField(_("hasta"), null=True, blank=True)
    ended_by_basis = models.CharField(max_length=12, choices=ChargeBasis.choices, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["from_on", "pk"]

    def __str__(self) -> str:
        return f"charge {self.pk}"


class SentenceOutcome(models.TextChoices):
    CONVICTION = "conviction", _("Condenatoria")
    ACQUITTAL = "acquittal", _("Absolutoria")
    MIXED = "mixed", _("Mixta")


class ProceduralEvent(models.Model):
    """A dated procedural act. Never edited: a correction supersedes it, and a void event
    (`is_void`) withdraws it, with the history kept."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("acto"), max_length=40, blank=True)
    occurred_on = models.DateField(_("fecha"))
    occurred_time = models.TimeField(_("hora"), null=True, blank=True)
    outcome = models.CharField(
        _("sentencia"), max_length=12, choices=SentenceOutcome.choices, blank=True
    )
    sentence_years = models.DecimalField(
        _("años de condena"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="superseded_by",
        null=True,
        blank=True,
    )
    is_void = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "occurred_time", "pk"]

    def __str__(self) -> str:
        return f"{self.type}@{self.proceeding_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Procedural events are never edited: record a correction.")
        super().save(*args, **kwargs)


class DeadlineState(models.TextChoices):
    RUNNING = "running", _("Corriendo")
    MET = "met", _("Cumplido a tiempo")
    LATE = "late", _("Cumplido fuera de plazo")
    ENDED = "ended", _("Sin efecto (el proceso terminó)")
    NOT_APPLICABLE = "not_applicable", _("No rige por el delito")


class Deadline(models.Model):
    """One legal deadline of a proceeding, computed by proceedings.engine from its events."""

    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="deadlines")
    # Denormalised for the network-wide view (one index, no join through the case).
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(max_length=40)
    start_event = models.ForeignKey(ProceduralEvent, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_event = models.ForeignKey(
        ProceduralEvent, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    state = models.CharField(max_length=16, choices=DeadlineState.choices)
    assumed_time = models.BooleanField(default=False)  # hour rule started from a date only

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "start_event"], name="one_deadline_per_start")
        ]
        indexes = [models.Index(fields=["organisation", "state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.rule}@{self.proceeding_id}"


class DeadlineAlert(models.Model):
    """A warning that a deadline is near, for one person at one lead time. Written once (the
    unique constraint makes the alert job idempotent)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="alerts")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    lead = models.DurationField()
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "user", "lead"], name="one_alert_per_lead")
        ]

    def __str__(self) -> str:
        return f"alert {self.pk}"


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Programada")
    HELD = "held", _("Realizada")
    SUSPENDED = "suspended", _("Suspendida")
    CANCELLED = "cancelled", _("Cancelada")


class SuspensionReason(models.TextChoices):
    JUDGE_ABSENT = "judge_absent", _("Ausencia del juez")
    PROSECUTOR_ABSENT = "prosecutor_absent", _("Ausencia del fiscal")
    DEFENCE_ABSENT = "defence_absent", _("Ausencia de la defensa")
    ACCUSED_ABSENT = "accused_absent", _("Ausencia del acusado")
    VICTIM_ABSENT = "victim_absent", _("Ausencia de la víctima")
    WITNESS_ABSENT = "witness_absent", _("Ausencia de testigos")
    NOT_NOTIFIED = "not_notified", _("Falta de notificación")
    SCHEDULE_CONFLICT = "schedule_conflict", _("Cruce de audiencias")
    OTHER = "other", _("Otro motivo")


class Hearing(models.Model):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="hearings")
    # Denormalised for the calendars (mine, my organisation's, a court's).
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    type = models.CharField(_("tipo de audiencia"), max_length=40)
    starts_at = models.DateTimeField(_("fecha y hora"), db_index=True)
    court = models.ForeignKey(
        JusticeOffice, verbose_name=_("juzgado o tribunal"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    suspension_reason = models.CharField(
        _("motivo de la suspensión"), max_length=20, choices=SuspensionReason.choices, blank=True
    )
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("reprograma"),
        on_delete=models.PROTECT,
        related_name="rescheduled_to",
        null=True,
        blank=True,
    )
    survivor_must_attend = models.BooleanField(_("la sobreviviente debe asistir"), default=False)
    remind_survivor = models.BooleanField(_("recordarle a la sobreviviente"), default=False)
    companions: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        USER, verbose_name=_("quién la acompaña"), related_name="accompanied_hearings", blank=True
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["organisation", "starts_at"]),
            models.Index(fields=["court", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"hearing {self.pk}"


class MeasureStatus(models.TextChoices):
    REQUESTED = "requested", _("Solicitada")
    GRANTED = "granted", _("Dispuesta")
    DENIED = "denied", _("Rechazada")
    ENDED = "ended", _("Concluida")


class ProtectionMeasure(models.Model):
    proceeding = models.ForeignKey(
        Proceeding, on_delete=models.CASCADE, related_name="protection_measures"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(_("medida"), max_length=40)
    status = models.CharField(_("estado"), max_length=10, choices=MeasureStatus.choices)
    requested_on = models.DateField(_("solicitada el"))
    decided_on = models.DateField(_("decidida el"), null=True, blank=True)
    expires_on = models.DateField(_("vence"), null=True, blank=True, db_index=True)
    ended_on = models.DateField(_("concluyó el"), null=True, blank=True)
    expiry_alerted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["requested_on", "pk"]

    def __str__(self) -> str:
        return f"measure {self.pk}"


class MeasureBreach(models.Model):
    measure = models.ForeignKey(
        ProtectionMeasure, on_delete=models.CASCADE, related_name="breaches"
    )
    occurred_on = models.DateField(_("fecha del incumplimiento"))
    reported_to_authority = models.BooleanField(_("denunciado a la autoridad"), default=False)
    reported_on = models.DateField(_("denunciado el"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"breach {self.pk}"


class CalendarFeed(models.Model):
    """A person's iCal feed: only a hash of the secret in its URL is stored. Revoking it (or
    making a new one) ends the old URL at once."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"feed {self.pk}"
