"""A learner's dossier for one academic year, its pieces, files, payments and the end of
a contract. Every change goes through admissions/services.py, inside a transaction, and
is kept in the history (who, when, before, after)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from catalogue.models import AcademicYear, Centre, Programme, Unit
from parcours import clock
from rules.bpf import INCOME_LINES


class Dossier(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        DEPOSITED = "deposited", "Déposé, en cours d'instruction"
        INCOMPLETE = "incomplete", "Incomplet"
        VALIDATED = "validated", "Inscription définitive"
        WITHDRAWN = "withdrawn", "Rétractation"
        TERMINATED = "terminated", "Résilié"
        REFUSED = "refused", "Refusé par le centre"

    class Situation(models.TextChoices):
        EMPLOYEE = "employee", "Salarié(e)"
        CIF = "cif", "Salarié(e) en congé individuel de formation (CIF)"
        CAREER_CHANGE = "career_change", "Salarié(e) en reconversion professionnelle"
        JOB_SEEKER = "job_seeker", "Demandeur(se) d'emploi"
        ALTERNANCE = "alternance", "En contrat d'alternance (professionnalisation, apprentissage)"

    class Nationality(models.TextChoices):
        FRENCH = "french", "Française"
        EU = "eu", "D'un autre pays de l'Union européenne"
        FOREIGN = "foreign", "D'un pays hors Union européenne"

    class Diploma(models.TextChoices):
        BAC = "bac", "Baccalauréat ou diplôme équivalent"
        BAC_LEVEL = "bac_level", "Niveau baccalauréat (sans le diplôme)"
        NONE = "none", "Aucun de ces diplômes"

    class AccessRoute(models.TextChoices):
        NONE = "", "—"
        VAE = "VAE", "Validation des acquis de l'expérience (VAE)"
        VAP85 = "VAP85", "Validation des acquis professionnels (VAP85)"

    class Funding(models.TextChoices):
        INDIVIDUAL = "individual", "Je finance moi-même (tarif individuel)"
        JOB_SEEKER = "job_seeker", "Demandeur d'emploi (tarif sur justificatif)"
        EMPLOYER = "employer", "Mon employeur ou un OPCA (plan de formation, CIF, CSP…)"

    class Validation(models.TextChoices):
        NONE = "", "Aucune : je suis les enseignements"
        VAE = "VAE", "VAE — validation des acquis de l'expérience"
        VAP85 = "VAP85", "VAP85 — validation des acquis professionnels"
        VES = "VES", "VES — validation des études supérieures"

    class RateDecision(models.TextChoices):
        NOT_NEEDED = "not_needed", "Sans objet"
        PENDING = "pending", "En attente de la direction"
        APPROVED = "approved", "Accordé par la direction"
        REFUSED = "refused", "Refusé par la direction"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers"
    )
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, verbose_name="année")
    status = models.CharField(
        "état", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    steps_done = models.JSONField("étapes complétées", default=list, blank=True)
    # Each saved section bumps it: a section posted from a page showing an older
    # version is refused (two tabs never overwrite each other silently).
    version = models.PositiveIntegerField("version", default=0)

    # Identity and contact (R-REG-1)
    last_name = models.CharField("nom", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    birth_place = models.CharField("lieu de naissance", max_length=100, blank=True)
    address = models.CharField("adresse", max_length=200, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)

    # Situation
    situation = models.CharField(
        "situation professionnelle", max_length=16, choices=Situation.choices, blank=True
    )
    job_seeker_category = models.PositiveSmallIntegerField(
        "catégorie de demandeur d'emploi",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    job_seeker_since = models.DateField("inscrit(e) à Pôle emploi depuis le", null=True, blank=True)
    employer_name = models.CharField("employeur actuel", max_length=200, blank=True)
    nationality = models.CharField(
        "nationalité", max_length=8, choices=Nationality.choices, blank=True
    )

    # Diploma and experience (R-REG-5, R-EXP)
    highest_diploma = models.CharField(
        "diplôme le plus élevé", max_length=16, choices=Diploma.choices, blank=True
    )
    diploma_title = models.CharField("intitulé du diplôme", max_length=200, blank=True)
    access_route = models.CharField(
        "voie d'accès", max_length=8, choices=AccessRoute.choices, blank=True
    )
    months_information = models.PositiveSmallIntegerField(
        "expérience en information, accueil, orientation (mois)", null=True, blank=True
    )
    months_accompaniment = models.PositiveSmallIntegerField(
        "expérience en accompagnement social et professionnel (mois)", null=True, blank=True
    )
    months_other = models.PositiveSmallIntegerField(
        "autre expérience professionnelle (mois)", null=True, blank=True
    )

    # Funding (R-FEE)
    funding = models.CharField("financement", max_length=16, choices=Funding.choices, blank=True)
    employer_funder = models.CharField("employeur ou OPCA financeur", max_length=200, blank=True)
    employer_address = models.CharField("adresse du financeur", max_length=250, blank=True)
    employer_contact = models.EmailField("courriel du contact chez le financeur", blank=True)
    # A term of the alternance contract (issue 17, item 6): the employer is told of a
    # week without the day at the centre (R-CAL-4).
    employer_told_of_absences = models.BooleanField(
        "le contrat prévoit de prévenir ce contact des absences au centre", default=False
    )
    employer_share_percent = models.DecimalField(
        "part prise en charge par le financeur (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    employer_certificate_signed = models.BooleanField(
        "attestation de prise en charge signée par l'employeur", default=True
    )
    validation = models.CharField(
        "demande de validation", max_length=8, choices=Validation.choices, blank=True
    )
    # The file fee is due at the first registration at the centre only (R-FEE-1): it is
    # derived from the learner's earlier registrations (services.is_first_registration);
    # staff may set it with a reason (a learner registered before Parcours existed).
    first_registration_override = models.BooleanField(
        "première inscription au centre, fixée par le centre", null=True, blank=True
    )
    first_registration_reason = models.CharField(
        "motif (première inscription fixée)", max_length=300, blank=True
    )
    declares_units_from_other_centres = models.BooleanField(
        "UE déjà obtenues dans d'autres centres régionaux", default=False
    )
    units_from_other_centres = models.TextField(
        "UE obtenues ailleurs (codes et centres)", blank=True
    )

    # Programme (R-REG-6)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, verbose_name="formation"
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, null=True, blank=True, verbose_name="centre"
    )
    experience_report = models.BooleanField("rapport d'expérience professionnelle", default=False)

    # Decisions and dates
    rate_decision = models.CharField(
        "tarif demandeur d'emploi (cat. 5 à 8)",
        max_length=16,
        choices=RateDecision.choices,
        default=RateDecision.NOT_NEEDED,
    )
    deposited_on = models.DateField("déposé le", null=True, blank=True)
    validated_on = models.DateField("inscription définitive le", null=True, blank=True)
    incomplete_note = models.TextField("motif d'incomplétude", blank=True)
    closed_on = models.DateField("clos le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus du dossier", blank=True)
    # Its person's identity removed after the retention period or an erasure (R-ORG-6).
    anonymised_on = models.DateField("anonymisé le", null=True, blank=True)
    created_at = clock.BusinessDateTimeField(auto_now_add=True)
    updated_at = clock.BusinessDateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-updated_at"]
        constraints = [
            # One live dossier per learner and year: a double submission cannot make two.
            models.UniqueConstraint(
                fields=["learner", "year"],
                condition=~Q(status__in=["withdrawn", "terminated", "refused"]),
                name="one_live_dossier_per_learner_and_year",
            )
        ]

    def __str__(self):
        name = f"{self.last_name.upper()} {self.first_name}".strip() or self.learner.email
        return f"Dossier n° {self.pk} — {name} ({self.year.code})"

    def get_absolute_url(self):
        return reverse("admissions:dossier", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"{self.year.code}-{self.pk:05d}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()

    @property
    def is_editable(self) -> bool:
        """Sections can be changed before deposit (depositing freezes them), and again
        when the centre sends the dossier back as incomplete (R-REG-3)."""
        return self.status in (self.Status.DRAFT, self.Status.INCOMPLETE)

    def piece_open(self, item: DossierItem | None) -> bool:
        """May the applicant add or remove files of this piece? Freely while drafting;
        once deposited, only a missing or refused piece (the rest is being examined)."""
        status = item.status if item is not None else DossierItem.Status.MISSING
        if self.status == self.Status.DRAFT:
            return status != DossierItem.Status.ACCEPTED
        return self.accepts_pieces and status in (
            DossierItem.Status.MISSING,
            DossierItem.Status.REJECTED,
        )

    @property
    def accepts_pieces(self) -> bool:
        """Pieces can be added or replaced until the registration is final."""
        return self.status in (self.Status.DRAFT, self.Status.DEPOSITED, self.Status.INCOMPLETE)

    @property
    def is_live(self) -> bool:
        return self.status not in CLOSED


CLOSED = (Dossier.Status.WITHDRAWN, Dossier.Status.TERMINATED, Dossier.Status.REFUSED)


class DossierUnit(models.Model):
    """A UE chosen for a semester, taught in the centre or followed at a distance."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    semester = models.CharField("semestre", max_length=4)
    foad = models.BooleanField("à distance (FOAD)", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "UE choisie"
        verbose_name_plural = "UE choisies"
        ordering = ["semester", "unit__position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "unit"], name="unit_once_per_dossier")
        ]

    def __str__(self):
        return f"{self.unit.code} ({self.semester})"


class DossierItem(models.Model):
    """One piece of the dossier (R-REG-2) and its review."""

    class Status(models.TextChoices):
        MISSING = "missing", "Manquante"
        UPLOADED = "uploaded", "Déposée, à vérifier"
        ACCEPTED = "accepted", "Acceptée"
        REJECTED = "rejected", "Refusée"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="items")
    code = models.CharField("pièce", max_length=40)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.MISSING)
    issued_on = models.DateField("date du document", null=True, blank=True)
    # The business date of the latest file: a dated piece must be recent on the day it
    # reaches the centre (the deposit, or later for a replacement).
    provided_on = models.DateField("fournie le", null=True, blank=True)
    rejection_reason = models.TextField("motif du refus", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "pièce du dossier"
        verbose_name_plural = "pièces du dossier"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="piece_once_per_dossier")
        ]

    def __str__(self):
        return f"{self.code} ({self.get_status_display()})"


