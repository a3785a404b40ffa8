"""Teaching groups, attendance (émargement) and the alternance day (R-CAL-4).

A group is one UE taught in one centre in one academic year (an annual UE spans both
semesters). Its learners are not copied: they are the final registrations to the UE in
that centre and year (`teaching.services.members`), so a termination or a new
registration is reflected at once. A group's teachers see only their groups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from catalogue.models import AcademicYear, Centre, Unit
from parcours import clock
from timetable.models import Session


class TeachingGroup(models.Model):
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, verbose_name="année")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, verbose_name="centre")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="teaching_groups",
        verbose_name="enseignants",
    )

    history = HistoricalRecords(m2m_fields=[teachers])

    class Meta:
        ordering = ["-year__code", "centre__position", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "centre", "unit"], name="group_unique")
        ]
        verbose_name = "groupe d'enseignement"
        verbose_name_plural = "groupes d'enseignement"

    def __str__(self):
        return f"{self.unit.code}, {self.centre.name}, {self.year.code}"


class Attendance(models.Model):
    """Whether a learner attended a session (class meeting, web conference or chat).
    Recorded by the group's teacher; a later correction by staff needs a reason and is
    kept in the history (R-EXA-3 counts the attendances)."""

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendances", verbose_name="séance"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name="apprenant",
    )
    present = models.BooleanField("présent(e)")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisi par",
    )
    recorded_at = clock.BusinessDateTimeField("saisi le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="attendance_unique")
        ]
        indexes = [
            models.Index(fields=["learner", "session"]),
            # the right to sit counts presences per session (attendance_counts): the
            # count is read from the index alone (issue 19, item 2)
            models.Index(fields=["session", "present", "learner"], name="attendance_counted"),
        ]
        verbose_name = "présence"
        verbose_name_plural = "présences"

    def __str__(self):
        return f"{'Présent' if self.present else 'Absent'} — séance {self.session_id}"


class AlternanceDay(models.Model):
    """A day an alternance learner spent in the centre (R-CAL-4: one 7-hour day a week)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="alternance_days",
        verbose_name="apprenant",
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, verbose_name="centre")
    day = models.DateField("jour")
    hours = models.DecimalField("heures", max_digits=4, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisi par",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "day"], name="alternance_day_unique")
        ]
        verbose_name = "journée en centre (alternance)"
        verbose_name_plural = "journées en centre (alternance)"

    def __str__(self):
        return f"{self.day:%d/%m/%Y} : {self.hours} h"


