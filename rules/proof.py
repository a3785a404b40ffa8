"""Attendance that proves the training took place (R-ORG-1): the checks a court makes
of a signed attendance sheet, as plain data in and French reasons out. The apps
(teaching/signing.py) call `check_signature` before writing a signature and
`check_closure` when the trainer closes the sheet.

Refused: a signature outside the session's window, a learner signing twice or for a
UE they are not registered to, more signatures than the room seats, a trainer
signing two sessions at once, a session on a public holiday or outside the year's
calendar. Flagged (kept, with the reason): a sheet closed long after its session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rules.explain import Reason
from rules.regulation import AttendanceProof


@dataclass(frozen=True)
class SheetFacts:
    """What the checks need to know of a session and its sheet."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    on_holiday: bool
    in_calendar: bool
    capacity: int | None  # the room's seats; None for a distance session
    registered: frozenset[str]  # learners of the group
    signed: frozenset[str]  # learners who already signed this sheet
    # Other sessions the trainer signed or holds open: (start, end) in the same tz.
    trainer_elsewhere: tuple[tuple[dt.datetime, dt.datetime], ...] = ()


def _window(facts: SheetFacts, proof: AttendanceProof) -> tuple[dt.datetime, dt.datetime]:
    return (
        facts.starts_at - dt.timedelta(minutes=proof.sign_from_minutes_before),
        facts.ends_at + dt.timedelta(minutes=proof.sign_until_minutes_after),
    )


def check_opening(facts: SheetFacts, proof: AttendanceProof, now: dt.datetime) -> list[Reason]:
    """Why the trainer cannot open (and sign) the sheet now; empty when they can."""
    reasons = []
    if facts.on_holiday:
        reasons.append(Reason("R-ORG-1", "Cette séance tombe un jour férié : pas d'émargement."))
    if not facts.in_calendar:
        reasons.append(
            Reason("R-ORG-1", "Cette séance est hors du calendrier de l'année : pas d'émargement.")
        )
    opens, closes = _window(facts, proof)
    if not opens <= now <= closes:
        reasons.append(
            Reason(
                "R-ORG-1",
                f"L'émargement se fait pendant la séance : de {opens:%H:%M} à {closes:%H:%M} "
                f"le {opens:%d/%m/%Y}.",
            )
        )
    for starts, ends in facts.trainer_elsewhere:
        if starts < facts.ends_at and facts.starts_at < ends:
            reasons.append(
                Reason(
                    "R-ORG-1",
                    f"Vous émargez déjà une autre séance à la même heure ({starts:%d/%m/%Y} "
                    f"{starts:%H:%M}–{ends:%H:%M}) : un formateur n'est qu'à un endroit.",
                )
            )
            break
    return reasons


def check_signature(
    facts: SheetFacts,
    proof: AttendanceProof,
    learner: str,
    now: dt.datetime,
    learner_elsewhere: tuple[tuple[dt.datetime, dt.datetime], ...] = (),
) -> list[Reason]:
    """Why `learner` cannot sign the sheet now; empty when they can.
    `learner_elsewhere`: the other sessions the learner signed, (start, end)."""
    reasons = []
    for starts, ends in learner_elsewhere:
        if starts < facts.ends_at and facts.starts_at < ends:
            reasons.append(
                Reason(
                    "R-ORG-1",
                    f"Vous avez déjà signé une autre séance à la même heure ({starts:%H:%M}–"
                    f"{ends:%H:%M}) : une présence ne se signe qu'à un endroit.",
                )
            )
            break
    opens, closes = _window(facts, proof)
    if not opens <= now <= closes:
        reasons.append(
            Reason(
                "R-ORG-1",
                f"Signature hors de la séance : elle se fait de {opens:%H:%M} à "
                f"{closes:%H:%M} le {opens:%d/%m/%Y}.",
            )
        )
    if learner not in facts.registered:
        reasons.append(Reason("R-ORG-1", "Vous n'êtes pas inscrit(e) à cette UE dans ce groupe."))
    if learner in facts.signed:
        reasons.append(Reason("R-ORG-1", "Votre présence est déjà signée pour cette séance."))
    elif facts.capacity is not None and len(facts.signed) >= facts.capacity:
        reasons.append(
            Reason(
                "R-ORG-1",
                f"La salle compte {facts.capacity} places et autant de présents ont signé : "
                "une signature de plus ne serait pas crédible.",
            )
        )
    return reasons


def check_closure(facts: SheetFacts, proof: AttendanceProof, now: dt.datetime) -> list[Reason]:
    """What a funder would question in a sheet closed now (kept with the sheet)."""
    late = now - facts.ends_at
    if late > dt.timedelta(days=proof.close_within_days):
        days = late.days
        return [
            Reason(
                "R-ORG-1",
                f"Feuille close {days} jour{'s' if days > 1 else ''} après la séance "
                f"(au-delà de {proof.close_within_days}) : un financeur peut la contester.",
            )
        ]
    return []


# --- the right to sit in view (R-EXA-3), for the absence alerts ---------------------------

OK, AT_RISK, LOST = "ok", "at_risk", "lost"


def sitting_outlook(
    needed: int, present: int, absent: int, remaining: int, alert_after: int
) -> str:
    """Where a learner stands for one UE and semester (R-EXA-3: `needed` presences):
    reached ("ok"); "lost" when even every session left (`remaining`) would not be
    enough; "at_risk" from `alert_after` absences, or when the sessions left are just
    enough (one more absence and it is lost); otherwise "ok" for now."""
    if present >= needed:
        return OK
    if present + remaining < needed:
        return LOST
    if absent >= alert_after or present + remaining == needed:
        return AT_RISK
    return OK
