"""Distance activity (R-ORG-1): what a learner followed online, for the proof of delivery
and, when it is a web conference or a chat of the planning, for the right to sit
(R-EXA-3 reads Attendance).

Two ways in: the platform's connection report, a CSV file staff import (every line is
checked before anything is written; the lines are then validated at once, the report
being the platform's own record), or a declaration by the learner ("j'ai suivi
l'enregistrement de la séance 3, 1 h 30") that staff validate or refuse with a reason.

The report's header names its columns: `email`, `ue`, `date` (JJ/MM/AAAA or
AAAA-MM-JJ), `minutes`, `activite` (web-conférence, chat, enregistrement, plateforme)
and optionally `heure` (HH:MM, the start of the web conference or chat it belongs to).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from admissions.models import DossierUnit
from assessment.imports import MarksFileError, rows_of_csv
from catalogue.models import AcademicYear, Unit
from parcours import clock
from parcours.inputs import is_plausible, normal_text
from teaching.models import Attendance, DistanceActivity
from teaching.services import FOLLOWING
from timetable.models import Session
from timetable.services import LOCAL, sessions_followed

MAX_BYTES = 2 * 1024 * 1024
MAX_MINUTES = 12 * 60  # one line is at most a day's work online
KIND_WORDS = {
    "web-conférence": DistanceActivity.Kind.WEB_CONFERENCE,
    "web-conference": DistanceActivity.Kind.WEB_CONFERENCE,
    "webconférence": DistanceActivity.Kind.WEB_CONFERENCE,
    "visioconférence": DistanceActivity.Kind.WEB_CONFERENCE,
    "chat": DistanceActivity.Kind.CHAT,
    "enregistrement": DistanceActivity.Kind.RECORDED,
    "séance enregistrée": DistanceActivity.Kind.RECORDED,
    "plateforme": DistanceActivity.Kind.PLATFORM,
    "activité": DistanceActivity.Kind.PLATFORM,
}
LIVE_KINDS = (DistanceActivity.Kind.WEB_CONFERENCE, DistanceActivity.Kind.CHAT)
COLUMNS = ("email", "ue", "date", "minutes", "activite")


@dataclass
class ReportLine:
    number: int
    learner_id: int | None = None
    unit: Unit | None = None
    day: dt.date | None = None
    start: dt.time | None = None
    minutes: int = 0
    kind: str = ""
    session: Session | None = None
    problems: list[str] = field(default_factory=list)


def _day(text: str) -> dt.date | None:
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return day if is_plausible(day) else None
    return None


def _time(text: str) -> dt.time | None:
    try:
        return dt.datetime.strptime(text.strip().replace("h", ":"), "%H:%M").time()
    except ValueError:
        return None


def _followed(year: AcademicYear, learner_ids=None) -> dict[tuple[int, int], tuple]:
    """{(learner, UE): (year, centre, UE, FOAD)} of the year's final registrations."""
    rows = DossierUnit.objects.filter(dossier__year=year, dossier__status__in=FOLLOWING)
    if learner_ids is not None:
        rows = rows.filter(dossier__learner_id__in=list(learner_ids))
    return {
        (learner, unit): (year_id, centre, unit, foad)
        for learner, year_id, centre, unit, foad in rows.values_list(
            "dossier__learner_id", "dossier__year_id", "dossier__centre_id", "unit_id", "foad"
        )
    }


def _live_session(choice: tuple, kind: str, day: dt.date, start: dt.time | None):
    """The web conference or chat of the learner's planning this activity belongs to."""
    first = dt.datetime.combine(day, start or dt.time.min, LOCAL)
    last = first + (dt.timedelta(minutes=1) if start else dt.timedelta(days=1))
    return (
        sessions_followed([choice])
        .filter(kind=kind, cancelled=False, starts_at__gte=first, starts_at__lt=last)
        .order_by("starts_at")
        .first()
    )


