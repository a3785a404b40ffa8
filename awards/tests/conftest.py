# ruff: noqa: F811 (pytest fixtures imported from the admissions and planning tests)
"""A learner with a final registration in Le Port, reception and direction, and helpers
to put UEs in the ledger and periods of experience."""

import datetime as dt

import pytest

from admissions.tests.conftest import (  # noqa: F401
    direction,
    learner,
    other_learner,
    pdf_file,
    reception,
)
from awards import services
from awards.models import Credit, ExperiencePeriod
from catalogue.models import Unit
from timetable.tests.conftest import le_port, register, year  # noqa: F401

TODAY = dt.date(2017, 3, 1)  # S2 registration still open (31/03/2017)
CP29_UNITS = ("TET003", "AST004", "CCE001", "TRS001", "TET007", "TET099")


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.PARCOURS_TODAY = TODAY.isoformat()
    return TODAY


@pytest.fixture(autouse=True)
def loaded(catalogue):
    """The brochure's catalogue and year, as `make run` loads them."""
    return catalogue


@pytest.fixture
def enrolled(learner, year, le_port):
    """Léa's final registration of 2016-2017 (CP29), with a name on the dossier."""
    dossier = register(learner, year, le_port, {"AST004": False, "TET003": False})
    dossier.first_name, dossier.last_name = "Léa", "Payet"
    dossier.save()
    return dossier


def earn(learner, *codes, on=dt.date(2017, 2, 10), way=Credit.Way.EQUIVALENCE, by=None):
    """UEs earned, written as a staff decision would (the exam path is tested apart)."""
    for code in codes:
        Credit.objects.create(
            learner=learner,
            unit=Unit.objects.get(code=code),
            way=way,
            earned_on=on,
            published_on=on,
            justification="Décision de test",
            recorded_by=by,
        )


def accepted_period(learner, by, kind="experience", field="information", start=None, end=None):
    period = services.add_period(
        learner,
        {
            "kind": kind,
            "field": field,
            "organisation": "Mission locale",
            "position": "Chargée d'accueil",
            "starts_on": start or dt.date(2014, 1, 1),
            "ends_on": end or dt.date(2015, 12, 31),
        },
        pdf_file("attestation.pdf"),
        learner,
    )
    return services.review_period(period, True, "", by)


def pending_period(learner):
    return ExperiencePeriod.objects.filter(learner=learner, status="pending")
