"""The decisions called directly, as the Django side calls them; the readings of the
brochure are parameters of the year (dataclasses.replace on its thresholds)."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from rules.awards import AwardRequest, award_status
from rules.exams import ExamRequest, exam_right
from rules.explain import InputError, add_years
from rules.fees import QuoteRequest, quote
from rules.ledger import Attempt, unit_ledger
from rules.registration import registration_open
from rules.withdrawal import CancellationRequest, cancel


def with_thresholds(year, **changes):
    return replace(year, thresholds=replace(year.thresholds, **changes))


def test_the_issues_job_seeker_in_category_two_pays_262_euros(year_2016, data_catalogue):
    """R-FEE-1: 18 + 100 + 18 ECTS × 8 €."""
    request = QuoteRequest("job_seeker", ("TET003", "AST004", "CCE001"), job_seeker_category=2)
    assert quote(year_2016, data_catalogue, request).total == Decimal("262.00")


def test_a_mark_of_exactly_ten_validates_the_unit(data_catalogue):
    """R-EXA-4."""
    ledger = unit_ledger(
        data_catalogue, (Attempt("CCE001", dt.date(2017, 2, 24), "2016-2017", 1, Decimal("10")),)
    )
    assert ledger.validated() == {"CCE001": dt.date(2017, 2, 24)}


def test_a_mark_of_nine_ninety_nine_does_not_validate_the_unit(data_catalogue):
    """R-EXA-4."""
    ledger = unit_ledger(
        data_catalogue, (Attempt("CCE001", dt.date(2017, 2, 24), "2016-2017", 1, Decimal("9.99")),)
    )
    assert ledger.validated() == {}


def test_day_ten_after_deposit_refunds_everything_and_day_eleven_does_not(year_2016):
    """R-REG-7, R-REG-8."""
    deposit = dt.date(2016, 9, 1)
    day_ten = cancel(year_2016, CancellationRequest(deposit, dt.date(2016, 9, 11), Decimal(262)))
    day_eleven = cancel(year_2016, CancellationRequest(deposit, dt.date(2016, 9, 12), Decimal(262)))
    assert (day_ten.outcome, day_ten.refund) == ("withdrawal", Decimal("262.00"))
    assert (day_eleven.outcome, day_eleven.refund) == ("refused", Decimal("0.00"))


def test_the_withdrawal_period_is_the_years_parameter(year_2016):
    """R-REG-7 (reading): a year with 14 days keeps day 11 inside."""
    year = with_thresholds(year_2016, withdrawal_days=14)
    request = CancellationRequest(dt.date(2016, 9, 1), dt.date(2016, 9, 12), Decimal(262))
    assert cancel(year, request).outcome == "withdrawal"


def test_termination_is_pro_rata_of_days_when_the_year_says_so(year_2016):
    """R-REG-8 (reading): basis "days" instead of "sessions"."""
    year = with_thresholds(year_2016, termination_basis="days")
    request = CancellationRequest(
        dt.date(2016, 9, 1), dt.date(2016, 10, 1), Decimal(598), True, True,
        letter_date=dt.date(2016, 10, 1), letter_reference="RAR-1",
        training_starts=dt.date(2016, 9, 1), training_ends=dt.date(2016, 11, 29),
    )  # fmt: skip
    result = cancel(year, request)
    assert result.delivered == Decimal("0.3333")
    assert result.owed == Decimal("278.00")  # 118 + 480 × 30 / 90


def test_the_whole_year_reading_counts_an_annual_units_attendances_over_the_year(
    year_2016, data_catalogue
):
    """R-EXA-3 (reading): "each_semester" refuses 3 + 1, "whole_year" accepts them."""
    request = ExamRequest("TET003", True, {"S1": 3, "S2": 1})
    assert not exam_right(year_2016, data_catalogue, request).allowed
    whole_year = with_thresholds(year_2016, attendance_annual_unit="whole_year")
    assert exam_right(whole_year, data_catalogue, request).allowed


def test_the_registration_deadline_day_is_open_and_the_next_day_is_not(year_2016):
    """R-REG-6."""
    deadline = year_2016.semester("S1").registration_deadline
    assert registration_open(year_2016, "S1", deadline).open
    refused = registration_open(year_2016, "S1", deadline + dt.timedelta(days=1))
    assert not refused.open
    assert deadline.strftime("%d/%m/%Y") in refused.reasons[0].message


def test_seventeen_months_of_experience_miss_and_eighteen_do_not(year_2016, data_catalogue):
    """R-EXP-2."""

    def missing(months):
        request = AwardRequest("CPN42", dt.date(2017, 9, 15), {}, "bac", Decimal(months), True)
        return {m.item for m in award_status(year_2016, data_catalogue, request).missing}

    assert "experience" in missing(17)
    assert "experience" not in missing(18)


def test_cpn42_progress_is_counted_over_its_declared_ects(year_2016, data_catalogue):
    """R-AWD-2, R-CAT-6: 120 declared although its units sum to 118."""
    request = AwardRequest("CPN42", dt.date(2017, 9, 15), {"TET003": dt.date(2017, 7, 7)})
    status = award_status(year_2016, data_catalogue, request)
    assert (status.ects_earned, status.ects_required) == (8, 120)


def test_a_first_validation_on_29_february_gives_a_deadline_on_28_february():
    """R-AWD-1: the period in years, on a day that does not come back."""
    assert add_years(dt.date(2028, 2, 29), 4) == dt.date(2032, 2, 29)
    assert add_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)


def test_an_input_error_names_its_field(year_2016, data_catalogue):
    """R-FEE-1: job-seeker categories are those of the year's tariffs."""
    with pytest.raises(InputError) as error:
        quote(
            year_2016,
            data_catalogue,
            QuoteRequest("job_seeker", ("TET003",), job_seeker_category=9),
        )
    assert error.value.field == "job_seeker_category"
