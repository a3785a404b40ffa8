"""Teaching groups, their learners, attendance and the alternance day, one function per
change, each in a transaction.

Attendance counts feed the right to sit (R-EXA-3, `rules.exams`): they are computed in
bulk, one aggregate query for any number of learners, grouped by semester.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from admissions.models import Dossier, DossierUnit
from catalogue.models import AcademicYear, Centre, Unit
from parcours import clock
from rules.alternance import AlternanceResult
from rules.alternance import alternance_weeks as alternance_rule
from rules.regulation import Regulation
from teaching.models import AlternanceDay, Attendance, TeachingGroup
from timetable.models import Session
from timetable.services import LOCAL, sessions_followed

FOLLOWING = (Dossier.Status.VALIDATED,)


def current_year() -> AcademicYear | None:
    """The academic year holding the business date, else the latest one."""
    today = clock.today()
    return (
        AcademicYear.objects.filter(first_day__lte=today, last_day__gte=today).first()
        or AcademicYear.objects.order_by("-code").first()
    )


# --- groups and their learners --------------------------------------------------------------


@transaction.atomic
def ensure_groups(year: AcademicYear) -> int:
    """One group per UE and centre with sessions planned or final registrations this
    year (R-CAL-2: learners at a distance belong to their centre's group). Returns how
    many were created; existing groups and their teachers are kept."""
    wanted = set(
        Session.objects.filter(planning__year=year).values_list("planning__centre_id", "unit_id")
    ) | set(
        DossierUnit.objects.filter(
            dossier__year=year, dossier__status__in=FOLLOWING, dossier__centre__isnull=False
        ).values_list("dossier__centre_id", "unit_id")
    )
    activity = set(Unit.objects.filter(kind=Unit.Kind.ACTIVITY).values_list("pk", flat=True))
    existing = set(TeachingGroup.objects.filter(year=year).values_list("centre_id", "unit_id"))
    new = [
        TeachingGroup(year=year, centre_id=centre, unit_id=unit)
        for centre, unit in sorted(wanted - existing)
        if unit not in activity
    ]
    TeachingGroup.objects.bulk_create(new)
    return len(new)


@dataclass(frozen=True)
class Member:
    learner_id: int
    name: str
    email: str
    foad: bool


def members(group: TeachingGroup) -> list[Member]:
    """The group's learners: final registrations to its UE in its centre and year."""
    rows = (
        DossierUnit.objects.filter(
            unit_id=group.unit_id,
            dossier__year_id=group.year_id,
            dossier__centre_id=group.centre_id,
            dossier__status__in=FOLLOWING,
        )
        .order_by("dossier__last_name", "dossier__first_name", "dossier__learner_id")
        .values_list(
            "dossier__learner_id",
            "dossier__last_name",
            "dossier__first_name",
            "dossier__learner__email",
            "foad",
        )
    )
    return [
        Member(learner, f"{last.upper()} {first}".strip() or email, email, foad)
        for learner, last, first, email, foad in rows
    ]


def group_sessions(group: TeachingGroup):
    """The group's sessions of the published planning, cancelled ones left out."""
    return Session.objects.published().filter(
        planning__year_id=group.year_id,
        planning__centre_id=group.centre_id,
        unit_id=group.unit_id,
        cancelled=False,
    )


def groups_of_teacher(user):
    return TeachingGroup.objects.filter(teachers=user)


@transaction.atomic
def assign_teachers(group: TeachingGroup, teachers: Iterable) -> TeachingGroup:
    group = TeachingGroup.objects.select_for_update().get(pk=group.pk)
    group.teachers.set(list(teachers))
    return group


# --- attendance -------------------------------------------------------------------------------


def _group_of(session: Session) -> TeachingGroup:
    group = TeachingGroup.objects.filter(
        year_id=session.planning.year_id,
        centre_id=session.planning.centre_id,
        unit_id=session.unit_id,
    ).first()
    if group is None:
        raise ValidationError("Cette séance n'a pas de groupe d'enseignement.")
    return group


def sheet_closed(session: Session) -> str:
    """Why the session's attendance cannot be recorded now, or "" when it can."""
    if session.cancelled:
        return "Cette séance est annulée : pas d'émargement."
    day = timezone.localtime(session.starts_at, LOCAL).date()
    if day > clock.today():
        return (
            f"Cette séance n'a pas encore eu lieu : l'émargement s'ouvre le jour même, "
            f"le {day:%d/%m/%Y}."
        )
    return ""


def _check_session_held(session: Session) -> None:
    if reason := sheet_closed(session):
        raise ValidationError(reason)


@transaction.atomic
def record_attendance(session: Session, present: set[int], by) -> int:
    """The teacher's list for a session: every learner of the group is marked present
    or absent (the ids in `present`; any other id is refused). Returns how many rows
    changed. Re-recording keeps the history of each change."""
    session = Session.objects.select_for_update().select_related("planning").get(pk=session.pk)
    _check_session_held(session)
    learners = {m.learner_id for m in members(_group_of(session))}
    strangers = set(present) - learners
    if strangers:
        raise ValidationError("Un apprenant coché n'est pas inscrit dans ce groupe.")
    existing = {a.learner_id: a for a in Attendance.objects.filter(session=session)}
    changed = 0
    for learner in sorted(learners):
        attended = learner in present
        row = existing.get(learner)
        if row is None:
            Attendance.objects.create(
                session=session, learner_id=learner, present=attended, recorded_by=by
            )
            changed += 1
        elif row.present != attended:
            row.present, row.recorded_by = attended, by
            row.save()
            changed += 1
    return changed


@transaction.atomic
def correct_attendance(session: Session, learner_id: int, present: bool, reason: str, by):
    """A staff correction of one learner's attendance, with its reason (history)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Indiquez le motif de la correction : il est gardé dans l'historique."
        )
    session = Session.objects.select_for_update().select_related("planning").get(pk=session.pk)
    _check_session_held(session)
    if learner_id not in {m.learner_id for m in members(_group_of(session))}:
        raise ValidationError("Cet apprenant n'est pas inscrit dans ce groupe.")
    row = Attendance.objects.filter(session=session, learner_id=learner_id).first()
    if row is None:
        row = Attendance(session=session, learner_id=learner_id)
    elif row.present == present:
        raise ValidationError("La présence enregistrée est déjà celle-ci.")
    row.present, row.recorded_by = present, by
    row._change_reason = reason
    row.save()
    return row


def _semester_case(regulation: Regulation, starts_at: str = "session__starts_at"):
    """SQL: the semester code of a session from its date (R-CAL-1)."""
    whens = [
        When(
            **{
                f"{starts_at}__gte": dt.datetime.combine(s.courses_start, dt.time.min, LOCAL),
                f"{starts_at}__lt": dt.datetime.combine(
                    s.courses_end + dt.timedelta(days=1), dt.time.min, LOCAL
                ),
            },
            then=Value(s.code),
        )
        for s in regulation.semesters
    ]
    return Case(*whens, default=Value(""), output_field=CharField())


def attendance_counts(
    year: AcademicYear,
    learner_ids: Iterable[int] | None = None,
    unit_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], dict[str, int]]:
    """{(learner, unit): {semester: attendances}} for the year, in one query. Only the
    session kinds the year counts as a presence (R-EXA-3: `presence_kinds`, a reading
    of "2 présences") are counted."""
    rows = Attendance.objects.filter(
        present=True,
        session__planning__year=year,
        session__kind__in=year.regulation.attendance_proof.presence_kinds,
    )
    if learner_ids is not None:
        rows = rows.filter(learner_id__in=list(learner_ids))
    if unit_ids is not None:
        rows = rows.filter(session__unit_id__in=list(unit_ids))
    rows = (
        rows.annotate(semester=_semester_case(year.regulation))
        .values("learner_id", "session__unit_id", "semester")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["learner_id"], row["session__unit_id"]][row["semester"]] = row["n"]
    return counts


@dataclass(frozen=True)
class UnitAttendance:
    unit: Unit
    centre: Centre
    foad: bool
    by_semester: tuple[tuple[str, str, int, int], ...]  # (code, label, count, still needed)
    held: int  # sessions of the UE held so far (not cancelled)


def learner_attendance(learner, year: AcademicYear) -> list[UnitAttendance]:
    """Per UE of the learner's final registration: attendances per semester and how
    many more they need to sit the exam (R-EXA-3). Four queries."""
    regulation = year.regulation
    needed = regulation.thresholds.attendances_to_sit
    chosen = list(
        DossierUnit.objects.filter(
            dossier__learner=learner, dossier__year=year, dossier__status__in=FOLLOWING
        ).select_related("unit", "dossier__centre")
    )
    counts = attendance_counts(year, [learner.pk], [c.unit_id for c in chosen])
    today_end = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time.min, LOCAL)
    # The sessions the learner is expected at: their own centre's, or the online ones of
    # a UE followed at a distance (R-CAL-2) — the same choice as their timetable.
    held = dict(
        sessions_followed((year.pk, c.dossier.centre_id, c.unit_id, c.foad) for c in chosen)
        .filter(planning__year=year, cancelled=False, starts_at__lt=today_end)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    semesters = {s.code: s.label for s in regulation.semesters}
    out = []
    for choice in chosen:
        if choice.unit.kind == Unit.Kind.ACTIVITY:
            continue
        codes = list(semesters) if choice.unit.period not in semesters else [choice.unit.period]
        mine = counts.get((learner.pk, choice.unit_id), {})
        rows = tuple(
            (code, semesters[code], mine.get(code, 0), max(0, needed - mine.get(code, 0)))
            for code in codes
        )
        out.append(
            UnitAttendance(
                choice.unit, choice.dossier.centre, choice.foad, rows, held.get(choice.unit_id, 0)
            )
        )
    return out


# --- the alternance day (R-CAL-4) -------------------------------------------------------------


@transaction.atomic
def record_alternance_day(learner, centre: Centre, day: dt.date, hours: Decimal, by):
    if day > clock.today():
        raise ValidationError("Ce jour n'est pas encore passé.")
    if not Decimal(0) < hours <= Decimal(24):
        raise ValidationError("Nombre d'heures invraisemblable (de 0 à 24).")
    row, created = AlternanceDay.objects.get_or_create(
        learner=learner, day=day, defaults={"centre": centre, "hours": hours, "recorded_by": by}
    )
    if not created:
        raise ValidationError(f"Le {day:%d/%m/%Y} est déjà enregistré pour cet apprenant.")
    return row


def alternance_weeks(dossier: Dossier, today: dt.date | None = None) -> AlternanceResult | None:
    """Every week of the contract so far, judged by the rules core (R-CAL-4): from the
    registration (or the year's first day) to today (or the year's last day). A week of
    courses with nothing recorded shows as missing."""
    year = dossier.year
    regulation = year.regulation
    today = today or clock.today()
    start = max(regulation.first_day, dossier.validated_on or regulation.first_day)
    end = min(today, regulation.last_day)
    attended = dict(
        AlternanceDay.objects.filter(
            learner=dossier.learner, day__gte=start, day__lte=end
        ).values_list("day", "hours")
    )
    if end < start:
        return None  # the contract has not started yet
    return alternance_rule(regulation, attended, start, end)


def alternance_learners(year: AcademicYear):
    return Dossier.objects.filter(
        year=year, status__in=FOLLOWING, situation=Dossier.Situation.ALTERNANCE
    ).select_related("learner", "centre")


def held_sessions_filter(today: dt.date) -> Q:
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, LOCAL)
    return Q(starts_at__lt=end, cancelled=False)
