"""The contract's computed terms (R-ORG-3, L6353-6), by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

from rules.contract import payment_terms, withdrawal_ends
from rules.regulation import load_regulation

REGULATION = load_regulation(
    Path(__file__).resolve().parents[2] / "data" / "years" / "2016-2017.toml"
)


def test_nothing_before_the_withdrawal_period_then_at_most_thirty_percent():
    """R-ORG-3: 10 calendar days from a deposit on 05/09/2016 end on 15/09/2016; on a
    1 234,50 € price the first payment is at most 370,35 €, the balance 864,15 €."""
    terms = payment_terms(REGULATION, Decimal("1234.50"), dt.date(2016, 9, 5))
    assert terms.withdrawal_ends == dt.date(2016, 9, 15)
    assert terms.first_payment_max == Decimal("370.35")
    assert terms.balance == Decimal("864.15")
    assert "15/09/2016" in terms.reasons[0].message and "30 %" in terms.reasons[0].message


def test_the_withdrawal_end_follows_the_years_reading_of_days():
    """R-REG-7 read in working days: from Friday 28/10/2016, ten working days (01/11 and
    11/11 are public holidays) end on Tuesday 15/11/2016."""
    working = dataclasses.replace(
        REGULATION,
        thresholds=dataclasses.replace(REGULATION.thresholds, withdrawal_counted_in="working_days"),
    )
    assert withdrawal_ends(working, dt.date(2016, 10, 28)) == dt.date(2016, 11, 15)
