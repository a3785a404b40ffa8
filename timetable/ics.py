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
    are the learner's published exams (R-EXA-1): written papers (assessment.ExamPaper)
    and orals (ExamOral) with timetable__centre and unit, and report deadlines
    (exam_timetable.ReportDue)."""
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
    for item in papers:
        cal.add_component(_exam_event(item))
    cal.add_missing_timezones()
    return cal.to_ical()


def _exam_event(item) -> Event:
    event = Event()
    if hasattr(item, "due_at"):  # a report's hand-in deadline
        centre = item.centre
        event.add("uid", f"rapport-{item.session_id}-{item.unit.code}@parcours")
        event.add("dtstamp", item.due_at)
        event.add("dtstart", timezone.localtime(item.due_at))
        event.add("dtend", timezone.localtime(item.due_at + dt.timedelta(minutes=15)))
        event.add("summary", f"{item.unit.code} — Remise du rapport (date limite)")
        event.add("location", f"{centre.name}, {centre.address}, {centre.city}")
        event.add("description", f"{item.unit.title}\nRapport ou dossier à rendre.")
        event.add("transp", "TRANSPARENT")
        return event
    centre = item.timetable.centre
    kind = "soutenance" if item.kind_label.startswith("Soutenance") else "epreuve"
    event.add("uid", f"{kind}-{item.pk}@parcours")
    event.add("dtstamp", item.timetable.published_at or item.starts_at)
    event.add("dtstart", timezone.localtime(item.starts_at))
    event.add("dtend", timezone.localtime(item.starts_at + dt.timedelta(minutes=item.minutes)))
    event.add("summary", f"{item.unit.code} — {item.kind_label}")
    event.add("location", f"Salle(s) {item.rooms}, {centre.name}, {centre.address}, {centre.city}")
    event.add("description", f"{item.unit.title}\nExamen : munissez-vous d'une pièce d'identité.")
    # A moved paper is the same event, a newer version (RFC 5545 SEQUENCE).
    event.add("sequence", getattr(item, "sequence", 0))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event
