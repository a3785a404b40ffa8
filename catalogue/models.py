"""The public catalogue, as loaded from the data files (R-CAT-6) by `load_catalogue`.

Rows are written only by catalogue.services.load_catalogue_folder (and by the direction
in the back-office, with history). Text lists (competences, careers…) are JSON lists of
strings: they are shown, never queried.
"""

import tomllib
from decimal import Decimal
from functools import lru_cache

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rules.data_reader import DataError, DataProblem
from rules.regulation import Regulation, parse_regulation


class Programme(models.Model):
    """A diploma of the catalogue: certificate CP29 (R-CAT-2) or title CPN42 (R-CAT-1)."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", "Certificat professionnel"
        TITLE = "title", "Titre professionnel"

    code = models.CharField("code", max_length=16, unique=True)
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    title = models.CharField("intitulé", max_length=200)
    declared_ects = models.PositiveSmallIntegerField("ECTS déclarés")
    summary = models.TextField("présentation", blank=True)
    summary_by_centre = models.BooleanField(
        "présentation rédigée par le centre (absente de la brochure)", default=False
    )
    entry_level = models.CharField("niveau d'entrée", max_length=120, blank=True)
    exit_level = models.CharField("niveau de sortie", max_length=120, blank=True)
    cpf_eligible = models.BooleanField("éligible au CPF", default=False)
    alternance = models.BooleanField("ouvert à l'alternance", default=False)
    vae = models.BooleanField("accessible par la VAE", default=False)
    common_core = models.ForeignKey(
        "self",
        verbose_name="tronc commun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rncp_registration_years = models.PositiveSmallIntegerField(
        "durée d'enregistrement RNCP (ans)", null=True, blank=True
    )
    rncp_decree = models.CharField("arrêté RNCP", max_length=120, blank=True)
    rncp_level = models.PositiveSmallIntegerField(
        "niveau RNCP (nomenclature 2019)", null=True, blank=True
    )
    nsf_code = models.CharField("spécialité (code NSF)", max_length=8, blank=True)
    nsf_label = models.CharField("spécialité (libellé NSF)", max_length=120, blank=True)
    rome = models.JSONField("codes ROME", default=list, blank=True)
    objectives = models.TextField("objectifs", blank=True)
    competences = models.JSONField("compétences visées", default=list, blank=True)
    public = models.JSONField("public concerné", default=list, blank=True)
    careers = models.JSONField("débouchés", default=list, blank=True)
    employers = models.JSONField("employeurs", default=list, blank=True)
    access_conditions = models.JSONField("conditions d'accès", default=list, blank=True)
    prerequisites = models.TextField("prérequis", blank=True)
    access_checked_when = models.TextField("vérification des conditions d'accès", blank=True)
    award = models.JSONField("conditions de délivrance", default=dict, blank=True)
    rule = models.CharField("règle", max_length=120, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "formation"
        verbose_name_plural = "formations"

    def __str__(self):
        return f"{self.code} — {self.title}"

    def get_absolute_url(self):
        return reverse("catalogue:programme", args=[self.code])


class EvaluationMode(models.Model):
    """The brochure's evaluation codes: 1 report, 2 written exam, ^ oral (R-CAT-3)."""

    code = models.CharField("code", max_length=4, unique=True)
    label = models.CharField("libellé", max_length=120)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "modalité d'évaluation"
        verbose_name_plural = "modalités d'évaluation"

    def __str__(self):
        return f"{self.code} — {self.label}"


