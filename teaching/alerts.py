"""Absence alerts (R-EXA-3, R-CAL-4): who is about to lose the right to sit a UE this
semester, and who has lost it — computed from the same attendance record as the right
to sit (signed sheets, validated distance activity) — and the alternance learners
missing their weekly day.

`risks` is what the reception's list shows; `send_absence_alerts` (daily, cron.json)
tells each learner once per UE, semester and level, by e-mail through the task queue,
with the date of each absence. An alternance learner whose last week is missing is
flagged on the same list and, when the contract says so, their employer's contact is
told.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from admissions.models import Dossier, DossierUnit
from catalogue.models import AcademicYear, Unit
from parcours import clock
from parcours.mail import queue_mail, render_text
from rules.alternance import alternance_weeks as alternance_rule
from rules.proof import AT_RISK, LOST, sitting_outlook
from teaching.models import AbsenceAlert, AlternanceDay, Attendance
from teaching.services import FOLLOWING, _semester_case, alternance_learners, attendance_counts
from timetable.models import Session
from timetable.services import LOCAL

LEVEL_LABELS = dict(AbsenceAlert.Level.choices)


@dataclass(frozen=True)
class Risk:
    learner_id: int
    email: str
    name: str
    dossier_id: int
    unit: Unit
    semester: str
    semester_label: str
    present: int
    absences: tuple[dt.date, ...]
    remaining: int
    needed: int
    level: str  # AT_RISK or LOST

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


def _current_semesters(regulation, today: dt.date):
    """The semesters whose courses have begun and whose first exam week has not."""
    return [s for s in regulation.semesters if s.courses_start <= today < s.exam_session_1_week]


def risks(
    year: AcademicYear,
    today: dt.date | None = None,
    unit_id: int | None = None,
    learner_id: int | None = None,
):
    """Every (learner, UE, current semester) at risk or lost, in five queries; one UE's
    or one learner's when asked. Memory grows with the situations found, not with the
    registrations read (tuples, streamed absences)."""
    today = today or clock.today()
    regulation = year.regulation
    semesters = {s.code: s for s in _current_semesters(regulation, today)}
    if not semesters:
        return []
    proof = regulation.attendance_proof
    needed = regulation.thresholds.attendances_to_sit
    chosen = DossierUnit.objects.filter(dossier__year=year, dossier__status__in=FOLLOWING).exclude(
        unit__kind=Unit.Kind.ACTIVITY
    )
    if unit_id is not None:
        chosen = chosen.filter(unit_id=unit_id)
    if learner_id is not None:
        chosen = chosen.filter(dossier__learner_id=learner_id)
    # Plain tuples, not model rows: the daily run reads every registration of the year.
    chosen = list(
        chosen.order_by("unit__code", "dossier__last_name", "dossier__first_name").values_list(
            "dossier__learner_id",
            "dossier__learner__email",
            "dossier__last_name",
            "dossier__first_name",
            "dossier_id",
            "dossier__centre_id",
            "unit_id",
            "foad",
        )
    )
    if not chosen:
        return []
    unit_ids = {row[6] for row in chosen}
    units = Unit.objects.in_bulk(unit_ids)
    learners = None if learner_id is None else [learner_id]
    counts = attendance_counts(year, learners, unit_ids)
    absent: dict[tuple[int, int, str], list[dt.date]] = defaultdict(list)
    for who, unit, starts_at, semester in (
        Attendance.objects.filter(
            present=False,
            session__planning__year=year,
            session__kind__in=proof.presence_kinds,
            session__unit_id__in=unit_ids,
            **({} if learner_id is None else {"learner_id": learner_id}),
        )
        .annotate(semester=_semester_case(regulation))
        .values_list("learner_id", "session__unit_id", "session__starts_at", "semester")
        .order_by("session__starts_at")
        .iterator(chunk_size=20000)
    ):
        absent[who, unit, semester].append(timezone.localtime(starts_at, LOCAL).date())
    after_today = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, LOCAL)
    # The sessions still to come, per centre, UE and semester: all of them, and the
    # online ones (a UE followed at a distance counts those only, R-CAL-2).
    left: dict[tuple[int, int, str], int] = defaultdict(int)
    left_online: dict[tuple[int, int, str], int] = defaultdict(int)
    for centre, unit, kind, semester, n in (
        Session.objects.published()
        .filter(
            planning__year=year,
            cancelled=False,
            starts_at__gte=after_today,
            kind__in=proof.presence_kinds,
            unit_id__in=unit_ids,
        )
        .annotate(semester=_semester_case(regulation, "starts_at"))
        .values_list("planning__centre_id", "unit_id", "kind", "semester")
        .annotate(n=Count("id"))
        .order_by()
    ):
        left[centre, unit, semester] += n
        if kind != Session.Kind.CLASS_MEETING:
            left_online[centre, unit, semester] += n
    out = []
    for who, email, last_name, first_name, dossier_id, centre, unit_id, foad in chosen:
        unit = units[unit_id]
        codes = [unit.period] if unit.period in semesters else list(semesters)
        for code in codes:
            if code not in semesters:
                continue
            present = counts.get((who, unit_id), {}).get(code, 0)
            days = tuple(absent.get((who, unit_id, code), ()))
            remaining = (left_online if foad else left).get((centre, unit_id, code), 0)
            level = sitting_outlook(
                needed, present, len(days), remaining, proof.alert_after_absences
            )
            if level in (AT_RISK, LOST):
                out.append(
                    Risk(
                        who,
                        email,
                        f"{last_name.upper()} {first_name}".strip() or email,
                        dossier_id,
                        unit,
                        code,
                        semesters[code].label,
                        present,
                        days,
                        remaining,
                        needed,
                        level,
                    )
                )
    return out


@dataclass(frozen=True)
class MissingWeek:
    dossier: Dossier
    monday: dt.date


def missing_alternance_weeks(year: AcademicYear, today: dt.date | None = None):
    """Alternance learners whose last complete week has no day at the centre (R-CAL-4),
    judged by the rules core on every week of the contract. Two queries."""
    today = today or clock.today()
    regulation = year.regulation
    last_sunday = today - dt.timedelta(days=today.isoweekday())
    last_monday = last_sunday - dt.timedelta(days=6)
    dossiers = list(alternance_learners(year))
    days: dict[int, dict[dt.date, object]] = defaultdict(dict)
    for learner_id, day, hours in AlternanceDay.objects.filter(
        learner_id__in=[d.learner_id for d in dossiers],
        day__gte=regulation.first_day,
        day__lte=min(last_sunday, regulation.last_day),
    ).values_list("learner_id", "day", "hours"):
        days[learner_id][day] = hours
    out = []
    for dossier in dossiers:
        start = max(regulation.first_day, dossier.validated_on or regulation.first_day)
        end = min(last_sunday, regulation.last_day)
        if end < start or last_monday < start:
            continue  # the contract has not run a whole week yet
        result = alternance_rule(regulation, days[dossier.learner_id], start, end)
        if any(w.monday == last_monday and w.status == "missing" for w in result.weeks):
            out.append(MissingWeek(dossier, last_monday))
    return out


def _remember(**fields) -> bool:
    """Record an alert; False when it was already sent."""
    try:
        with transaction.atomic():
            AbsenceAlert.objects.create(sent_at=clock.now(), **fields)
    except IntegrityError:
        return False
    return True


def send_absence_alerts(today: dt.date | None = None, base_url: str = "") -> int:
    """Tell every learner newly at risk or out of the right to sit, once per level; tell
    the employer's contact of an alternance learner's missing week when the contract
    says so. Returns how many e-mails were queued."""
    today = today or clock.today()
    sent = 0
    space = base_url + reverse("teaching:mine")
    for year in AcademicYear.objects.all():
        if not year.regulation.first_day <= today <= year.regulation.last_day:
            continue
        for risk in risks(year, today):
            if not risk.email:
                continue
            with transaction.atomic():
                if not _remember(
                    learner_id=risk.learner_id,
                    year=year,
                    unit=risk.unit,
                    semester=risk.semester,
                    level=risk.level,
                    absences=[d.isoformat() for d in risk.absences],
                ):
                    continue
                queue_mail(
                    f"{risk.unit.code} : {risk.level_label.lower()}",
                    render_text(
                        "teaching/emails/absence_alert.txt", {"risk": risk, "space": space}
                    ),
                    risk.email,
                )
                sent += 1
        for missing in missing_alternance_weeks(year, today):
            dossier = missing.dossier
            if not (dossier.employer_told_of_absences and dossier.employer_contact):
                continue
            iso = missing.monday.isocalendar()
            with transaction.atomic():
                if not _remember(
                    learner_id=dossier.learner_id,
                    year=year,
                    unit=None,
                    semester=f"{iso[0]}-W{iso[1]:02d}",
                    level=AbsenceAlert.Level.ALTERNANCE,
                    absences=[missing.monday.isoformat()],
                ):
                    continue
                queue_mail(
                    f"Alternance : {dossier.first_name} {dossier.last_name} absent(e) du "
                    "centre cette semaine",
                    render_text(
                        "teaching/emails/alternance_missing.txt",
                        {"dossier": dossier, "monday": missing.monday},
                    ),
                    dossier.employer_contact,
                )
                sent += 1
    return sent
