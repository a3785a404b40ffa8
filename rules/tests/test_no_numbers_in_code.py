"""No brochure value is written in Python: prices, thresholds and periods come from the
year's data file (style guide: "formulas contain no numbers")."""

import ast
import tomllib
from decimal import Decimal

from rules.tests.conftest import DATA, REPO

# Structure, not brochure values: the eight job-seeker categories the loader checks are
# all priced, the indentation of the command line's JSON, and a percentage's hundred.
# (bpf.py, 60): minutes per hour; bpf.py's 2 and 6: the form's lowest and highest RNCP lines.
ALLOWED = {
    ("regulation.py", 8),
    ("__main__.py", 2),
    ("results.py", 100),
    ("bpf.py", 60),
    ("bpf.py", 2),
    ("bpf.py", 6),
}


def brochure_values() -> set[Decimal]:
    """Every number of the tariffs and thresholds of 2016-2017, except 0 and 1."""
    with (DATA / "years" / "2016-2017.toml").open("rb") as handle:
        year = tomllib.load(handle, parse_float=Decimal)
    found: set[Decimal] = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list) and key != "categories":
            for item in value:
                walk(item, key)
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            found.add(Decimal(value))

    walk(year["tariffs"])
    walk(year["thresholds"])
    return found - {Decimal(0), Decimal(1)}


def test_no_brochure_number_is_written_in_the_rules_code():
    values = brochure_values()
    assert Decimal(118) not in values and Decimal(262) not in values  # sums, checked below
    values |= {Decimal(118), Decimal(262)}
    offenders = []
    for path in sorted((REPO / "rules").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, int | float)
                and not isinstance(node.value, bool)
                and Decimal(str(node.value)) in values
                and (path.name, node.value) not in ALLOWED
            ):
                offenders.append(f"{path.name}:{node.lineno} {node.value}")
    assert offenders == []


def test_no_academic_year_is_assumed_in_the_rules_code():
    for path in sorted((REPO / "rules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        strings = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
        ]
        assert not [s for s in strings if "2016" in s or "2017" in s], path.name
