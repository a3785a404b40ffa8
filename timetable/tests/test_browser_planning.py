"""The planning in a real browser (Debian's Chromium through Playwright): the reception
generates Le Port's year, publishes it and moves a session after a refusal it can read;
a learner reads their evenings on a 375 px phone, without horizontal scrolling, and
makes their private calendar link, which a calendar app then reads.

Screenshots go to artifacts/screenshots/planning/.
"""

from __future__ import annotations

import datetime as dt
import urllib.request

import pytest
from django.core.management import call_command
from icalendar import Calendar

from admissions.tests.conftest import make_user
from parcours.tests.browser import screenshots, sign_in
from timetable.models import Planning, Session
from timetable.services import LOCAL
from timetable.tests.conftest import register

pytestmark = pytest.mark.browser

shot = screenshots("planning")


@pytest.fixture
def site(live_server, transactional_db, settings, cached_solver):
    from catalogue.services import load_catalogue_folder

    settings.PARCOURS_TODAY = "2016-10-03"
    load_catalogue_folder(settings.PARCOURS_DATA_DIR)
    return live_server.url


def test_the_planning_journey(browser, site, django_user_model, settings):
    reception = make_user(django_user_model, "accueil@example.re", "reception")
    learner = make_user(django_user_model, "lea.payet@example.re", "learner")
    staff = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = staff.new_page()

    # 1. The reception generates Le Port's planning, then publishes it.
    sign_in(page, site, reception.email)
    page.goto(f"{site}/accueil/planning/")
    shot(page, "01-plannings-a-generer")
    #    The solver runs in the worker: the page lists the job, then refreshes itself
    #    (htmx) until its outcome shows, with the link to the planning.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page.get_by_role(
        "button", name="Générer le planning 2016-2017 de Centre régional du Port"
    ).click()
    page.wait_for_load_state()
    assert "En attente" in page.locator("#travaux-planning").text_content()
    shot(page, "02-generation-en-attente")
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    page.locator("#travaux-planning").get_by_text("163 séances placées").wait_for(timeout=10_000)
    shot(page, "02-generation-terminee")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page.get_by_role(
        "link", name="Ouvrir le résultat : Planning 2016-2017 de Centre régional du Port"
    ).click()
    page.wait_for_load_state()
    shot(page, "02-planning-genere")
    page.get_by_role("button", name="Publier le planning").click()
    page.wait_for_load_state()
    assert page.locator("#etat-planning").text_content().strip() == "Publié"
    planning = Planning.objects.get(centre__code="LE-PORT")

    # 2. It moves a session: first onto a public holiday (refused, said why), then to a
    #    free evening.
    session = (
        planning.sessions.filter(unit__code="AST004", kind=Session.Kind.CLASS_MEETING)
        .order_by("starts_at")
        .first()
    )
    page.goto(f"{site}/accueil/planning/seance/{session.pk}/")
    page.fill("#id_day", "2016-12-20")
    page.fill("#id_reason", "Enseignant indisponible")
    page.get_by_role("button", name="Déplacer").click()
    page.wait_for_load_state()
    assert "est férié" in page.content()
    shot(page, "03-deplacement-refuse")
    taken = {s.starts_at.astimezone(LOCAL).date() for s in planning.sessions.all()}
    day = dt.date(2016, 10, 10)
    while day in taken or day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    page.fill("#id_day", day.isoformat())
    page.fill("#id_reason", "Enseignant indisponible")
    page.get_by_role("button", name="Déplacer").click()
    page.wait_for_load_state()
    assert "Séance déplacée" in page.content()
    assert "motif : Enseignant indisponible" in page.content()
    shot(page, "04-seance-deplacee")
    staff.close()

    # 3. A learner registered for AST004 reads their month on a phone.
    register(learner, planning.year, planning.centre, {"AST004": False, "CCE001": True})
    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    sign_in(mobile, site, learner.email)
    mobile.goto(f"{site}/espace/planning/?vue=mois&date={day:%Y-%m-%d}")
    text = mobile.content()
    assert "AST004" in text and "TRS001" not in text
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(mobile, "05-mon-planning-mobile")

    # 4. …makes their calendar link and a calendar app (no session) reads the moved session.
    mobile.goto(f"{site}/espace/planning/agenda/")
    mobile.get_by_role("button", name="Créer mon lien d'agenda").click()
    mobile.wait_for_load_state()
    url = mobile.locator("#adresse-agenda").inner_text()
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(mobile, "06-lien-agenda")
    phone.close()
    with urllib.request.urlopen(url) as response:  # noqa: S310 (the live test server)
        calendar = Calendar.from_ical(response.read())
    moved = next(e for e in calendar.walk("VEVENT") if str(e["UID"]) == f"{session.uid}@parcours")
    assert moved.decoded("DTSTART").date() == day and moved.decoded("SEQUENCE") == 1
