"""Registration deadlines (R-REG-6), from the year's calendar (R-CAL-1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.explain import InputError, Reason, day
from rules.regulation import Regulation


@dataclass(frozen=True)
class RegistrationWindow:
    semester: str
    on: dt.date
    open: bool
    opens_on: dt.date
    deadline: dt.date
    reasons: tuple[Reason, ...]


def registration_open(regulation: Regulation, semester: str, on: dt.date) -> RegistrationWindow:
    """Is registration for `semester` still open on `on`? (R-REG-6, R-CAL-1)

    Open from the opening of pre-registration to the semester's deadline, both days
    included; refused before, and after with the deadline's date.
    """
    try:
        calendar = regulation.semester(semester)
    except KeyError:
        codes = ", ".join(s.code for s in regulation.semesters)
        raise InputError("semester", f"semestre inconnu « {semester} » ({codes})") from None
    opens_on = regulation.registration.preregistration_opens
    deadline = calendar.registration_deadline
    if on < opens_on:
        is_open = False
        message = (
            f"Les inscriptions pour l'{regulation.label.lower()} ne sont pas encore ouvertes : "
            f"la préinscription en ligne ouvre le {day(opens_on)}."
        )
    elif on <= deadline:
        is_open = True
        message = (
            f"Les inscriptions au {calendar.label.lower()} sont ouvertes jusqu'au "
            f"{day(deadline)} inclus."
        )
    else:
        is_open = False
        message = (
            f"Les inscriptions au {calendar.label.lower()} sont closes depuis le "
            f"{day(deadline)} : votre inscription du {day(on)} ne peut être acceptée."
        )
    return RegistrationWindow(
        semester=calendar.code,
        on=on,
        open=is_open,
        opens_on=opens_on,
        deadline=deadline,
        reasons=(Reason("R-REG-6", message),),
    )


@dataclass(frozen=True)
class Offering:
    """Where a UE can next be taken: the year, the semester and its registration
    deadline (R-REG-6)."""

    year: str
    year_label: str
    semester: str
    semester_label: str
    deadline: dt.date


def next_offering(regulations: tuple[Regulation, ...], period: str, on: dt.date) -> Offering | None:
    """The first semester, among the years known, whose registration is still open on
    `on` for a UE taught in `period` (a semester code, or "annual": registered with the
    year's first semester). None for an activity unit (no period) or when no known year
    is still open: the next year's calendar is not published yet."""
    if not period:
        return None
    for regulation in sorted(regulations, key=lambda r: r.first_day):
        semesters = regulation.semesters[:1] if period == "annual" else regulation.semesters
        for semester in semesters:
            if period != "annual" and semester.code != period:
                continue
            if on <= semester.registration_deadline:
                return Offering(
                    regulation.code,
                    regulation.label,
                    semester.code,
                    semester.label,
                    semester.registration_deadline,
                )
    return None
