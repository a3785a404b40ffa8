"""The rules core imports nothing from Django (style guide, issue 3)."""

import subprocess
import sys

from rules.tests.conftest import REPO

PROGRAM = """
import importlib, pkgutil, sys
import rules
names = [m.name for m in pkgutil.walk_packages(rules.__path__, "rules.")
         if not m.name.startswith("rules.tests")]
for name in names:
    importlib.import_module(name)
print(len(names))
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] == "django")))
"""


def test_no_module_of_the_rules_core_imports_django():
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True, text=True, check=True
    )
    count, django_modules = done.stdout.splitlines()
    assert int(count) >= 10  # every module was imported, not an empty walk
    assert django_modules == ""
