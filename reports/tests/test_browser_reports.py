# ruff: noqa: F811 (the live site fixture imported from the assessment journey, used by name)
"""The direction's reports in a real browser (issue 18, items 1 and 4): the BPF of
fiscal year 2016 — a figure's rows, a row classified — and the dashboard with its
charts and a list; every page through the accessibility gate (axe-core, widths 375 and
1280). Screenshots go to artifacts/screenshots/bilans/."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from admissions.models import Payment
from admissions.tests.conftest import make_user
from assessment.tests.test_browser_assessment import site  # noqa: F401
from parcours.tests.browser import assert_error_in_view, screenshots, sign_in
from timetable.models import Planning
from timetable.tests.conftest import register

pytestmark = pytest.mark.browser

shot = screenshots("bilans")


def test_the_directions_reports(browser, site, django_user_model, settings):
    settings.PARCOURS_TODAY = "2017-03-01"
    direction = make_user(django_user_model, "direction@example.re", "direction")
    learner = make_user(django_user_model, "lea.payet@example.re", "learner")
    planning = Planning.objects.get()
    dossier = register(learner, planning.year, planning.centre, {"AST004": False})
    dossier.first_name, dossier.last_name = "Léa", "Payet"
    dossier.situation, dossier.funding = "employee", "employer"
    dossier.deposited_on = dt.date(2016, 6, 20)
    dossier.save()
    Payment.objects.create(
        dossier=dossier,
        token=uuid.uuid4(),
        payer="employer",
        method="transfer",
        amount=Decimal("640.00"),
        received_on=dt.date(2016, 10, 3),
        recorded_by=direction,
    )
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, site, direction.email)

    page.goto(f"{site}/direction/bpf/")
    page.get_by_role("link", name="Exercice 2016").click()
    page.get_by_role("heading", name="1 ligne à classer").wait_for()
    shot(page, "01-bpf")
    page.get_by_label("Ligne du bilan").select_option("C2h")
    page.get_by_role("button", name="Classer").click()
    page.get_by_text("Ligne classée").wait_for()
    page.get_by_role("link", name="1 — liste : Plan de développement").click()
    page.get_by_role("cell", name="Léa PAYET").wait_for()
    shot(page, "02-bpf-ligne")

    page.goto(f"{site}/direction/tableau-de-bord/")
    page.get_by_role("img", name="Dossiers déposés par semaine").wait_for()
    shot(page, "03-tableau-de-bord")
    page.get_by_role("link", name="1 — liste : Inscription définitive").click()
    page.get_by_role("link", name="Exporter la liste (CSV)").wait_for()
    shot(page, "04-liste")
    # a tampered year is told, focused and in view
    page.goto(f"{site}/direction/tableau-de-bord/?annee=1900-1901")
    assert_error_in_view(page)
    context.close()