def read_report(year: AcademicYear, data: bytes) -> list[ReportLine]:
    """Every line of a connection report with its problems (all of them, by line)."""
    if len(data) > MAX_BYTES:
        raise ValidationError("Fichier trop volumineux (2 Mo au plus).")
    try:
        rows = rows_of_csv(data)
    except MarksFileError as error:
        raise ValidationError(str(error)) from None
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise ValidationError("Le fichier est vide.")
    header = [normal_text(c).lower().replace("é", "e") for c in rows[0][1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            f"Ligne 1 : colonne(s) manquante(s) : {', '.join(missing)} (attendu : "
            f"{';'.join(COLUMNS)};heure)."
        )
    at = {name: header.index(name) for name in header}
    users = {email.lower(): pk for pk, email in get_user_model().objects.values_list("pk", "email")}
    units = {u.code: u for u in Unit.objects.all()}
    followed = _followed(year)
    lines = []
    for number, cells in rows[1:]:
        cells = cells + [""] * (len(header) - len(cells))

        def cell(name, cells=cells):
            return normal_text(cells[at[name]]) if name in at else ""

        line = ReportLine(number)
        line.learner_id = users.get(cell("email").lower())
        if line.learner_id is None:
            line.problems.append(f"aucun compte pour le courriel « {cell('email')} »")
        line.unit = units.get(cell("ue").upper())
        if line.unit is None:
            line.problems.append(f"UE inconnue « {cell('ue')} »")
        line.day = _day(cell("date"))
        if line.day is None:
            line.problems.append(f"date illisible « {cell('date')} » (JJ/MM/AAAA)")
        elif line.day > clock.today():
            line.problems.append(f"le {line.day:%d/%m/%Y} n'est pas encore passé")
        elif not year.regulation.contains(line.day):
            line.problems.append(f"le {line.day:%d/%m/%Y} n'est pas dans l'{year.label.lower()}")
        if cell("heure"):
            line.start = _time(cell("heure"))
            if line.start is None:
                line.problems.append(f"heure illisible « {cell('heure')} » (HH:MM)")
        try:
            line.minutes = int(cell("minutes"))
        except ValueError:
            line.minutes = 0
        if not 0 < line.minutes <= MAX_MINUTES:
            line.problems.append(
                f"durée « {cell('minutes')} » : un nombre de minutes de 1 à {MAX_MINUTES}"
            )
        line.kind = KIND_WORDS.get(cell("activite").lower(), "")
        if not line.kind:
            line.problems.append(
                f"activité « {cell('activite')} » : web-conférence, chat, enregistrement "
                "ou plateforme"
            )
        if not line.problems:
            choice = followed.get((line.learner_id, line.unit.pk))
            if choice is None:
                line.problems.append(f"cet apprenant n'est pas inscrit à {line.unit.code}")
            elif line.kind in LIVE_KINDS:
                line.session = _live_session(choice, line.kind, line.day, line.start)
        lines.append(line)
    return lines


@transaction.atomic
def import_report(year: AcademicYear, data: bytes, name: str, by) -> int:
    """Import a connection report: nothing is written unless every line is right.
    Returns how many activities were recorded; a line already imported (same learner,
    UE, day, activity and minutes) is not counted twice."""
    lines = read_report(year, data)
    problems = [
        f"Ligne {line.number} : {' ; '.join(line.problems)}." for line in lines if line.problems
    ]
    if len(problems) > 50:
        problems = [*problems[:50], f"… et {len(problems) - 50} autres lignes en erreur."]
    if problems:
        raise ValidationError(problems)
    created = 0
    for line in lines:
        activity, is_new = DistanceActivity.objects.get_or_create(
            learner_id=line.learner_id,
            year=year,
            unit=line.unit,
            kind=line.kind,
            day=line.day,
            minutes=line.minutes,
            session=line.session,
            source=DistanceActivity.Source.REPORT,
            defaults={
                "source_name": normal_text(name)[:120],
                "status": DistanceActivity.Status.VALIDATED,
                "recorded_by": by,
                "decided_by": by,
                "decided_at": clock.now(),
            },
        )
        if is_new:
            created += 1
            _mark_present(activity, by)
    return created


def _mark_present(activity: DistanceActivity, by) -> None:
    """A validated live activity is a presence at its session (R-EXA-3)."""
    if activity.session_id is None or activity.status != DistanceActivity.Status.VALIDATED:
        return
    row, created = Attendance.objects.get_or_create(
        session_id=activity.session_id,
        learner_id=activity.learner_id,
        defaults={"present": True, "recorded_by": by},
    )
    if not created and not row.present:
        row.present, row.recorded_by = True, by
        row._change_reason = "Présence à distance (rapport de connexion ou déclaration validée)"
        row.save()


@transaction.atomic
def declare(
    learner, year: AcademicYear, unit: Unit, kind: str, day: dt.date, minutes: int, description: str
) -> DistanceActivity:
    """A learner declares a distance activity; staff validate it before it counts."""
    if kind not in DistanceActivity.Kind.values:
        raise ValidationError({"kind": "Choisissez l'activité suivie."})
    if day > clock.today():
        raise ValidationError({"day": "Ce jour n'est pas encore passé."})
    if not year.regulation.contains(day):
        raise ValidationError({"day": f"Ce jour n'est pas dans l'{year.label.lower()}."})
    if not 0 < minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": f"Une durée de 1 à {MAX_MINUTES} minutes."})
    choice = _followed(year, [learner.pk]).get((learner.pk, unit.pk))
    if choice is None:
        raise ValidationError({"unit": f"Vous n'êtes pas inscrit(e) à {unit.code} cette année."})
    session = _live_session(choice, kind, day, None) if kind in LIVE_KINDS else None
    return DistanceActivity.objects.create(
        learner=learner,
        year=year,
        unit=unit,
        kind=kind,
        day=day,
        minutes=minutes,
        session=session,
        description=normal_text(description)[:300],
        source=DistanceActivity.Source.DECLARED,
        recorded_by=learner,
    )


@transaction.atomic
def decide(activity: DistanceActivity, validated: bool, reason: str, by) -> DistanceActivity:
    """Staff validate a declared activity, or refuse it with a reason."""
    activity = DistanceActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != DistanceActivity.Status.PENDING:
        raise ValidationError("Cette activité a déjà été examinée.")
    reason = normal_text(reason or "")
    if not validated and not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus : il est dit à l'apprenant."})
    activity.status = (
        DistanceActivity.Status.VALIDATED if validated else DistanceActivity.Status.REFUSED
    )
    activity.decided_by, activity.decided_at, activity.reason = by, clock.now(), reason[:300]
    activity.save()
    _mark_present(activity, by)
    return activity


def pending():
    return DistanceActivity.objects.filter(status=DistanceActivity.Status.PENDING).select_related(
        "learner", "unit", "session"
    )
