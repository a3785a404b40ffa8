"""Another year without code: a fictitious 2031-2032 regulation, with other prices,
dates and readings, changes the answers and nothing in Python."""

import shutil

import pytest

from rules.cases import differences, evaluate, load_cases
from rules.catalogue import load_catalogue
from rules.fees import QuoteRequest, quote
from rules.registration import registration_open
from rules.tests.conftest import DATA, FIXTURES

CASES = load_cases(FIXTURES / "cases-2031-2032.toml")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    data = tmp_path_factory.mktemp("two-years") / "data"
    shutil.copytree(DATA, data)
    shutil.copy(FIXTURES / "years" / "2031-2032.toml", data / "years")
    return load_catalogue(data)


@pytest.mark.parametrize("case", CASES, ids=[f"2031-2032-{c.index}" for c in CASES])
def test_a_case_of_the_later_year_follows_that_years_data(case, two_years):
    assert differences(case, evaluate(case, two_years)) == [], case.name


def test_the_same_quote_differs_between_the_two_years(two_years):
    request = QuoteRequest(
        funding="job_seeker", job_seeker_category=2, units=("TET003", "AST004", "CCE001")
    )
    totals = {y.code: quote(y, two_years, request).total for y in two_years.years}
    assert {code: str(total) for code, total in totals.items()} == {
        "2016-2017": "262.00",
        "2031-2032": "355.00",
    }


def test_the_same_day_of_the_year_is_open_in_one_year_and_closed_in_the_other(two_years):
    old, new = two_years.year("2016-2017"), two_years.year("2031-2032")
    assert registration_open(old, "S1", old.semester("S1").registration_deadline).open
    later = new.semester("S1").registration_deadline.replace(day=31)
    assert not registration_open(new, "S1", later).open
