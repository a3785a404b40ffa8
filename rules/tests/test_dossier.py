"""The dossier's pieces (R-REG-2) and what is missing at deposit (R-REG-3)."""

import datetime as dt

import pytest

from rules.dossier import Situation, checklist, missing_for_deposit, recent_enough
from rules.explain import InputError

EMPLOYEE = Situation(situation="employee", nationality="french", funding="individual")


def statuses(year, situation):
    return {piece.code: piece.status for piece in checklist(year, situation)}


def test_employee_paying_individual(year_2016):
    """R-REG-2: everyone's pieces are required; the employment proofs and the payment
    apply; the job-seeker certificate, residence permit and employer pieces do not."""
    got = statuses(year_2016, EMPLOYEE)
    assert got["cv"] == got["cover_letter"] == got["photos"] == "required"
    assert got["employment_certificate"] == got["payslip"] == "conditional"
    assert got["identity"] == got["payment"] == "conditional"
    for code in (
        "job_seeker_certificate",
        "residence_permit",
        "other_centre_units",
        "employer_funding_certificate",
        "individual_rate_cheques",
    ):
        assert got[code] == "not_applicable", code


def test_foreign_job_seeker_declaring_other_units(year_2016):
    """R-REG-2 items 4, 6 and 8: a foreign job seeker gives the residence permit and
    a recent Pôle emploi certificate; declared UEs from other centres need their proof."""
    situation = Situation(
        situation="job_seeker",
        nationality="foreign",
        funding="job_seeker",
        declares_units_from_other_centres=True,
    )
    got = statuses(year_2016, situation)
    assert got["residence_permit"] == "conditional"
    assert got["identity"] == "not_applicable"
    assert got["job_seeker_certificate"] == "conditional"
    assert got["payslip"] == "not_applicable"
    assert got["other_centre_units"] == "conditional"
    piece = next(p for p in checklist(year_2016, situation) if p.code == "job_seeker_certificate")
    assert piece.max_age_days == 15
    assert "moins de 15 jours" in piece.reason.message


def test_unsigned_employer_certificate_requires_cheques(year_2016):
    """R-REG-2 item 9: employer funding replaces the payment by the employer's
    certificate; unsigned, cheques at the individual rate are required."""
    signed = Situation("employee", "eu", "employer", employer_certificate_signed=True)
    unsigned = Situation("employee", "eu", "employer", employer_certificate_signed=False)
    assert statuses(year_2016, signed)["employer_funding_certificate"] == "conditional"
    assert statuses(year_2016, signed)["payment"] == "not_applicable"
    assert statuses(year_2016, signed)["individual_rate_cheques"] == "not_applicable"
    assert statuses(year_2016, unsigned)["individual_rate_cheques"] == "conditional"


def test_missing_reports_one_line_per_group(year_2016):
    """R-REG-3: the applicant is told what is missing; one of the alternatives of a
    group (employment certificate or payslip) is enough."""
    pieces = checklist(year_2016, EMPLOYEE)
    missing = {p.code for p in missing_for_deposit(pieces, set())}
    assert "employment_certificate" in missing
    assert "payslip" not in missing  # same group, reported once
    assert "residence_permit" not in missing
    provided = {"cv", "cover_letter", "diplomas", "payslip", "social_security", "identity"}
    provided |= {"photos"}
    assert [p.code for p in missing_for_deposit(pieces, provided)] == ["payment"]
    assert missing_for_deposit(pieces, provided | {"payment"}) == ()


def test_job_seeker_certificate_must_be_recent(year_2016):
    """R-REG-2: the Pôle emploi certificate is less than 15 days old at deposit."""
    situation = Situation("job_seeker", "french", "job_seeker")
    piece = next(p for p in checklist(year_2016, situation) if p.code == "job_seeker_certificate")
    deposit = dt.date(2016, 9, 20)
    assert recent_enough(year_2016, piece, dt.date(2016, 9, 6), deposit) is None  # 14 days
    too_old = recent_enough(year_2016, piece, dt.date(2016, 9, 5), deposit)  # 15 days
    assert too_old is not None and too_old.rule_id == "R-REG-2"
    assert "moins de 15 jours" in too_old.message
    assert recent_enough(year_2016, piece, None, deposit) is not None
    assert recent_enough(year_2016, piece, dt.date(2016, 9, 21), deposit) is not None
    cv = next(p for p in checklist(year_2016, situation) if p.code == "cv")
    assert recent_enough(year_2016, cv, None, deposit) is None  # undated pieces


@pytest.mark.parametrize(
    ("field", "situation"),
    [
        ("situation", Situation("retired", "french", "individual")),
        ("nationality", Situation("employee", "martian", "individual")),
        ("funding", Situation("employee", "french", "lottery")),
        ("funding", Situation("employee", "french", "job_seeker")),
    ],
)
def test_bad_situation_names_the_field(year_2016, field, situation):
    with pytest.raises(InputError) as error:
        checklist(year_2016, situation)
    assert error.value.field == field


def test_every_condition_the_data_may_use_is_explained():
    from rules.dossier import CONDITIONS
    from rules.regulation import DOCUMENT_CONDITIONS

    assert set(CONDITIONS) == set(DOCUMENT_CONDITIONS)
