"""Erasure requests (GDPR art. 17, R-ORG-6): who asked, when, and what was done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ErasureRequest(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "Depuis l'espace personnel"
        MAIL = "mail", "Courrier ou courriel"
        DESK = "desk", "Au guichet"

    class Status(models.TextChoices):
        RECEIVED = "received", "Reçue"
        DONE = "done", "Exécutée"
        REFUSED = "refused", "Refusée"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name="personne",
    )
    received_on = models.DateField("reçue le")
    channel = models.CharField("reçue par", max_length=10, choices=Channel.choices)
    note = models.TextField("précisions", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "état", max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    decided_on = models.DateField("traitée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.TextField("ce qui a été fait", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "demande d'effacement"
        verbose_name_plural = "demandes d'effacement"
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"Demande d'effacement du {self.received_on:%d/%m/%Y} — {self.get_status_display()}"
