"""Unit results and the learner's ledger (R-EXA-4): which UEs are validated, when, how
and with which mark. The pass mark is the one of each attempt's academic year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from rules.catalogue import Catalogue, Unit
from rules.explain import InputError, Reason, day, number
from rules.regulation import Regulation

ABSENCES = {"absent": "absent(e)", "excused": "absence excusée"}
# Ways a UE is earned other than by exam, with the rule that allows them.
GRANT_WAYS = {
    "equivalence": ("R-CAT-5", "par équivalence"),
    "vae": ("R-EXA-4", "par décision du jury de VAE"),
    "ves": ("R-EXA-4", "par décision du jury de VES"),
    "other_centre": ("R-EXA-4", "par attestation de réussite d'un autre centre régional"),
}


@dataclass(frozen=True)
class Attempt:
    """One exam result: a mark out of the year's scale, or an absence ("absent",
    "excused") when there is no mark."""

    unit: str
    on: dt.date
    year: str
    session: int = 1
    mark: Decimal | None = None
    absence: str = ""


@dataclass(frozen=True)
class Grant:
    """A UE earned otherwise than by exam (way: "equivalence" R-CAT-5, "vae", "ves",
    "other_centre"), on the date of the decision or certificate."""

    unit: str
    on: dt.date
    way: str
    reference: str = ""
    mark: Decimal | None = None


@dataclass(frozen=True)
class UnitResult:
    unit: str
    ects: int
    programmes: tuple[str, ...]  # every programme it counts in (R-EXA-4)
    validated: bool
    validated_on: dt.date | None
    how: str  # "exam" or a grant way; "" while not validated
    mark: Decimal | None  # the validating mark, when there is one
    year: str  # academic year of the validating attempt


@dataclass(frozen=True)
class Ledger:
    units: tuple[UnitResult, ...]
    ects: int  # ECTS earned by the validated UEs
    reasons: tuple[Reason, ...]

    def validated(self) -> dict[str, dt.date]:
        """Validated UE codes with their validation date."""
        return {u.unit: u.validated_on for u in self.units if u.validated}


def unit_ledger(
    catalogue: Catalogue, attempts: tuple[Attempt, ...] = (), grants: tuple[Grant, ...] = ()
) -> Ledger:
    """Every UE's result from all attempts and grants, in date order (R-EXA-4).

    A UE is validated by the first mark at or above the pass mark of the attempt's year,
    or by a grant; it then stays validated for life (later attempts change nothing),
    earns its ECTS and counts in every programme that contains it.
    """
    events: list[tuple[dt.date, int, Attempt | Grant]] = []
    for index, attempt in enumerate(attempts):
        _check_attempt(catalogue, attempt, f"attempts[{index}]")
        events.append((attempt.on, index, attempt))
    for index, grant in enumerate(grants):
        _check_grant(catalogue, grant, f"grants[{index}]")
        events.append((grant.on, len(attempts) + index, grant))
    events.sort(key=lambda event: (event[0], event[1]))

    results: dict[str, UnitResult] = {}
    reasons: list[Reason] = []
    for _, _, event in events:
        unit = catalogue.unit(event.unit)
        current = results.get(unit.code) or UnitResult(
            unit.code, unit.ects, unit.programmes, False, None, "", None, ""
        )
        if current.validated:
            reasons.append(
                Reason(
                    "R-EXA-4",
                    f"{unit.code} : résultat du {day(event.on)} sans effet, l'UE est déjà "
                    f"validée depuis le {day(current.validated_on)} (capitalisée à vie).",
                )
            )
            continue
        if isinstance(event, Attempt):
            current, reason = _apply_attempt(catalogue.year(event.year), unit, current, event)
        else:
            current, reason = _apply_grant(unit, current, event)
        results[unit.code] = current
        reasons.append(reason)

    units = tuple(results[u.code] for u in catalogue.units if u.code in results)
    return Ledger(units, sum(u.ects for u in units if u.validated), tuple(reasons))


def validates(regulation: Regulation, mark: Decimal | None) -> bool:
    """R-EXA-4: a mark at or above the pass mark of the attempt's year validates the UE
    (an absence never does)."""
    return mark is not None and mark >= regulation.thresholds.pass_mark


def _apply_attempt(
    regulation: Regulation, unit: Unit, current: UnitResult, attempt: Attempt
) -> tuple[UnitResult, Reason]:
    when = f"le {day(attempt.on)} (session {attempt.session}, {attempt.year})"
    if attempt.mark is None:
        return current, Reason("R-EXA-4", f"{unit.code} : {ABSENCES[attempt.absence]} {when}.")
    thresholds = regulation.thresholds
    mark = f"{number(attempt.mark)}/{thresholds.pass_mark_out_of}"
    pass_mark = f"{number(thresholds.pass_mark)}/{thresholds.pass_mark_out_of}"
    if not validates(regulation, attempt.mark):
        return current, Reason(
            "R-EXA-4",
            f"{unit.code} : {mark} {when}, sous la note de validation de {pass_mark} : "
            "UE non validée.",
        )
    validated = UnitResult(
        unit.code, unit.ects, unit.programmes, True, attempt.on, "exam", attempt.mark, attempt.year
    )
    return validated, _validated_reason(
        unit, f"avec {mark} {when}, note au moins égale à {pass_mark}"
    )


def _apply_grant(unit: Unit, current: UnitResult, grant: Grant) -> tuple[UnitResult, Reason]:
    rule_id, how = GRANT_WAYS[grant.way]
    if grant.way == "equivalence" and not unit.equivalence:
        return current, Reason(
            "R-CAT-5", f"{unit.code} : aucune équivalence n'est prévue pour cette UE."
        )
    validated = UnitResult(
        unit.code, unit.ects, unit.programmes, True, grant.on, grant.way, grant.mark, ""
    )
    reference = f" (réf. {grant.reference})" if grant.reference else ""
    reason = _validated_reason(unit, f"{how}{reference} le {day(grant.on)}")
    return validated, Reason(rule_id, reason.message)


def _validated_reason(unit: Unit, how: str) -> Reason:
    return Reason(
        "R-EXA-4",
        f"{unit.code} validée {how} : elle est capitalisée à vie, rapporte {unit.ects} ECTS "
        f"et compte dans {' et '.join(unit.programmes)}.",
    )


def _check_attempt(catalogue: Catalogue, attempt: Attempt, field: str) -> None:
    _check_unit(catalogue, attempt.unit, field)
    try:
        regulation = catalogue.year(attempt.year)
    except KeyError:
        raise InputError(
            f"{field}.year", f"année universitaire inconnue « {attempt.year} »"
        ) from None
    if not regulation.contains(attempt.on):
        raise InputError(
            f"{field}.on",
            f"le {day(attempt.on)} est hors de l'{regulation.label.lower()} "
            f"(du {day(regulation.first_day)} au {day(regulation.last_day)})",
        )
    sessions = regulation.thresholds.exam_sessions_per_registration
    if not 1 <= attempt.session <= sessions:
        raise InputError(f"{field}.session", f"session de 1 à {sessions} attendue")
    if attempt.mark is None:
        if attempt.absence not in ABSENCES:
            raise InputError(
                f"{field}.mark", "une note ou une absence (absent, excused) est attendue"
            )
    else:
        if attempt.absence:
            raise InputError(f"{field}.absence", "une note et une absence ne vont pas ensemble")
        _check_mark(regulation, attempt.mark, f"{field}.mark")


def _check_grant(catalogue: Catalogue, grant: Grant, field: str) -> None:
    _check_unit(catalogue, grant.unit, field)
    if grant.way not in GRANT_WAYS:
        raise InputError(f"{field}.way", f"« {grant.way} » : {', '.join(GRANT_WAYS)} attendu")
    if grant.mark is not None and catalogue.years:
        _check_mark(catalogue.years[-1], grant.mark, f"{field}.mark")


def _check_unit(catalogue: Catalogue, code: str, field: str) -> None:
    try:
        catalogue.unit(code)
    except KeyError:
        raise InputError(f"{field}.unit", f"UE inconnue « {code} »") from None


def _check_mark(regulation: Regulation, mark: Decimal, field: str) -> None:
    out_of = regulation.thresholds.pass_mark_out_of
    if not 0 <= mark <= out_of:
        raise InputError(field, f"note « {number(mark)} » hors du barème (de 0 à {out_of})")
