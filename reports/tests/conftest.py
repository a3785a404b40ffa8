# ruff: noqa: F811 (fixtures imported from the teaching tests, then used by name)
"""The planning, groups and users of the teaching tests, and a small population of fiscal
year 2016 whose BPF and dashboard are computed by hand (test_bpf, test_dashboard)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from admissions.models import Dossier, Payment
from catalogue.models import Programme
from teaching.models import DistanceActivity
from teaching.tests.conftest import *  # noqa: F403 -- the planning, groups and users
from teaching.tests.test_delivery import _sessions, at, local, signed_session  # noqa: F401
from teaching.tests.test_teaching import make_user
from timetable.tests.conftest import register


def pay(dossier, amount, payer, received_on, by, **kw):
    return Payment.objects.create(
        dossier=dossier,
        token=uuid.uuid4(),
        payer=payer,
        method=Payment.Method.TRANSFER if payer == "employer" else Payment.Method.CARD,
        amount=Decimal(amount),
        received_on=received_on,
        recorded_by=by,
        **kw,
    )


@pytest.fixture
def population(
    ast004, learner, other_learner, year, le_port, teacher, reception, at, django_user_model
):
    """Léa: employee paid by her employer (scheme unknown) and by herself, two sessions
    signed; Paul: job seeker following AST004 at a distance (90 validated minutes);
    Zoé: in alternance (apprenticeship or professionalisation?), one session; Marc:
    employee paying himself, CPN42 by VAE, one session; Inès: on CIF, paid by Transitions
    Pro, no hours in the period."""
    people = {}
    for key, user, situation, funding, foad in (
        ("lea", learner, "employee", "employer", False),
        ("paul", other_learner, "job_seeker", "job_seeker", True),
        (
            "zoe",
            make_user(django_user_model, "zoe@example.re", "learner"),
            "alternance",
            "employer",
            False,
        ),
        (
            "marc",
            make_user(django_user_model, "marc@example.re", "learner"),
            "employee",
            "individual",
            False,
        ),
        (
            "ines",
            make_user(django_user_model, "ines@example.re", "learner"),
            "cif",
            "employer",
            False,
        ),
    ):
        dossier = register(user, year, le_port, {"AST004": foad})
        dossier.situation, dossier.funding = situation, funding
        dossier.first_name, dossier.last_name = key.capitalize(), "Test"
        if key == "marc":
            dossier.programme = Programme.objects.get(code="CPN42")
            dossier.validation = Dossier.Validation.VAE
        dossier.save()
        people[key] = dossier
    meetings = _sessions(ast004, "class_meeting")
    lea, zoe, marc = (people[k].learner for k in ("lea", "zoe", "marc"))
    signed_session(meetings[0], teacher, [lea, zoe, marc], at)
    signed_session(meetings[1], teacher, [lea], at)
    web = _sessions(ast004, "web_conference")[0]
    DistanceActivity.objects.create(
        learner=people["paul"].learner,
        year=year,
        unit=ast004.unit,
        kind="web_conference",
        day=local(web.starts_at).date(),
        minutes=90,
        source="declared",
        status="validated",
        recorded_by=people["paul"].learner,
    )
    day = dt.date(2016, 10, 3)
    payments = {
        "lea_employer": pay(people["lea"], "500.00", "employer", day, reception),
        "lea": pay(people["lea"], "100.00", "learner", day, reception),
        "paul": pay(people["paul"], "50.00", "learner", day, reception),
        "marc": pay(people["marc"], "200.00", "learner", day, reception),
        "marc_guarantee": pay(
            people["marc"],
            "300.00",
            "learner",
            day,
            reception,
            is_guarantee=True,
            cheque_number="1",
        ),
        "ines": pay(people["ines"], "1000.00", "employer", day, reception),
        "next_year": pay(people["lea"], "70.00", "learner", dt.date(2017, 1, 4), reception),
    }
    return people, payments, [meetings[0].minutes, meetings[1].minutes]
