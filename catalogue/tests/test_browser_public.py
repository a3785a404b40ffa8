"""The public pages through the accessibility gate (issue 14, item 17): every page an
anonymous visitor reaches, at 375, 1024 and 1280 px, with axe-core."""

from __future__ import annotations

import pytest
from django.conf import settings

from parcours.tests.browser import assert_error_in_view, screenshots

pytestmark = pytest.mark.browser
shot = screenshots("public")

PAGES = {
    "accueil": "/",
    "cpn42": "/formations/CPN42/",
    "cp29": "/formations/CP29/",
    "calendrier": "/calendrier/",
    "planning": "/planning/",
    "tarifs": "/tarifs/",
    "centres": "/centres/",
    "comment-s-inscrire": "/inscription/",
    "connexion": "/compte/connexion/",
    "creation-compte": "/compte/inscription/",
    "mot-de-passe-oublie": "/compte/mot-de-passe/oubli/",
    "verifier": "/verifier/",
    "accessibilite": "/accessibilite/",
}


@pytest.fixture
def public_site(live_server, transactional_db):
    from catalogue.services import load_catalogue_folder

    load_catalogue_folder(settings.PARCOURS_DATA_DIR)
    return live_server.url


def test_every_public_page_passes_the_gate(page, public_site):
    for name, path in PAGES.items():
        page.goto(public_site + path)
        shot(page, name)
    # A failed sign-in: the error summary is in view and focused.
    page.goto(public_site + "/compte/connexion/")
    page.fill("#id_username", "personne@example.re")
    page.fill("#id_password", "pas-le-bon-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert_error_in_view(page)
    shot(page, "connexion-erreur")
    assert page.console_errors == [], page.console_errors
    page.goto(public_site + "/nulle-part/")  # the French error page, through the gate too
    shot(page, "page-introuvable")
