"""The lifelong ledger of earned UEs (*acquis*), experience and internships, validation
of prior learning (VAE, VAP85, VES), award requests and the documents issued with a
verification code. Every decision lives in `awards.services`; the rules in `rules/`."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from assessment.models import ExamSession, Jury
from catalogue.models import AcademicYear, Programme, Unit
from parcours import clock

User = settings.AUTH_USER_MODEL


class Evidence(models.Model):
    """A document behind a decision (attestation, internship agreement, VAE decision,
    certificate of another centre), stored privately like a dossier's pieces
    (parcours.uploads); served only to its learner and to staff."""

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="evidence")
    stored_name = models.CharField(max_length=48, unique=True)
    display_name = models.CharField("fichier", max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = clock.BusinessDateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "justificatif"

    def __str__(self):
        return self.display_name


class ValidationCase(models.Model):
    """A VAE, VAP85 or VES application (R-FEE-4, R-REG-5): its fee from the rules core,
    its dossier, the appointment with the validation adviser and the jury's decision."""

    class Kind(models.TextChoices):
        VAE = "VAE", "VAE — validation des acquis de l'expérience"
        VAP85 = "VAP85", "VAP85 — validation des acquis professionnels (accès)"
        VES = "VES", "VES — validation des études supérieures"

    class Status(models.TextChoices):
        OPEN = "open", "Demande enregistrée"
        SUBMITTED = "submitted", "Dossier de validation déposé"
        SCHEDULED = "scheduled", "Entretien fixé"
        DECIDED = "decided", "Décision du jury rendue"

    class Decision(models.TextChoices):
        GRANTED = "granted", "Validation accordée"
        PARTIAL = "partial", "Validation partielle"
        REFUSED = "refused", "Validation refusée"

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="validation_cases")
    kind = models.CharField("nature", max_length=8, choices=Kind.choices)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name="formation")
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, verbose_name="année")
    # The pre-registration that asked for it, when it came that way (its payments).
    registration = models.OneToOneField(
        "admissions.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="validation_case",
        verbose_name="dossier d'inscription",
    )
    fee = models.DecimalField("forfait (€)", max_digits=9, decimal_places=2)
    fee_paid_on = models.DateField("forfait réglé le", null=True, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default="open")
    dossier = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="dossier de validation",
    )
    appointment_at = models.DateTimeField("entretien avec le conseiller le", null=True, blank=True)
    appointment_place = models.CharField("lieu de l'entretien", max_length=200, blank=True)
    decision = models.CharField("décision", max_length=8, choices=Decision.choices, blank=True)
    decided_on = models.DateField("décision du", null=True, blank=True)
    decision_note = models.TextField("motivation de la décision", blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = clock.BusinessDateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande de validation"
        verbose_name_plural = "demandes de validation"

    def __str__(self):
        return f"{self.kind} {self.programme.code} — {self.learner}"

    @property
    def grants_access(self) -> bool:
        """A VAP85 (or a VAE) granted meets the access conditions (R-REG-5)."""
        return (
            self.status == self.Status.DECIDED
            and self.decision
            in (
                self.Decision.GRANTED,
                self.Decision.PARTIAL,
            )
            and self.kind in (self.Kind.VAP85, self.Kind.VAE)
        )


class Credit(models.Model):
    """One earned UE of a learner (*acquis*), for life and in every programme that
    contains it (R-EXA-4). Written only by a jury's decision (exam, report) or by a
    staff decision with its justification (equivalence R-CAT-5, VAE/VES, another
    regional centre's certificate R-REG-2 item 8)."""

    class Way(models.TextChoices):
        EXAM = "exam", "Examen"
        REPORT = "report", "Rapport validé par le jury"
        EQUIVALENCE = "equivalence", "Équivalence"
        VAE = "vae", "VAE"
        VES = "ves", "VES"
        OTHER_CENTRE = "other_centre", "Autre centre régional"

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="credits")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    way = models.CharField("obtenue par", max_length=16, choices=Way.choices)
    earned_on = models.DateField("obtenue le")
    # The day the learner may read it: the jury's publication day for an exam (R-EXA-5),
    # the decision's day otherwise.
    published_on = models.DateField("visible par l'apprenant le")
    mark = models.DecimalField(
        "note",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    session = models.ForeignKey(
        ExamSession, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    jury = models.ForeignKey(
        Jury, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validation = models.ForeignKey(
        ValidationCase, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    justification = models.TextField("justification", blank=True)
    document = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="justificatif",
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = clock.BusinessDateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "unit"], name="credit_unique")]
        # A learner's published credits read from the index alone (pages, bulk pass).
        indexes = [
            models.Index(
                fields=["learner", "published_on", "unit", "earned_on"], name="credit_published"
            )
        ]
        verbose_name = "UE acquise"
        verbose_name_plural = "UE acquises"

    def __str__(self):
        return f"{self.unit_id} — {self.learner}"


class ExperiencePeriod(models.Model):
    """A period of professional experience or an internship (R-EXP-1, R-EXP-2), with
    its attestation or agreement; staff accept or reject it. Months come from the dates
    (rules.experience)."""

    class Kind(models.TextChoices):
        EXPERIENCE = "experience", "Expérience professionnelle"
        INTERNSHIP = "internship", "Stage"

    class Field(models.TextChoices):
        INFORMATION = "information", "Information, accueil, orientation"
        ACCOMPANIMENT = "accompaniment", "Accompagnement social et professionnel"
        OTHER = "other", "Autre domaine"

    class Status(models.TextChoices):
        PENDING = "pending", "À examiner"
        ACCEPTED = "accepted", "Acceptée"
        REJECTED = "rejected", "Refusée"

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="experience")
    kind = models.CharField("nature", max_length=12, choices=Kind.choices)
    field = models.CharField("domaine", max_length=16, choices=Field.choices)
    organisation = models.CharField("employeur ou structure d'accueil", max_length=200)
    position = models.CharField("poste ou missions", max_length=200)
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    document = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="attestation ou convention",
    )
    status = models.CharField("état", max_length=10, choices=Status.choices, default="pending")
    rejection_reason = models.TextField("motif du refus", blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = clock.BusinessDateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = "période d'expérience ou de stage"
        verbose_name_plural = "périodes d'expérience ou de stage"

    def __str__(self):
        return f"{self.get_kind_display()} {self.organisation} ({self.starts_on}–{self.ends_on})"


class AwardRequest(models.Model):
    """A learner's request for the certificate or the title (R-AWD-1, R-AWD-2): access
    conditions checked now (R-REG-5), the pieces checked by staff, the award jury's
    decision, and the credential's number and date."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Demande reçue, pièces à vérifier"
        CHECKED = "checked", "Pièces vérifiées, jury de délivrance à tenir"
        GRANTED = "granted", "Diplôme délivré"
        REFUSED = "refused", "Refusée"

    class Access(models.TextChoices):
        NONE = "none", "Non justifiées"
        BAC = "bac", "Titulaire du baccalauréat"
        BAC_LEVEL = "bac_level", "Niveau bac"
        EQUIVALENT = "equivalent", "Titre équivalent au baccalauréat"
        VAE = "vae", "VAE accordée"
        VAP85 = "vap85", "VAP85 accordée"

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="award_requests")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, verbose_name="formation")
    requested_on = models.DateField("demandé le")
    status = models.CharField(
        "état", max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    # What was missing, in the rules core's words, when the request was made.
    missing_at_request = models.JSONField("conditions manquantes à la demande", default=list)
    access = models.CharField(
        "conditions d'accès", max_length=12, choices=Access.choices, default=Access.NONE
    )
    access_document = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="justificatif des conditions d'accès",
    )
    check_note = models.TextField("observations de la vérification", blank=True)
    checked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_on = models.DateField("pièces vérifiées le", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField("jury de délivrance du", null=True, blank=True)
    decision_note = models.TextField("motif", blank=True)
    number = models.CharField("numéro", max_length=32, unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = "demande de diplôme"
        verbose_name_plural = "demandes de diplôme"

    def __str__(self):
        return f"{self.programme.code} — {self.learner}"


class IssuedDocument(models.Model):
    """A document Parcours issued with a verification code: the credential, a
    transcript, an attestation de suivi (R-EXA-6, R-REG-9), a certificat de réalisation
    (R-ORG-2). The public verification
    page shows only the holder's name, the document, its date and whether it is valid."""

    class Kind(models.TextChoices):
        CREDENTIAL = "credential", "Diplôme"
        TRANSCRIPT = "transcript", "Relevé de notes"
        ATTENDANCE = "attendance", "Attestation de suivi"
        REALISATION = "realisation", "Certificat de réalisation"

    code = models.CharField("code de vérification", max_length=16, unique=True)
    kind = models.CharField("nature", max_length=12, choices=Kind.choices)
    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="documents")
    award = models.ForeignKey(
        AwardRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    # As printed, so that the verification page shows what the paper says.
    holder_name = models.CharField("titulaire", max_length=200)
    title = models.CharField("document", max_length=250)
    issued_on = models.DateField("délivré le")
    # What the document says, frozen at issue: the PDF is the same on every download.
    content = models.JSONField("contenu", default=dict)
    revoked_on = models.DateField("révoqué le", null=True, blank=True)
    revocation_reason = models.TextField("motif de la révocation", blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "document délivré"
        verbose_name_plural = "documents délivrés"

    def __str__(self):
        return f"{self.title} ({self.code})"
