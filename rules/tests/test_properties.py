"""Properties that hold for any input (hypothesis): quotes add up and grow with the UEs
chosen (R-FEE-5), capitalisation is for life (R-EXA-4), award status is monotonic
(R-AWD-3), and every explanation cites a rule of the spec."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.awards import AwardRequest, award_status
from rules.catalogue import load_catalogue
from rules.fees import FUNDINGS, VALIDATIONS, QuoteRequest, quote
from rules.ledger import Attempt, unit_ledger
from rules.spec import rule_ids
from rules.tests.conftest import DATA

CATALOGUE = load_catalogue(DATA)
YEAR = CATALOGUE.year("2016-2017")
CODES = [u.code for u in CATALOGUE.units]
TAUGHT = [u.code for u in CATALOGUE.units if not u.is_activity]
KNOWN = rule_ids()

cents = st.decimals(min_value=0, max_value=500, places=2)
fractions = st.decimals(min_value=0, max_value=1, places=4)


@st.composite
def quote_requests(draw, extra_room=False):
    """Any valid quote request; with `extra_room`, at least one UE stays unchosen."""
    pool = draw(st.permutations(TAUGHT))
    if extra_room:
        pool = pool[1:]
    chosen = draw(st.integers(0, len(pool)))
    split = draw(st.integers(0, chosen))
    return QuoteRequest(
        funding=draw(st.sampled_from(FUNDINGS)),
        units=tuple(pool[:split]),
        foad_units=tuple(pool[split:chosen]),
        first_registration=draw(st.booleans()),
        registration_right_paid=draw(st.booleans()),
        experience_report=draw(st.booleans()),
        validation=draw(st.sampled_from(("", *VALIDATIONS))),
        job_seeker_category=draw(st.integers(1, 8)),
        direction_approved=draw(st.booleans()),
        employer_per_ects=draw(st.none() | cents),
        employer_share=draw(fractions),
    )


@given(quote_requests())
def test_a_quotes_total_is_the_sum_of_its_lines_and_of_the_payers_shares(request):
    result = quote(YEAR, CATALOGUE, request)
    assert result.total == sum(line.amount for line in result.lines)
    assert result.total == sum(share.amount for share in result.shares)
    assert all(share.amount >= 0 for share in result.shares)
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in result.lines)


@given(quote_requests(extra_room=True), st.booleans(), st.data())
def test_adding_a_unit_never_lowers_a_quote(request, at_a_distance, data):
    taken = set(request.units) | set(request.foad_units)
    extra = data.draw(st.sampled_from([code for code in TAUGHT if code not in taken]))
    if at_a_distance:
        bigger = QuoteRequest(**{**request.__dict__, "foad_units": (*request.foad_units, extra)})
    else:
        bigger = QuoteRequest(**{**request.__dict__, "units": (*request.units, extra)})
    assert quote(YEAR, CATALOGUE, bigger).total >= quote(YEAR, CATALOGUE, request).total


@given(quote_requests())
def test_every_quote_explanation_cites_a_rule_of_the_spec(request):
    result = quote(YEAR, CATALOGUE, request)
    assert {reason.rule_id for reason in result.reasons} <= KNOWN
    assert {line.rule_id for line in result.lines} <= KNOWN


days_of_the_year = st.dates(min_value=YEAR.first_day, max_value=YEAR.last_day)
marks = st.decimals(min_value=0, max_value=20, places=2)
attempts = st.builds(
    Attempt,
    unit=st.sampled_from(CODES),
    on=days_of_the_year,
    year=st.just(YEAR.code),
    session=st.integers(1, 2),
    mark=marks,
)


@given(st.lists(attempts, max_size=12), marks, st.sampled_from(CODES))
def test_a_validated_unit_never_becomes_unvalidated_by_a_later_attempt(history, mark, code):
    before = unit_ledger(CATALOGUE, tuple(history))
    later = Attempt(code, YEAR.last_day, YEAR.code, 2, mark)
    after = unit_ledger(CATALOGUE, (*history, later))
    for unit in before.units:
        if unit.validated:
            assert unit in after.units
    assert after.ects >= before.ects
    assert {reason.rule_id for reason in after.reasons} <= KNOWN


# Validation dates and request dates within the certificate period of any of them, so
# that the first validation never moves the request period (R-AWD-1) into the past.
validation_days = st.dates(min_value=dt.date(2016, 9, 1), max_value=dt.date(2017, 9, 9))
request_days = st.dates(min_value=dt.date(2017, 9, 10), max_value=dt.date(2020, 8, 31))


@settings(max_examples=200)
@given(
    st.sampled_from(["CP29", "CPN42"]),
    st.dictionaries(st.sampled_from(CODES), validation_days),
    st.sampled_from(CODES),
    validation_days,
    request_days,
    st.sampled_from(["none", "bac", "vae"]),
    st.decimals(min_value=0, max_value=30, places=1),
    st.booleans(),
    st.decimals(min_value=0, max_value=6, places=1),
)
def test_award_status_never_misses_more_when_a_unit_is_added(
    programme, validated, added, added_on, on, access, experience, in_field, internship
):
    def status(units):
        return award_status(
            YEAR,
            CATALOGUE,
            AwardRequest(programme, on, units, access, experience, in_field, internship),
        )

    before, after = status(validated), status({**validated, added: added_on, **validated})
    assert {m.item for m in after.missing} <= {m.item for m in before.missing}
    assert after.ects_earned >= before.ects_earned
    assert after.eligible or not before.eligible
    assert {r.rule_id for r in after.reasons} | {m.rule_id for m in after.missing} <= KNOWN
