"""The contract's terms that are computed (R-ORG-3, L6353-5 and L6353-6): the last day
to withdraw, and what an individual paying for themselves may be asked for — nothing
before that day, then at most `first_payment_max_percent` of the price, the balance as
the training goes. The rest of the contract is text (admissions/contract.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from rules.explain import Reason, day, euros, money
from rules.holidays import working_days_between
from rules.regulation import Regulation
from rules.results import PERCENT

RULE = "R-ORG-3"


@dataclass(frozen=True)
class PaymentTerms:
    withdrawal_ends: dt.date  # the last day to withdraw
    first_payment_max: Decimal
    balance: Decimal
    reasons: tuple[Reason, ...]


def withdrawal_ends(regulation: Regulation, deposited_on: dt.date) -> dt.date:
    """The last day of the withdrawal period, counted as the year reads it (R-REG-7)."""
    thresholds = regulation.thresholds
    if thresholds.withdrawal_counted_in != "working_days":
        return deposited_on + dt.timedelta(days=thresholds.withdrawal_days)
    last = deposited_on
    while working_days_between(deposited_on, last) < thresholds.withdrawal_days:
        last += dt.timedelta(days=1)
    return last


def first_payment_cap(regulation: Regulation, total: Decimal) -> tuple[Decimal, Decimal]:
    """(the most the first payment may be, the balance) of a price (L6353-6)."""
    first = money(total * regulation.contract.first_payment_max_percent / PERCENT)
    return first, money(total - first)


def payment_terms(regulation: Regulation, total: Decimal, deposited_on: dt.date) -> PaymentTerms:
    cap = regulation.contract.first_payment_max_percent
    first, _ = first_payment_cap(regulation, total)
    ends = withdrawal_ends(regulation, deposited_on)
    return PaymentTerms(
        withdrawal_ends=ends,
        first_payment_max=first,
        balance=money(total - first),
        reasons=(
            Reason(
                RULE,
                f"Aucune somme n'est exigible avant la fin du délai de rétractation, le "
                f"{day(ends)} ; ensuite, un premier paiement de {euros(first)} au plus "
                f"({cap} % du prix), le solde de {euros(money(total - first))} au fur et à "
                "mesure de la formation.",
            ),
        ),
    )
