"""Signed half-days at the centre for alternance learners (R-ORG-1, R-CAL-4): the same
proof as a session's sheet — opened by the reception, signed by each learner with the
rotating QR code (or recorded with a reason), closed and signed — for the day an
alternance contract spends at the centre. The half-days' windows are the year's data
(`alternance_morning`, `alternance_afternoon`); a learner's signed half-days make their
AlternanceDay (hours = the windows' lengths), which the weekly-day rule reads.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from admissions.models import Dossier
from catalogue.models import AcademicYear, Centre
from parcours import clock
from rules.holidays import reunion_holidays
from rules.proof import SheetFacts, check_closure, check_opening, check_signature
from teaching.models import AlternanceDay, DaySheet, DaySignature, Signature
from teaching.services import FOLLOWING
from teaching.signing import _local, _refuse, rotating_token, sheet_of_rotating_token
from timetable.services import LOCAL

SALT = "parcours.emargement.journee"
HALVES = [DaySheet.Half.MORNING, DaySheet.Half.AFTERNOON]


def year_of(day: dt.date) -> AcademicYear:
    for year in AcademicYear.objects.order_by("-code"):
        if year.regulation.contains(day):
            return year
    raise ValidationError(f"Le {day:%d/%m/%Y} n'est dans aucune année universitaire.")


def window(year: AcademicYear, day: dt.date, half: str) -> tuple[dt.datetime, dt.datetime]:
    halves = year.regulation.attendance_proof.alternance_half_days
    start, end = halves[HALVES.index(half)]
    return (
        dt.datetime.combine(day, dt.time.fromisoformat(start), LOCAL),
        dt.datetime.combine(day, dt.time.fromisoformat(end), LOCAL),
    )


def learners(year: AcademicYear, centre: Centre) -> list[Dossier]:
    """The centre's alternance learners of the year: who the sheet expects."""
    return list(
        Dossier.objects.filter(
            year=year,
            centre=centre,
            status__in=FOLLOWING,
            situation=Dossier.Situation.ALTERNANCE,
        )
        .select_related("learner")
        .order_by("last_name", "first_name")
    )


def facts(year, centre, day, half, sheet: DaySheet | None = None) -> SheetFacts:
    starts, ends = window(year, day, half)
    signed = (
        frozenset(
            str(pk)
            for pk in sheet.signatures.filter(learner__isnull=False).values_list(
                "learner_id", flat=True
            )
        )
        if sheet is not None
        else frozenset()
    )
    return SheetFacts(
        starts_at=starts,
        ends_at=ends,
        on_holiday=day in reunion_holidays({day.year}),
        in_calendar=year.regulation.contains(day),
        capacity=None,
        registered=frozenset(str(d.learner_id) for d in learners(year, centre)),
        signed=signed,
    )


@transaction.atomic
def open_day_sheet(centre: Centre, half: str, by) -> DaySheet:
    """The reception opens today's half-day sheet at its centre (R-ORG-1 checks)."""
    if half not in HALVES:
        raise ValidationError("Choisissez le matin ou l'après-midi.")
    day = clock.today()
    existing = DaySheet.objects.filter(centre=centre, day=day, half=half).first()
    if existing is not None:
        return existing
    year = year_of(day)
    proof = year.regulation.attendance_proof
    _refuse(check_opening(facts(year, centre, day, half), proof, _local(clock.now())))
    return DaySheet.objects.create(
        centre=centre,
        day=day,
        half=half,
        opened_at=clock.now(),
        opened_by=by,
        secret=secrets.token_hex(16),
    )


def _qr_seconds(sheet: DaySheet) -> int:
    return year_of(sheet.day).regulation.attendance_proof.qr_seconds


def qr_token(sheet: DaySheet) -> str:
    return rotating_token(sheet, SALT, "j", _qr_seconds(sheet))


