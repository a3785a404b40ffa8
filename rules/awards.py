"""Award status of a programme on a date (R-AWD-1, R-AWD-2, R-AWD-3, R-EXP-1, R-EXP-2,
R-REG-5), driven by the programme's [award] table and the year's thresholds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from rules.catalogue import Catalogue, Programme, Unit
from rules.explain import InputError, Reason, add_years, day, number
from rules.regulation import Regulation
from rules.spec import cited_ids

# R-REG-5: the ways access conditions are met; "none" while nothing is proven.
ACCESS = {
    "bac": "titulaire du baccalauréat",
    "bac_level": "niveau bac",
    "equivalent": "titre équivalent au baccalauréat",
    "vae": "VAE accordée",
    "vap85": "VAP85 accordée",
    "none": "",
}


@dataclass(frozen=True)
class AwardRequest:
    """programme: its code; on: the date of the request; validated: UE code -> date of
    validation (see `Ledger.validated()`); access: a key of ACCESS; experience in months
    and whether it is in the programme's professional field; internship in months."""

    programme: str
    on: dt.date
    validated: Mapping[str, dt.date] = field(default_factory=dict)
    access: str = "none"
    experience_months: Decimal = Decimal(0)
    experience_in_field: bool = False
    internship_months: Decimal = Decimal(0)


@dataclass(frozen=True)
class Missing:
    rule_id: str
    item: str  # a UE code, "access", "experience", "internship" or "request_period"
    message: str


@dataclass(frozen=True)
class AwardStatus:
    programme: str
    on: dt.date
    eligible: bool
    missing: tuple[Missing, ...]
    ects_earned: int
    ects_required: int  # the programme's declared ECTS (R-CAT-1, R-CAT-2)
    request_deadline: dt.date | None
    reasons: tuple[Reason, ...]


def award_status(
    regulation: Regulation, catalogue: Catalogue, request: AwardRequest
) -> AwardStatus:
    """May the learner obtain the programme's award on `request.on`, and if not, exactly
    what is missing? (R-AWD-1, R-AWD-2, R-AWD-3, R-EXP-1, R-EXP-2, R-REG-5)

    Progress is the ECTS of the programme's validated units over its DECLARED ECTS: the
    figure the learner reads in the brochure and the RNCP (CPN42: 120, while its units
    sum to 118 — a gap reported by the catalogue check, R-CAT-6, and never hidden).
    """
    try:
        programme = catalogue.programme(request.programme)
    except KeyError:
        raise InputError("programme", f"formation inconnue « {request.programme} »") from None
    if request.access not in ACCESS:
        raise InputError("access", f"« {request.access} » : {', '.join(ACCESS)} attendu")
    for name in ("experience_months", "internship_months"):
        if getattr(request, name) < 0:
            raise InputError(name, "une durée en mois ne peut être négative")
    for code in request.validated:
        try:
            catalogue.unit(code)
        except KeyError:
            raise InputError(f"validated.{code}", f"UE inconnue « {code} »") from None

    award = programme.award
    award_rule = cited_ids(award.rule)[0]
    validated = {code: on for code, on in request.validated.items() if on <= request.on}
    units = {u.code: u for u in catalogue.units_of(programme.code)}
    missing: list[Missing] = []

    if not ACCESS[request.access]:
        missing.append(
            Missing(
                "R-REG-5",
                "access",
                "Conditions d'accès à justifier : " + " ".join(programme.access_conditions),
            )
        )
    pass_mark = (
        f"{number(regulation.thresholds.pass_mark)}/{regulation.thresholds.pass_mark_out_of}"
    )
    for code in award.required_units:
        if code not in validated:
            unit = units[code]
            missing.append(
                Missing(
                    award_rule,
                    code,
                    f"UE {code} « {unit.title} » ({unit.ects} ECTS) à valider avec une note "
                    f"d'au moins {pass_mark}.",
                )
            )
    if award.report_unit and award.report_unit not in validated:
        missing.append(_report_missing(award_rule, units[award.report_unit]))
    experience_met = _experience(regulation, programme, request, validated, missing)
    deadline = _request_deadline(regulation, programme, request.on, validated, units, missing)

    earned = sum(u.ects for code, u in units.items() if code in validated)
    if award.experience_unit and award.experience_unit not in validated and experience_met:
        earned += units[award.experience_unit].ects
    reasons = [_progress(programme, earned, units, validated, experience_met)]
    if request.access != "none" and ACCESS[request.access]:
        reasons.append(
            Reason("R-REG-5", f"Conditions d'accès justifiées : {ACCESS[request.access]}.")
        )
    reasons += [Reason(m.rule_id, m.message) for m in missing]
    if missing:
        reasons.append(
            Reason(
                "R-AWD-3",
                f"Il vous manque {len(missing)} condition(s) pour obtenir {programme.code} "
                f"« {programme.title} » au {day(request.on)}.",
            )
        )
    else:
        until = f" (au plus tard le {day(deadline)})" if deadline else ""
        reasons.append(
            Reason(
                award_rule,
                f"Toutes les conditions de délivrance de {programme.code} « {programme.title} » "
                f"sont remplies : vous pouvez en faire la demande{until}.",
            )
        )
    return AwardStatus(
        programme=programme.code,
        on=request.on,
        eligible=not missing,
        missing=tuple(missing),
        ects_earned=earned,
        ects_required=programme.declared_ects,
        request_deadline=deadline,
        reasons=tuple(reasons),
    )