class Unit(models.Model):
    """An UE (R-CAT-3); activity units (UA…) have no exam sessions (R-EXA-2)."""

    class Kind(models.TextChoices):
        COURSE = "course", "Enseignement"
        ACTIVITY = "activity", "Unité d'activité"

    class Period(models.TextChoices):
        ANNUAL = "annual", "Enseignement annuel"
        S1 = "S1", "Semestre 1"
        S2 = "S2", "Semestre 2"
        NONE = "", "Hors semestre"

    code = models.CharField("code", max_length=16, unique=True)
    title = models.CharField("intitulé", max_length=250)
    other_title = models.CharField("autre intitulé", max_length=250, blank=True)
    ects = models.PositiveSmallIntegerField("ECTS")
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    evaluation = models.JSONField("modalités d'évaluation (codes)", default=list, blank=True)
    coefficient = models.PositiveSmallIntegerField("coefficient", null=True, blank=True)
    period = models.CharField("période", max_length=8, choices=Period.choices, blank=True)
    description = models.TextField("description", blank=True)
    description_by_centre = models.BooleanField(
        "description rédigée par le centre (absente de la brochure)", default=False
    )
    note = models.TextField("note", blank=True)
    equivalence = models.TextField("équivalence", blank=True)
    rule = models.CharField("règle", max_length=120, blank=True)
    # A UE of another Cnam centre's catalogue, followed in FOAD because no centre of La
    # Réunion opens it (R-FEE-1): the centre that teaches it; blank for the brochure's.
    taught_by = models.CharField("dispensée en FOAD par", max_length=120, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    programmes = models.ManyToManyField(Programme, verbose_name="formations", related_name="units")

    history = HistoricalRecords(m2m_fields=[programmes])

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "unité d'enseignement"
        verbose_name_plural = "unités d'enseignement"

    def __str__(self):
        return f"{self.code} — {self.title}"

    def get_absolute_url(self):
        return reverse("catalogue:unit", args=[self.code])

    @property
    def is_activity(self) -> bool:
        return self.kind == self.Kind.ACTIVITY

    @property
    def is_foreign(self) -> bool:
        """Another centre's UE, not the brochure's (R-FEE-1)."""
        return bool(self.taught_by)


class Centre(models.Model):
    """R-CTR-1: the regional centre and the teaching centres (roles, not people)."""

    class Queryset(models.QuerySet):
        def regional(self) -> "Centre | None":
            """The regional centre: it issues quotes, certificates and minutes."""
            return self.filter(kind=Centre.Kind.REGIONAL).order_by("position").first()

    class Kind(models.TextChoices):
        REGIONAL = "regional", "Centre régional"
        TEACHING = "teaching", "Centre d'enseignement"

    code = models.CharField("code", max_length=32, unique=True)
    name = models.CharField("nom", max_length=120)
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    address = models.CharField("adresse", max_length=200)
    city = models.CharField("commune", max_length=80)
    phone = models.CharField("téléphone", max_length=32, blank=True)
    fax = models.CharField("télécopie", max_length=32, blank=True)
    email = models.EmailField("courriel", blank=True)
    contact_role = models.CharField("contact (fonction)", max_length=120, blank=True)
    hours = models.JSONField("horaires", default=list, blank=True)
    rule = models.CharField("règle", max_length=120, blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()
    objects = Queryset.as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "centre"
        verbose_name_plural = "centres"

    def __str__(self):
        return self.name


class AcademicYear(models.Model):
    """One academic year's regulation (calendar, tariffs, thresholds), stored as the
    TOML text it was loaded from and read through the rules core."""

    code = models.CharField("code", max_length=9, unique=True)
    label = models.CharField("libellé", max_length=120)
    first_day = models.DateField("premier jour (ouverture des préinscriptions)")
    last_day = models.DateField("dernier jour (fin de la 2nde session)")
    source = models.TextField("fichier de réglementation (TOML)")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-code"]
        verbose_name = "année universitaire"
        verbose_name_plural = "années universitaires"

    def __str__(self):
        return self.label

    @property
    def regulation(self) -> Regulation:
        return regulation_from_source(self.code, self.source)


@lru_cache(maxsize=16)
def regulation_from_source(code: str, source: str) -> Regulation:
    """Parse a stored year once per process (the text is the cache key)."""
    problems: list[DataProblem] = []
    regulation = parse_regulation(
        tomllib.loads(source, parse_float=Decimal), f"years/{code}.toml", problems
    )
    if problems:
        raise DataError(problems)
    return regulation
