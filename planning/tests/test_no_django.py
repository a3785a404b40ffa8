"""The planning engine imports nothing from Django, like the rules core: Django apps
call it; it never calls them."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROGRAM = """
import importlib, pkgutil, sys
import planning
names = [m.name for m in pkgutil.walk_packages(planning.__path__, "planning.")
         if not m.name.startswith("planning.tests")]
for name in names:
    importlib.import_module(name)
print(len(names))
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] == "django")))
"""


def test_no_module_of_the_planning_engine_imports_django():
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True, text=True, check=True
    )
    count, django_modules = done.stdout.splitlines()
    assert int(count) >= 1
    assert django_modules == ""
