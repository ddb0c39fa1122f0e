from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crypto.fields import EncryptedTextField


class Sex(models.TextChoices):
    FEMALE = "female", _("Mujer")
    MALE = "male", _("Hombre")
    OTHER = "other", _("Otra identidad")
    UNKNOWN = "unknown", _("Sin dato")


class AgeBand(models.TextChoices):
    A0_4 = "0-4", _("0 a 4 años")
    A5_9 = "5-9", _("5 a 9 años")
    A10_13 = "10-13", _("10 a 13 años")
    A14_17 = "14-17", _("14 a 17 años")
    A18_24 = "18-24", _("18 a 24 años")
    A25_34 = "25-34", _("25 a 34 años")
    A35_44 = "35-44", _("35 a 44 años")
    A45_59 = "45-59", _("45 a 59 años")
    A60 = "60+", _("60 años o más")


CHILD_BANDS = {AgeBand.A0_4, AgeBand.A5_9, AgeBand.A10_13, AgeBand.A14_17}


def age_band_for(age: int) -> AgeBand:
    for band in AgeBand:
        low, _sep, high = band.value.partition("-")
        upper = int(high) if high else 200
        if int(low.rstrip("+")) <= age <= upper:
            return band
    raise ValueError(age)


class Language(models.TextChoices):
    SPANISH = "es", _("Castellano")
    QUECHUA = "qu", _("Quechua")
    AYMARA = "ay", _("Aymara")
    GUARANI = "gn", _("Guaraní")
    OTHER = "other", _("Otro")


class Disability(models.TextChoices):
    NONE = "none", _("Ninguna")
    PHYSICAL = "physical", _("Física")
    SENSORY = "sensory", _("Sensorial")
    INTELLECTUAL = "intellectual", _("Intelectual")
    PSYCHOSOCIAL = "psychosocial", _("Psicosocial")
    MULTIPLE = "multiple", _("Múltiple")
    UNKNOWN = "unknown", _("Sin dato")


class Relationship(models.TextChoices):
    """How a person (guardian or alleged aggressor) relates to the survivor."""

    PARTNER = "partner", _("Pareja o enamorado")
    FORMER_PARTNER = "former_partner", _("Expareja")
    FATHER = "father", _("Padre")
    MOTHER = "mother", _("Madre")
    STEPFATHER = "stepfather", _("Padrastro")
    STEPMOTHER = "stepmother", _("Madrastra")
    GRANDPARENT = "grandparent", _("Abuelo o abuela")
    SIBLING = "sibling", _("Hermano o hermana")
    UNCLE_AUNT = "uncle_aunt", _("Tío o tía")
    COUSIN = "cousin", _("Primo o prima")
    OTHER_RELATIVE = "other_relative", _("Otro familiar")
    TEACHER = "teacher", _("Docente")
    NEIGHBOUR = "neighbour", _("Vecino")
    ACQUAINTANCE = "acquaintance", _("Conocido")
    EMPLOYER = "employer", _("Empleador")
    AUTHORITY = "authority", _("Autoridad o funcionario")
    STRANGER = "stranger", _("Desconocido")
    INSTITUTION = "institution", _("Institución (tutela institucional)")
    UNKNOWN = "unknown", _("Sin dato")


class Survivor(models.Model):
    """A survivor, known everywhere by a pseudonymous code.

    Identity is encrypted with her own data key (destroying it erases her identity); blind
    indexes allow exact duplicate matches without decrypting anything. The other fields are
    in clear for statistics and identify nobody on their own.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="survivors"
    )
    code = models.CharField(max_length=32, unique=True)
    data_key = models.OneToOneField("crypto.DataKey", on_delete=models.PROTECT, related_name="+")
    # Identity (encrypted)
    full_name = EncryptedTextField(data_key_field="data_key")
    document_number = EncryptedTextField(data_key_field="data_key")
    birth_date = EncryptedTextField(data_key_field="data_key")  # ISO date
    phone = EncryptedTextField(data_key_field="data_key")
    address = EncryptedTextField(data_key_field="data_key")
    guardian_name = EncryptedTextField(data_key_field="data_key")
    guardian_contact = EncryptedTextField(data_key_field="data_key")
    # Blind indexes (keyed HMAC of normalised values), for duplicate detection
    document_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    name_dob_index = models.CharField(max_length=64, blank=True, db_index=True)
    # In clear, for statistics
    sex = models.CharField(_("sexo"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(_("edad al ingreso"), max_length=8, choices=AgeBand.choices)
    is_child = models.BooleanField(_("niña, niño o adolescente al ingreso"), default=False)
    languages = models.JSONField(_("idiomas"), default=list, blank=True)
    disability = models.CharField(
        _("discapacidad"), max_length=15, choices=Disability.choices, default=Disability.UNKNOWN
    )
    department = models.ForeignKey(
        "jurisdictions.Department", on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(
        "jurisdictions.Municipality", on_delete=models.PROTECT, related_name="+"
    )
    guardian_relationship = models.CharField(
        _("relación de la persona tutora"), max_length=20, choices=Relationship.choices, blank=True
    )
    guardian_is_alleged_aggressor = models.BooleanField(
        _("la persona tutora es presunta agresora"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    identity_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["department", "id"])]

    IDENTITY_FIELDS = (
        "full_name",
        "document_number",
        "birth_date",
        "phone",
        "address",
        "guardian_name",
        "guardian_contact",
    )

    def __str__(self) -> str:
        return self.code


class CodeSequence(models.Model):
    """Per prefix and year counter behind survivor codes such as LPZ-2026-00042."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}"


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", _("Gestión del caso")
    SHARING = "sharing", _("Compartir con una organización")
    STATISTICS = "statistics", _("Estadísticas e investigación")
    CONTACT = "contact", _("Contacto por un canal")


