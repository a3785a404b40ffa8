"""The right to sit an exam (R-EXA-2, R-EXA-3). Counts come from the year's
`Regulation.thresholds`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.catalogue import Catalogue, Unit
from rules.explain import InputError, Reason
from rules.regulation import Regulation


@dataclass(frozen=True)
class ExamRequest:
    """unit: the UE code; registered: registered to it this academic year;
    attendances: attendances per semester code ({"S1": 3, "S2": 2});
    sessions_sat: exam sessions already used on this registration."""

    unit: str
    registered: bool
    attendances: Mapping[str, int] = field(default_factory=dict)
    sessions_sat: int = 0


@dataclass(frozen=True)
class ExamRight:
    unit: str
    applicable: bool  # False for activity units: no exam session
    allowed: bool
    sessions_left: int
    reasons: tuple[Reason, ...]


def exam_right(regulation: Regulation, catalogue: Catalogue, request: ExamRequest) -> ExamRight:
    """May the learner sit the exam of this UE? (R-EXA-2, R-EXA-3)

    Registered to the UE this year, enough attendances in each of its semesters (or over
    the year for an annual UE, by the year's `attendance_annual_unit` reading), and an
    exam session left on this registration. Activity units have no exam session.
    """
    try:
        unit = catalogue.unit(request.unit)
    except KeyError:
        raise InputError("unit", f"UE inconnue « {request.unit} »") from None
    codes = [s.code for s in regulation.semesters]
    for code, count in request.attendances.items():
        if code not in codes:
            raise InputError(f"attendances.{code}", f"semestre inconnu ({', '.join(codes)})")
        if count < 0:
            raise InputError(f"attendances.{code}", "le nombre de présences ne peut être négatif")
    limit = regulation.thresholds.exam_sessions_per_registration
    if not 0 <= request.sessions_sat <= limit:
        raise InputError("sessions_sat", f"nombre de sessions attendu, de 0 à {limit}")

    if unit.is_activity:
        how = " et ".join(
            dict(catalogue.evaluation_codes).get(c, c).lower() for c in unit.evaluation
        )
        message = f"{unit.code} est une unité d'activité : elle n'ouvre pas de session d'examen" + (
            f" ; elle est évaluée ainsi : {how}." if how else "."
        )
        return ExamRight(unit.code, False, False, 0, (Reason("R-EXA-2", message),))

    reasons, refused = [], False
    if request.registered:
        reasons.append(Reason("R-EXA-2", f"Vous êtes inscrit(e) à {unit.code} cette année."))
    else:
        refused = True
        reasons.append(
            Reason(
                "R-EXA-2",
                f"Vous n'êtes pas inscrit(e) à {unit.code} cette année : on ne passe "
                "l'examen que des UE auxquelles on est inscrit.",
            )
        )
    ok, message = _attendance(regulation, unit, request.attendances, codes)
    refused = refused or not ok
    reasons.append(Reason("R-EXA-3", message))
    left = limit - request.sessions_sat
    if left > 0:
        reasons.append(
            Reason(
                "R-EXA-2",
                f"Sessions d'examen utilisées sur cette inscription : {request.sessions_sat} "
                f"sur {limit}.",
            )
        )
    else:
        refused = True
        reasons.append(
            Reason(
                "R-EXA-2",
                f"Les {limit} sessions d'examen de cette inscription à {unit.code} sont "
                "épuisées : une nouvelle inscription à l'UE est nécessaire.",
            )
        )
    # Sessions belong to a registration (R-EXA-2): none without one.
    sessions_left = max(left, 0) if request.registered else 0
    return ExamRight(unit.code, True, not refused, sessions_left, tuple(reasons))


def _attendance(
    regulation: Regulation, unit: Unit, attendances: Mapping[str, int], codes: list[str]
) -> tuple[bool, str]:
    """R-EXA-3: enough attendances in the UE's semesters."""
    needed = regulation.thresholds.attendances_to_sit
    semesters = codes if unit.period == "annual" else [unit.period]
    counts = {code: attendances.get(code, 0) for code in semesters}
    detail = ", ".join(f"{code} : {count}" for code, count in counts.items())
    if unit.period == "annual" and regulation.thresholds.attendance_annual_unit == "whole_year":
        ok = sum(counts.values()) >= needed
        rule = f"il faut au moins {needed} présences sur l'année pour une UE annuelle"
    elif unit.period == "annual":
        ok = all(count >= needed for count in counts.values())
        rule = f"il faut au moins {needed} présences à chaque semestre pour une UE annuelle"
    else:
        ok = counts[unit.period] >= needed
        rule = f"il faut au moins {needed} présences dans le semestre"
    verdict = "condition remplie" if ok else "condition non remplie : examen refusé"
    return ok, f"Présences à {unit.code} ({detail}) : {rule} — {verdict}."
