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


def rules_programme(programme) -> rc.Programme:
    """A programme row as the rules core's Programme, its award rule included."""
    award = programme.award
    return rc.Programme(
        code=programme.code,
        kind=programme.kind,
        title=programme.title,
        declared_ects=programme.declared_ects,
        rule=programme.rule,
        summary=programme.summary,
        entry_level=programme.entry_level,
        exit_level=programme.exit_level,
        cpf_eligible=programme.cpf_eligible,
        alternance=programme.alternance,
        vae=programme.vae,
        common_core=programme.common_core.code if programme.common_core_id else "",
        rncp_registration_years=programme.rncp_registration_years,
        rncp_decree=programme.rncp_decree,
        rncp_level=programme.rncp_level,
        nsf_code=programme.nsf_code,
        nsf_label=programme.nsf_label,
        rome=tuple((r["code"], r["label"]) for r in programme.rome),
        objectives=programme.objectives,
        competences=tuple(programme.competences),
        public=tuple(programme.public),
        careers=tuple(programme.careers),
        employers=tuple(programme.employers),
        access_conditions=tuple(programme.access_conditions),
        prerequisites=programme.prerequisites,
        access_checked_when=programme.access_checked_when,
        award=rc.AwardRule(
            required_units=tuple(award.get("required_units", ())),
            report_unit=award.get("report_unit", ""),
            experience_unit=award.get("experience_unit", ""),
            experience_key=award.get("experience_key", ""),
            internship_if_no_field_experience_key=award.get(
                "internship_if_no_field_experience_key", ""
            ),
            internship_if_experience_outside_field_key=award.get(
                "internship_if_experience_outside_field_key", ""
            ),
            request_period_key=award.get("request_period_key", ""),
            conditions=tuple(award.get("conditions", ())),
            rule=award.get("rule", ""),
            experience_fields=tuple(award.get("experience_fields", ())),
        ),
    )


def full_catalogue() -> rc.Catalogue:
    """The whole stored catalogue as the rules core's Catalogue: programmes with their
    award rules, units, and every academic year's regulation (five queries)."""
    from catalogue.models import AcademicYear, Programme, Unit

    programmes = tuple(rules_programme(p) for p in Programme.objects.select_related("common_core"))
    units = tuple(rules_unit(u) for u in Unit.objects.prefetch_related("programmes"))
    years = tuple(y.regulation for y in AcademicYear.objects.order_by("code") if y.source)
    return rc.Catalogue(
        programmes=programmes, units=units, centres=(), evaluation_codes=(), years=years
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
