"""The rule ids of the brochure (docs/brochure-rules.md), so data and explanations
can be checked to cite rules that exist."""

import re
from functools import cache
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parent.parent / "docs" / "brochure-rules.md"
RULE_ID = re.compile(r"R-[A-Z]{3}-\d+")


@cache
def rule_ids() -> frozenset[str]:
    """Every rule id defined in the spec (a line starting with the id)."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    return frozenset(re.findall(r"^(R-[A-Z]{3}-\d+)", text, flags=re.MULTILINE))


def cited_ids(citation: str) -> list[str]:
    """The ids in a citation such as "R-FEE-1, R-REG-4"."""
    return RULE_ID.findall(citation)


def unknown_ids(citation: str) -> list[str]:
    known = rule_ids()
    return [rule_id for rule_id in cited_ids(citation) if rule_id not in known]


# The rules the pure-Python rules core implements (rules/fees.py, withdrawal.py,
# registration.py, exams.py, ledger.py, awards.py); each has cases in rules/cases/.
CORE_RULE_IDS = frozenset(
    {
        "R-FEE-1", "R-FEE-2", "R-FEE-3", "R-FEE-4", "R-FEE-5",
        "R-REG-4", "R-REG-5", "R-REG-6", "R-REG-7", "R-REG-8",
        "R-EXA-2", "R-EXA-3", "R-EXA-4",
        "R-EXP-1", "R-EXP-2",
        "R-AWD-1", "R-AWD-2", "R-AWD-3",
    }
)  # fmt: skip
