"""The direction's decisions on the BPF (R-ORG-4): a row the readings cannot classify
gets its line, recorded with who and when (and kept in the history)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from admissions.models import Dossier, Payment
from reports.models import Classification
from rules import bpf as core

Kind = Classification.Kind
ALLOWED_LINES = {
    Kind.PAYMENT: core.INCOME_LINES,
    Kind.LEARNER: core.LEARNER_LINES,
    Kind.TRAINER: core.TRAINER_LINES,
}


def _exists(kind: str, object_id: int) -> bool:
    model = {Kind.PAYMENT: Payment, Kind.LEARNER: Dossier, Kind.TRAINER: get_user_model()}[kind]
    return model.objects.filter(pk=object_id).exists()


def classify(kind: str, object_id: int, line: str, by) -> Classification:
    if kind not in ALLOWED_LINES:
        raise ValidationError({"kind": "Objet inconnu : paiement, stagiaire ou formateur."})
    if line not in ALLOWED_LINES[kind]:
        raise ValidationError({"line": "Choisissez une ligne du formulaire dans la liste."})
    if not _exists(kind, object_id):
        raise ValidationError({"object_id": "Cette ligne n'existe plus."})
    with transaction.atomic():
        classification, _ = Classification.objects.update_or_create(
            kind=kind, object_id=object_id, defaults={"line": line, "decided_by": by}
        )
    return classification
