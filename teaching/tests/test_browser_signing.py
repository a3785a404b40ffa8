# ruff: noqa: F811 (the live site fixture imported from the assessment journey, used by name)
"""Signed attendance in a real browser (issue 17; R-ORG-1, R-EXA-3): a teacher opens a
session's sheet on a phone; two learners sign by the QR code on their own phones (two
browser contexts, each signed in to their account); a third, without a phone, is
recorded by the teacher with a reason; the sheet is closed. The sheet's PDF and a
certificat de réalisation show the hours; a fourth learner who missed two sessions
gets the absence alert; a signature on another room's sheet at the same time is
refused.

Scanning is opening the address the QR code carries: the test reads the token the
teacher's screen shows now (signing.qr_token, the same window) and opens it.
Screenshots go to artifacts/screenshots/emargement/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from admissions.models import Dossier
from admissions.tests.conftest import make_user
from assessment.tests.test_browser_assessment import site  # noqa: F401
from assessment.tests.test_views import pdf_text
from parcours import clock
from parcours.tests.browser import screenshots, sign_in
from teaching import services as teaching
from teaching import signing
from teaching.alerts import send_absence_alerts
from teaching.models import AttendanceSheet, TeachingGroup
from timetable.models import Planning, Room, Session
from timetable.services import LOCAL
from timetable.tests.conftest import register

pytestmark = pytest.mark.browser

shot = screenshots("emargement")
PHONE = {
    "locale": "fr-FR",
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
}


def _named(learner, year, centre, units, first, last):
    dossier = register(learner, year, centre, units)
    Dossier.objects.filter(pk=dossier.pk).update(first_name=first, last_name=last)
    return dossier


def _concurrent(session) -> Session:
    """A class meeting of another UE in another room overlapping `session` (one is
    moved there if the planning has none: the check is what is tried, not the
    planning)."""
    others = Session.objects.filter(
        planning=session.planning, kind="class_meeting", cancelled=False
    ).exclude(unit=session.unit)
    overlapping = (
        others.filter(starts_at__lt=session.ends_at, starts_at__gte=session.starts_at)
        .exclude(room=session.room)
        .first()
    )
    if overlapping is not None:
        return overlapping
    room = Room.objects.filter(centre=session.planning.centre).exclude(
        pk=session.room_id
    ).first() or Room.objects.create(
        centre=session.planning.centre, code="SALLE-B", name="Salle B", capacity=30
    )
    other = others.order_by("starts_at").first()
    Session.objects.filter(pk=other.pk).update(starts_at=session.starts_at, room=room)
    other.refresh_from_db()
    return other


def test_the_signed_attendance_journey(
    browser, site, django_user_model, settings, monkeypatch, mailoutbox
):
    teacher = make_user(django_user_model, "prof@example.re", "teacher")
    reception = make_user(django_user_model, "accueil@example.re", "reception")
    lea = make_user(django_user_model, "lea.payet@example.re", "learner")
    paul = make_user(django_user_model, "paul.hoarau@example.re", "learner")
    marie = make_user(django_user_model, "marie.grondin@example.re", "learner")
    jean = make_user(django_user_model, "jean.riviere@example.re", "learner")
    planning = Planning.objects.get()
    year, centre = planning.year, planning.centre
    group = TeachingGroup.objects.get(unit__code="AST004", centre=centre)
    teaching.assign_teachers(group, [teacher])
    _named(lea, year, centre, {"AST004": False, "CCE001": False}, "Léa", "Payet")
    _named(paul, year, centre, {"AST004": False}, "Paul", "Hoarau")
    _named(marie, year, centre, {"AST004": False}, "Marie", "Grondin")
    _named(jean, year, centre, {"AST004": False}, "Jean", "Rivière")
    meetings = list(
        teaching.group_sessions(group).filter(kind="class_meeting").order_by("starts_at")
    )
    earlier, session = meetings[0], meetings[1]
    other = _concurrent(session)
    other_group = TeachingGroup.objects.get(unit=other.unit, centre=centre)
    teaching.assign_teachers(other_group, [reception])
    Dossier.objects.filter(learner=lea).first().units.create(unit=other.unit, foad=False)

    moment = {"now": earlier.starts_at + dt.timedelta(minutes=5)}
    settings.PARCOURS_TODAY = earlier.starts_at.astimezone(LOCAL).date().isoformat()
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    # An earlier session Jean missed (closed by the teacher without his signature).
    first_sheet = signing.open_sheet(earlier, teacher)
    for person in (lea, paul, marie):
        signing.record_by_trainer(first_sheet, person.pk, "pas de téléphone", teacher)
    moment["now"] = earlier.ends_at
    signing.close_sheet(first_sheet, teacher)

    # 1. The teacher opens the session's sheet on a phone: a QR code.
    moment["now"] = session.starts_at + dt.timedelta(minutes=3)
    settings.PARCOURS_TODAY = session.starts_at.astimezone(LOCAL).date().isoformat()
    teacher_phone = browser.new_context(**PHONE)
    screen = teacher_phone.new_page()
    sign_in(screen, site, teacher.email)
    screen.goto(f"{site}/enseignement/seances/{session.pk}/emargement/")
    screen.get_by_role("button", name="Ouvrir l'émargement").click()
    screen.wait_for_load_state()
    assert screen.locator(".parcours-qr svg").count() == 1
    shot(screen, "01-qr-code-formateur")
    sheet = AttendanceSheet.objects.get(session=session)

    # 2. Two learners sign on their own phones.
    for person in (lea, paul):
        context = browser.new_context(**PHONE)
        phone = context.new_page()
        sign_in(phone, site, person.email)
        phone.goto(f"{site}/emargement/{signing.qr_token(sheet)}/")
        phone.get_by_role("button", name="Je suis présent(e) : je signe").click()
        phone.wait_for_load_state()
        assert "Présence signée" in phone.content()
        if person == lea:
            shot(phone, "02-signature-apprenant")
        context.close()

    # 3. Marie has no phone: the teacher records her, with the reason.
    screen.reload()
    screen.get_by_label("Apprenant présent").select_option(label="GRONDIN Marie")
    screen.get_by_label("Pourquoi il ne signe pas lui-même").fill("téléphone déchargé")
    screen.get_by_role("button", name="Enregistrer sa présence").click()
    screen.wait_for_load_state()
    assert "Présence enregistrée, avec son motif" in screen.content()

    # 4. Léa, signed here, tries the sheet of another room at the same time: refused.
    moment["now"] = session.starts_at + dt.timedelta(minutes=6)
    elsewhere = signing.open_sheet(other, reception)
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    sign_in(phone, site, lea.email)
    phone.goto(f"{site}/emargement/{signing.qr_token(elsewhere)}/")
    phone.get_by_role("button", name="Je suis présent(e) : je signe").click()
    phone.wait_for_load_state()
    refusal = phone.content()
    assert "Signature impossible" in refusal and "une autre séance à la même heure" in refusal
    shot(phone, "03-signature-refusee-autre-salle")
    context.close()

    # 5. The teacher closes and signs the sheet; Jean, absent twice, is absent.
    moment["now"] = session.ends_at + dt.timedelta(minutes=5)
    screen.reload()
    screen.get_by_role("button", name="Clore et signer la feuille").click()
    screen.wait_for_load_state()
    assert "Feuille close et signée" in screen.content()
    shot(screen, "04-feuille-close")
    pdf = teacher_phone.request.get(f"{site}/enseignement/seances/{session.pk}/feuille.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(pdf.body()).split())
    for expected in (
        "PAYET Léa",
        "HOARAU Paul",
        "téléphone déchargé",
        "QR code (téléphone de l'apprenant)",
        f"({session.minutes} min)",
        "Signée et close par",
    ):
        assert expected in text, expected
    teacher_phone.close()

    # 6. The reception issues Léa's certificat de réalisation: two signed sessions' hours.
    desk = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    office = desk.new_page()
    sign_in(office, site, reception.email)
    office.goto(f"{site}/accueil/apprenants/{lea.pk}/")
    office.get_by_text("Délivrer un certificat de réalisation").click()
    office.get_by_label("Financeur destinataire").fill("OPCO Atlas")
    office.get_by_role("button", name="Délivrer le certificat").click()
    office.wait_for_load_state()
    assert "Certificat de réalisation délivré" in office.content()
    shot(office, "05-certificat-delivre")
    link = office.get_by_role("link", name="Certificat de réalisation").first.get_attribute("href")
    certificate = " ".join(pdf_text(desk.request.get(f"{site}{link}").body()).split())
    hours = (earlier.minutes + session.minutes) / 60
    assert f"{hours:.2f}".rstrip("0").rstrip(".").replace(".", ",") in certificate
    assert "OPCO Atlas" in certificate

    # 7. Jean, who missed both sessions, is told; the reception sees him at risk.
    assert send_absence_alerts() >= 1
    told = [m for m in mailoutbox if m.to == [jean.email]]
    assert told and "AST004" in told[0].subject
    assert f"{earlier.starts_at.astimezone(LOCAL):%-d}" in told[0].body
    office.goto(f"{site}/accueil/absences/?ue=AST004")
    assert "RIVIÈRE Jean" in office.content()
    shot(office, "06-apprenants-a-risque")
    desk.close()
