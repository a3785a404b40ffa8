"""Assessment pages: marks entry by the UE's teacher only, the jury's page and record,
and results invisible to learners on every channel until published (R-EXA-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string

from accounts.tests.test_pages import PageParser
from admissions.models import Dossier
from admissions.tests.conftest import make_user
from assessment import services
from assessment.models import Jury, Mark
from catalogue.models import Centre, Unit
from parcours import pdf
from parcours.models import Job
from teaching import services as teaching
from teaching.models import TeachingGroup


@pytest.fixture
def convoked(s1, cohort):
    services.issue_convocations(s1)
    return cohort[0]


def entry_url(session) -> str:
    return f"/examens/{session.pk}/ue/AST004/notes/"


def test_the_teacher_enters_marks_in_french_and_reads_errors(client, s1, convoked, teacher):
    client.force_login(teacher)
    page = client.get(entry_url(s1))
    assert PageParser().check(page.content.decode()) == []
    bad = client.post(
        entry_url(s1),
        {
            f"l{convoked.pk}-value": "douze",
            f"l{convoked.pk}-absence": "",
            f"l{convoked.pk}-version": "0",
        },
    )
    assert bad.status_code == 400 and "note illisible" in bad.content.decode()
    assert not Mark.objects.exists()
    client.post(
        entry_url(s1),
        {
            f"l{convoked.pk}-value": "12,5",
            f"l{convoked.pk}-absence": "",
            f"l{convoked.pk}-version": "0",
        },
    )
    assert Mark.objects.get().value == Decimal("12.5")
    # a second tab, still showing version 0, is refused and told
    stale = client.post(
        entry_url(s1),
        {
            f"l{convoked.pk}-value": "14",
            f"l{convoked.pk}-absence": "",
            f"l{convoked.pk}-version": "0",
        },
    )
    assert "modifiée par quelqu" in stale.content.decode()
    assert Mark.objects.get().value == Decimal("12.5")


def test_another_teacher_cannot_see_or_mark_the_group(
    client, s1, convoked, django_user_model, year
):
    other = make_user(django_user_model, "autre.prof@example.re", "teacher")
    teaching.assign_teachers(
        TeachingGroup.objects.get(unit__code="CCE001", centre__code="LE-PORT"), [other]
    )
    client.force_login(other)
    assert client.get(entry_url(s1)).status_code == 404
    response = client.post(
        entry_url(s1),
        {
            f"l{convoked.pk}-value": "20",
            f"l{convoked.pk}-absence": "",
            f"l{convoked.pk}-version": "0",
        },
    )
    assert response.status_code == 404
    assert not Mark.objects.exists()
    # the jury pages are for staff
    assert client.get(f"/accueil/examens/{s1.pk}/ue/AST004/").status_code == 403


def decided_jury(s1, convoked, reception, direction, value="12.5") -> Jury:
    unit = Unit.objects.get(code="AST004")
    services.save_marks(
        s1, unit, [services.MarkEntry(convoked.pk, Decimal(value), "", 0)], reception
    )
    jury = services.close_marks(services.jury_of(s1, unit))
    return services.decide(jury, direction, "RAS")


def test_nothing_leaks_before_publication(
    client, s1, convoked, reception, direction, settings, monkeypatch
):
    decided_jury(s1, convoked, reception, direction, "13.75")
    client.force_login(convoked)
    page = client.get("/espace/examens/").content.decode()
    assert "13,75" not in page and "13.75" not in page
    assert "Aucun résultat publié" in page
    # the convocation PDF carries no mark either (its HTML, before WeasyPrint compresses it)
    monkeypatch.setattr(
        pdf, "render_pdf", lambda template, context: render_to_string(template, context).encode()
    )
    document = client.get(f"/espace/examens/{s1.pk}/convocation.pdf")
    assert document.status_code == 200 and b"AST004" in document.content
    assert b"13,75" not in document.content and b"13.75" not in document.content
    # the publication day (12/03/2017) comes: the result shows
    settings.PARCOURS_TODAY = "2017-03-12"
    page = client.get("/espace/examens/").content.decode()
    assert "13,75/20 — UE validée" in page
    assert "6 ECTS" in page
    # no e-mail ever carried a mark
    assert not any("13,75" in m.body or "13.75" in m.body for m in mail.outbox)


def test_staff_publish_early_once_the_jury_has_decided(client, s1, convoked, reception, direction):
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [services.MarkEntry(convoked.pk, Decimal(9), "", 0)], reception)
    client.force_login(reception)
    url = f"/accueil/examens/{s1.pk}/ue/AST004/jury/"
    response = client.post(url, {"action": "publish"}, follow=True)
    assert "revient à la direction" in response.content.decode()
    client.force_login(direction)
    response = client.post(url, {"action": "publish"}, follow=True)
    assert "une fois le jury tenu" in response.content.decode()
    client.force_login(reception)
    client.post(url, {"action": "close"})
    refused = client.post(url, {"action": "decide", "minutes": "Jury complet."}, follow=True)
    assert "revient à la direction" in refused.content.decode()
    assert Jury.objects.get().status == "closed"
    client.force_login(direction)
    client.post(url, {"action": "decide", "minutes": "Jury complet."})
    assert Jury.objects.get().status == "decided"
    client.force_login(reception)
    client.post(url, {"action": "publish"})
    assert Jury.objects.get().published_early_on is None  # the direction's, not the reception's
    client.force_login(direction)
    client.post(url, {"action": "publish"})
    client.force_login(convoked)
    assert "9/20" in client.get("/espace/examens/").content.decode()


def test_the_jury_page_and_record(client, s1, convoked, cohort, reception, direction):
    decided_jury(s1, convoked, reception, direction)
    client.force_login(reception)
    page = client.get(f"/accueil/examens/{s1.pk}/ue/AST004/").content.decode()
    assert PageParser().check(page) == []
    assert "taux de réussite 100,0 %" in page or "taux de réussite 100.0 %" in page
    assert "examen refusé" in page  # the other learner, one attendance (R-EXA-3)
    services.save_marks(
        s1,
        Unit.objects.get(code="AST004"),
        [services.MarkEntry(convoked.pk, Decimal(13), "", 1)],
        direction,
        "Erreur de report",
    )
    page = client.get(f"/accueil/examens/{s1.pk}/ue/AST004/").content.decode()
    assert "13/20 (version 2) — correction, motif : Erreur de report" in page
    record = client.get(f"/accueil/examens/{s1.pk}/ue/AST004/pv.pdf")
    assert record.status_code == 200 and record.content.startswith(b"%PDF")
    # Issue 14, item 7: the letterhead gives the regional centre's address, not a comma.
    regional = Centre.objects.regional()
    text = pdf_text(record.content)
    assert f"{regional.address}, {regional.city}" in text
    assert not [line for line in text.splitlines() if line.strip() == ","]
    client.force_login(convoked)
    convocation = pdf_text(client.get(f"/espace/examens/{s1.pk}/convocation.pdf").content)
    centre = Dossier.objects.get(learner=convoked).centre
    assert f"({centre.address}, {centre.city})" in " ".join(convocation.split())
    # a learner reaches neither
    client.force_login(convoked)
    assert client.get(f"/accueil/examens/{s1.pk}/ue/AST004/pv.pdf").status_code == 403


def test_the_session_records_come_in_one_pdf_made_by_the_worker(
    client, s1, convoked, cohort, reception, direction, teacher, django_capture_on_commit_callbacks
):
    """Issue 15, item 2: a PDF batch is a job; staff follow it and download its file
    where they started it; nobody else reaches the file."""
    client.force_login(reception)
    assert "Assembler les procès-verbaux" not in client.get("/accueil/examens/").content.decode()
    decided_jury(s1, convoked, reception, direction)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/accueil/examens/{s1.pk}/proces-verbaux/")
    assert response.url == "/accueil/examens/"
    page = client.get("/accueil/examens/").content.decode()
    assert PageParser().check(page) == []
    assert "Terminé" in page and "1 procès-verbal assemblé en un PDF." in page
    job = Job.objects.get(kind=Job.Kind.JURY_RECORDS)
    assert job.requested_by == reception and job.stored_name
    download = client.get(f"/accueil/travaux/fichier/{job.pk}/")
    document = b"".join(download.streaming_content)
    assert download.status_code == 200 and document.startswith(b"%PDF")
    assert "AST004" in pdf_text(document) and "12,5" in pdf_text(document)
    for other in (convoked, teacher):
        client.force_login(other)
        assert client.get(f"/accueil/travaux/fichier/{job.pk}/").status_code == 403
        assert client.get("/accueil/travaux/jury_records/").status_code == 403
        assert client.post(f"/accueil/examens/{s1.pk}/proces-verbaux/").status_code == 403
    client.logout()
    assert client.get(f"/accueil/travaux/fichier/{job.pk}/").status_code == 302
    assert Job.objects.count() == 1


def pdf_text(document: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_a_refused_learner_sees_why(client, s1, cohort):
    _, other = cohort
    client.force_login(other)
    # during the semester, nothing is said refused yet: attendance may still come
    assert (
        "Examens que vous ne pouvez pas passer"
        not in client.get("/espace/examens/").content.decode()
    )
    services.issue_convocations(s1)
    client.force_login(other)
    page = client.get("/espace/examens/").content.decode()
    assert "Examens que vous ne pouvez pas passer" in page
    assert "condition non remplie : examen refusé" in page
    assert client.get(f"/espace/examens/{s1.pk}/convocation.pdf").status_code == 404


def test_a_learner_sees_only_their_own_results(
    client, s1, convoked, cohort, reception, direction, settings
):
    decided_jury(s1, convoked, reception, direction, "15")
    settings.PARCOURS_TODAY = "2017-03-12"
    client.force_login(cohort[1])
    page = client.get("/espace/examens/").content.decode()
    assert "15/20" not in page and "Aucun résultat publié" in page


def test_learner_exam_page_query_count(
    client, s1, convoked, reception, direction, django_assert_num_queries
):
    decided_jury(s1, convoked, reception, direction)
    client.force_login(convoked)
    # session, user, roles; the year; convocations; the next session and its right to sit
    # (year, units and their programmes, registrations, attendance, earlier sessions'
    # marks); published marks and their juries; the year's regulation; the sessions of
    # the convocations' years (R-EXA-5: a convocation hangs on earlier results); the
    # published written papers of the convocations and their orals (R-EXA-1)
    with django_assert_num_queries(18):
        client.get("/espace/examens/")


def test_exam_dates_are_those_of_the_calendar(s1):
    assert s1.starts_on == dt.date(2017, 2, 20)


def test_results_are_announced_by_e_mail_without_the_mark(
    s1,
    convoked,
    reception,
    direction,
    settings,
    mailoutbox,
    client,
    django_capture_on_commit_callbacks,
):
    decided_jury(s1, convoked, reception, direction, "17.25")
    assert services.send_result_notices() == 0  # not published yet (13/02/2017)
    client.force_login(convoked)
    assert "Vos résultats sont disponibles" not in client.get("/espace/").content.decode()
    settings.PARCOURS_TODAY = "2017-03-12"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_result_notices() == 1
    assert services.send_result_notices() == 0  # once
    (message,) = [m for m in mailoutbox if "résultats" in m.subject]
    assert "Vos résultats sont disponibles" in message.body
    assert "17,25" not in message.body and "17.25" not in message.body
    assert "/20" not in message.body
    assert "Vos résultats sont disponibles" in client.get("/espace/").content.decode()


CHANNELS = ["/espace/", "/espace/examens/", "/espace/parcours/", "/espace/planning/"]


def test_a_session_2_right_shows_nothing_before_the_session_1_results_are_published(
    client, s1, sessions, cohort, ast004, reception, direction, settings, monkeypatch
):
    """R-EXA-5: convocations of session 2 issued after the session-1 jury decided, but
    before its publication, would tell the learner whether they passed (a refusal
    "déjà validée", a convocation present or absent)."""
    learner, other = cohort
    held = list(teaching.group_sessions(ast004).order_by("starts_at")[:3])
    teaching.record_attendance(held[2], {other.pk}, reception)  # the other may sit too
    services.issue_convocations(s1)
    unit = Unit.objects.get(code="AST004")
    entries = [
        services.MarkEntry(learner.pk, Decimal("13.75"), "", 0),  # validated
        services.MarkEntry(other.pk, Decimal("6"), "", 0),  # to sit again at session 2
    ]
    services.save_marks(s1, unit, entries, reception)
    services.decide(services.close_marks(services.jury_of(s1, unit)), direction)
    second = sessions[2, ""]
    services.issue_convocations(second)
    assert second.convocations.filter(learner=other).exists()
    monkeypatch.setattr(
        pdf, "render_pdf", lambda template, context: render_to_string(template, context).encode()
    )

    def channels(user) -> str:
        client.force_login(user)
        document = client.get(f"/espace/examens/{second.pk}/convocation.pdf")
        pages = [client.get(url).content.decode() for url in CHANNELS]
        return "\n".join([*pages, str(document.status_code), document.content.decode()])

    settings.PARCOURS_TODAY = "2017-03-11"  # the day before publication
    for user in (learner, other):
        before = channels(user)
        assert "déjà validée" not in before and "capitalisée" not in before
        assert "13,75" not in before and "6/20" not in before
        assert "session 2" not in before.lower()
        assert "\n404\n" in before  # no session-2 convocation PDF either

    settings.PARCOURS_TODAY = "2017-03-12"  # the publication day
    passed, failed = channels(learner), channels(other)
    assert "13,75" in passed and "déjà validée" in passed
    assert "Vous êtes convoqué(e) à la session 2" in failed and "\n200\n" in failed


def test_session_2_convocations_wait_for_the_session_1_jury(s1, sessions, convoked, reception):
    """R-EXA-4, R-EXA-5: marks a jury has not decided count for nothing (neither a UE
    validated nor a session sat): no session-2 convocation of the UE is issued before
    that jury decides."""
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [services.MarkEntry(convoked.pk, Decimal(8), "", 0)], reception)

    assert services.units_awaiting_jury(sessions[2, ""]) == {unit.pk}
    services.issue_convocations(sessions[2, ""])
    assert not sessions[2, ""].convocations.filter(unit=unit).exists()
    rights = {c.learner_id: c.right for c in services.exam_rights(sessions[2, ""], [unit.pk])}
    assert not any("déjà validée" in r.message for r in rights[convoked.pk].reasons)


def test_only_the_direction_decides_and_publishes_a_jury(s1, convoked, reception, direction):
    """R-EXA-5: the jury's decision and an early publication are the direction's, in
    the service whatever the page."""
    from django.core.exceptions import ValidationError

    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [services.MarkEntry(convoked.pk, Decimal(9), "", 0)], reception)
    jury = services.close_marks(services.jury_of(s1, unit))
    with pytest.raises(ValidationError, match="direction"):
        services.decide(jury, reception)
    jury = services.decide(jury, direction)
    with pytest.raises(ValidationError, match="direction"):
        services.publish_early(jury, reception)
    assert Jury.objects.get().published_early_on is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NaN", "note illisible"),
        ("sNaN", "note illisible"),
        ("Infinity", "note illisible"),
        ("12,555", "2 décimales au plus"),
        ("20,01", "entre 0 et 20"),
    ],
)
def test_an_odd_mark_is_refused_in_french_not_rounded(  # R-EXA-4 judges the mark as typed
    client, s1, convoked, teacher, typed, message
):
    client.force_login(teacher)
    response = client.post(
        entry_url(s1),
        {
            f"l{convoked.pk}-value": typed,
            f"l{convoked.pk}-absence": "",
            f"l{convoked.pk}-version": "0",
        },
    )

    assert response.status_code == 400 and message in response.content.decode()
    assert not Mark.objects.exists()


def test_a_large_jury_page_shows_a_page_of_candidates_and_counts_them_all(
    client, s1, cohort, reception, django_user_model, monkeypatch
):
    """Issue 19, item 4: the jury page of a UE sent every candidate's row (1.1 MB for
    9 657); it shows a page of them, the counts over all."""
    from assessment import views

    monkeypatch.setattr(views, "JURY_PAGE", 1)
    client.force_login(reception)
    url = f"/accueil/examens/{s1.pk}/ue/AST004/"
    first = client.get(url).content.decode()
    assert "sur 2)" in first and "page 1 sur 2" in first and "?page=2" in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert "page 2 sur 2" in second
    assert client.get(url, {"page": "abc"}).status_code == 200
