"""Arranging sessions for the planning pages: a week or a month window chosen in the
query string, and sessions grouped by day (a list, readable on a phone)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.formats import date_format

from parcours.inputs import plausible_day
from timetable.services import LOCAL

VIEWS = ("semaine", "mois")


@dataclass(frozen=True)
class Window:
    view: str  # "semaine" or "mois"
    first: dt.date
    last: dt.date  # excluded
    previous: dt.date
    next: dt.date
    label: str

    @property
    def starts(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=LOCAL)

    @property
    def ends(self) -> dt.datetime:
        return dt.datetime.combine(self.last, dt.time.min, tzinfo=LOCAL)

    def query(self, day: dt.date, view: str | None = None) -> str:
        return f"?vue={view or self.view}&date={day:%Y-%m-%d}"


def window(params, default_day: dt.date) -> Window:
    """The week (Monday to Sunday) or month holding `date` (default: `default_day`);
    a malformed or implausible date (9999-12-31) falls back to the default."""
    view = params.get("vue") if params.get("vue") in VIEWS else VIEWS[0]
    day = plausible_day(params.get("date")) or default_day
    if view == "mois":
        first = day.replace(day=1)
        days = month_calendar.monthrange(first.year, first.month)[1]
        last = first + dt.timedelta(days=days)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        label = date_format(first, "F Y")
        return Window(view, first, last, previous, last, label)
    first = day - dt.timedelta(days=day.weekday())
    last = first + dt.timedelta(days=7)
    sunday = last - dt.timedelta(days=1)
    label = f"semaine du {date_format(first, 'j F')} au {date_format(sunday, 'j F Y')}"
    return Window(view, first, last, first - dt.timedelta(days=7), last, label)


def default_day(today: dt.date, first: dt.datetime | None, last: dt.datetime | None) -> dt.date:
    """Today, brought inside the span of the sessions shown (so a page never opens on
    an empty week before the courses start or after they end)."""
    if first is None or last is None:
        return today
    first_day = timezone.localtime(first, LOCAL).date()
    last_day = timezone.localtime(last, LOCAL).date()
    return min(max(today, first_day), last_day)


def by_day(sessions) -> list[dict]:
    """[{"day": date, "sessions": [...]}] in time order."""

    def day(session) -> dt.date:
        return timezone.localtime(session.starts_at, LOCAL).date()

    return [{"day": d, "sessions": list(items)} for d, items in groupby(sessions, key=day)]
