"""Published results (R-ORG-5, Qualiopi indicators 2 and 3): per UE and per programme of
a year, the candidates, the pass rate at session 1 and after session 2, the award rate
and the drop-outs, each rate with the count behind it — and none below a minimum count
(a rate on 3 learners says nothing and may single a person out).

Readings of R-ORG-5 (each a definition below, shown on the page beside its rate):
- a UE's candidates are the learners with a final registration to it in the year;
- the pass rate at session 1 is over those who sat session 1 (a mark, not absent);
- the pass rate after session 2 is over those who sat at least one session;
- a drop-out is a candidate who sat no session at all;
- a programme's candidates are the learners with a final registration to it in the year;
  its award rate is over them, counting those granted the award that year; its pass and
  drop-out rates are over its learners' UE registrations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RULE = "R-ORG-5"
PERCENT = Decimal(100)  # a percentage's hundred, not a brochure value


@dataclass(frozen=True)
class Outcome:
    """One learner's year in one UE: whether they sat and validated each session."""

    learner: str
    sat_1: bool = False
    validated_1: bool = False
    sat_2: bool = False
    validated_2: bool = False

    @property
    def sat(self) -> bool:
        return self.sat_1 or self.sat_2

    @property
    def validated(self) -> bool:
        return self.validated_1 or self.validated_2


@dataclass(frozen=True)
class Rate:
    """`count` out of `of`; `percent` is None when `of` is under the minimum count."""

    count: int
    of: int
    percent: Decimal | None

    @property
    def shown(self) -> bool:
        return self.percent is not None


def rate(count: int, of: int, minimum: int) -> Rate:
    if of < max(minimum, 1):
        return Rate(count, of, None)
    percent = (Decimal(count) * PERCENT / of).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return Rate(count, of, percent)


@dataclass(frozen=True)
class UnitResults:
    candidates: int
    pass_session_1: Rate
    pass_after_session_2: Rate
    dropout: Rate

    @property
    def shown(self) -> bool:
        return self.pass_after_session_2.shown or self.dropout.shown


def unit_results(outcomes: Iterable[Outcome], minimum: int) -> UnitResults:
    rows = list(outcomes)
    sat_1 = [o for o in rows if o.sat_1]
    sat = [o for o in rows if o.sat]
    return UnitResults(
        candidates=len(rows),
        pass_session_1=rate(sum(1 for o in sat_1 if o.validated_1), len(sat_1), minimum),
        pass_after_session_2=rate(sum(1 for o in sat if o.validated), len(sat), minimum),
        dropout=rate(sum(1 for o in rows if not o.sat), len(rows), minimum),
    )


@dataclass(frozen=True)
class ProgrammeResults:
    candidates: int
    pass_after_session_2: Rate  # over the UE registrations sat
    dropout: Rate  # learners who sat no exam at all, over the candidates
    awarded: Rate  # learners granted the award in the year, over the candidates


def programme_results(
    outcomes_by_learner: dict[str, list[Outcome]], awarded: set[str], minimum: int
) -> ProgrammeResults:
    """`outcomes_by_learner`: every candidate of the programme (an empty list for one
    registered to no examined UE), with their UE outcomes."""
    every = [o for outcomes in outcomes_by_learner.values() for o in outcomes]
    sat = [o for o in every if o.sat]
    candidates = len(outcomes_by_learner)
    never = sum(1 for outcomes in outcomes_by_learner.values() if not any(o.sat for o in outcomes))
    return ProgrammeResults(
        candidates=candidates,
        pass_after_session_2=rate(sum(1 for o in sat if o.validated), len(sat), minimum),
        dropout=rate(never, candidates, minimum),
        awarded=rate(len(awarded & set(outcomes_by_learner)), candidates, minimum),
    )
