from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from parcours.clock import BusinessDateTimeField


class Classification(models.Model):
    """The direction's decision on a row the BPF's readings cannot classify (R-ORG-4):
    the line of a payment (C), of a learner's dossier (F-1) or a trainer's status (E)."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Paiement"
        LEARNER = "learner", "Stagiaire (dossier)"
        TRAINER = "trainer", "Formateur"

    kind = models.CharField("objet", max_length=8, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("référence")
    line = models.CharField("ligne du BPF", max_length=8)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    decided_at = BusinessDateTimeField("le", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="classification_unique")
        ]
        verbose_name = "classement au BPF"
        verbose_name_plural = "classements au BPF"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_id} → {self.line}"
