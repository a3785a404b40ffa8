"""The brochure's planning as an engine problem: a centre's evening sessions of every
taught UE of the programmes, for one academic year (R-CAL-1, R-CAL-2, R-CAL-3).

Slots: Monday to Friday (the year's `teaching.weekdays`), from `day_starts` in steps of
one class meeting (17:00, 18:20, 19:40 until 21:00), from each semester's first to last
day of courses, skipping its break and the public holidays given (La Réunion's:
`reunion_holidays`). Sessions: per UE, its class meetings (in a room of the centre) and
its online sessions — web conferences or chats, as configured per UE (R-CAL-3: "and
either chats or web conferences") — an annual UE split over both semesters. Groups:
the UEs of one programme in one semester never overlap (a learner may follow them all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from planning.engine import Event, Group, Problem, Room, Slot
from rules.catalogue import Unit
from rules.holidays import reunion_holidays  # noqa: F401 (re-exported)
from rules.regulation import Regulation, Semester

ONLINE_KINDS = ("web_conferences", "chats")


@dataclass(frozen=True)
class PlanningRequest:
    centre: str
    rooms: tuple[Room, ...]
    programmes: dict[str, tuple[str, ...]]  # programme code → its taught UE codes
    online: dict[str, str]  # UE code → "web_conferences" or "chats" (default: web conf.)
    holidays: dict[dt.date, str]
    group_sizes: dict[str, int]  # UE code → expected learners (room capacity)


def teaching_days(regulation: Regulation, semester: Semester, holidays: dict) -> list[dt.date]:
    """The semester's days with courses: weekdays between its first and last day of
    courses, outside its break(s) and public holidays (R-CAL-1, R-CAL-2)."""
    days = []
    day = semester.courses_start
    while day <= semester.courses_end:
        in_break = any(i.starts_on <= day < i.courses_resume for i in semester.interruptions)
        weekday = day.isoweekday() in regulation.teaching.weekdays
        if weekday and not in_break and day not in holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def evening_starts(regulation: Regulation) -> list[dt.time]:
    """17:00, 18:20, 19:40: class meetings that fit in the evening (R-CAL-2, R-CAL-3)."""
    teaching = regulation.teaching
    step = dt.timedelta(minutes=teaching.class_meeting_minutes)
    start = dt.datetime.combine(dt.date.min, teaching.day_starts)
    end = dt.datetime.combine(dt.date.min, teaching.day_ends)
    starts = []
    while start + step <= end:
        starts.append(start.time())
        start += step
    return starts


def brochure_problem(
    regulation: Regulation, units: Iterable[Unit], request: PlanningRequest
) -> Problem:
    teaching = regulation.teaching
    semesters = {s.code: s for s in regulation.semesters}
    starts = evening_starts(regulation)
    slots: list[Slot] = []
    slots_of: dict[str, frozenset[str]] = {}
    for code, semester in semesters.items():
        ids = []
        for day in teaching_days(regulation, semester, request.holidays):
            for start in starts:
                slot = Slot(
                    f"{day:%Y%m%d}-{start:%H%M}", day, start, teaching.class_meeting_minutes
                )
                slots.append(slot)
                ids.append(slot.id)
        slots_of[code] = frozenset(ids)

    wanted = {code for codes in request.programmes.values() for code in codes}
    events: list[Event] = []
    events_of: dict[tuple[str, str], list[str]] = {}  # (unit, semester) → event ids
    for unit in units:
        if unit.code not in wanted or unit.is_activity:
            continue
        annual = unit.period not in semesters
        frequency = teaching.frequency_for("annual" if annual else "semester", unit.ects)
        if frequency is None:
            raise ValueError(
                f"{unit.code} : aucune fréquence de cours (R-CAL-3) pour une UE "
                f"{'annuelle' if annual else 'semestrielle'} de {unit.ects} ECTS"
            )
        online = request.online.get(unit.code, "web_conferences")
        if online not in ONLINE_KINDS:
            raise ValueError(f"{unit.code} : « {online} », {' ou '.join(ONLINE_KINDS)} attendu")
        kinds = [
            ("class_meeting", frequency.class_meetings, teaching.class_meeting_minutes, True),
            (
                online[:-1],
                getattr(frequency, online),
                teaching.web_conference_minutes
                if online == "web_conferences"
                else teaching.chat_minutes,
                False,
            ),
        ]
        unit_semesters = list(semesters) if annual else [unit.period]
        for kind, count, minutes, in_room in kinds:
            for index in range(count):
                # An annual UE's sessions are shared out over its semesters in order.
                semester = unit_semesters[
                    min(index * len(unit_semesters) // max(count, 1), len(unit_semesters) - 1)
                ]
                event = Event(
                    id=f"{unit.code}-{kind}-{index + 1:02d}",
                    unit=unit.code,
                    kind=kind,
                    minutes=minutes,
                    centre=request.centre,
                    size=request.group_sizes.get(unit.code, 0),
                    needs_room=in_room,
                    allowed=slots_of[semester],
                )
                events.append(event)
                events_of.setdefault((unit.code, semester), []).append(event.id)

    groups = []
    for programme, codes in sorted(request.programmes.items()):
        for code, semester in semesters.items():
            members = [e for unit in codes for e in events_of.get((unit, code), [])]
            if members:
                groups.append(
                    Group(
                        f"{programme}-{code}",
                        f"{programme}, {semester.label.lower()}",
                        tuple(members),
                    )
                )
    return Problem(
        slots=tuple(slots),
        rooms=tuple(r for r in request.rooms if r.centre == request.centre),
        events=tuple(events),
        groups=tuple(groups),
    )


def expected_sessions(regulation: Regulation, unit: Unit, online: str = "web_conferences") -> int:
    """How many sessions R-CAL-3 gives a UE (class meetings + its online kind)."""
    semesters = {s.code for s in regulation.semesters}
    annual = unit.period not in semesters
    frequency = regulation.teaching.frequency_for("annual" if annual else "semester", unit.ects)
    return frequency.class_meetings + getattr(frequency, online)
