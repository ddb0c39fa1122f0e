from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField
from jurisdictions.models import GbvimsType
from survivors.models import AgeBand, Relationship, Sex

USER = settings.AUTH_USER_MODEL


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Abierto")
    CLOSED = "closed", _("Cerrado")
    REOPENED = "reopened", _("Reabierto")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Objetivos del acompañamiento cumplidos")
    SENTENCE = "sentence", _("Proceso concluido con sentencia")
    REFERRED = "referred", _("Derivado a otra organización")
    NO_CONTACT = "no_contact", _("Sin contacto posible")
    SURVIVOR_DECISION = "survivor_decision", _("Decisión de la sobreviviente de no continuar")
    MOVED = "moved", _("Cambio de residencia")
    DECEASED = "deceased", _("Fallecimiento")
    OTHER = "other", _("Otro")


class IntakeChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Acudió directamente")
    DNA = "dna", _("Derivado por la DNA")
    SLIM = "slim", _("Derivado por el SLIM")
    FELCV = "felcv", _("Derivado por la FELCV")
    FISCALIA = "fiscalia", _("Derivado por la Fiscalía")
    HOTLINE = "hotline", _("Línea de ayuda")
    OTHER = "other", _("Otro")


class RiskLevel(models.TextChoices):
    NONE = "", _("Sin evaluar")
    LOW = "low", _("Bajo")
    MODERATE = "moderate", _("Moderado")
    HIGH = "high", _("Alto")
    EXTREME = "extreme", _("Extremo")


class Case(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    survivor = models.ForeignKey(
        "survivors.Survivor", on_delete=models.PROTECT, related_name="cases"
    )
    # The survivor's department of residence, copied here so that the case list filters by
    # department and sorts from one index (a case's department never changes).
    department = models.ForeignKey(
        "jurisdictions.Department", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closure_reason = models.CharField(
        _("motivo de cierre"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    opened_on = models.DateField(_("fecha de apertura"), default=timezone.localdate)
    closed_on = models.DateField(_("fecha de cierre"), null=True, blank=True)
    intake_channel = models.CharField(
        _("vía de ingreso"), max_length=10, choices=IntakeChannel.choices
    )
    lead = models.ForeignKey(
        USER,
        verbose_name=_("responsable"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = EncryptedTextField(_("resumen"), data_key_field="survivor_data_key")
    # Safe contact
    safe_to_talk = models.BooleanField(_("es seguro hablar ahora"), null=True)
    contact_channels = models.JSONField(_("canales seguros"), default=list, blank=True)
    safe_hours = models.CharField(_("horarios seguros"), max_length=120, blank=True)
    may_leave_message = models.BooleanField(_("se puede dejar mensaje"), null=True)
    code_word = EncryptedTextField(_("palabra clave"), data_key_field="survivor_data_key")
    risk_level = models.CharField(
        _("nivel de riesgo"), max_length=10, choices=RiskLevel.choices, default="", blank=True
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "status", "-opened_on"]),
            models.Index(fields=["organisation", "-updated_at", "-id"]),
            models.Index(fields=["organisation", "-opened_on", "-id"]),
            models.Index(fields=["organisation", "department", "-updated_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.survivor.data_key

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseMember(models.Model):
    """The case team. Being on it is a grant: removing someone ends her access at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="case_memberships")
    role = models.CharField(_("rol"), max_length=30)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_team_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@case{self.case_id}"


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Fecha exacta")
    MONTH = "month", _("Mes y año aproximados")


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField(_("fecha"))
    date_precision = models.CharField(
        _("precisión de la fecha"), max_length=8, choices=DatePrecision.choices
    )
    municipality = models.ForeignKey(
        "jurisdictions.Municipality",
        verbose_name=_("municipio"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    offences = models.ManyToManyField(
        "jurisdictions.Offence", verbose_name=_("delitos"), blank=True
    )
    violence_type = models.CharField(
        _("tipo de violencia (GBVIMS)"), max_length=30, choices=GbvimsType.choices
    )
    perpetrator_relationship = models.CharField(
        _("relación del presunto agresor"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.UNKNOWN,
    )
    perpetrator_sex = models.CharField(
        _("sexo del presunto agresor"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN
    )
    perpetrator_age_band = models.CharField(
        _("edad del presunto agresor"), max_length=8, choices=AgeBand.choices, blank=True
    )
    survivor_was_child = models.BooleanField(_("era niña, niño o adolescente"), default=False)
    repeats_earlier = models.BooleanField(_("repite violencia anterior"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "pk"]

    def __str__(self) -> str:
        return f"incident {self.pk}"


class Interviewer(models.TextChoices):
    PROSECUTOR = "prosecutor", _("Fiscal")
    POLICE = "police", _("Policía (FELCV)")
    JUDGE = "judge", _("Juez o tribunal")
    FORENSIC = "forensic", _("Médico o psicólogo forense (IDIF)")
    DNA = "dna", _("DNA")
    SLIM = "slim", _("SLIM")
    OWN_TEAM = "own_team", _("Nuestro equipo")
    OTHER = "other", _("Otro")


class Testimony(models.Model):
    """Every time she was asked to tell what happened: the record that shows re-victimisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="testimonies")
    taken_on = models.DateField(_("fecha"))
    interviewer = models.CharField(_("quién preguntó"), max_length=12, choices=Interviewer.choices)
    institution = models.CharField(_("institución"), max_length=120, blank=True)
    recorded = models.BooleanField(_("fue grabada"), default=False)
    gesell_chamber = models.BooleanField(_("en Cámara Gesell"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "pk"]

    def __str__(self) -> str:
        return f"testimony {self.pk}"


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal: quien ve el caso")
    TEAM = "team", _("Solo el equipo del caso")
    DISCIPLINE = "discipline", _("Confidencial de mi disciplina")


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    discipline = models.CharField(max_length=30)  # the author's role when she wrote it
    sensitivity = models.CharField(
        _("quién puede leerla"),
        max_length=12,
        choices=Sensitivity.choices,
        default=Sensitivity.NORMAL,
    )
    body = EncryptedTextField(_("nota"), data_key_field="survivor_data_key")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.case.survivor.data_key


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField(_("tarea"), data_key_field="survivor_data_key")
    assignee = models.ForeignKey(
        USER, verbose_name=_("asignada a"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("vence"), null=True, blank=True, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_on", "pk"]

    def __str__(self) -> str:
        return f"task {self.pk}"

    @property
    def survivor_data_key(self) -> Any:
        return self.case.survivor.data_key


class EventKind(models.TextChoices):
    INTAKE = "intake", _("Ingreso")
    INCIDENT = "incident", _("Hecho")
    NOTE = "note", _("Nota")
    TASK = "task", _("Tarea")
    TASK_DONE = "task_done", _("Tarea cumplida")
    TESTIMONY = "testimony", _("Declaración")
    ASSESSMENT = "assessment", _("Evaluación de riesgo")
    TEAM = "team", _("Equipo")
    STATUS = "status", _("Estado del caso")
    CONSENT = "consent", _("Consentimiento")
    DOCUMENT = "document", _("Documento")


class CaseEvent(models.Model):
    """One line of the case timeline. Holds codes and ids, never personal data; written by
    the service that made the change, in its transaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)
    object_id = models.PositiveBigIntegerField(null=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return f"{self.kind}@{self.case_id}"