class DossierFile(models.Model):
    """An uploaded file of a piece, stored under the private root with a server-made
    name (parcours/uploads.py); the client's name is kept only for display."""

    item = models.ForeignKey(DossierItem, on_delete=models.CASCADE, related_name="files")
    stored_name = models.CharField(max_length=48, unique=True)
    display_name = models.CharField("fichier", max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = clock.BusinessDateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "fichier"
        verbose_name_plural = "fichiers"
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.display_name


class Payment(models.Model):
    """Money received, recorded by the reception (never by the learner)."""

    class Payer(models.TextChoices):
        LEARNER = "learner", "L'élève"
        EMPLOYER = "employer", "L'employeur ou l'OPCA"

    class Method(models.TextChoices):
        CHEQUE = "cheque", "Chèque"
        TRANSFER = "transfer", "Virement"
        CARD = "card", "Carte bancaire"
        EMPLOYER = "employer", "Prise en charge employeur / OPCA"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    payer = models.CharField("payeur", max_length=16, choices=Payer.choices)
    method = models.CharField("moyen de paiement", max_length=16, choices=Method.choices)
    amount = models.DecimalField("montant (€)", max_digits=9, decimal_places=2)
    cheque_number = models.CharField("n° de chèque", max_length=40, blank=True)
    reference = models.CharField("référence", max_length=120, blank=True)
    received_on = models.DateField("reçu le")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = clock.BusinessDateTimeField(auto_now_add=True)
    # The form's one-time token: a double click or a retry records one payment.
    token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # Cheques held while the employer's certificate is unsigned (R-REG-2 item 9): not a
    # payment of the quote, handed back once the signed certificate arrives.
    is_guarantee = models.BooleanField("chèque de garantie", default=False)
    returned_on = models.DateField("rendu le", null=True, blank=True)
    # R-ORG-4: the BPF line of the money (cerfa 10443, section C) when the reception
    # knows it (an OPCO's professionalisation, a CPF…); blank: the year's readings decide.
    scheme = models.CharField(
        "dispositif (ligne du BPF)",
        max_length=8,
        blank=True,
        choices=[(code, f"{code} — {label}") for code, label in INCOME_LINES.items()],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "paiement"
        verbose_name_plural = "paiements"
        ordering = ["received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self):
        return f"{self.amount} € ({self.get_method_display()}, {self.received_on})"


class Cancellation(models.Model):
    """The end of a contract: a withdrawal (R-REG-7) or a termination (R-REG-8), with
    the settlement the rules core computed."""

    class Kind(models.TextChoices):
        WITHDRAWAL = "withdrawal", "Rétractation"
        TERMINATION = "termination", "Résiliation pour force majeure"

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="cancellation")
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    requested_on = models.DateField("demandée le")
    letter_date = models.DateField("date du courrier recommandé", null=True, blank=True)
    letter_reference = models.CharField("référence du recommandé", max_length=60, blank=True)
    sessions_delivered = models.PositiveIntegerField("séances dispensées", null=True, blank=True)
    sessions_planned = models.PositiveIntegerField("séances prévues", null=True, blank=True)
    contract_value = models.DecimalField("valeur du contrat (€)", max_digits=9, decimal_places=2)
    paid = models.DecimalField("déjà payé (€)", max_digits=9, decimal_places=2)
    owed = models.DecimalField("dû (€)", max_digits=9, decimal_places=2)
    refund = models.DecimalField("à rembourser (€)", max_digits=9, decimal_places=2)
    explanation = models.JSONField("explication", default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = clock.BusinessDateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "fin de contrat"
        verbose_name_plural = "fins de contrat"

    def __str__(self):
        return f"{self.get_kind_display()} du {self.requested_on}"

    @property
    def balance(self) -> Decimal:
        """Positive: the learner still owes it; negative: the centre refunds it."""
        return self.owed - self.paid


class ContractAcceptance(models.Model):
    """The applicant's online acceptance of the training contract or convention before
    the deposit (R-ORG-3): which document (its kind, the wording's version and the
    SHA-256 of what was shown), who and when. Never changed; a new text asks again."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="contract_acceptances"
    )
    kind = models.CharField("document", max_length=12)  # "contrat" or "convention"
    version = models.CharField("version du texte", max_length=32)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    accepted_at = clock.BusinessDateTimeField("accepté le", auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        verbose_name = "acceptation du contrat de formation"
        verbose_name_plural = "acceptations du contrat de formation"

    def __str__(self):
        return f"{self.kind} {self.version} — {self.accepted_at:%d/%m/%Y %H:%M}"
