"""The project's own records: the task worker's heartbeat and the long jobs staff start.

Both keep the system clock's real time where they measure liveness (a beat is "now" or
not, whatever day the demo pins); a job's dates are on the business clock, like every
date a page shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from parcours.clock import BusinessDateTimeField


class WorkerBeat(models.Model):
    """One row per running worker (`manage.py worker`), refreshed every few seconds.
    /sante/ reads it; a task left "running" by a worker without a fresh beat lost it."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "battement du travailleur"
        verbose_name_plural = "battements des travailleurs"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}, pid {self.pid})"


class Job(models.Model):
    """A long piece of work staff started (a planning, a batch of PDFs, the ledger's
    backfill): queued on commit, run by the worker, its state shown where it started."""

    class Kind(models.TextChoices):
        PLANNING = "planning", "Génération du planning"
        JURY_RECORDS = "jury_records", "Procès-verbaux de jury de la session"
        EXAM_TIMETABLE = "exam_timetable", "Calendrier des épreuves"
        SYNC_CREDITS = "sync_credits", "Inscription des UE acquises au registre"
        ATTENDANCE_ARCHIVE = "attendance_archive", "Feuilles d'émargement d'une période"

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "En échec"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    # One pending job per key ("planning:2016-2017:STDENIS"): a second click joins it.
    key = models.CharField(max_length=120, db_index=True)
    # Where the outcome is: a page of the site, and/or a private file (a batch of PDFs;
    # `stored_name`, so that the purge of stray files and the backup know it).
    result_url = models.CharField(max_length=300, blank=True)
    stored_name = models.CharField(max_length=64, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    created_at = BusinessDateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status"])]
        verbose_name = "travail en arrière-plan"
        verbose_name_plural = "travaux en arrière-plan"

    def __str__(self) -> str:
        return f"{self.title} — {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
