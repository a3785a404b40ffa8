"""What every decision returns beside its result: the reasons, each citing a rule id of
the spec, in French for the learner; and the shared helpers for money and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Reason:
    """One step of an explanation: the rule applied and what it means for the learner."""

    rule_id: str
    message: str


class InputError(ValueError):
    """An input a decision cannot take, naming its field (e.g. "units[1]")."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field} : {message}" if field else message)


def money(amount: Decimal | int) -> Decimal:
    """Euros and cents, exact (R-FEE-5): never a float."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def euros(amount: Decimal) -> str:
    """French display of an amount: 1 200,00 €."""
    text = f"{money(amount):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text} €"


def number(value: Decimal | int) -> str:
    """French display of a count or a mark: 9,99 or 18 or 1,5."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def day(value: dt.date) -> str:
    """French display of a date: 31/10/2016."""
    return value.strftime("%d/%m/%Y")


def add_years(start: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February falls back to the 28th)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)
