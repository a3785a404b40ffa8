# ruff: noqa: F811 (pytest fixtures imported from the planning tests, then used by name)
"""The planning fixtures (Le Port's published 2016-2017 planning), the users, the
year's exam sessions and a cohort of AST004 with its attendance."""

import datetime as dt

import pytest

from admissions.tests.conftest import make_user
from assessment import services
from teaching import services as teaching
from teaching.models import TeachingGroup
from timetable.services import LOCAL
from timetable.tests.conftest import (  # noqa: F401
    cached_solver,
    direction,
    draft_planning,
    le_port,
    learner,
    other_learner,
    planning,
    reception,
    register,
    year,
)

END_OF_S1 = dt.date(2017, 2, 13)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.PARCOURS_TODAY = END_OF_S1.isoformat()
    return END_OF_S1


@pytest.fixture
def sessions(year):
    return {(s.number, s.semester): s for s in services.ensure_exam_sessions(year)}


@pytest.fixture
def s1(sessions):
    return sessions[1, "S1"]


@pytest.fixture
def ast004(planning, year, reception):
    teaching.ensure_groups(year)
    return TeachingGroup.objects.get(unit__code="AST004", centre__code="LE-PORT")


@pytest.fixture
def cohort(ast004, learner, other_learner, year, le_port, reception):
    """Léa attended AST004 twice, the other learner once (R-EXA-3 needs 2)."""
    register(learner, year, le_port, {"AST004": False})
    register(other_learner, year, le_port, {"AST004": False})
    held = list(
        teaching.group_sessions(ast004)
        .filter(starts_at__lt=dt.datetime.combine(END_OF_S1, dt.time.min, LOCAL))
        .order_by("starts_at")
    )
    teaching.record_attendance(held[0], {learner.pk, other_learner.pk}, reception)
    teaching.record_attendance(held[1], {learner.pk}, reception)
    return learner, other_learner


@pytest.fixture
def teacher(db, django_user_model, ast004):
    """The teacher of AST004 in Le Port."""
    user = make_user(django_user_model, "prof@example.re", "teacher")
    teaching.assign_teachers(ast004, [user])
    return user
