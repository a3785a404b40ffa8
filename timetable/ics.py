"""Sessions as an iCalendar feed (RFC 5545) with the icalendar package.

Times are in Indian/Reunion, with its VTIMEZONE, so a phone anywhere shows the local
evening. Each session keeps one UID for life and its SEQUENCE grows with each change;
a cancelled session stays in the feed with STATUS:CANCELLED, so calendars that already
hold it remove it instead of keeping a stale copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from timetable.models import Session

PRODID = "-//Parcours//Planning des cours//FR"


def _location(session: Session) -> str:
    if session.online:
        return "En ligne (plateforme de formation à distance)"
    centre = session.planning.centre
    room = f"{session.room.name}, " if session.room else ""
    return f"{room}{centre.name}, {centre.address}, {centre.city}"


def calendar(sessions: Iterable[Session], name: str, papers: Iterable = ()) -> bytes:
    """The feed's bytes. `sessions` come with planning__centre, unit and room; `papers`
    are the learner's published written exams (assessment.ExamPaper, R-EXA-1), with
    timetable__centre and unit."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.uid}@parcours")
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("dtstart", timezone.localtime(session.starts_at))
        event.add("dtend", timezone.localtime(session.ends_at))
        event.add("summary", f"{session.unit.code} — {session.get_kind_display()}")
        event.add("location", _location(session))
        event.add(
            "description",
            f"{session.unit.title}\n{session.get_kind_display()} n° {session.number}",
        )
        event.add("sequence", session.sequence)
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    for paper in papers:
        event = Event()
        centre = paper.timetable.centre
        event.add("uid", f"epreuve-{paper.pk}@parcours")
        event.add("dtstamp", paper.timetable.published_at or paper.starts_at)
        event.add("dtstart", timezone.localtime(paper.starts_at))
        event.add(
            "dtend", timezone.localtime(paper.starts_at + dt.timedelta(minutes=paper.minutes))
        )
        event.add("summary", f"{paper.unit.code} — Épreuve écrite")
        event.add(
            "location", f"Salle(s) {paper.rooms}, {centre.name}, {centre.address}, {centre.city}"
        )
        event.add(
            "description", f"{paper.unit.title}\nExamen : munissez-vous d'une pièce d'identité."
        )
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
