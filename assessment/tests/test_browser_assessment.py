"""The assessment journey in a real browser (Debian's Chromium through Playwright): a
teacher records attendance twice for a learner on a phone; the learner gets the right to
sit and a convocation; the teacher imports a marks file with one bad line, sees the
error, fixes it and imports; the jury decides; before the publication date the learner
sees nothing, after it the result.

Screenshots go to artifacts/screenshots/examens/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from admissions.tests.conftest import make_user
from parcours.tests.browser import screenshots, sign_in
from teaching import services as teaching
from teaching.models import TeachingGroup
from timetable import services as timetable
from timetable.models import Planning
from timetable.services import LOCAL
from timetable.tests.conftest import register

pytestmark = pytest.mark.browser

shot = screenshots("examens")
SESSION_1 = re.escape("Session 1 (semestre 1)")


@pytest.fixture
def site(live_server, transactional_db, settings, cached_solver):
    from catalogue.models import AcademicYear, Centre
    from catalogue.services import load_catalogue_folder

    load_catalogue_folder(settings.PARCOURS_DATA_DIR)
    year = AcademicYear.objects.get(code="2016-2017")
    planning = timetable.generate(year, Centre.objects.get(code="LE-PORT")).planning
    timetable.publish(planning)
    teaching.ensure_groups(year)
    return live_server.url


def test_the_assessment_journey(browser, site, django_user_model, settings, tmp_path):
    teacher = make_user(django_user_model, "prof@example.re", "teacher")
    reception = make_user(django_user_model, "accueil@example.re", "reception")
    direction = make_user(django_user_model, "direction@example.re", "direction")
    learner = make_user(django_user_model, "lea.payet@example.re", "learner")
    planning = Planning.objects.get()
    group = TeachingGroup.objects.get(unit__code="AST004", centre=planning.centre)
    teaching.assign_teachers(group, [teacher])
    dossier = register(learner, planning.year, planning.centre, {"AST004": False, "CCE001": False})
    # CCE001 has a written paper (R-EXA-1): its two attendances are recorded here.
    written = TeachingGroup.objects.get(unit__code="CCE001", centre=planning.centre)
    for session in teaching.group_sessions(written).order_by("starts_at")[:2]:
        teaching.record_attendance(session, {learner.pk}, reception)
    dossier.last_name, dossier.first_name = "Payet", "Léa"
    dossier.save()
    held = list(teaching.group_sessions(group).order_by("starts_at")[:2])
    settings.PARCOURS_TODAY = f"{held[1].starts_at.astimezone(LOCAL).date():%Y-%m-%d}"

    # 1. The teacher, on a phone, records attendance at two sessions.
    phone = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    sign_in(mobile, site, teacher.email)
    mobile.goto(f"{site}/enseignement/groupes/{group.pk}/")
    for index, session in enumerate(held, start=1):
        mobile.goto(f"{site}/enseignement/seances/{session.pk}/emargement/")
        mobile.locator("label", has_text="PAYET Léa").click()  # DSFR draws the box on the label
        if index == 1:
            assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            shot(mobile, "01-emargement-mobile")
        mobile.get_by_role("button", name="Enregistrer l'émargement").click()
        mobile.wait_for_load_state()
        assert "Émargement enregistré : 1 présent(s) sur 1" in mobile.content()
    shot(mobile, "02-groupe-apres-emargement")

    # 2. End of semester 1: the reception creates the sessions and convokes.
    settings.PARCOURS_TODAY = "2017-02-13"
    office = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    sign_in(desk, site, reception.email)
    desk.goto(f"{site}/accueil/examens/")
    desk.get_by_role("button", name="Créer les sessions d'après le calendrier").click()
    desk.wait_for_load_state()
    desk.get_by_role("link", name="AST004 — Institutions").first.click()
    desk.wait_for_load_state()
    exam_url = desk.url
    desk.get_by_role("button", name="Émettre les convocations").click()
    desk.wait_for_load_state()
    assert "Convocations émises" in desk.content()
    shot(desk, "03-jury-convocations")
    desk.goto(f"{site}/accueil/examens/")
    desk.get_by_role("link", name="CCE001 — Outils").first.click()
    desk.wait_for_load_state()
    desk.get_by_role("button", name="Émettre les convocations").click()
    desk.wait_for_load_state()

    # 2b. The exam timetable: computed (a job), checked, published (R-EXA-1).
    desk.goto(f"{site}/accueil/examens/")
    desk.get_by_role(
        "button",
        name=re.compile(
            f"^Calculer le calendrier des épreuves du Centre régional du Port, {SESSION_1}"
        ),
    ).click()
    desk.wait_for_load_state()
    assert "1 épreuve placée" in desk.content()
    shot(desk, "03b-calendrier-des-epreuves")
    desk.get_by_role(
        "button",
        name=re.compile(
            f"^Publier le calendrier des épreuves du Centre régional du Port, {SESSION_1}"
        ),
    ).click()
    desk.wait_for_load_state()
    assert "Calendrier des épreuves publié" in desk.content()

    # 3. The learner sees the convocation and downloads it.
    own = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    space = own.new_page()
    sign_in(space, site, learner.email)
    space.goto(f"{site}/espace/")
    assert "Vous êtes convoqué(e) à la session 1" in space.content()
    space.goto(f"{site}/espace/examens/")
    # date, time, length, room and centre of the written paper (R-EXA-1)
    assert re.search(
        r"CCE001 : épreuve écrite le \w+ \d+ \w+ 2017 à \d+h\d\d \(\d+ min\), salles? .+, "
        r"Centre régional du Port",
        space.inner_text("main"),
    ), space.inner_text("main")
    shot(space, "04-convocation")
    with space.expect_download() as download:
        space.get_by_role("link", name="ma convocation (PDF)").click()
    convocation = Path(download.value.path()).read_bytes()
    assert convocation.startswith(b"%PDF")
    from assessment.tests.test_views import pdf_text

    printed = " ".join(pdf_text(convocation).split())
    assert re.search(r"Écrit le \d\d/\d\d/2017 à \d+h\d\d, \d+ min, salles? \S", printed), printed

    # 4. The teacher imports a marks file with one bad line, reads it, fixes it.
    mobile.goto(exam_url.replace("/accueil/examens/", "/examens/").rstrip("/") + "/import/")
    bad = tmp_path / "notes.csv"
    bad.write_text("email;note\nlea.payet@example.re;14,5\ninconnu@example.re;12\n")
    mobile.set_input_files("#fichier", str(bad))
    mobile.get_by_role("button", name="Voir l'aperçu").click()
    mobile.wait_for_load_state()
    assert "apprenant inconnu « inconnu@example.re »" in mobile.content()
    shot(mobile, "05-import-erreur")
    good = tmp_path / "notes-corrigees.csv"
    good.write_text("email;note\nlea.payet@example.re;14,5\n")
    mobile.set_input_files("#fichier", str(good))
    mobile.get_by_role("button", name="Voir l'aperçu").click()
    mobile.wait_for_load_state()
    mobile.get_by_role("button", name="Confirmer l'import de 1 note").click()
    mobile.wait_for_load_state()
    assert "1 note(s) importée(s)" in mobile.content()
    shot(mobile, "06-import-reussi")

    # 5. The jury: marks closed, decision recorded.
    desk.goto(exam_url)
    desk.get_by_role("button", name="Clore les notes").click()
    desk.wait_for_load_state()
    assert "la décision du jury et la publication reviennent à la direction" in desk.content()
    # The jury is the direction's (R-EXA-5 and the brochure's jury).
    board = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(board, site, direction.email)
    board.goto(exam_url)
    board.fill("#minutes", "Jury complet, aucune observation.")
    board.get_by_role("button", name="Enregistrer la décision du jury").click()
    board.wait_for_load_state()
    assert "Jury tenu" in board.content()
    shot(board, "07-jury-tenu")

    # 6. Before the publication date the learner sees nothing; after it, the result.
    space.goto(f"{site}/espace/examens/")
    assert "14,5" not in space.content() and "Aucun résultat publié" in space.content()
    shot(space, "08-avant-publication")
    settings.PARCOURS_TODAY = (dt.date(2017, 2, 25) + dt.timedelta(days=15)).isoformat()
    space.goto(f"{site}/espace/examens/")
    assert "14,5/20 — UE validée" in space.content()
    shot(space, "09-resultat-publie")
