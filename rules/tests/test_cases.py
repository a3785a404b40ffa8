"""The brochure's cases, written as data in rules/cases/*.toml, run by one test; and the
proof that every rule the rules core is responsible for has several of them."""

from collections import Counter
from pathlib import Path

import pytest

from rules.cases import CaseError, differences, evaluate, load_cases
from rules.spec import CORE_RULE_IDS, rule_ids
from rules.tests.conftest import CASES

ALL_CASES = [(path, case) for path in sorted(CASES.glob("*.toml")) for case in load_cases(path)]
MINIMUM_CASES_PER_RULE = 2


def run(case, data_catalogue):
    try:
        return evaluate(case, data_catalogue), ""
    except CaseError as error:
        return None, str(error)


@pytest.mark.parametrize(
    ("path", "case"), ALL_CASES, ids=[f"{Path(p).stem}-{c.index}" for p, c in ALL_CASES]
)
def test_the_brochure_case_gives_the_expected_answer(path, case, data_catalogue):
    outcome, error = run(case, data_catalogue)
    assert differences(case, outcome, error) == [], f"{path.name}, cas {case.index} : {case.name}"


def test_there_are_at_least_eighty_cases():
    assert len(ALL_CASES) >= 80


def test_every_case_has_a_name_a_rule_of_the_spec_and_an_expected_output():
    for path, case in ALL_CASES:
        assert case.rule in rule_ids(), f"{path.name}, cas {case.index} : règle « {case.rule} »"
        assert case.expected, f"{path.name}, cas {case.index} : [case.expected] manquant"


def test_the_rules_core_is_responsible_for_rules_that_exist_in_the_spec():
    assert rule_ids() >= CORE_RULE_IDS
    families = {rule_id for rule_id in rule_ids() if rule_id[:5] in ("R-FEE", "R-EXP", "R-AWD")}
    assert families <= CORE_RULE_IDS, "a new R-FEE, R-EXP or R-AWD rule needs the rules core"


def test_every_rule_of_the_rules_core_has_several_cases():
    counts = Counter(case.rule for _, case in ALL_CASES)
    thin = {
        rule_id: counts[rule_id]
        for rule_id in CORE_RULE_IDS
        if counts[rule_id] < MINIMUM_CASES_PER_RULE
    }
    assert thin == {}


def test_every_explanation_of_every_case_cites_a_rule_of_the_spec(data_catalogue):
    known = rule_ids()
    for _, case in ALL_CASES:
        outcome, _ = run(case, data_catalogue)
        if outcome:
            assert {reason["rule_id"] for reason in outcome["explanation"]} <= known
            for missing in outcome["result"].get("missing", []):
                assert missing["rule_id"] in known
