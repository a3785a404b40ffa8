"""Exam sessions (R-EXA-1), convocations, marks with optimistic locking, and juries
(R-EXA-4) whose results reach learners only once published (R-EXA-5)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from admissions.models import Dossier
from catalogue.models import AcademicYear, Unit
from parcours import clock


class ExamSession(models.Model):
    """Session 1 at the end of each semester, and the common session 2 (R-CAL-1,
    R-EXA-1), with the dates of the year's calendar."""

    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, verbose_name="année")
    number = models.PositiveSmallIntegerField("session")  # 1 or 2
    semester = models.CharField("semestre", max_length=4, blank=True)  # "" for session 2
    starts_on = models.DateField("premier jour")
    ends_on = models.DateField("dernier jour")
    publication_days = models.PositiveSmallIntegerField(
        "publication des résultats (jours après le dernier examen)"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number", "semester"], name="exam_session_unique"
            )
        ]
        verbose_name = "session d'examens"
        verbose_name_plural = "sessions d'examens"

    def __str__(self):
        which = f"semestre {self.semester[-1]}" if self.semester else "commune aux semestres"
        return f"Session {self.number} ({which}), {self.year.code}"

    @property
    def publication_on(self) -> dt.date:
        """R-EXA-5: results come out about fifteen days after the exams."""
        return self.ends_on + dt.timedelta(days=self.publication_days)


class Convocation(models.Model):
    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="convocations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="convocations"
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    issued_at = clock.BusinessDateTimeField("émise le", auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "unit", "learner"], name="convocation_unique"
            )
        ]
        verbose_name = "convocation"

    def __str__(self):
        return f"Convocation {self.unit_id} — session {self.session_id}"


class Mark(models.Model):
    """A learner's result in a UE at one exam session: a mark out of 20, or an absence.
    `version` grows with each save: a save based on an older version is refused
    (optimistic locking), so two people never overwrite each other unseen."""

    class Absence(models.TextChoices):
        NONE = "", "—"
        ABSENT = "absent", "Absent(e)"
        EXCUSED = "excused", "Absence excusée"

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="marks")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marks"
    )
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(
        "note",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    absence = models.CharField("absence", max_length=8, choices=Absence.choices, blank=True)
    version = models.PositiveIntegerField("version", default=1)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = clock.BusinessDateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "unit", "learner"], name="mark_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(value__isnull=False, absence="")
                    | models.Q(value__isnull=True, absence__in=["absent", "excused"])
                ),
                name="mark_value_or_absence",
            ),
        ]
        indexes = [models.Index(fields=["learner", "unit"])]
        verbose_name = "note"

    def __str__(self):
        return f"Note {self.unit_id} — session {self.session_id}"


class Jury(models.Model):
    """The jury of a UE at an exam session: marks are closed, then the jury decides;
    from then marks are locked (a change is a correction with a reason). Results are
    published on `session.publication_on`, or earlier when staff publish them."""

    class Status(models.TextChoices):
        OPEN = "open", "Saisie des notes en cours"
        CLOSED = "closed", "Notes closes, jury à tenir"
        DECIDED = "decided", "Jury tenu"

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="juries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    status = models.CharField("état", max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField("notes closes le", null=True, blank=True)
    decided_at = models.DateTimeField("jury tenu le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes = models.TextField("observations du jury", blank=True)
    published_early_on = models.DateField(
        "résultats publiés par anticipation le", null=True, blank=True
    )
    # The e-mail "vos résultats sont disponibles" went to the learners on this day.
    notice_sent_on = models.DateField("avis de publication envoyé le", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "unit"], name="jury_unique")]
        verbose_name = "jury"
        verbose_name_plural = "jurys"

    def __str__(self):
        return f"Jury {self.unit_id} — {self.session}"

    def published_on(self) -> dt.date | None:
        """The day results became (or become) visible, None before the jury decided."""
        if self.status != self.Status.DECIDED:
            return None
        default = self.session.publication_on
        return min(default, self.published_early_on) if self.published_early_on else default

    def credits_earned_on(self) -> dt.date:
        """The day its credits are earned: the session's last exam day, or the
        publication day when results are published before it — one date then decides
        what counts, so a credit a learner can read always counts (issue 14, item 2)."""
        published = self.published_on()
        ends = self.session.ends_on
        return min(ends, published) if published else ends

    def is_published(self, today: dt.date) -> bool:
        day = self.published_on()
        return day is not None and day <= today


class ExamTimetable(models.Model):
    """When and where each written paper of an exam session is sat in a centre
    (R-EXA-1): made by the planning engine (planning/exams.py), published by staff; the
    convocations and the learner's exam page then give date, time and rooms."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        PUBLISHED = "published", "Publié"

    session = models.ForeignKey(ExamSession, on_delete=models.PROTECT, related_name="timetables")
    centre = models.ForeignKey("catalogue.Centre", on_delete=models.PROTECT, verbose_name="centre")
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    generated_at = models.DateTimeField("généré le", null=True, blank=True)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    same_day = models.PositiveIntegerField("épreuves le même jour (coût)", default=0)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "centre"], name="one_exam_timetable")
        ]
        verbose_name = "calendrier des épreuves"
        verbose_name_plural = "calendriers des épreuves"

    def __str__(self):
        return f"Épreuves — {self.session}, {self.centre}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ExamPaper(models.Model):
    timetable = models.ForeignKey(ExamTimetable, on_delete=models.CASCADE, related_name="papers")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    starts_at = models.DateTimeField("début")
    minutes = models.PositiveSmallIntegerField("durée (minutes)")
    candidates = models.PositiveIntegerField("candidats")
    # [[room code, seats], …]: a paper may fill several rooms, a room seat several papers.
    seats = models.JSONField("places par salle", default=list)
    # Bumped by each move, so calendar feeds replace the event (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField("version", default=0)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timetable", "unit"], name="one_paper_per_unit")
        ]
        ordering = ["starts_at", "unit__code"]
        verbose_name = "épreuve"

    def __str__(self):
        return f"{self.unit_id} — {self.starts_at:%d/%m/%Y %H:%M}"

    kind_label = "Épreuve écrite"

    @property
    def rooms(self) -> str:
        return ", ".join(room for room, _ in self.seats)


class ExamOral(models.Model):
    """One candidate's oral ("^ soutenance") of an exam session in a centre (R-EXA-1):
    their own slot, placed with the written papers (planning/exams.place_orals)."""

    timetable = models.ForeignKey(ExamTimetable, on_delete=models.CASCADE, related_name="orals")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="candidat"
    )
    starts_at = models.DateTimeField("début")
    minutes = models.PositiveSmallIntegerField("durée (minutes)")
    room = models.CharField("salle", max_length=32)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["timetable", "unit", "learner"], name="one_oral_per_candidate"
            )
        ]
        ordering = ["starts_at", "unit__code"]
        verbose_name = "soutenance"

    def __str__(self):
        return f"{self.unit_id} — {self.starts_at:%d/%m/%Y %H:%M}"

    kind_label = "Soutenance orale"

    @property
    def rooms(self) -> str:
        return self.room