class SignedSheet(models.Model):
    """What every signed sheet keeps (R-ORG-1): who opened it and when, when it was
    closed, what a funder would question, and the secret its QR codes are keyed on."""

    opened_at = models.DateTimeField("ouverte le")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    # What a funder would question (check_closure), kept with the sheet.
    flags = models.JSONField("réserves", default=list, blank=True)
    # Keys the rotating QR codes of this sheet (never shown; see teaching/signing.py).
    secret = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AttendanceSheet(SignedSheet):
    """The signed sheet of one session (R-ORG-1): opened by its trainer, signed by the
    learners present (QR code on their phone, or recorded by the trainer with a reason),
    then closed and signed by the trainer; a closed sheet is frozen, a later correction
    is a new signature with its reason. Its signatures make the session's Attendance
    rows, so the right to sit (R-EXA-3) reads the same record."""

    session = models.OneToOneField(
        Session, on_delete=models.PROTECT, related_name="sheet", verbose_name="séance"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "feuille d'émargement"
        verbose_name_plural = "feuilles d'émargement"

    def __str__(self):
        return f"Émargement — séance {self.session_id}"


class Signature(models.Model):
    """One signature of a sheet: a learner's presence or the trainer's closing one —
    who, when (the server's time), how, and why when it is not the learner's own."""

    class Method(models.TextChoices):
        QR = "qr", "QR code (téléphone de l'apprenant)"
        TRAINER = "trainer", "Saisie par le formateur"
        CORRECTION = "correction", "Correction"
        TRAINER_CLOSING = "closing", "Signature du formateur (clôture)"

    sheet = models.ForeignKey(AttendanceSheet, on_delete=models.PROTECT, related_name="signatures")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name="apprenant",
    )  # None: the trainer's own signature
    present = models.BooleanField("présent(e)", default=True)
    method = models.CharField("mode", max_length=16, choices=Method.choices)
    signed_at = models.DateTimeField("signé le")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    reason = models.CharField("motif", max_length=300, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = "signature"

    def __str__(self):
        return f"{self.get_method_display()} — {self.signed_at:%d/%m/%Y %H:%M}"


class DistanceActivity(models.Model):
    """Time a learner spent on a distance activity of a UE (R-ORG-1): a web conference,
    a chat, a recorded session or other platform work, from the platform's connection
    report (imported as CSV by staff: validated at once) or declared by the learner and
    validated by staff. A validated activity that matches a web conference or a chat
    of the planning also marks the learner present at it (R-EXA-3 reads Attendance);
    its minutes count in the hours of the certificat de réalisation."""

    class Kind(models.TextChoices):
        WEB_CONFERENCE = "web_conference", "Web-conférence"
        CHAT = "chat", "Chat"
        RECORDED = "recorded", "Séance enregistrée"
        PLATFORM = "platform", "Activité sur la plateforme (exercices, forum)"

    class Source(models.TextChoices):
        REPORT = "report", "Rapport de connexion de la plateforme"
        DECLARED = "declared", "Déclarée par l'apprenant"

    class Status(models.TextChoices):
        PENDING = "pending", "À valider"
        VALIDATED = "validated", "Validée"
        REFUSED = "refused", "Refusée"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="distance_activities",
        verbose_name="apprenant",
    )
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, verbose_name="année")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    kind = models.CharField("activité", max_length=16, choices=Kind.choices)
    day = models.DateField("jour")
    minutes = models.PositiveSmallIntegerField("durée (minutes)")
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distance_activities",
        verbose_name="séance",
    )
    description = models.CharField("description", max_length=300, blank=True)
    source = models.CharField("origine", max_length=10, choices=Source.choices)
    source_name = models.CharField("fichier importé", max_length=120, blank=True)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="saisi par",
    )
    recorded_at = clock.BusinessDateTimeField("saisi le", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidé par",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    reason = models.CharField("motif du refus", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "pk"]
        indexes = [models.Index(fields=["learner", "day"]), models.Index(fields=["status"])]
        verbose_name = "activité à distance"
        verbose_name_plural = "activités à distance"

    def __str__(self):
        return f"{self.get_kind_display()} — {self.day:%d/%m/%Y}, {self.minutes} min"


class AbsenceAlert(models.Model):
    """An absence alert sent: to a learner whose right to sit a UE is at risk or lost
    this semester (R-EXA-3), or to an employer's contact for an alternance week with
    no day at the centre (R-CAL-4; `unit` empty, `semester` the ISO week). Once each,
    so that the daily run does not tell the same thing twice."""

    class Level(models.TextChoices):
        AT_RISK = "at_risk", "Droit à l'examen menacé"
        LOST = "lost", "Droit à l'examen perdu pour ce semestre"
        ALTERNANCE = "alternance", "Semaine d'alternance sans journée au centre"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="absence_alerts"
    )
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True)
    semester = models.CharField(max_length=10)  # a semester's code, or "2016-W45"
    level = models.CharField(max_length=10, choices=Level.choices)
    absences = models.JSONField(default=list)  # the days of the absences told, ISO
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "year", "unit", "semester", "level"],
                condition=models.Q(unit__isnull=False),
                name="absence_alert_once",
            ),
            models.UniqueConstraint(
                fields=["learner", "year", "semester", "level"],
                condition=models.Q(unit__isnull=True),
                name="alternance_alert_once",
            ),
        ]
        verbose_name = "alerte d'absence"
        verbose_name_plural = "alertes d'absence"

    def __str__(self):
        return f"{self.get_level_display()} — {self.semester}"


class DaySheet(SignedSheet):
    """The signed sheet of one half-day at a centre for its alternance learners
    (R-ORG-1, R-CAL-4): opened by the reception (their referent), signed by each
    learner present with the rotating QR code, closed and signed by the referent.
    Each learner's signed half-days make their AlternanceDay, so the weekly-day rule
    reads the same record."""

    class Half(models.TextChoices):
        MORNING = "am", "Matin"
        AFTERNOON = "pm", "Après-midi"

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, verbose_name="centre")
    day = models.DateField("jour")
    half = models.CharField("demi-journée", max_length=2, choices=Half.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "half"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "half"], name="day_sheet_unique")
        ]
        verbose_name = "feuille d'émargement d'une demi-journée (alternance)"
        verbose_name_plural = "feuilles d'émargement des demi-journées (alternance)"

    def __str__(self):
        return f"{self.centre_id} — {self.day:%d/%m/%Y} {self.get_half_display()}"


class DaySignature(models.Model):
    """A signature of a half-day sheet: a learner's (QR, or recorded by the referent with
    a reason) or the referent's closing one (learner empty)."""

    sheet = models.ForeignKey(DaySheet, on_delete=models.PROTECT, related_name="signatures")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="day_signatures",
        verbose_name="apprenant",
    )
    method = models.CharField("mode", max_length=16, choices=Signature.Method.choices)
    signed_at = models.DateTimeField("signé le")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    reason = models.CharField("motif", max_length=300, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = "signature d'une demi-journée"

    def __str__(self):
        return f"{self.get_method_display()} — {self.signed_at:%d/%m/%Y %H:%M}"
