# ruff: noqa: F401 (pytest fixtures imported from the admissions tests, used by name)
from admissions.tests.conftest import (
    business_date,
    deposited,
    direction,
    draft,
    learner,
    other_learner,
    reception,
    year,
)
