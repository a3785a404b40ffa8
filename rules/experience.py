"""Professional experience and internships in months, computed from dates (R-EXP-1,
R-EXP-2): the figures `awards.award_status` takes.

A month is a calendar month: 15/01 → 14/02 is one month whatever its length, and the
days left over count as a share of the month they fall in. Overlapping periods are
counted once (two part-time jobs at the same time are not twice the experience), and
figures are rounded down to the hundredth: a learner is never credited a day too many.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from rules.catalogue import EXPERIENCE_FIELDS, Programme
from rules.explain import InputError, Reason, day, number
from rules.regulation import Regulation

KINDS = {"experience": "expérience professionnelle", "internship": "stage"}
# Which of the fields count as "the field" of a programme is data (its [award]
# experience_fields).
FIELDS = EXPERIENCE_FIELDS
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """One accepted period, both days included."""

    kind: str  # a key of KINDS
    field: str  # a key of FIELDS
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class Experience:
    """What a learner's accepted periods amount to for one programme."""

    experience_months: Decimal
    field_months: Decimal  # experience in the programme's field
    experience_in_field: bool
    internship_months: Decimal
    reasons: tuple[Reason, ...]


def months_between(starts_on: dt.date, ends_on: dt.date) -> Decimal:
    """Calendar months from `starts_on` to `ends_on`, both included (01/01 → 30/06 is 6)."""
    if ends_on < starts_on:
        raise InputError("ends_on", f"le {day(ends_on)} précède le {day(starts_on)}")
    end = ends_on + dt.timedelta(days=1)  # exclusive
    whole = (end.year - starts_on.year) * 12 + end.month - starts_on.month
    if _add_months(starts_on, whole) > end:
        whole -= 1
    anchor = _add_months(starts_on, whole)
    left = (end - anchor).days
    share = Decimal(0)
    if left:
        length = calendar.monthrange(anchor.year, anchor.month)[1]
        share = Decimal(left) / Decimal(length)
    return (Decimal(whole) + share).quantize(HUNDREDTH, rounding=ROUND_DOWN)


def _add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def merged(periods: Iterable[Period]) -> list[tuple[dt.date, dt.date]]:
    """The days covered by the periods, as disjoint spans in date order."""
    spans: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted((p.starts_on, p.ends_on) for p in periods):
        if spans and start <= spans[-1][1] + dt.timedelta(days=1):
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def total_months(periods: Iterable[Period]) -> Decimal:
    return sum((months_between(s, e) for s, e in merged(periods)), Decimal(0))


def experience_for(
    regulation: Regulation, programme: Programme, periods: Iterable[Period]
) -> Experience:
    """The experience and internship months of accepted periods, for `programme`
    (R-EXP-1, R-EXP-2).

    Reading (kept as data: the programme's `experience_fields`): experience is "in the
    field" of a programme whose award requires months of experience (CPN42, R-EXP-2)
    when those months were spent in its field; for a programme that only asks whether
    the learner ever worked in its field (CP29, R-EXP-1), any time in it counts.
    """
    periods = tuple(periods)
    for index, period in enumerate(periods):
        if period.kind not in KINDS:
            raise InputError(f"periods[{index}].kind", f"« {period.kind} » : {', '.join(KINDS)}")
        if period.field not in FIELDS:
            raise InputError(f"periods[{index}].field", f"« {period.field} » : {', '.join(FIELDS)}")
        if period.ends_on < period.starts_on:
            raise InputError(
                f"periods[{index}].ends_on",
                f"la fin ({day(period.ends_on)}) précède le début ({day(period.starts_on)})",
            )
    award = programme.award
    fields = award.experience_fields
    jobs = [p for p in periods if p.kind == "experience"]
    experience = total_months(jobs)
    in_field = total_months(p for p in jobs if p.field in fields)
    # R-EXP-1 "on the professional field", R-EXP-2 "in accompaniment activities":
    # an internship counts in the programme's fields only.
    internship = total_months(p for p in periods if p.kind == "internship" and p.field in fields)
    if award.experience_key:
        required = regulation.thresholds.months(award.experience_key)
        experience_in_field = in_field >= required
        rule_id = "R-EXP-2"
    else:
        experience_in_field = in_field > 0
        rule_id = "R-EXP-1"
    names = " ou ".join(FIELDS[f] for f in fields)
    reasons = (
        Reason(
            rule_id,
            f"Expérience attestée : {number(experience)} mois, dont {number(in_field)} dans "
            f"le champ de {programme.code} ({names}) ; stage(s) dans ce champ : "
            f"{number(internship)} mois.",
        ),
    )
    return Experience(experience, in_field, experience_in_field, internship, reasons)
