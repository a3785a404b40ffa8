"""Between the database and the rules core: database rows become the rules core's
frozen dataclasses; the rules core never sees a model."""

from __future__ import annotations

import tomllib
from decimal import Decimal

from rules import catalogue as rc
from rules.explain import InputError
from rules.fees import Quote, QuoteRequest, quote
from rules.regulation import Regulation

QUOTE_FIELDS = {
    "funding",
    "units",
    "foad_units",
    "first_registration",
    "registration_right_paid",
    "experience_report",
    "validation",
    "job_seeker_category",
    "direction_approved",
    "employer_per_ects",
    "employer_share",
}


def rules_unit(unit) -> rc.Unit:
    return rc.Unit(
        code=unit.code,
        title=unit.title,
        other_title=unit.other_title,
        ects=unit.ects,
        kind=unit.kind,
        evaluation=tuple(unit.evaluation),
        coefficient=unit.coefficient,
        period=unit.period,
        programmes=tuple(p.code for p in unit.programmes.all()),
        description=unit.description,
        note=unit.note,
        equivalence=unit.equivalence,
        rule=unit.rule,
    )


def rules_catalogue(units) -> rc.Catalogue:
    """A rules-core catalogue of the given units (enough for quotes)."""
    return rc.Catalogue(
        programmes=(),
        units=tuple(rules_unit(u) for u in units),
        centres=(),
        evaluation_codes=(),
        years=(),
    )


def fee_example_tables(source: str) -> list[dict]:
    return tomllib.loads(source, parse_float=Decimal).get("fee_example", [])


def quote_from_table(regulation: Regulation, catalogue: rc.Catalogue, table: dict) -> Quote:
    """A quote for a worked example of the year file; raises InputError on bad input."""
    unknown = set(table) - QUOTE_FIELDS - {"rule", "title"}
    if unknown:
        raise InputError(sorted(unknown)[0], "champ inconnu")
    fields = {k: v for k, v in table.items() if k in QUOTE_FIELDS}
    for name in ("units", "foad_units"):
        if name in fields:
            fields[name] = tuple(fields[name])
    return quote(regulation, catalogue, QuoteRequest(**fields))
