"""R-ORG-4: the BPF's counting in the rules core, on rows written by hand."""

from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rules import bpf
from rules.regulation import load_regulation

DATA = Path(__file__).resolve().parents[2] / "data"
READINGS = load_regulation(DATA / "years" / "2016-2017.toml").bpf


def learner(ref, situation, funding="employer", minutes=60, distance=0, **kw):
    return bpf.LearnerRow(
        ref=ref,
        situation=situation,
        funding=funding,
        validation=kw.get("validation", ""),
        aim=kw.get("aim", "d"),
        specialty=kw.get("specialty", "332"),
        minutes=minutes,
        distance_minutes=distance,
        choice=kw.get("choice", ""),
    )


def compute(payments=(), trainers=(), learners=()):
    return bpf.compute(READINGS, payments, trainers, learners, {"332": "Travail social"})


def test_income_goes_to_its_line_and_an_unknown_scheme_is_listed_not_guessed():
    result = compute(
        payments=[
            bpf.PaymentRow(1, Decimal("100.00"), "learner", "employee"),
            bpf.PaymentRow(2, Decimal("1000.00"), "employer", "cif"),
            bpf.PaymentRow(3, Decimal("500.00"), "employer", "employee"),
            bpf.PaymentRow(4, Decimal("300.00"), "employer", "employee", choice="C1"),
        ]
    )
    lines = {f.key: f for f in result.income}
    assert lines["C9"].amount == Decimal("100.00") and lines["C9"].refs == [1]
    assert lines["C2d"].amount == Decimal("1000.00")
    assert lines["C1"].amount == Decimal("300.00")
    assert result.income_total.amount == Decimal("1400.00")
    assert [(u.kind, u.ref) for u in result.unclassified] == [("payment", 3)]
    assert list(lines) == list(bpf.INCOME_LINES)  # every line of the form, even at 0


def test_learners_by_category_aim_and_specialty_with_their_distance_hours():
    result = compute(
        learners=[
            learner(1, "employee", minutes=120),
            learner(2, "job_seeker", funding="job_seeker", minutes=90, distance=90),
            learner(3, "employee", funding="individual", minutes=30, validation="VAE", aim="a5"),
            learner(4, "alternance", minutes=45),
            learner(5, "alternance", minutes=15, choice="b", aim="a5"),
        ]
    )
    lines = {f.key: f for f in result.learners}
    assert (lines["F1-a"].count, lines["F1-a"].minutes) == (1, 120)
    assert (lines["F1-c"].count, lines["F1-c"].minutes) == (1, 90)
    assert (lines["F1-d"].count, lines["F1-d"].minutes) == (1, 30)
    assert (lines["F1-b"].count, lines["F1-b"].refs) == (1, [5])
    assert (result.learners_total.count, result.learners_total.minutes) == (4, 255)
    assert (result.distance.count, result.distance.minutes) == (1, 90)
    aims = {f.key: f.count for f in result.aims}
    assert aims["F3-d"] == 2 and aims["F3-f"] == 1 and aims["F3-a5"] == 1  # VAE → f
    assert [(s.key, s.count, s.hours) for s in result.specialties] == [
        ("F4-332", 4, Decimal("4.25"))
    ]
    assert [(u.kind, u.ref) for u in result.unclassified] == [("learner", 4)]


def test_trainers_are_internal_by_the_reading_unless_recorded_as_subcontracted():
    result = compute(trainers=[bpf.TrainerRow(7, 180), bpf.TrainerRow(8, 90, choice="external")])
    lines = {f.key: f for f in result.trainers}
    assert (lines["E-internal"].count, lines["E-internal"].hours) == (1, Decimal("3.00"))
    assert (lines["E-external"].count, lines["E-external"].refs) == (1, [8])


def test_the_five_main_specialties_then_the_others():
    rows = [learner(i, "employee", minutes=100 - i, specialty=str(300 + i)) for i in range(7)]
    result = compute(learners=rows)
    assert [s.key for s in result.specialties] == [
        "F4-300",
        "F4-301",
        "F4-302",
        "F4-303",
        "F4-304",
        "F4-autres",
    ]
    assert result.specialties[-1].count == 2


def test_an_rncp_level_maps_to_the_forms_line():
    assert [bpf.aim_of_level(n) for n in (1, 2, 5, 6, 8)] == ["a2", "a2", "a5", "a6", "a6"]


def test_bad_readings_are_named():
    broken = bpf.BpfReadings(
        source="",
        learner_hours="guessed",
        trainer_hours="signed",
        income_by_payer={"learner": "C99"},
        income_by_situation={},
        learner_by_situation={"employee": "z"},
        own_expense="d",
        default_trainer="both",
        validation_aim={},
    )
    problems = " | ".join(bpf.check_readings(broken))
    for part in ("learner_hours", "C99", "learner_by_situation.employee", "default_trainer"):
        assert part in problems


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["employee", "cif", "career_change", "job_seeker", "alternance"]),
            st.sampled_from(["individual", "job_seeker", "employer"]),
            st.integers(0, 600),
            st.sampled_from(["", "VAE"]),
        ),
        max_size=30,
    )
)
def test_every_learner_is_counted_once_or_listed_and_the_sections_agree(rows):
    """F-1, F-3 and F-4 count the same learners (the form's totals must be equal)."""
    learners = [
        learner(i, situation, funding=funding, minutes=minutes + 1, validation=validation)
        for i, (situation, funding, minutes, validation) in enumerate(rows)
    ]
    result = compute(learners=learners)
    counted = result.learners_total.count
    assert counted + len(result.unclassified) == len(learners)
    assert sum(f.count for f in result.aims) == counted
    assert sum(f.count for f in result.specialties) == counted
    assert sum(f.minutes for f in result.aims) == result.learners_total.minutes
