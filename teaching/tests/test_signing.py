"""Signed attendance (R-ORG-1): the trainer opens the sheet, learners sign by the QR
code on their phones, the trainer records one without a phone with a reason, closes
and signs; every check refuses in French and writes nothing; the signatures make the
Attendance rows the right to sit counts (R-EXA-3)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError

from parcours import clock
from teaching import services, signing
from teaching.models import Attendance, AttendanceSheet, Signature
from timetable.services import LOCAL


@pytest.fixture
def session(ast004, class_of, settings):
    """AST004's first class meeting at Le Port, the business clock in its first hour."""
    first = (
        services.group_sessions(ast004).filter(kind="class_meeting").order_by("starts_at").first()
    )
    settings.PARCOURS_TODAY = first.starts_at.astimezone(LOCAL).date().isoformat()
    return first


@pytest.fixture
def at(monkeypatch):
    """Set the business clock to a moment (clock.now is what the services read)."""

    def set_to(moment: dt.datetime):
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return set_to


def during(session, minutes=10):
    return session.starts_at.astimezone(LOCAL) + dt.timedelta(minutes=minutes)


def test_learners_sign_by_qr_the_trainer_records_one_and_closes(
    session, class_of, teacher, at, client
):
    learner, other = class_of
    at(during(session))
    sheet = signing.open_sheet(session, teacher)
    token = signing.qr_token(sheet)

    client.force_login(learner)
    page = client.get(f"/emargement/{token}/")
    assert page.status_code == 200 and "Je suis présent(e) : je signe" in page.content.decode()
    assert not Signature.objects.exists()  # GET never writes
    signed = client.post(f"/emargement/{token}/")
    assert "Présence signée" in signed.content.decode()
    again = client.post(f"/emargement/{token}/")
    assert again.status_code == 400
    assert "déjà signée" in html.unescape(again.content.decode())

    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        signing.record_by_trainer(sheet, other.pk, "  ", teacher)
    signing.record_by_trainer(sheet, other.pk, "pas de téléphone", teacher)
    at(during(session, 100))
    signing.close_sheet(sheet, teacher)
    rows = list(sheet.signatures.order_by("pk"))
    assert [(r.learner_id, r.method, r.reason) for r in rows] == [
        (learner.pk, "qr", ""),
        (other.pk, "trainer", "pas de téléphone"),
        (None, "closing", ""),
    ]
    assert rows[0].signed_by == learner and rows[1].signed_by == teacher
    assert set(Attendance.objects.filter(session=session).values_list("learner_id", "present")) == {
        (learner.pk, True),
        (other.pk, True),
    }
    # a closed sheet is frozen; a correction is a new signature with its reason
    with pytest.raises(ValidationError, match="close"):
        signing.record_by_trainer(sheet, other.pk, "oubli", teacher)
    with pytest.raises(ValidationError, match="motif"):
        signing.correct_sheet(sheet, other.pk, False, "", teacher)
    signing.correct_sheet(sheet, other.pk, False, "parti à 17h15", teacher)
    assert Attendance.objects.get(session=session, learner=other).present is False
    assert sheet.signatures.count() == 4


def test_an_expired_forged_or_foreign_code_is_refused(session, class_of, teacher, at):
    learner, _ = class_of
    start = at(during(session))
    sheet = signing.open_sheet(session, teacher)
    token = signing.qr_token(sheet)
    seconds = session.planning.year.regulation.attendance_proof.qr_seconds
    at(start + dt.timedelta(seconds=seconds * signing.TOKEN_WINDOWS + 1))
    with pytest.raises(ValidationError, match="a expiré"):
        signing.sign_by_qr(token, learner)
    at(start)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "n'importe quoi", ""):
        with pytest.raises(ValidationError, match="n'est pas celui d'une feuille"):
            signing.sign_by_qr(bad, learner)
    assert not Signature.objects.exists()


def test_no_signature_outside_the_session_nor_sheet_before_it(session, teacher, class_of, at):
    learner, _ = class_of
    at(during(session, -60))
    with pytest.raises(ValidationError, match="L'émargement se fait pendant la séance"):
        signing.open_sheet(session, teacher)
    at(during(session))
    sheet = signing.open_sheet(session, teacher)
    at(during(session, session.minutes + 31))
    with pytest.raises(ValidationError, match="Signature hors de la séance"):
        signing.record_by_trainer(sheet, learner.pk, "pas de téléphone", teacher)


def test_a_stranger_to_the_group_cannot_sign(session, teacher, at, django_user_model):
    from admissions.tests.conftest import make_user

    at(during(session))
    sheet = signing.open_sheet(session, teacher)
    stranger = make_user(django_user_model, "inconnu@example.re", "learner")
    with pytest.raises(ValidationError, match="pas inscrit"):
        signing.sign_by_qr(signing.qr_token(sheet), stranger)


def test_a_trainer_signs_one_session_at_a_time_and_a_learner_one_place(
    session, teacher, other_teacher, class_of, at, groups
):
    """R-ORG-1: a trainer booked elsewhere at the same time, a learner signing a session
    of another room at the same time: both refused."""
    learner, _ = class_of
    at(during(session))
    sheet = signing.open_sheet(session, teacher)
    signing.sign_by_qr(signing.qr_token(sheet), learner)
    # CCE001, which the learner also follows, put at the same time in another room
    same_time = (
        services.group_sessions(groups.get(unit__code="CCE001", centre__code="LE-PORT"))
        .order_by("starts_at")
        .first()
    )
    same_time.starts_at, same_time.room = session.starts_at, None
    same_time.save()
    cce001 = groups.get(unit__code="CCE001", centre__code="LE-PORT")
    services.assign_teachers(cce001, [teacher, other_teacher])
    with pytest.raises(ValidationError, match="autre séance à la même heure"):
        signing.open_sheet(same_time, teacher)
    other = signing.open_sheet(same_time, other_teacher)
    with pytest.raises(ValidationError, match="déjà signé une autre séance à la même heure"):
        signing.sign_by_qr(signing.qr_token(other), learner)
    assert not other.signatures.exists()


def test_the_sheet_and_its_actions_are_the_groups_trainer_or_staff_only(
    session, class_of, other_teacher, client, at
):
    learner, _ = class_of
    at(during(session))
    for user in (other_teacher, learner):
        client.force_login(user)
        response = client.post(f"/enseignement/seances/{session.pk}/feuille/", {"action": "open"})
        assert response.status_code in (403, 404)
        assert client.get(f"/enseignement/seances/{session.pk}/qr/").status_code in (403, 404)
    assert not AttendanceSheet.objects.exists()
