"""Published results (R-ORG-5, Qualiopi indicators 2 and 3) from the juries' decisions:
the facts read in four queries, the rates computed by the rules core
(`rules.results`). A year is published once every jury of its exam sessions has
decided and its results day has come; before that nothing is shown, so a rate never
tells a result before the learner could read it (R-EXA-5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from admissions.models import DossierUnit
from assessment.models import ExamSession, Jury, Mark
from catalogue.models import AcademicYear, Centre, Programme, Unit
from parcours import clock
from rules.ledger import validates
from rules.results import Outcome, ProgrammeResults, UnitResults, programme_results, unit_results
from teaching.services import FOLLOWING


def published_year(today: dt.date | None = None) -> AcademicYear | None:
    """The latest year whose every jury has decided and whose results are out. Two
    queries."""
    today = today or clock.today()
    juries = Jury.objects.select_related("session__year")
    by_year: dict[int, list[Jury]] = defaultdict(list)
    for jury in juries:
        by_year[jury.session.year_id].append(jury)
    years = {jury.session.year_id: jury.session.year for rows in by_year.values() for jury in rows}
    out = [
        years[year_id]
        for year_id, rows in by_year.items()
        if rows and all(jury.is_published(today) for jury in rows)
    ]
    return max(out, key=lambda year: year.code) if out else None


@dataclass(frozen=True)
class YearResults:
    year: AcademicYear
    period: str  # "sessions du 20/02/2017 au 09/09/2017"
    programme: ProgrammeResults
    units: tuple[tuple[Unit, UnitResults], ...]
    minimum: int


def year_outcomes(
    year: AcademicYear,
    programme: Programme | None = None,
    unit: Unit | None = None,
    centre: Centre | None = None,
):
    """{(learner, unit id): Outcome} of the year's final registrations (of one centre's
    dossiers when asked), and the registered learners of the programme."""
    regulation = year.regulation
    registrations = DossierUnit.objects.filter(dossier__year=year, dossier__status__in=FOLLOWING)
    if centre is not None:
        registrations = registrations.filter(dossier__centre=centre)
    if programme is not None:
        registrations = registrations.filter(dossier__programme=programme)
    if unit is not None:
        registrations = registrations.filter(unit=unit)
    pairs = set(registrations.values_list("dossier__learner_id", "unit_id"))
    learners = {learner for learner, _ in pairs}
    marks = Mark.objects.filter(session__year=year, value__isnull=False).filter(
        Q(unit_id__in={u for _, u in pairs}) if pairs else Q(pk__in=[])
    )
    sat: dict[tuple[int, int], dict[int, bool]] = defaultdict(dict)
    for learner, unit_id, number, value in marks.values_list(
        "learner_id", "unit_id", "session__number", "value"
    ).iterator(chunk_size=20000):
        if (learner, unit_id) in pairs:
            sat[learner, unit_id][number] = validates(regulation, value)
    outcomes = {
        pair: Outcome(
            str(pair[0]),
            sat_1=1 in sat[pair],
            validated_1=sat[pair].get(1, False),
            sat_2=2 in sat[pair],
            validated_2=sat[pair].get(2, False),
        )
        for pair in pairs
    }
    return outcomes, learners


def minimum_count() -> int:
    return settings.PARCOURS_RESULTS_MIN_COUNT


def _period(year: AcademicYear) -> str:
    sessions = list(ExamSession.objects.filter(year=year).order_by("starts_on"))
    if not sessions:
        return year.label
    return (
        f"{year.label}, sessions d'examens du {sessions[0].starts_on:%d/%m/%Y} au "
        f"{sessions[-1].ends_on:%d/%m/%Y}"
    )


def programme_year_results(programme: Programme, year: AcademicYear) -> YearResults:
    """The programme's results of a year: its own rates and each taught UE's."""
    from awards.models import AwardRequest

    minimum = minimum_count()
    outcomes, learners = year_outcomes(year, programme)
    by_learner: dict[str, list[Outcome]] = {str(learner): [] for learner in learners}
    by_unit: dict[int, list[Outcome]] = defaultdict(list)
    for (learner, unit_id), outcome in outcomes.items():
        by_learner[str(learner)].append(outcome)
        by_unit[unit_id].append(outcome)
    regulation = year.regulation
    awarded = {
        str(pk)
        for pk in AwardRequest.objects.filter(
            programme=programme,
            status=AwardRequest.Status.GRANTED,
            decided_on__gte=regulation.first_day,
            decided_on__lte=regulation.last_day,
        ).values_list("learner_id", flat=True)
    }
    units = Unit.objects.filter(pk__in=by_unit).order_by("code")
    return YearResults(
        year=year,
        period=_period(year),
        programme=programme_results(by_learner, awarded, minimum),
        units=tuple((u, unit_results(by_unit[u.pk], minimum)) for u in units),
        minimum=minimum,
    )


def unit_year_results(unit: Unit, year: AcademicYear) -> YearResults | None:
    minimum = minimum_count()
    outcomes, _ = year_outcomes(year, unit=unit)
    if not outcomes:
        return None
    results = unit_results(outcomes.values(), minimum)
    return YearResults(
        year=year,
        period=_period(year),
        programme=programme_results({}, set(), minimum),
        units=((unit, results),),
        minimum=minimum,
    )
