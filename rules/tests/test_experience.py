"""Experience and internships in months from dates (R-EXP-1, R-EXP-2), and where a UE
can next be taken (R-REG-6)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.experience import Period, experience_for, months_between, total_months
from rules.explain import InputError
from rules.registration import next_offering

days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))


@pytest.mark.parametrize(
    "start,end,months",
    [
        (dt.date(2016, 1, 1), dt.date(2016, 6, 30), "6"),
        (dt.date(2016, 5, 2), dt.date(2016, 6, 16), "1.5"),  # 1 month + 15 of 30 days
        (dt.date(2016, 1, 15), dt.date(2016, 2, 14), "1"),
        (dt.date(2016, 1, 1), dt.date(2016, 1, 1), "0.03"),  # one day of 31, rounded down
        (dt.date(2015, 7, 1), dt.date(2016, 12, 31), "18"),
    ],
)
def test_months_are_calendar_months(start, end, months):
    """R-EXP-2: 18 months from 01/07/2015 to 31/12/2016, whatever the months' lengths."""
    assert months_between(start, end) == Decimal(months)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(InputError, match="précède"):
        months_between(dt.date(2016, 2, 1), dt.date(2016, 1, 1))


@given(days, days, days)
def test_a_period_split_in_two_is_never_more_than_whole(a, b, c):
    start, middle, end = sorted((a, b, c))
    whole = months_between(start, end)
    left = months_between(start, middle)
    right = months_between(middle + dt.timedelta(days=1), end) if middle < end else Decimal(0)
    # A partial month counts against its own month's length (28 to 31 days): a split
    # falling in a short month may add up to 1 - 28/31 ≈ 0.1 month, never more
    # (hypothesis found 13.64 + 10.45 over 24.03 for a split on 18/02/2001).
    assert left + right <= whole + Decimal("0.11")
    assert left <= whole and right <= whole


@given(days, days, days, days)
def test_overlapping_periods_count_once(a, b, c, d):
    """Two jobs at the same time are not twice the experience. Adjacent periods merge
    into one span counted in calendar months, whose day fractions are of other months
    (1 day of January is 1/31, of February 1/29) and rounded down once instead of
    twice: the span may exceed the parts' sum by a few hundredths, never more."""
    first = Period("experience", "information", *sorted((a, b)))
    second = Period("experience", "other", *sorted((c, d)))
    both = total_months([first, second])
    assert both <= total_months([first]) + total_months([second]) + Decimal("0.05")
    assert both >= max(total_months([first]), total_months([second]))
    assert total_months([first, first]) == total_months([first])


def test_cp29_field_experience_spares_the_internship(data_catalogue, year_2016):
    """R-EXP-1: any time in information, reception, guidance (or accompaniment, a
    reading kept in the programme's data) counts as field experience for CP29."""
    cp29 = data_catalogue.programme("CP29")
    job = Period("experience", "accompaniment", dt.date(2016, 1, 1), dt.date(2016, 1, 31))
    assert experience_for(year_2016, cp29, [job]).experience_in_field
    other = Period("experience", "other", dt.date(2010, 1, 1), dt.date(2016, 1, 31))
    assert not experience_for(year_2016, cp29, [other]).experience_in_field


def test_cpn42_field_experience_is_18_months_in_accompaniment(data_catalogue, year_2016):
    """R-EXP-2: experience outside accompaniment needs the 3-month internship."""
    cpn42 = data_catalogue.programme("CPN42")
    mixed = [
        Period("experience", "accompaniment", dt.date(2015, 1, 1), dt.date(2015, 12, 31)),
        Period("experience", "information", dt.date(2016, 1, 1), dt.date(2016, 12, 31)),
        Period("internship", "accompaniment", dt.date(2014, 1, 1), dt.date(2014, 2, 28)),
    ]
    result = experience_for(year_2016, cpn42, mixed)
    assert result.experience_months == Decimal(24)
    assert result.field_months == Decimal(12) and not result.experience_in_field
    assert result.internship_months == Decimal(2)
    assert result.reasons[0].rule_id == "R-EXP-2"


def test_a_bad_period_names_its_field(data_catalogue, year_2016):
    cp29 = data_catalogue.programme("CP29")
    bad = Period("experience", "cuisine", dt.date(2016, 1, 1), dt.date(2016, 1, 31))
    with pytest.raises(InputError) as error:
        experience_for(year_2016, cp29, [bad])
    assert error.value.field == "periods[0].field"


def test_next_offering_is_the_first_open_semester(year_2016):
    """R-REG-6: S1 until 31/10/2016, S2 until 31/03/2017; an annual UE with S1."""
    s2 = next_offering((year_2016,), "S2", dt.date(2017, 3, 1))
    assert (s2.semester, s2.deadline) == ("S2", dt.date(2017, 3, 31))
    assert next_offering((year_2016,), "S1", dt.date(2017, 3, 1)) is None  # next year unknown
    annual = next_offering((year_2016,), "annual", dt.date(2016, 9, 1))
    assert (annual.semester, annual.deadline) == ("S1", dt.date(2016, 10, 31))
    assert next_offering((year_2016,), "", dt.date(2016, 9, 1)) is None  # activity unit
