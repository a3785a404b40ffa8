"""The alternance day (R-CAL-4): "Learners in alternance must attend the centre one day
of 7 hours per week."

Every ISO week of the period is judged, recorded or not: a week with courses is
complete when it holds at least `days_per_week` days of at least `hours_per_day` hours
each (7 hours spread over a week are not a day); short when something was recorded but
not that; missing when nothing was. A week without any teaching day (an interruption)
expects nothing. Both numbers are the year's data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rules.explain import InputError, Reason, day
from rules.regulation import Regulation

RULE = "R-CAL-4"


@dataclass(frozen=True)
class AlternanceWeek:
    year: int
    week: int
    monday: dt.date
    hours: Decimal
    full_days: int
    status: str  # "complete", "short", "missing" or "no_courses"


@dataclass(frozen=True)
class AlternanceResult:
    weeks: tuple[AlternanceWeek, ...]
    complete_weeks: int
    short_weeks: int
    missing_weeks: int
    weeks_without_courses: int
    reasons: tuple[Reason, ...]


def _has_courses(regulation: Regulation, monday: dt.date) -> bool:
    days = (monday + dt.timedelta(days=n) for n in range(5))
    return any(s.is_teaching_day(d) for d in days for s in regulation.semesters)


def alternance_weeks(
    regulation: Regulation, attended: Mapping[dt.date, Decimal], start: dt.date, end: dt.date
) -> AlternanceResult:
    """The weeks from `start` to `end` (both included), each judged (see the module)."""
    if end < start:
        raise InputError("end", "la fin de la période précède son début")
    teaching = regulation.teaching
    needed_days, needed_hours = (
        teaching.alternance_days_per_week,
        Decimal(teaching.alternance_hours_per_day),
    )
    for when, hours in attended.items():
        if not Decimal(0) < hours <= Decimal(24):
            raise InputError("days", f"le {day(when)} : nombre d'heures invraisemblable")
    weeks = []
    monday = start - dt.timedelta(days=start.weekday())
    while monday <= end:
        days = [d for d in attended if monday <= d < monday + dt.timedelta(days=7)]
        hours = sum((attended[d] for d in days), Decimal(0))
        full_days = sum(1 for d in days if attended[d] >= needed_hours)
        if full_days >= needed_days:
            status = "complete"
        elif days:
            status = "short"
        elif _has_courses(regulation, monday):
            status = "missing"
        else:
            status = "no_courses"
        iso = monday.isocalendar()
        weeks.append(AlternanceWeek(iso[0], iso[1], monday, hours, full_days, status))
        monday += dt.timedelta(days=7)
    count = {s: sum(1 for w in weeks if w.status == s) for s in ("complete", "short", "missing")}
    days_word = "jour" if needed_days == 1 else "jours"
    reasons = [
        Reason(
            RULE,
            f"En alternance, {needed_days} {days_word} de {needed_hours} heures au centre par "
            "semaine : des heures réparties sur plusieurs jours ne font pas une journée.",
        )
    ]
    if count["missing"]:
        reasons.append(
            Reason(RULE, f"{count['missing']} semaine(s) de cours sans aucune journée enregistrée.")
        )
    if count["short"]:
        reasons.append(
            Reason(RULE, f"{count['short']} semaine(s) sans journée complète de {needed_hours} h.")
        )
    return AlternanceResult(
        weeks=tuple(weeks),
        complete_weeks=count["complete"],
        short_weeks=count["short"],
        missing_weeks=count["missing"],
        weeks_without_courses=sum(1 for w in weeks if w.status == "no_courses"),
        reasons=tuple(reasons),
    )
