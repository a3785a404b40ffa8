"""The planning fixtures (Le Port's published 2016-2017 planning) and the users."""

from teaching.tests.test_teaching import (  # noqa: F401 -- shared with test_signing
    ast004,
    class_of,
    groups,
    other_teacher,
    teacher,
)
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
