"""Issue 19, item 7: the apps' services form layers — a lower app's services never
import an upper app (they tell it through a signal: admissions.signals,
assessment.signals, heard by awards.receivers). Lazy imports inside a function count."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lowest first: each app may use the ones before it.
LAYERS = ["catalogue", "admissions", "timetable", "teaching", "assessment", "awards", "reports"]


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_no_lower_service_imports_an_upper_app():
    upward = []
    for index, app in enumerate(LAYERS):
        for module in ("services.py", "signals.py", "models.py"):
            path = ROOT / app / module
            if path.exists():
                above = _imported(path) & set(LAYERS[index + 1 :])
                upward += [f"{app}/{module} → {name}" for name in sorted(above)]
    assert upward == []


def test_the_ledger_listens_to_the_signals_that_replaced_the_calls():
    """Each signal has its receiver once the apps are ready (the behaviour itself is
    proved by the awards and assessment tests: VAE opened, credits synced)."""
    from admissions.signals import registration_validated
    from assessment.signals import jury_dates_changed, jury_marks_changed

    for signal in (registration_validated, jury_marks_changed, jury_dates_changed):
        assert signal.has_listeners()
