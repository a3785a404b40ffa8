"""Experience and internships (R-EXP-1, R-EXP-2): periods a learner declares with their
proof, examined by staff, as the rules core reads them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from awards.errors import AwardError
from awards.ledger import store_evidence
from parcours import clock, uploads
from rules.experience import Period

from .models import (
    ExperiencePeriod,
)

# --- experience and internships -----------------------------------------------------------


def add_period(learner, values: dict, uploaded, by) -> ExperiencePeriod:
    """A period declared by the learner with its attestation or internship agreement
    (same upload rules as the dossier); to be accepted by staff."""
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if ends_on < starts_on:
        raise AwardError({"ends_on": "La date de fin précède la date de début."})
    if ends_on > clock.today():
        raise AwardError(
            {"ends_on": "Une période ne s'atteste qu'une fois finie : la date de fin est à venir."}
        )
    with transaction.atomic():
        document = store_evidence(learner, uploaded, by)
        return ExperiencePeriod.objects.create(learner=learner, document=document, **values)


@transaction.atomic
def review_period(period: ExperiencePeriod, accepted: bool, reason: str, by) -> ExperiencePeriod:
    period = ExperiencePeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != ExperiencePeriod.Status.PENDING:
        raise AwardError(f"Cette période est déjà « {period.get_status_display().lower()} ».")
    if not accepted and not reason.strip():
        raise AwardError({"reason": "Indiquez le motif du refus : l'apprenant le lira."})
    period.status = (
        ExperiencePeriod.Status.ACCEPTED if accepted else ExperiencePeriod.Status.REJECTED
    )
    period.rejection_reason = "" if accepted else reason.strip()
    period.reviewed_by, period.reviewed_at = by, clock.now()
    period.save()
    return period


@transaction.atomic
def remove_period(period: ExperiencePeriod) -> None:
    period = ExperiencePeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == ExperiencePeriod.Status.ACCEPTED:
        raise AwardError("Une période acceptée ne peut plus être retirée.")
    document = period.document
    period.delete()
    document.delete()
    uploads.delete_stored(document.stored_name)  # once the removal is committed


def periods_of(rows: Iterable[ExperiencePeriod]) -> list[Period]:
    return [
        Period(p.kind, p.field, p.starts_on, p.ends_on)
        for p in rows
        if p.status == ExperiencePeriod.Status.ACCEPTED
    ]
