"""The admissions journey in a real browser (Debian's Chromium through Playwright):
an applicant signs up, fills every step, uploads the pieces, sees the quote, deposits;
the reception rejects the photo; the applicant replaces it; the reception validates;
the learner sees "Inscription définitive" and downloads the registration certificate.

Screenshots of each step go to artifacts/screenshots/inscription/ (see the README).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from PIL import Image

from accounts.roles import ROLES
from parcours.tests.browser import assert_error_in_view, screenshots
from parcours.tests.files import MINIMAL_PDF

pytestmark = pytest.mark.browser

EMAIL = "lea.payet@example.re"
PASSWORD = "Flamboyant-du-Port-2016"
STAFF_PASSWORD = "Accueil-du-Port-2016!"
PDF = MINIMAL_PDF


def photo(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (350, 450), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def site(live_server, transactional_db, settings, tmp_path):
    from catalogue.services import load_catalogue_folder

    settings.PARCOURS_TODAY = "2016-09-01"  # both semesters open
    settings.PARCOURS_SITE_URL = live_server.url
    load_catalogue_folder(settings.PARCOURS_DATA_DIR)
    return live_server.url


shot = screenshots("inscription")


def sign_in(page, site, email, password):
    page.goto(f"{site}/compte/connexion/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Se connecter").click()


def test_the_admissions_journey(browser, site, django_user_model):
    applicant = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = applicant.new_page()

    # 1. Sign up, confirm the address from the e-mail.
    page.goto(f"{site}/compte/inscription/")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_confirmation", PASSWORD)
    shot(page, "01-creation-compte")
    page.get_by_role("button", name=re.compile("Créer mon compte|S'inscrire|Créer")).click()
    page.wait_for_load_state()
    link = re.search(r"https?://\S+/compte/confirmer/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.wait_for_url(f"{site}/espace/")
    shot(page, "02-espace-vide")

    # 2. Pre-registration, section by section.
    page.get_by_role("link", name="Me préinscrire").click()
    page.get_by_role("button", name="Commencer ma préinscription").click()
    page.fill("#id_last_name", "Payet")
    page.fill("#id_first_name", "Léa")
    page.fill("#id_birth_date", "1990-05-14")
    page.fill("#id_birth_place", "Saint-Denis")
    shot(page, "03-identite")
    continue_ = page.get_by_role("button", name="Enregistrer et continuer")
    continue_.click()

    page.fill("#id_address", "12 rue des Flamboyants")
    page.fill("#id_postcode", "974")  # a wrong postcode: the message names the field
    page.fill("#id_city", "Le Port")
    page.fill("#id_phone", "0692 12 34 56")
    continue_.click()
    assert page.get_by_text("5 chiffres, par exemple 97420").first.is_visible()
    assert page.input_value("#id_address") == "12 rue des Flamboyants"  # nothing lost
    assert_error_in_view(page)  # RGAA 11.10: the summary is focused, in view
    shot(page, "04-coordonnees-erreur")
    page.fill("#id_postcode", "97420")
    continue_.click()

    page.get_by_label("Salarié(e)", exact=True).check(force=True)  # the DSFR label covers the input
    page.fill("#id_employer_name", "Mission locale Ouest")
    continue_.click()
    page.get_by_label("Française").check(force=True)  # the DSFR label covers the input
    continue_.click()
    page.get_by_label("Baccalauréat ou diplôme équivalent").check(
        force=True
    )  # the DSFR label covers the input
    page.fill("#id_diploma_title", "Baccalauréat ES")
    continue_.click()
    page.fill("#id_months_information", "24")
    page.fill("#id_months_accompaniment", "6")
    page.fill("#id_months_other", "12")
    continue_.click()
    page.get_by_label("Je finance moi-même (tarif individuel)").check(
        force=True
    )  # the DSFR label covers the input
    shot(page, "05-financement")
    continue_.click()

    with page.expect_response(lambda r: "rubrique/formation" in r.url):
        page.select_option(
            "#id_programme", label="CP29 — Chargé d'information, accueil & orientation"
        )
    page.select_option("#id_centre", label="Centre régional du Port")
    for code in ("AST004", "CCE001", "TRS001", "TET007"):
        page.check(f"#ue-{code}", force=True)
    shot(page, "06-formation-ue")
    continue_.click()

    # 3. The pieces, computed from the situation (R-REG-2).
    page.wait_for_url(re.compile(r"/pieces/$"))
    shot(page, "07-pieces-a-deposer")
    for code in (
        "cv",
        "cover_letter",
        "diplomas",
        "employment_certificate",
        "social_security",
        "identity",
        "payment",
    ):
        page.set_input_files(
            f"#id_{code}-file",
            {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": PDF},
        )
        page.locator(f"#piece-{code} button[type=submit]").last.click()
        page.wait_for_load_state()
    # A refused file on this long page: the error comes back in view, focused.
    page.set_input_files(
        "#id_photos-file",
        {"name": "photo.docx", "mimeType": "application/msword", "buffer": b"PK\x03\x04"},
    )
    page.locator("#piece-photos button[type=submit]").last.click()
    page.wait_for_load_state()
    assert_error_in_view(page)
    shot(page, "07b-piece-refusee")
    page.set_input_files(
        "#id_photos-file",
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo((120, 120, 120))},
    )
    page.locator("#piece-photos button[type=submit]").last.click()
    assert page.get_by_text("Toutes les pièces demandées sont déposées.").is_visible()
    shot(page, "08-pieces-deposees")

    # 4. The quote, then the deposit.
    page.get_by_role("link", name="Continuer : récapitulatif et dépôt").click()
    assert page.get_by_text("Total").first.is_visible()
    assert page.locator("#devis + div table, .fr-table").first.inner_text().count("€") >= 3
    shot(page, "09-recapitulatif-devis")
    # DSFR draws the box on the label: the label is what a person clicks.
    page.locator("label[for=accept-contract]").click()
    page.get_by_role("button", name="Déposer mon dossier").click()
    assert "Déposé" in page.text_content("#etat-dossier")
    shot(page, "10-dossier-depose")

    # 5. The reception rejects the photo.
    reception = django_user_model.objects.create_user(
        email="accueil@example.re", password=STAFF_PASSWORD
    )
    reception.groups.add(Group.objects.get(name=ROLES["reception"].group))
    office = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    staff = office.new_page()
    sign_in(staff, site, "accueil@example.re", STAFF_PASSWORD)
    staff.goto(f"{site}/accueil/dossiers/")
    shot(staff, "11-accueil-file")
    staff.get_by_role("link", name=re.compile(r"2016-2017-\d+")).first.click()
    staff.fill("#motif-photos", "Photo floue : merci d'en déposer une nette")
    staff.locator("#piece-photos").get_by_role("button", name=re.compile("^Refuser")).click()
    assert "Refusée" in staff.text_content("#piece-photos")
    shot(staff, "12-accueil-photo-refusee")

    # 6. The applicant sees why and replaces it.
    page.goto(f"{site}/espace/")
    assert page.get_by_text("Photo floue").first.is_visible()
    page.get_by_role("link", name="Compléter mes pièces").first.click()
    page.set_input_files(
        "#id_photos-file",
        {"name": "photo-nette.jpg", "mimeType": "image/jpeg", "buffer": photo((90, 140, 200))},
    )
    page.get_by_role("button", name=re.compile("Remplacer la pièce")).click()
    assert "Déposée, à vérifier" in page.text_content("#piece-photos")
    shot(page, "13-photo-remplacee")

    # 7. The reception accepts every piece, records the 118 €, validates.
    staff.reload()
    accept = staff.get_by_role("button", name=re.compile("^Accepter"))
    for _ in range(accept.count()):  # each acceptance reloads the page without that button
        accept.first.click()
        staff.wait_for_load_state()
    assert accept.count() == 0
    staff.select_option("#id_method", "cheque")
    staff.fill("#id_amount", "118,00")
    staff.get_by_role("button", name="Enregistrer le paiement").click()  # no cheque number
    staff.wait_for_load_state()
    assert_error_in_view(staff)
    shot(staff, "13b-accueil-paiement-sans-numero")
    staff.fill("#id_cheque_number", "0001234")
    staff.get_by_role("button", name="Enregistrer le paiement").click()
    assert "Paiement enregistré" in staff.inner_text("main")
    staff.get_by_role("button", name=re.compile("Valider le dossier")).click()
    assert "Inscription définitive" in staff.text_content("#etat-dossier")
    shot(staff, "14-accueil-dossier-valide")

    # 8. The learner is registered and downloads the certificate.
    page.goto(f"{site}/espace/")
    assert page.get_by_text("Inscription définitive").first.is_visible()
    shot(page, "15-espace-inscription-definitive")
    with page.expect_download() as download:
        page.get_by_role("link", name="Certificat d'inscription (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert download.value.suggested_filename.startswith("certificat-inscription-")

    # 9. The same space on a 375 px phone: readable, no horizontal scrolling.
    phone = browser.new_context(
        locale="fr-FR",
        viewport={"width": 375, "height": 812},
        storage_state=applicant.storage_state(),
    )
    mobile = phone.new_page()
    mobile.goto(f"{site}/espace/")
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(mobile, "16-espace-mobile")
    dossier_url = mobile.get_by_role("link", name="Voir tout le dossier").first.get_attribute(
        "href"
    )
    mobile.goto(f"{site}{dossier_url}")
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(mobile, "17-dossier-mobile")

    # 10. Their personal data (R-ORG-6): what is kept, for how long; the export.
    mobile.goto(f"{site}/espace/")
    mobile.get_by_role("link", name=re.compile("^Mes données personnelles")).click()
    mobile.wait_for_load_state()
    shot(mobile, "18-mes-donnees-mobile")
    with mobile.expect_download() as download:
        mobile.get_by_role("link", name="Télécharger toutes mes données").click()
    assert Path(download.value.path()).read_bytes().startswith(b"PK")
    phone.close()

    # 11. The reception records an erasure request; a wrong address is said in view.
    staff.goto(f"{site}/accueil/donnees/")
    staff.fill("#id_email", "inconnu@example.re")
    staff.get_by_role("button", name="Enregistrer la demande").click()
    staff.wait_for_load_state()
    assert_error_in_view(staff)
    shot(staff, "19-accueil-effacement-adresse-inconnue")
    staff.fill("#id_email", "lea.payet@example.re")
    staff.get_by_role("button", name="Enregistrer la demande").click()
    assert "Demande d'effacement enregistrée" in staff.inner_text("main")
    applicant.close()
    office.close()
