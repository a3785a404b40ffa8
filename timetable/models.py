"""The evening timetable of one centre and year (R-CAL-2, R-CAL-3): its rooms, its
sessions as the planning engine placed them (then moved or cancelled by staff), and
the private calendar links of learners. Every change goes through
timetable/services.py, inside a transaction, and is kept in the history."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalogue.models import AcademicYear, Centre, Unit
from parcours import clock


class Room(models.Model):
    """A room of a centre (from data/planning.toml: the brochure names none)."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="rooms", verbose_name="centre"
    )
    code = models.CharField("code", max_length=32)
    name = models.CharField("nom", max_length=80)
    capacity = models.PositiveSmallIntegerField("places")

    history = HistoricalRecords()

    class Meta:
        ordering = ["centre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "code"], name="room_unique_per_centre")
        ]
        verbose_name = "salle"
        verbose_name_plural = "salles"

    def __str__(self):
        return f"{self.name} ({self.capacity} places)"


class Planning(models.Model):
    """One centre's timetable for one academic year. Learners and the public see its
    sessions only once it is published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Brouillon (non publié)"
        PUBLISHED = "published", "Publié"

    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, verbose_name="année")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, verbose_name="centre")
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.DRAFT)
    generated_at = models.DateTimeField("généré le", null=True, blank=True)
    solver_status = models.CharField("résultat du solveur", max_length=16, blank=True)
    solver_seconds = models.DecimalField(
        "durée du calcul (s)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    soft_costs = models.JSONField("coûts souples", default=dict, blank=True)
    published_at = models.DateTimeField("publié le", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year__code", "centre__position"]
        constraints = [
            models.UniqueConstraint(fields=["year", "centre"], name="planning_unique_per_centre")
        ]
        verbose_name = "planning"
        verbose_name_plural = "plannings"

    def __str__(self):
        return f"Planning {self.year.code}, {self.centre.name}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(planning__status=Planning.Status.PUBLISHED)

    def between(self, first: dt.datetime, last: dt.datetime):
        return self.filter(starts_at__gte=first, starts_at__lt=last)


class Session(models.Model):
    """One class meeting, web conference or chat of a UE (R-CAL-3)."""

    class Kind(models.TextChoices):
        CLASS_MEETING = "class_meeting", "Regroupement"
        WEB_CONFERENCE = "web_conference", "Web-conférence"
        CHAT = "chat", "Chat"

    planning = models.ForeignKey(
        Planning, on_delete=models.CASCADE, related_name="sessions", verbose_name="planning"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="UE")
    kind = models.CharField("nature", max_length=16, choices=Kind.choices)
    number = models.PositiveSmallIntegerField("numéro")
    starts_at = models.DateTimeField("début")
    minutes = models.PositiveSmallIntegerField("durée (minutes)")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, verbose_name="salle"
    )
    cancelled = models.BooleanField("annulée", default=False)
    reason = models.CharField("motif du dernier changement", max_length=300, blank=True)
    # RFC 5545: a calendar keeps an event by its UID and takes a change when SEQUENCE grows.
    uid = models.UUIDField("identifiant de calendrier", default=uuid.uuid4, unique=True)
    sequence = models.PositiveIntegerField("version", default=0)
    updated_at = clock.BusinessDateTimeField("modifiée le", auto_now=True)

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "unit__code"]
        indexes = [
            models.Index(fields=["planning", "starts_at"]),
            models.Index(fields=["unit", "starts_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["planning", "unit", "kind", "number"], name="session_unique_number"
            ),
            # One session per room and start (the engine's hard rule; moves are checked
            # in the service first, this is the database's last word).
            models.UniqueConstraint(
                fields=["room", "starts_at"],
                condition=Q(cancelled=False, room__isnull=False),
                name="session_one_per_room_and_start",
            ),
        ]
        verbose_name = "séance"
        verbose_name_plural = "séances"

    def __str__(self):
        return f"{self.unit.code} — {self.get_kind_display()} n° {self.number}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.minutes)

    @property
    def online(self) -> bool:
        return self.kind != self.Kind.CLASS_MEETING


class CalendarFeed(models.Model):
    """A learner's private calendar link. Only a hash of the token is stored: the link
    is shown once, when made; making a new one revokes the old."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name="apprenant",
    )
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    created_at = clock.BusinessDateTimeField("créé le", auto_now_add=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_learner",
            )
        ]
        verbose_name = "lien d'agenda"
        verbose_name_plural = "liens d'agenda"

    def __str__(self):
        state = "révoqué" if self.revoked_at else "actif"
        return f"Lien d'agenda ({state}) de {self.learner_id}"
