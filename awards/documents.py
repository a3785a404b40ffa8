"""Issued documents: credentials, transcripts and attendance attestations, with their
verification code; revocation; the lookups the staff pages use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from awards.errors import AwardError
from catalogue.models import AcademicYear, Unit
from parcours import clock
from rules.explain import InputError
from rules.ledger import validates

from .codes import new_code
from .models import (
    AwardRequest,
    Credit,
    IssuedDocument,
)

# --- issued documents ---------------------------------------------------------------------


def holder_name(learner) -> str:
    """The name as on the learner's latest dossier, else the account's."""
    from admissions.models import Dossier

    dossier = (
        Dossier.objects.filter(learner=learner)
        .exclude(last_name="")
        .order_by("-created_at")
        .only("first_name", "last_name")
        .first()
    )
    if dossier:
        return f"{dossier.first_name} {dossier.last_name.upper()}".strip()
    return learner.get_full_name() or learner.email


def issue_document(
    learner, kind: str, title: str, content: dict, award: AwardRequest | None = None
) -> IssuedDocument:
    """A document with a fresh verification code (retried on the rare collision)."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return IssuedDocument.objects.create(
                    code=new_code(),
                    kind=kind,
                    learner=learner,
                    award=award,
                    holder_name=holder_name(learner),
                    title=title,
                    issued_on=clock.today(),
                    content=content,
                )
        except IntegrityError:
            continue
    raise AwardError("Impossible d'attribuer un code de vérification : réessayez.")


@transaction.atomic
def revoke_document(document: IssuedDocument, reason: str, by) -> IssuedDocument:
    document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if document.revoked_on:
        raise AwardError("Ce document est déjà révoqué.")
    if not reason.strip():
        raise AwardError({"reason": "Le motif de la révocation est obligatoire."})
    document.revoked_on, document.revocation_reason = clock.today(), reason.strip()
    document._change_reason = reason.strip()
    document.save()
    return document


def find_document(code: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(code=code).first()


@dataclass(frozen=True)
class TranscriptRow:
    code: str
    title: str
    ects: int
    mark: Decimal | None
    absence: str
    session: str  # "Session 1 (semestre 1)" or the way it was earned
    year: str
    validated: bool


def transcript_rows(learner, today: dt.date | None = None) -> list[TranscriptRow]:
    """The relevé de notes: every published result (R-EXA-5) with its mark, session,
    year and ECTS when it validated the UE, and every UE earned otherwise, in date
    order. Two queries."""
    from assessment.services import published_marks

    today = today or clock.today()
    credits = {
        c.unit_id: c
        for c in Credit.objects.filter(learner=learner, published_on__lte=today).select_related(
            "unit"
        )
    }
    rows: list[tuple[dt.date, TranscriptRow]] = []
    for mark in published_marks(learner, today):
        credit = credits.get(mark.unit_id)
        earned_here = credit is not None and credit.session_id == mark.session_id
        regulation = mark.session.year.regulation
        rows.append(
            (
                mark.session.ends_on,
                TranscriptRow(
                    mark.unit.code,
                    mark.unit.title,
                    mark.unit.ects if earned_here else 0,
                    mark.value,
                    mark.get_absence_display() if mark.absence else "",
                    str(mark.session).split(",")[0],
                    mark.session.year.code,
                    validates(regulation, mark.value),
                ),
            )
        )
    for credit in credits.values():
        if credit.way == Credit.Way.EXAM:
            continue
        rows.append(
            (
                credit.earned_on,
                TranscriptRow(
                    credit.unit.code,
                    credit.unit.title,
                    credit.unit.ects,
                    credit.mark,
                    "",
                    credit.get_way_display(),
                    _year_code(credit.earned_on),
                    True,
                ),
            )
        )
    rows.sort(key=lambda row: (row[0], row[1].code))
    return [row for _, row in rows]


def _year_code(on: dt.date) -> str:
    """The academic year of a date, written as its code (2016-2017)."""
    for year in AcademicYear.objects.only("code", "source"):
        if year.regulation.contains(on):
            return year.code
    return str(on.year)


def issue_transcript(learner) -> IssuedDocument:
    """The relevé de notes as of today, frozen in the document (R-EXA-4, R-EXA-5)."""
    rows = transcript_rows(learner)
    if not rows:
        raise AwardError("Aucun résultat publié : le relevé de notes serait vide.")
    content = {
        "rows": [
            {
                "code": r.code,
                "title": r.title,
                "ects": r.ects,
                "mark": None if r.mark is None else str(r.mark),
                "absence": r.absence,
                "session": r.session,
                "year": r.year,
                "validated": r.validated,
            }
            for r in rows
        ],
        "ects": sum(r.ects for r in rows),  # each UE counted once, on the row that earned it
    }
    return issue_document(learner, IssuedDocument.Kind.TRANSCRIPT, "Relevé de notes", content)


def issue_attendance(learner, dossier_pk: int) -> IssuedDocument:
    """The attestation de suivi of a final registration (R-EXA-6, R-REG-9): the UEs
    followed, with the sessions attended, whether or not exams were sat."""
    from admissions.models import Dossier
    from teaching.realisation import followed
    from teaching.services import FOLLOWING, attendance_counts

    dossier = (
        Dossier.objects.filter(learner=learner, pk=dossier_pk, status__in=FOLLOWING)
        .select_related("year", "programme", "centre")
        .first()
    )
    if dossier is None:
        raise AwardError("Une attestation de suivi suppose une inscription définitive.")
    chosen = list(dossier.units.select_related("unit").order_by("unit__code"))
    counts = attendance_counts(dossier.year, [learner.pk], [c.unit_id for c in chosen])
    # The hours are the certificat de réalisation's (R-ORG-1, R-ORG-2): signed sheets and
    # validated distance activity, over the year.
    regulation = dossier.year.regulation
    done = followed(learner.pk, regulation.first_day, regulation.last_day)
    content = {
        "year": dossier.year.label,
        "programme": f"{dossier.programme.code} « {dossier.programme.title} »",
        "centre": dossier.centre.name if dossier.centre_id else "",
        "units": [
            {
                "code": c.unit.code,
                "title": c.unit.title,
                "foad": c.foad,
                "attended": sum(counts.get((learner.pk, c.unit_id), {}).values()),
                "hours": str(done.hours(c.unit_id)),
            }
            for c in chosen
        ],
    }
    return issue_document(
        learner,
        IssuedDocument.Kind.ATTENDANCE,
        f"Attestation de suivi — {dossier.year.label}",
        content,
    )


def learners_like(query: str):
    """Staff search: by e-mail or by a dossier's name."""
    from accounts.roles import ROLES

    query = query.strip()
    users = get_user_model().objects.filter(groups__name=ROLES["learner"].group)
    if not query:
        return users.none()
    return (
        users.filter(
            Q(email__icontains=query)
            | Q(dossiers__last_name__icontains=query)
            | Q(dossiers__first_name__icontains=query)
        )
        .distinct()
        .order_by("email")[:50]
    )


def unit_or_error(code: str) -> Unit:
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise InputError("unit", f"UE inconnue « {code} »") from None