class SharedCategory(models.TextChoices):
    """What a sharing consent lets another organisation read of her case."""

    IDENTITY = "identity", _("Identidad")
    INCIDENTS = "incidents", _("Hechos")
    PROCEEDINGS = "proceedings", _("Procesos penales")
    NOTES = "notes", _("Notas")


class ContactChannel(models.TextChoices):
    PHONE_CALL = "call", _("Llamada telefónica")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Correo electrónico")
    VISIT = "visit", _("Visita")
    THROUGH_TRUSTED_PERSON = "trusted_person", _("Por una persona de confianza")


class GivenBy(models.TextChoices):
    SURVIVOR = "survivor", _("La sobreviviente")
    GUARDIAN = "guardian", _("Su madre, padre o persona tutora")


class Consent(models.Model):
    """Consent for one purpose. Withdrawal takes effect on the next request; nothing is
    deleted, so the history stays. No service ever depends on consent to statistics."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("propósito"), max_length=20, choices=ConsentPurpose.choices)
    recipient = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organización destinataria"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(
        _("canal"), max_length=20, choices=ContactChannel.choices, blank=True
    )
    given_by = models.CharField(_("otorgado por"), max_length=10, choices=GivenBy.choices)
    child_assent = models.BooleanField(_("asentimiento de la niña, niño o adolescente"), null=True)
    scope = models.CharField(_("alcance"), max_length=300, blank=True)
    # For sharing: the categories of her case the recipient may read (SharedCategory values).
    categories = models.JSONField(_("qué se comparte"), default=list, blank=True)
    given_on = models.DateField(_("fecha"))
    expires_on = models.DateField(_("vence"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.survivor_id}"

    def is_active(self, on: date | None = None) -> bool:
        today = on or timezone.localdate()
        return self.withdrawn_at is None and (self.expires_on is None or self.expires_on >= today)


class MatchNotice(models.Model):
    """Another organisation's intake matched a survivor we registered. The other
    organisation learns only that a match exists and who holds it; we learn which of our
    survivors, and that they ask for a referral."""

    class State(models.TextChoices):
        OPEN = "open", _("Pendiente")
        CLOSED = "closed", _("Atendida")

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="match_notices")
    holder = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="match_notices"
    )
    requester = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    matched_on = models.JSONField(default=list)  # which indexes matched: names only
    referral_requested = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"match {self.pk}"


class ErasureReason(models.TextChoices):
    SURVIVOR_REQUEST = "survivor_request", _("Lo pidió la sobreviviente")
    SAFETY = "safety", _("Riesgo para su seguridad")
    RETENTION = "retention", _("Plazo de conservación cumplido")
    OTHER = "other", _("Otro")


class ErasureRequest(models.Model):
    """ "Forget this survivor": asked by one coordinator, confirmed by another."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="erasures")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("motivo"), max_length=20, choices=ErasureReason.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survivor"],
                condition=models.Q(confirmed_at__isnull=True, cancelled_at__isnull=True),
                name="one_pending_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"erasure {self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.cancelled_at is None


class RetentionRule(models.Model):
    """How long an organisation keeps a survivor's identity after her last case closes."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="retention_rule"
    )
    erase_identity_after_years = models.PositiveSmallIntegerField(
        _("borrar la identidad tras (años desde el cierre)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    def __str__(self) -> str:
        return f"retention {self.organisation_id}"
