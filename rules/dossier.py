"""The pieces of a dossier (R-REG-2, R-REG-3): which apply to an applicant, and whether
a dated piece is recent enough at deposit. The list of pieces and their conditions
(`when`, `group`) come from the year's data; this module evaluates the conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.explain import InputError, Reason, day
from rules.regulation import DocumentRequirement, Regulation

SITUATIONS = ("employee", "cif", "career_change", "job_seeker", "alternance")
NATIONALITIES = ("french", "eu", "foreign")
FUNDINGS = ("individual", "job_seeker", "employer")

# Situations whose proof is an employment certificate or a payslip: CIF and
# alternance contracts are employment contracts; a career change is made by someone
# in employment (a job seeker's career change is declared as "job_seeker").
EMPLOYED = ("employee", "cif", "career_change", "alternance")

# Why a conditional piece applies, as the applicant reads it.
CONDITIONS = {
    "always": "pièce demandée à tous",
    "employee": "vous êtes salarié(e)",
    "job_seeker": "vous êtes demandeur(se) d'emploi",
    "french_or_eu_national": "vous êtes de nationalité française ou d'un pays de l'Union "
    "européenne",
    "foreign_national": "vous êtes de nationalité étrangère (hors Union européenne)",
    "declared_units_from_other_centres": "vous avez déclaré des UE obtenues dans d'autres centres",
    "individual_funding": "votre formation n'est pas financée par un employeur ou un OPCA",
    "employer_funding": "votre employeur (ou un OPCA) finance votre formation",
    "employer_certificate_unsigned": "l'attestation de prise en charge n'est pas signée par "
    "l'employeur",
}


@dataclass(frozen=True)
class Situation:
    """What the pre-registration says about the applicant (R-REG-1)."""

    situation: str  # one of SITUATIONS
    nationality: str  # one of NATIONALITIES
    funding: str  # one of FUNDINGS
    declares_units_from_other_centres: bool = False
    employer_certificate_signed: bool = True


@dataclass(frozen=True)
class Piece:
    code: str
    label: str
    status: str  # "required", "conditional" or "not_applicable"
    group: str  # pieces sharing a group are alternatives: one of them is enough
    max_age_days: int | None  # a dated piece must be this recent at deposit
    reason: Reason


def checklist(regulation: Regulation, situation: Situation) -> tuple[Piece, ...]:
    """Every piece of the year's list with its status for this applicant (R-REG-2)."""
    _check(situation)
    holds = _conditions(situation)
    pieces = []
    for document in regulation.documents:
        if document.when not in holds:
            raise InputError("when", f"condition inconnue « {document.when} » ({document.code})")
        pieces.append(_piece(regulation, document, holds[document.when]))
    return tuple(pieces)


def missing_for_deposit(pieces: tuple[Piece, ...], provided: set[str]) -> tuple[Piece, ...]:
    """The applicable pieces not yet provided; a group is satisfied by any one of its
    pieces, and is reported by its first piece (R-REG-3)."""
    missing = []
    satisfied_groups = {p.group for p in pieces if p.group and p.code in provided}
    reported_groups: set[str] = set()
    for piece in pieces:
        if piece.status == "not_applicable" or piece.code in provided:
            continue
        if piece.group:
            if piece.group in satisfied_groups or piece.group in reported_groups:
                continue
            reported_groups.add(piece.group)
        missing.append(piece)
    return tuple(missing)


def recent_enough(
    regulation: Regulation, piece: Piece, issued_on: dt.date | None, deposited_on: dt.date
) -> Reason | None:
    """None when the dated piece is recent enough on the deposit day; otherwise why not
    (R-REG-2: the job-seeker certificate must be less than 15 days old)."""
    if piece.max_age_days is None:
        return None
    if issued_on is None:
        return Reason("R-REG-2", f"« {piece.label} » : la date du document est à indiquer.")
    if issued_on > deposited_on:
        return Reason(
            "R-REG-2", f"« {piece.label} » : date du document ({day(issued_on)}) dans le futur."
        )
    age = (deposited_on - issued_on).days
    if age >= piece.max_age_days:
        return Reason(
            "R-REG-2",
            f"« {piece.label} » : document du {day(issued_on)}, vieux de {age} jours le "
            f"{day(deposited_on)} ; il doit avoir moins de {piece.max_age_days} jours.",
        )
    return None


def _check(situation: Situation) -> None:
    for field, allowed in (
        ("situation", SITUATIONS),
        ("nationality", NATIONALITIES),
        ("funding", FUNDINGS),
    ):
        value = getattr(situation, field)
        if value not in allowed:
            raise InputError(field, f"« {value} » : {', '.join(allowed)} attendu")
    if situation.funding == "job_seeker" and situation.situation != "job_seeker":
        raise InputError("funding", "le tarif demandeur d'emploi suppose la situation de demandeur")


def _conditions(situation: Situation) -> dict[str, bool]:
    employer = situation.funding == "employer"
    return {
        "always": True,
        "employee": situation.situation in EMPLOYED,
        "job_seeker": situation.situation == "job_seeker",
        "french_or_eu_national": situation.nationality in ("french", "eu"),
        "foreign_national": situation.nationality == "foreign",
        "declared_units_from_other_centres": situation.declares_units_from_other_centres,
        "individual_funding": not employer,
        "employer_funding": employer,
        "employer_certificate_unsigned": employer and not situation.employer_certificate_signed,
    }


def _piece(regulation: Regulation, document: DocumentRequirement, applies: bool) -> Piece:
    max_age = regulation.thresholds.days(document.max_age_key) if document.max_age_key else None
    if document.when == "always":
        status, text = "required", "Pièce obligatoire pour tous."
    elif applies:
        status, text = "conditional", f"Demandée parce que {CONDITIONS[document.when]}."
    else:
        status, text = "not_applicable", f"Seulement si {CONDITIONS[document.when]}."
    if document.group and status != "not_applicable":
        text += " Une seule des pièces de ce groupe suffit."
    if max_age is not None and status != "not_applicable":
        text += f" Elle doit avoir moins de {max_age} jours au dépôt du dossier."
    return Piece(
        code=document.code,
        label=document.label,
        status=status,
        group=document.group,
        max_age_days=max_age,
        reason=Reason(document.rule or "R-REG-2", text),
    )
