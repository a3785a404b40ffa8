"""Fixtures of the planning tests: the brochure's 2016-2017 planning of Le Port,
generated once per test run (the engine is deterministic for a given problem, so its
solution is reused), and learners with final registrations."""

from __future__ import annotations

import datetime as dt

import pytest

from admissions.models import Dossier, DossierUnit
from admissions.services import semester_of
from admissions.tests.conftest import direction, learner, make_user, other_learner, reception  # noqa: F401
from catalogue.models import AcademicYear, Centre, Programme, Unit
from planning import engine
from timetable import services

TODAY = dt.date(2016, 9, 1)
_solutions: dict = {}


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.PARCOURS_TODAY = TODAY.isoformat()
    return TODAY


@pytest.fixture
def cached_solver(monkeypatch):
    def solve(problem, time_limit_s=10.0, workers=2, seed=0):
        if problem not in _solutions:
            _solutions[problem] = engine.solve(problem, time_limit_s=1, workers=workers)
        return _solutions[problem]

    monkeypatch.setattr(services, "solve", solve)


@pytest.fixture
def year(catalogue):
    return AcademicYear.objects.get(code="2016-2017")


@pytest.fixture
def le_port(catalogue):
    return Centre.objects.get(code="LE-PORT")


@pytest.fixture
def draft_planning(year, le_port, cached_solver):
    return services.generate(year, le_port).planning


@pytest.fixture
def planning(draft_planning):
    return services.publish(draft_planning)


def register(user, year, centre, units: dict[str, bool], status=Dossier.Status.VALIDATED):
    """A dossier in `status` with the given UEs (code → followed at a distance)."""
    dossier = Dossier.objects.create(
        learner=user,
        year=year,
        centre=centre,
        programme=Programme.objects.get(code="CP29"),
        status=status,
    )
    semesters = [s.code for s in year.regulation.semesters]
    for code, foad in units.items():
        unit = Unit.objects.get(code=code)
        semester = semester_of(unit, semesters)  # an annual UE is registered with S1
        DossierUnit.objects.create(dossier=dossier, unit=unit, semester=semester, foad=foad)
    return dossier
