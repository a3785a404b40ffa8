"""The awards journey in a real browser (Debian's Chromium through Playwright): a learner
with five CP29 UEs earned sees what remains; the sixth is earned at the jury; the
learner's experience attestation is accepted and the validation report validated; the
learner requests the certificate; the award jury grants it; the learner downloads it;
the verification page, opened from the QR code's address in the PDF, confirms it.

Screenshots go to artifacts/screenshots/diplomes/.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import segno

from admissions.tests.conftest import make_user
from parcours.tests.browser import SCREENSHOTS, pdf_links, screenshots, sign_in
from parcours.tests.files import MINIMAL_PDF
from timetable.tests.conftest import register

pytestmark = pytest.mark.browser

shot = screenshots("diplomes")
EARNED_ELSEWHERE = ("TET003", "AST004", "CCE001", "TRS001", "TET007")


@pytest.fixture
def site(live_server, transactional_db, settings):
    from catalogue.services import load_catalogue_folder

    load_catalogue_folder(settings.PARCOURS_DATA_DIR)
    return live_server.url


def _setup(django_user_model):
    """Léa registered in 2016-2017 for TET099 (S2); five CP29 UEs earned in another
    regional centre (R-REG-2 item 8); her TET099 exam marked 13,5 at session 1 S2."""
    from assessment import services as assessment
    from assessment.models import Convocation, ExamSession
    from assessment.services import MarkEntry
    from awards.models import Credit
    from catalogue.models import AcademicYear, Centre, Unit

    reception = make_user(django_user_model, "accueil@example.re", "reception")
    direction = make_user(django_user_model, "direction@example.re", "direction")
    learner = make_user(django_user_model, "lea.payet@example.re", "learner")
    year = AcademicYear.objects.get(code="2016-2017")
    dossier = register(learner, year, Centre.objects.get(code="LE-PORT"), {"TET099": False})
    dossier.last_name, dossier.first_name = "Payet", "Léa"
    dossier.save()
    for code in EARNED_ELSEWHERE:
        Credit.objects.create(
            learner=learner,
            unit=Unit.objects.get(code=code),
            way=Credit.Way.OTHER_CENTRE,
            earned_on=dt.date(2016, 6, 30),
            published_on=dt.date(2016, 6, 30),
            justification="Attestation de réussite du centre Cnam de Paris",
            recorded_by=reception,
        )
    assessment.ensure_exam_sessions(year)
    session = ExamSession.objects.get(year=year, number=1, semester="S2")
    tet099 = Unit.objects.get(code="TET099")
    # The right to sit is the assessment journey's; here the convocation is a given.
    Convocation.objects.create(session=session, unit=tet099, learner=learner, dossier=dossier)
    assessment.save_marks(
        session, tet099, [MarkEntry(learner.pk, Decimal("13.5"), "", 0)], reception
    )
    return learner, reception, direction, session


def test_the_awards_journey(browser, site, django_user_model, settings, tmp_path):
    learner, reception, direction, session = _setup(django_user_model)
    settings.PARCOURS_TODAY = "2017-07-20"  # after session 1 of S2, before publication

    # 1. The learner sees what remains: TET099, the validation report, the internship.
    lea_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    lea = lea_context.new_page()
    sign_in(lea, site, learner.email)
    lea.goto(f"{site}/espace/parcours/")
    text = lea.content()
    assert "30 ECTS obtenus sur 54" in text
    assert "UE TET099" in text and "UA2322" in text
    assert "un stage de 1,5 mois est nécessaire" in text
    assert "Demander le certificat" not in text
    shot(lea, "01-ce-qui-reste")

    # 2. She declares her experience in a reception job, with the attestation.
    lea.get_by_role("link", name="Déclarer une expérience ou un stage").click()
    lea.locator("label", has_text="Expérience professionnelle").first.click()
    lea.locator("label", has_text="Information, accueil, orientation").click()
    lea.fill("#id_organisation", "Mission locale Ouest")
    lea.fill("#id_position", "Chargée d'accueil")
    lea.fill("#id_starts_on", "2015-01-05")
    lea.fill("#id_ends_on", "2016-06-30")
    attestation = tmp_path / "attestation-employeur.pdf"
    attestation.write_bytes(MINIMAL_PDF)
    lea.set_input_files("#id_document", str(attestation))
    shot(lea, "02-declarer-experience")
    lea.get_by_role("button", name="Enregistrer").click()
    lea.wait_for_load_state()
    assert "Période enregistrée" in lea.content() and "À examiner" in lea.content()

    # 3. The jury of TET099 decides and publishes: the sixth UE is earned.
    office = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    sign_in(desk, site, direction.email)
    desk.goto(f"{site}/accueil/examens/{session.pk}/ue/TET099/")
    desk.get_by_role("button", name="Clore les notes").click()
    desk.wait_for_load_state()
    desk.get_by_role("button", name="Enregistrer la décision du jury").click()
    desk.wait_for_load_state()
    desk.get_by_role("button", name="Publier les résultats maintenant").click()
    desk.wait_for_load_state()
    shot(desk, "03-jury-TET099")

    # 4. The reception accepts the attestation.
    reception_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    front = reception_context.new_page()
    sign_in(front, site, reception.email)
    front.goto(f"{site}/accueil/apprenants/?q=payet")
    front.get_by_role("link", name=learner.email).first.click()
    front.locator("label", has_text="Accepter").click()
    front.get_by_role("button", name="Enregistrer la décision").click()
    front.wait_for_load_state()
    assert "Décision enregistrée." in front.content()
    shot(front, "04-experience-acceptee")

    # 5. The jury (direction) validates the report UA2322.
    desk.goto(front.url)
    desk.locator("summary", has_text="Inscrire une UE acquise").click()
    desk.select_option("#id_credit-unit", "UA2322")
    desk.select_option("#id_credit-way", "report")
    desk.fill("#id_credit-earned_on", "2017-07-18")
    desk.fill("#id_credit-justification", "Rapport de validation soutenu le 18/07/2017 : validé.")
    shot(desk, "05-rapport-valide")
    desk.get_by_role("button", name="Inscrire l'UE").click()
    desk.wait_for_load_state()
    assert "UE inscrite au relevé des acquis." in desk.content()

    # 6. The learner now sees every condition met but access, and asks for CP29.
    lea.goto(f"{site}/espace/parcours/")
    text = lea.content()
    assert "54 ECTS obtenus sur 54" in text
    assert "seules les conditions d'accès restent" in text
    lea.get_by_role("button", name="Demander le certificat CP29").click()
    lea.wait_for_load_state()
    assert "Votre demande de CP29 est enregistrée" in lea.content()
    shot(lea, "06-demande")

    # 7. The reception checks the pieces (access: the baccalauréat), the jury grants.
    front.reload()
    front.select_option("select[name$='-access']", "bac")
    front.fill("textarea[name$='-note']", "Copie du baccalauréat vue au dossier d'inscription.")
    front.get_by_role("button", name="Pièces vérifiées : transmettre au jury").click()
    front.wait_for_load_state()
    assert "Pièces vérifiées" in front.content()
    desk.reload()
    desk.get_by_role("button", name="Le jury délivre le certificat professionnel").click()
    desk.wait_for_load_state()
    assert "Diplôme délivré" in desk.content() and "CP29-2017-00001" in desk.content()
    shot(desk, "07-jury-de-delivrance")

    # 8. The learner downloads her certificate.
    lea.goto(f"{site}/espace/parcours/")
    assert "délivré le 20/07/2017, n° CP29-2017-00001" in lea.content()
    with lea.expect_download() as download:
        lea.get_by_role("link", name="Télécharger le certificat (PDF)").click()
    saved = SCREENSHOTS / "diplomes" / "10-certificat.pdf"  # kept beside the screenshots
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    shot(lea, "08-certificat-telecharge")

    # 9. The verification page, opened from the QR code's address, confirms it —
    # by someone who is not signed in.
    addresses = [a for a in pdf_links(pdf) if "/verifier/" in a]
    assert addresses, "the QR code's link is in the PDF"
    address = addresses[0]
    from awards.models import IssuedDocument

    document = IssuedDocument.objects.get(kind="credential")
    assert address.endswith(f"/verifier/{document.code}/")
    assert segno.make(address, error="m").designator  # the address fits a QR code
    stranger = browser.new_context(locale="fr-FR").new_page()
    stranger.goto(address)
    text = stranger.content()
    assert "Document authentique et valide" in text
    assert "Léa PAYET" in text and "CP29-2017-00001" in text and "20/07/2017" in text
    assert learner.email not in text and "TET099" not in text
    shot(stranger, "09-verification")
