"""The ledger of earned UEs (R-EXA-4, R-CAT-5): the evidence staff attach, the credits
from decided juries (one jury, or all of them in bulk) and the staff's own decisions
(equivalence, another centre, a report validated by the jury), each with its reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from assessment.models import Jury, Mark
from awards.errors import AwardError
from catalogue.models import Unit
from parcours import clock, uploads
from parcours.access import is_direction
from rules.explain import day
from rules.ledger import validates

from .models import (
    AwardRequest,
    Credit,
    Evidence,
    IssuedDocument,
)

# --- evidence -----------------------------------------------------------------------------


def store_evidence(learner, uploaded, by) -> Evidence:
    """Check and store an uploaded document (same rules as a dossier's pieces); the file
    lands on disk only if the surrounding transaction commits."""
    clean = uploads.clean_upload(uploaded)  # raises UploadRefused, in French
    return Evidence.objects.create(
        learner=learner,
        stored_name=uploads.store(clean),
        display_name=clean.display_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=by,
    )


# --- the ledger: credits from juries ------------------------------------------------------


def sync_jury_credits(jury: Jury) -> int:
    """Make the ledger agree with a decided jury (R-EXA-4): each of its learners holds
    the exam credit of their earliest validating mark at a decided jury of the UE, or
    none; a UE earned otherwise stays as it was earned. Returns the changes."""
    if jury.status != Jury.Status.DECIDED:
        return 0
    learners = list(
        Mark.objects.filter(session_id=jury.session_id, unit_id=jury.unit_id).values_list(
            "learner_id", flat=True
        )
    )
    return reconcile_exam_credits(jury.unit_id, learners)


def reconcile_exam_credits(unit_id: int, learner_ids: list[int]) -> int:
    """For one UE and some learners, in four queries whatever their number: the first
    validating mark at a decided jury earns the UE (capitalised for life from that
    exam, R-EXA-4); a correction below the pass mark takes the credit back, or moves it
    to another session's validating mark; a UE earned by a staff decision is left as it
    is. A credit behind a granted diploma is never taken back silently."""
    juries = {
        j.session_id: j
        for j in Jury.objects.filter(unit_id=unit_id, status=Jury.Status.DECIDED).select_related(
            "session__year"
        )
    }
    best: dict[int, tuple[Jury, Mark]] = {}
    marks = Mark.objects.filter(
        unit_id=unit_id, learner_id__in=learner_ids, session_id__in=list(juries)
    ).exclude(value__isnull=True)
    for mark in marks:
        jury = juries[mark.session_id]
        if not validates(jury.session.year.regulation, mark.value):
            continue
        held = best.get(mark.learner_id)
        if held is None or jury.session.ends_on < held[0].session.ends_on:
            best[mark.learner_id] = (jury, mark)
    credits = {
        c.learner_id: c
        for c in Credit.objects.select_for_update().filter(
            unit_id=unit_id, learner_id__in=learner_ids
        )
    }
    changes = 0
    for learner_id in learner_ids:
        credit, candidate = credits.get(learner_id), best.get(learner_id)
        if credit is not None and credit.way != Credit.Way.EXAM:
            continue
        if candidate is None:
            if credit is not None:
                guard_granted(credit)
                credit._change_reason = "Note corrigée sous la note de validation"
                credit.delete()
                changes += 1
            continue
        jury, mark = candidate
        values = {
            "jury": jury,
            "session": jury.session,
            "mark": mark.value,
            "earned_on": jury.credits_earned_on(),
            "published_on": jury.published_on(),
        }
        if credit is None:
            Credit.objects.create(
                learner_id=learner_id,
                unit_id=unit_id,
                way=Credit.Way.EXAM,
                justification=f"Jury de l'UE, {jury.session}",
                recorded_by=jury.decided_by,
                **values,
            )
            changes += 1
        elif any(getattr(credit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(credit, name, value)
            credit.justification = f"Jury de l'UE, {jury.session}"
            credit._change_reason = "Note corrigée après le jury"
            credit.save()
            changes += 1
    return changes


def refresh_jury_credits(jury: Jury) -> None:
    """An early publication (R-EXA-5), or new session dates, move the jury's credits:
    visible from its publication day, earned on its last exam day or, when published
    before it, on the publication day."""
    if jury.status == Jury.Status.DECIDED:
        Credit.objects.filter(jury=jury).update(
            published_on=jury.published_on(), earned_on=jury.credits_earned_on()
        )


def guard_granted(credit: Credit) -> None:
    """A UE behind a diploma granted and not revoked cannot leave the ledger: the
    direction revokes the diploma first (its verification page then says so)."""
    granted = (
        AwardRequest.objects.filter(
            learner_id=credit.learner_id,
            status=AwardRequest.Status.GRANTED,
            programme__units=credit.unit_id,
            documents__kind=IssuedDocument.Kind.CREDENTIAL,
            documents__revoked_on__isnull=True,
        )
        .select_related("programme")
        .first()
    )
    if granted is not None:
        raise AwardError(
            f"Cette UE fonde le {granted.programme.get_kind_display().lower()} "
            f"{granted.programme.code} n° {granted.number} délivré le "
            f"{day(granted.decided_on)} : la direction doit d'abord révoquer ce diplôme."
        )


UNIT_BITS = 20  # unit ids below 2**20: a catalogue has a few dozen units


def sync_all_credits(batch_size: int = 5000) -> int:
    """Write the credits of every decided jury in bulk (the synthetic population, or a
    database from before the ledger): marks are read in exam order, so the first
    validating mark of a learner and UE is the one written; a UE already earned, by any
    way, stays (the unique constraint guards a concurrent writer too). Streamed;
    idempotent; returns the credits written."""
    juries = {
        (j.session_id, j.unit_id): j
        for j in Jury.objects.filter(status=Jury.Status.DECIDED).select_related("session__year")
    }
    before = Credit.objects.count()
    # UEs already earned, packed as one int each (a rerun skips them without building
    # a row; a tuple per pair would weigh several times more).
    earned = {
        learner_id << UNIT_BITS | unit_id
        for learner_id, unit_id in Credit.objects.values_list("learner_id", "unit_id").iterator(
            chunk_size=20000
        )
    }
    pending: list[Credit] = []
    rows = (
        Mark.objects.filter(value__isnull=False)
        .order_by("session__ends_on", "pk")
        .values_list("learner_id", "unit_id", "session_id", "value")
        .iterator(chunk_size=20000)
    )
    for learner_id, unit_id, session_id, value in rows:
        jury = juries.get((session_id, unit_id))
        if jury is None or not validates(jury.session.year.regulation, value):
            continue
        pair = learner_id << UNIT_BITS | unit_id
        if pair in earned:
            continue
        earned.add(pair)
        pending.append(
            Credit(
                learner_id=learner_id,
                unit_id=unit_id,
                way=Credit.Way.EXAM,
                earned_on=jury.credits_earned_on(),
                published_on=jury.published_on(),
                mark=value,
                session_id=session_id,
                jury=jury,
                justification=f"Jury de l'UE, {jury.session}",
                recorded_by_id=jury.decided_by_id,
            )
        )
        if len(pending) >= batch_size:
            _flush(pending)
    _flush(pending)
    return Credit.objects.count() - before


def _flush(pending: list[Credit]) -> None:
    if pending:
        with transaction.atomic():
            Credit.objects.bulk_create(pending, ignore_conflicts=True)
        pending.clear()


# --- the ledger: staff decisions ----------------------------------------------------------


STAFF_WAYS = {
    Credit.Way.EQUIVALENCE: "R-CAT-5",
    Credit.Way.OTHER_CENTRE: "R-REG-2",
    Credit.Way.REPORT: "R-AWD-1",
}


def record_credit(
    learner,
    unit: Unit,
    way: str,
    earned_on: dt.date,
    justification: str,
    by,
    document: Evidence | None = None,
    mark: Decimal | None = None,
) -> Credit:
    """A UE earned by a staff decision with its justification: an equivalence (R-CAT-5,
    only where the catalogue provides one), another regional centre's certificate
    (R-REG-2 item 8) or an activity unit's report validated by the jury (R-AWD-1 3.,
    R-AWD-2 4.). VAE and VES credits come from `decide_validation`."""
    if way not in STAFF_WAYS:
        raise AwardError({"way": "Voie d'obtention inconnue."})
    if not justification.strip():
        raise AwardError({"justification": "La justification de la décision est obligatoire."})
    if earned_on > clock.today():
        raise AwardError({"earned_on": f"La date ({day(earned_on)}) est dans le futur."})
    if way == Credit.Way.EQUIVALENCE and not unit.equivalence:
        raise AwardError({"unit": f"Aucune équivalence n'est prévue pour {unit.code} (R-CAT-5)."})
    if way == Credit.Way.REPORT and unit.kind != Unit.Kind.ACTIVITY:
        raise AwardError(
            {"unit": f"{unit.code} n'est pas une unité d'activité : elle s'obtient par examen."}
        )
    if way == Credit.Way.REPORT and not is_direction(by):
        raise AwardError("La validation d'un rapport est une décision du jury (direction).")
    if way == Credit.Way.OTHER_CENTRE and document is None:
        raise AwardError({"document": "L'attestation de réussite de l'autre centre est à joindre."})
    with transaction.atomic():
        try:
            with transaction.atomic():
                return Credit.objects.create(
                    learner=learner,
                    unit=unit,
                    way=way,
                    earned_on=earned_on,
                    published_on=clock.today(),
                    mark=mark,
                    justification=justification.strip(),
                    document=document,
                    recorded_by=by,
                )
        except IntegrityError:
            raise AwardError(
                {"unit": f"{unit.code} est déjà acquise : elle est capitalisée à vie (R-EXA-4)."}
            ) from None


JURY_WAYS = (Credit.Way.REPORT, Credit.Way.VAE, Credit.Way.VES)


@transaction.atomic
def withdraw_credit(credit: Credit, reason: str, by) -> None:
    """Take back a credit recorded by mistake (an exam credit follows its marks; a
    jury's decision — report, VAE, VES — is the direction's to take back). The history
    keeps it, with who and why; a decided exam of the UE then earns it, if any."""
    credit = Credit.objects.select_for_update().select_related("unit").get(pk=credit.pk)
    if credit.way == Credit.Way.EXAM:
        raise AwardError("Une UE obtenue par examen suit ses notes : corrigez la note.")
    if credit.way in JURY_WAYS and not is_direction(by):
        raise AwardError("Cette UE vient d'une décision de jury : seule la direction la retire.")
    if not reason.strip():
        raise AwardError({"reason": "Le motif est obligatoire."})
    guard_granted(credit)
    credit._change_reason = reason.strip()
    credit.history_user = by  # simple_history reads it for the deletion row
    credit.delete()
    reconcile_exam_credits(credit.unit_id, [credit.learner_id])
