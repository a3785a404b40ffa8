"""Fixtures of the admissions tests: the brochure's year open (the business date is
pinned inside 2016-2017), the four kinds of users, files, and a complete dossier."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import ROLES
from admissions import contract, services
from admissions.forms import STEP_TITLES
from admissions.models import Dossier
from catalogue.models import AcademicYear, Centre, Programme, Unit
from parcours.tests.files import MINIMAL_PDF

TODAY = dt.date(2016, 9, 1)  # both semesters open (deadlines 31/10/2016 and 31/03/2017)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.PARCOURS_TODAY = TODAY.isoformat()
    return TODAY


def make_user(django_user_model, email: str, role: str):
    user = django_user_model.objects.create_user(email=email, password="motdepasse-solide-42")
    user.groups.add(Group.objects.get(name=ROLES[role].group))
    return user


@pytest.fixture
def learner(db, django_user_model):
    return make_user(django_user_model, "lea.payet@example.re", "learner")


@pytest.fixture
def other_learner(db, django_user_model):
    return make_user(django_user_model, "autre@example.re", "learner")


@pytest.fixture
def reception(db, django_user_model):
    return make_user(django_user_model, "accueil@example.re", "reception")


@pytest.fixture
def direction(db, django_user_model):
    return make_user(django_user_model, "direction@example.re", "direction")


def pdf_file(name: str = "piece.pdf") -> SimpleUploadedFile:
    body = MINIMAL_PDF
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_file(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (35, 45), (200, 180, 160)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


SECTIONS = {
    "identite": {
        "last_name": "Payet",
        "first_name": "Léa",
        "birth_date": dt.date(1990, 5, 14),
        "birth_place": "Saint-Denis",
    },
    "coordonnees": {
        "address": "12 rue des Flamboyants",
        "postcode": "97420",
        "city": "Le Port",
        "phone": "0692 12 34 56",
    },
    "situation": {"situation": "employee", "employer_name": "Mission locale Ouest"},
    "nationalite": {"nationality": "french"},
    "diplome": {"highest_diploma": "bac", "diploma_title": "Baccalauréat ES"},
    "experience": {"months_information": 24, "months_accompaniment": 6, "months_other": 12},
    "financement": {"funding": "individual"},
}


def fill(dossier: Dossier, units=("AST004", "CCE001", "TET007"), **overrides) -> Dossier:
    """Every section of the dossier, through the services, as the steps would."""
    for slug, values in SECTIONS.items():
        values = {**values, **{k: v for k, v in overrides.items() if k in values}}
        dossier = services.save_step(dossier, slug, values)
    for key, value in overrides.items():
        if not any(key in values for values in SECTIONS.values()):
            dossier = services.save_step(dossier, "financement", {key: value})
    semesters = [s.code for s in dossier.year.regulation.semesters]
    chosen = [
        (unit, services.semester_of(unit, semesters), False)
        for unit in Unit.objects.filter(code__in=units)
    ]
    return services.save_step(
        dossier,
        "formation",
        {
            "programme": Programme.objects.get(code="CP29"),
            "centre": Centre.objects.get(code="LE-PORT"),
            "experience_report": False,
        },
        chosen,
    )


def upload_all(dossier: Dossier, by) -> None:
    for piece in services.pieces(dossier):
        if piece.status == "not_applicable":
            continue
        upload = png_file() if piece.code == "photos" else pdf_file(f"{piece.code}.pdf")
        issued = TODAY - dt.timedelta(days=3) if piece.max_age_days else None
        services.add_file(dossier, piece.code, upload, by, issued_on=issued)


@pytest.fixture
def year(catalogue):
    return AcademicYear.objects.get(code="2016-2017")


@pytest.fixture
def draft(learner, year):
    return fill(services.start_dossier(learner, year))


@pytest.fixture
def deposited(draft, learner):
    upload_all(draft, learner)
    return services.deposit(draft, STEP_TITLES, contract.digest(draft))
