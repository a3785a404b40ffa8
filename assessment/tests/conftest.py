"""The planning fixtures (Le Port's published 2016-2017 planning) and the users."""

from timetable.tests.conftest import (  # noqa: F401
    cached_solver,
    direction,
    draft_planning,
    le_port,
    learner,
    other_learner,
    planning,
    reception,
    year,
)