def sheet_of_token(token: str) -> DaySheet:
    sheet = sheet_of_rotating_token(
        token or "",
        SALT,
        "j",
        DaySheet.objects.select_related("centre"),
        _qr_seconds,
        "Ce QR code a expiré : scannez celui qui est affiché maintenant.",
    )
    if sheet.is_closed:
        raise ValidationError("La feuille de cette demi-journée est close : voyez l'accueil.")
    return sheet


def _hours(year, day, half) -> Decimal:
    starts, ends = window(year, day, half)
    return (Decimal(int((ends - starts).total_seconds())) / 3600).quantize(Decimal("0.01"))


def _set_day(sheet: DaySheet, learner_id: int, by) -> None:
    """The learner's AlternanceDay: the hours of every half-day they signed that day."""
    year = year_of(sheet.day)
    halves = set(
        DaySignature.objects.filter(
            sheet__centre=sheet.centre, sheet__day=sheet.day, learner_id=learner_id
        ).values_list("sheet__half", flat=True)
    )
    hours = sum((_hours(year, sheet.day, h) for h in halves), Decimal(0))
    row = AlternanceDay.objects.filter(learner_id=learner_id, day=sheet.day).first()
    if row is None:
        AlternanceDay.objects.create(
            learner_id=learner_id, centre=sheet.centre, day=sheet.day, hours=hours, recorded_by=by
        )
    elif row.hours != hours:
        row.hours, row.recorded_by = hours, by
        row._change_reason = "Demi-journées signées (émargement)"
        row.save()


def _sign(sheet: DaySheet, learner_id: int, method: str, by, reason: str = ""):
    sheet = DaySheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.is_closed:
        raise ValidationError("La feuille de cette demi-journée est close : voyez l'accueil.")
    year = year_of(sheet.day)
    _refuse(
        check_signature(
            facts(year, sheet.centre, sheet.day, sheet.half, sheet),
            year.regulation.attendance_proof,
            str(learner_id),
            _local(clock.now()),
        )
    )
    signature = DaySignature.objects.create(
        sheet=sheet,
        learner_id=learner_id,
        method=method,
        signed_at=clock.now(),
        signed_by=by,
        reason=reason,
    )
    _set_day(sheet, learner_id, by)
    return signature


@transaction.atomic
def sign_by_qr(token: str, learner) -> DaySignature:
    return _sign(sheet_of_token(token), learner.pk, Signature.Method.QR, learner)


@transaction.atomic
def record(sheet: DaySheet, learner_id: int, reason: str, by) -> DaySignature:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Indiquez pourquoi l'apprenant ne signe pas lui-même : le motif est gardé."
        )
    return _sign(sheet, learner_id, Signature.Method.TRAINER, by, reason[:300])


@transaction.atomic
def close(sheet: DaySheet, by) -> DaySheet:
    sheet = DaySheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.is_closed:
        raise ValidationError("Cette feuille est déjà close.")
    year = year_of(sheet.day)
    now = clock.now()
    DaySignature.objects.create(
        sheet=sheet, method=Signature.Method.TRAINER_CLOSING, signed_at=now, signed_by=by
    )
    sheet.closed_at = now
    sheet.flags = [
        r.message
        for r in check_closure(
            facts(year, sheet.centre, sheet.day, sheet.half, sheet),
            year.regulation.attendance_proof,
            _local(now),
        )
    ]
    sheet.save()
    return sheet


def pdf_context(sheet: DaySheet) -> dict:
    year = year_of(sheet.day)
    starts, ends = window(year, sheet.day, sheet.half)
    latest = {}
    for signature in sheet.signatures.select_related("signed_by"):
        latest[signature.learner_id] = signature
    return {
        "sheet": sheet,
        "starts": starts,
        "ends": ends,
        "rows": [
            {"dossier": d, "signature": latest.get(d.learner_id)}
            for d in learners(year, sheet.centre)
        ],
        "trainer": latest.get(None),
        "centre": sheet.centre,
    }