def _report_missing(award_rule: str, unit: Unit) -> Missing:
    """R-AWD-1 3. / R-AWD-2 4.: the report to write (and defend orally when its
    evaluation includes an oral defence) and have validated."""
    oral = "^" in unit.evaluation
    verb = (
        "à rédiger, soutenir oralement et faire valider" if oral else "à rédiger et faire valider"
    )
    return Missing(award_rule, unit.code, f"{unit.title} ({unit.code}, {unit.ects} ECTS) : {verb}.")


def _experience(
    regulation: Regulation,
    programme: Programme,
    request: AwardRequest,
    validated: Mapping[str, dt.date],
    missing: list[Missing],
) -> bool:
    """R-EXP-1 (internship without field experience) and R-EXP-2 (months of experience,
    internship when it is outside the field). True when the experience condition holds."""
    award, thresholds = programme.award, regulation.thresholds
    field_name = f"le champ professionnel de {programme.code} « {programme.title} »"
    internship = number(request.internship_months)
    met = True
    if award.internship_if_no_field_experience_key and not request.experience_in_field:
        months = thresholds.months(award.internship_if_no_field_experience_key)
        if request.internship_months < months:
            missing.append(
                Missing(
                    "R-EXP-1",
                    "internship",
                    f"Vous n'avez jamais exercé dans {field_name} : un stage de {number(months)} "
                    f"mois est nécessaire (stage attesté : {internship} mois).",
                )
            )
    if not award.experience_key or award.experience_unit in validated:
        return met
    required = thresholds.months(award.experience_key)
    if request.experience_months < required:
        met = False
        missing.append(
            Missing(
                "R-EXP-2",
                "experience",
                f"Expérience professionnelle ({award.experience_unit}) : "
                f"{number(request.experience_months)} mois attestés sur {number(required)} "
                "requis à la fin de la formation.",
            )
        )
    key = award.internship_if_experience_outside_field_key
    if key and not request.experience_in_field:
        months = thresholds.months(key)
        if request.internship_months < months:
            met = False
            missing.append(
                Missing(
                    "R-EXP-2",
                    "internship",
                    f"Votre expérience n'est pas dans {field_name} : un stage de "
                    f"{number(months)} mois dans ce champ la complète (stage attesté : "
                    f"{internship} mois).",
                )
            )
    return met


def _request_deadline(
    regulation: Regulation,
    programme: Programme,
    on: dt.date,
    validated: Mapping[str, dt.date],
    units: Mapping[str, Unit],
    missing: list[Missing],
) -> dt.date | None:
    """R-AWD-1: the award can be requested within the period, counted from the
    validation of the first of its UEs — or of the last, by the year's `counted_from`
    reading (the day `years` later is still inside)."""
    key = programme.award.request_period_key
    dates = [when for code, when in validated.items() if code in units]
    if not key or not dates:
        return None
    years = regulation.thresholds.years(key)
    from_last = regulation.thresholds.certificate_request_counted_from == "last_unit_validation"
    first = max(dates) if from_last else min(dates)
    which = "dernière" if from_last else "première"
    deadline = add_years(first, years)
    if on > deadline:
        missing.append(
            Missing(
                cited_ids(programme.award.rule)[0],
                "request_period",
                f"{programme.code} pouvait être demandé dans un délai de {years} ans à compter "
                f"de la validation de sa {which} UE (le {day(first)}), soit jusqu'au "
                f"{day(deadline)} : ce délai est dépassé.",
            )
        )
    return deadline


def _progress(
    programme: Programme,
    earned: int,
    units: Mapping[str, Unit],
    validated: Mapping[str, dt.date],
    experience_met: bool,
) -> Reason:
    declared = programme.declared_ects
    total = sum(u.ects for u in units.values())
    message = f"Progression : {earned} ECTS obtenus sur les {declared} ECTS de {programme.code}."
    # The units the award conditions do not ask for (R-AWD-1, R-AWD-2): say why the
    # count may stay under the declared ECTS of a learner who can obtain the award.
    award = programme.award
    asked = {*award.required_units, award.report_unit, award.experience_unit}
    optional = [
        u
        for code, u in sorted(units.items())
        if code not in asked
        and code not in validated
        and not (code == award.experience_unit and experience_met)
    ]
    if optional:
        listed = ", ".join(f"{u.code} ({u.ects} ECTS)" for u in optional)
        message += (
            f" Les conditions de délivrance n'exigent pas {listed} : ces ECTS manquent au "
            "compte sans empêcher la délivrance."
        )
    if total != declared:
        message += (
            f" Ses unités totalisent {total} ECTS ; l'écart avec les {declared} ECTS "
            "déclarés est signalé au chargement du catalogue."
        )
        return Reason("R-CAT-6", message)
    return Reason(cited_ids(programme.award.rule)[0], message)
