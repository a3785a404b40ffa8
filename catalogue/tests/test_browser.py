"""A real browser on the public site: Debian's Chromium driven by Playwright.

Outside CI, these tests skip with their reason when /usr/bin/chromium is absent; with
PARCOURS_REQUIRE_BROWSER=1 (as .ci/run sets it) a missing browser is a failure.
Screenshots go to artifacts/screenshots/ (named in the README).
"""

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.fixture
def loaded_site(live_server, transactional_db):
    from catalogue.services import load_catalogue_folder

    load_catalogue_folder(settings.PARCOURS_DATA_DIR)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def test_the_cpn42_page_lists_its_twelve_ues_and_links_to_cp29(page, loaded_site):
    page.goto(f"{loaded_site}/formations/CPN42/")

    rows = page.locator("#ue-table tr.ue-row")
    assert rows.count() == 12  # R-CAT-4
    ects = {
        rows.nth(i).locator("td").nth(0).inner_text(): int(
            rows.nth(i).locator("td.ue-ects").inner_text()
        )
        for i in range(12)
    }
    assert ects["TET003"] == 8 and ects["CCE001"] == 4 and ects["TET006"] == 4  # R-CAT-3
    assert sum(ects.values()) == 66
    page.screenshot(path=str(SCREENSHOTS / "cpn42.png"), full_page=True)

    page.get_by_role(
        "link", name="certificat professionnel CP29 — Chargé d'information, accueil & orientation"
    ).click()

    page.wait_for_url("**/formations/CP29/")
    assert page.locator("h1").inner_text() == "Chargé d'information, accueil & orientation"
    assert page.locator("#ue-table tr.ue-row").count() == 6
    page.screenshot(path=str(SCREENSHOTS / "cp29.png"), full_page=True)
    # The DSFR's scripts ran under the CSP without complaint.
    assert page.console_errors == [], page.console_errors


def test_the_site_is_usable_on_a_phone(browser, loaded_site):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{loaded_site}/tarifs/")

    # On a phone the navigation sits behind the DSFR menu button.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Calendrier").click()
    page.wait_for_url("**/calendrier/")
    assert "31/10/2016" in page.locator("#calendar-table").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SCREENSHOTS / "calendrier-mobile.png"), full_page=True)
    context.close()
    assert width <= 375 + 1, "la page déborde horizontalement sur un téléphone"
