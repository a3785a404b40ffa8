"""Arranging a programme's path for its page: one line per condition of the award,
met or missing, in the order of the brochure. Nothing is decided here: met and missing
come from the rules core's AwardStatus."""

from __future__ import annotations

from dataclasses import dataclass

from rules.experience import months_between
from rules.explain import day, number

from .services import ProgrammePath


@dataclass(frozen=True)
class Condition:
    label: str
    met: bool
    detail: str
    rule_id: str = ""
    next_step: str = ""


def conditions(path: ProgrammePath, credits) -> list[Condition]:
    award = path.programme.award
    missing = {m.item: m for m in path.status.missing}
    earned = {c.unit.code: c for c in credits}
    offerings = {u.code: u for u in path.units_to_take}
    rows: list[Condition] = []
    access = missing.get("access")
    if access:
        rows.append(
            Condition(
                "Conditions d'accès",
                False,
                access.message,
                access.rule_id,
                "Elles sont vérifiées au moment de votre demande de diplôme : préparez la "
                "copie de votre diplôme (ou la décision de VAE / VAP85).",
            )
        )
    else:
        rows.append(Condition("Conditions d'accès", True, "Justifiées.", "R-REG-5"))
    for code in (*award.required_units, *([award.report_unit] if award.report_unit else [])):
        # The rules core's decision, not the list, says whether it counts (one date).
        credit = earned.get(code) if code not in missing else None
        if credit is not None:
            how = credit.get_way_display().lower()
            mark = f", {number(credit.mark)}/20" if credit.mark is not None else ""
            rows.append(
                Condition(
                    f"UE {code} — {credit.unit.title}",
                    True,
                    f"Acquise le {day(credit.earned_on)} ({how}{mark}) : {credit.unit.ects} ECTS.",
                    "R-EXA-4",
                )
            )
            continue
        gap = missing.get(code)
        if gap is None:
            continue
        offer = offerings.get(code)
        step = ""
        if offer and offer.offering:
            o = offer.offering
            step = (
                f"Prochaine inscription possible : {o.semester_label.lower()} de "
                f"l'{o.year_label.lower()}, jusqu'au {day(o.deadline)}."
            )
        elif offer and offer.activity:
            step = "Unité d'activité : votre rapport est évalué par le jury, sans session d'examen."
        else:
            step = (
                "Les dates de la prochaine année ne sont pas encore publiées : le service "
                "accueil vous les indiquera."
            )
        rows.append(Condition(f"UE {code}", False, gap.message, gap.rule_id, step))
    experience = path.experience
    for item, label in (("experience", "Expérience professionnelle"), ("internship", "Stage")):
        gap = missing.get(item)
        if gap:
            rows.append(
                Condition(
                    label,
                    False,
                    gap.message,
                    gap.rule_id,
                    "Déclarez chaque période avec son attestation (ou la convention de stage) : "
                    "le service accueil l'examine.",
                )
            )
    if award.experience_key and "experience" not in missing:
        rows.append(
            Condition(
                "Expérience professionnelle",
                True,
                experience.reasons[0].message,
                experience.reasons[0].rule_id,
            )
        )
    if award.internship_if_no_field_experience_key and "internship" not in missing:
        rows.append(
            Condition(
                "Expérience dans le champ ou stage",
                True,
                experience.reasons[0].message,
                experience.reasons[0].rule_id,
            )
        )
    period = missing.get("request_period")
    if period:
        rows.append(Condition("Délai de demande", False, period.message, period.rule_id))
    elif path.status.request_deadline:
        rows.append(
            Condition(
                "Délai de demande",
                True,
                f"À demander au plus tard le {day(path.status.request_deadline)} : le délai "
                "court depuis la validation de votre première UE.",
                path.programme.award.rule,
            )
        )
    return rows


def period_months(period) -> str:
    return number(months_between(period.starts_on, period.ends_on))
