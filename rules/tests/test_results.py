"""Published results (R-ORG-5): rates computed by hand on small cohorts, with the count
behind each and none under the minimum count."""

from __future__ import annotations

from decimal import Decimal

from rules.results import Outcome, programme_results, rate, unit_results


def test_a_rate_is_withheld_under_the_minimum_count():
    assert rate(2, 3, minimum=10).percent is None and rate(2, 3, minimum=10).of == 3
    assert rate(2, 3, minimum=3).percent == Decimal(67)  # 66.67 rounded half up
    assert rate(0, 0, minimum=0).percent is None  # no rate over nobody


def test_a_ues_rates_by_hand():
    """R-ORG-5: 6 candidates — A validates in session 1; B fails session 1 and validates
    session 2; C fails both; D is absent at session 1 and validates session 2; E and F
    sit nothing (drop-outs)."""
    outcomes = [
        Outcome("A", sat_1=True, validated_1=True),
        Outcome("B", sat_1=True, sat_2=True, validated_2=True),
        Outcome("C", sat_1=True, sat_2=True),
        Outcome("D", sat_2=True, validated_2=True),
        Outcome("E"),
        Outcome("F"),
    ]
    results = unit_results(outcomes, minimum=3)
    assert results.candidates == 6
    assert (results.pass_session_1.count, results.pass_session_1.of) == (1, 3)
    assert results.pass_session_1.percent == Decimal(33)
    assert (results.pass_after_session_2.count, results.pass_after_session_2.of) == (3, 4)
    assert results.pass_after_session_2.percent == Decimal(75)
    assert (results.dropout.count, results.dropout.of, results.dropout.percent) == (
        2,
        6,
        Decimal(33),
    )
    assert unit_results(outcomes, minimum=10).pass_after_session_2.percent is None


def test_a_programmes_rates_by_hand():
    """R-ORG-5: 4 candidates; X sat two UEs and validated one, Y validated one, Z sat
    nothing, W has no examined UE; Y was granted the award."""
    by_learner = {
        "X": [Outcome("X", sat_1=True, validated_1=True), Outcome("X", sat_1=True)],
        "Y": [Outcome("Y", sat_1=True, validated_1=True)],
        "Z": [Outcome("Z")],
        "W": [],
    }
    results = programme_results(by_learner, awarded={"Y", "someone-else"}, minimum=2)
    assert results.candidates == 4
    assert (results.pass_after_session_2.count, results.pass_after_session_2.of) == (2, 3)
    assert results.pass_after_session_2.percent == Decimal(67)
    assert (results.dropout.count, results.dropout.of, results.dropout.percent) == (
        2,
        4,
        Decimal(50),
    )
    assert (results.awarded.count, results.awarded.of, results.awarded.percent) == (
        1,
        4,
        Decimal(25),
    )
