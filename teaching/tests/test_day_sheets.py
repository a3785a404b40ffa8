"""Alternance half-days signed at the centre (R-ORG-1, R-CAL-4): the reception opens the
morning's sheet, alternance learners sign with the QR code, one is recorded with a
reason, the sheet is closed; the signed half-days make the AlternanceDay the weekly
rule reads (4 h + 3 h = the 7-hour day); a learner not in alternance, a public holiday
and an expired code are refused; the PDF lists each signature."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from admissions.models import Dossier
from admissions.tests.conftest import make_user
from assessment.tests.test_views import pdf_text
from parcours import clock
from teaching import day_sheets, services
from teaching.models import AlternanceDay
from timetable.services import LOCAL
from timetable.tests.conftest import register

MONDAY = dt.date(2016, 11, 14)


@pytest.fixture
def at(monkeypatch, settings):
    def set_to(moment: dt.datetime):
        settings.PARCOURS_TODAY = moment.date().isoformat()
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def apprentices(learner, other_learner, year, le_port, django_user_model):
    for person in (learner, other_learner):
        dossier = register(person, year, le_port, {"AST004": False})
        Dossier.objects.filter(pk=dossier.pk).update(situation=Dossier.Situation.ALTERNANCE)
    employee = make_user(django_user_model, "salarie@example.re", "learner")
    register(employee, year, le_port, {"AST004": False})
    return learner, other_learner, employee


def test_a_signed_morning_and_afternoon_make_the_seven_hour_day(
    client, apprentices, le_port, reception, at, year
):
    learner, other, employee = apprentices
    at(dt.datetime.combine(MONDAY, dt.time(8, 5), LOCAL))
    client.force_login(reception)
    client.post("/accueil/alternance/demi-journee/", {"centre": le_port.pk, "half": "am"})
    sheet = day_sheets.open_day_sheet(le_port, "am", reception)  # the same sheet, once
    assert client.get(f"/accueil/alternance/demi-journee/{sheet.pk}/").status_code == 200
    token = day_sheets.qr_token(sheet)

    client.force_login(learner)
    page = client.get(f"/emargement/journee/{token}/")
    assert "Je suis présent(e) : je signe" in page.content.decode()
    assert not AlternanceDay.objects.exists()  # GET never writes
    assert "Présence signée" in client.post(f"/emargement/journee/{token}/").content.decode()
    client.force_login(employee)
    refused = client.post(f"/emargement/journee/{token}/")
    assert refused.status_code == 400 and "pas inscrit" in refused.content.decode()

    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        day_sheets.record(sheet, other.pk, " ", reception)
    day_sheets.record(sheet, other.pk, "téléphone oublié", reception)
    at(dt.datetime.combine(MONDAY, dt.time(12, 5), LOCAL))
    day_sheets.close(sheet, reception)
    assert AlternanceDay.objects.get(learner=learner, day=MONDAY).hours == Decimal("4.00")

    at(dt.datetime.combine(MONDAY, dt.time(13, 10), LOCAL))
    afternoon = day_sheets.open_day_sheet(le_port, "pm", reception)
    day_sheets.sign_by_qr(day_sheets.qr_token(afternoon), learner)
    assert AlternanceDay.objects.get(learner=learner, day=MONDAY).hours == Decimal("7.00")
    dossier = Dossier.objects.get(learner=learner)
    week = next(
        w
        for w in services.alternance_weeks(dossier, MONDAY + dt.timedelta(days=6)).weeks
        if w.monday == MONDAY
    )
    assert week.status == "complete"

    client.force_login(reception)
    text = " ".join(
        pdf_text(
            client.get(f"/accueil/alternance/demi-journee/{sheet.pk}/feuille.pdf").content
        ).split()
    )
    for expected in (
        "journée en centre (alternance)",
        "matin",
        "téléphone oublié",
        "Saisie par le formateur",
        "Signée et close par",
    ):
        assert expected in text, expected
    client.force_login(learner)
    assert client.get(f"/accueil/alternance/demi-journee/{sheet.pk}/").status_code in (302, 403)


def test_no_half_day_sheet_on_a_holiday_nor_outside_its_window(apprentices, le_port, reception, at):
    at(dt.datetime(2016, 11, 1, 8, 30, tzinfo=LOCAL))  # Toussaint
    with pytest.raises(ValidationError, match="férié"):
        day_sheets.open_day_sheet(le_port, "am", reception)
    at(dt.datetime.combine(MONDAY, dt.time(18, 0), LOCAL))
    with pytest.raises(ValidationError, match="pendant la séance"):
        day_sheets.open_day_sheet(le_port, "am", reception)


def test_an_old_code_is_refused(apprentices, le_port, reception, at):
    learner, _, _ = apprentices
    at(dt.datetime.combine(MONDAY, dt.time(8, 5), LOCAL))
    sheet = day_sheets.open_day_sheet(le_port, "am", reception)
    token = day_sheets.qr_token(sheet)
    at(dt.datetime.combine(MONDAY, dt.time(8, 10), LOCAL))
    with pytest.raises(ValidationError, match="expiré"):
        day_sheets.sign_by_qr(token, learner)


def test_the_signed_half_days_count_in_the_certificat(apprentices, le_port, reception, at, year):
    """R-ORG-2: the hours followed include the alternance half-days signed at the centre."""
    from teaching import realisation

    learner, _, _ = apprentices
    at(dt.datetime.combine(MONDAY, dt.time(8, 5), LOCAL))
    sheet = day_sheets.open_day_sheet(le_port, "am", reception)
    day_sheets.sign_by_qr(day_sheets.qr_token(sheet), learner)
    dossier = Dossier.objects.get(learner=learner)
    document = realisation.issue_certificate(dossier, MONDAY, MONDAY)
    assert document.content["alternance_hours"] == "4.00"
    assert document.content["hours"] == "4.00"
