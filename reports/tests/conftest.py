from teaching.tests.conftest import *  # noqa: F403 -- the planning, groups and users
from teaching.tests.test_delivery import at  # noqa: F401
