"""Public holidays of La Réunion (France, department 974, 20 December included), for the
rules that count days (a withdrawal period read in working days) and for the planning
engine's calendar. The `holidays` package keeps the list; no Django here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def reunion_holidays(years: Iterable[int]) -> dict[dt.date, str]:
    import holidays

    return dict(holidays.France(subdiv="974", years=list(years), language="fr").items())


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days (Monday to Friday, public holidays of La Réunion apart) after
    `start` up to `end` included: 0 when `end` is `start`."""
    days = [start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1)]
    off = reunion_holidays({d.year for d in days})
    return sum(1 for d in days if d.isoweekday() <= 5 and d not in off)
