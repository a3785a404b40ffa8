"""The exam timetable in the apps (R-EXA-1, issue 16 item 1): staff compute it in the
worker from the convocations, publish it, and the learner's exam page and convocation
then give date, time and room of each written paper — nothing before publication."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from admissions.tests.conftest import make_user
from assessment import exam_timetable, services
from assessment.models import ExamPaper, ExamTimetable
from assessment.tests.test_views import pdf_text
from catalogue.models import Centre
from parcours.models import Job
from teaching import services as teaching
from teaching.models import TeachingGroup
from timetable.services import LOCAL
from timetable.tests.conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(planning, year, le_port, learner, other_learner, reception, s1):
    """Two learners convoked to CCE001 (a written paper) at Le Port."""
    teaching.ensure_groups(year)
    group = TeachingGroup.objects.get(unit__code="CCE001", centre__code="LE-PORT")
    for person in (learner, other_learner):
        register(person, year, le_port, {"CCE001": False, "AST004": False})
    held = list(
        teaching.group_sessions(group)
        .filter(starts_at__lt=dt.datetime(2017, 2, 13, tzinfo=LOCAL))
        .order_by("starts_at")
    )
    for session in held[:2]:
        teaching.record_attendance(session, {learner.pk, other_learner.pk}, reception)
    services.issue_convocations(s1)
    return s1


def test_staff_compute_and_publish_then_the_learner_reads_date_time_and_room(
    client, written, learner, reception, django_capture_on_commit_callbacks
):
    le_port = Centre.objects.get(code="LE-PORT")
    client.force_login(learner)
    page = html.unescape(client.get("/espace/examens/").content.decode())
    assert "épreuve écrite le" not in page  # nothing before a timetable is published

    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accueil/examens/{written.pk}/epreuves/", {"centre": le_port.pk})
    job = Job.objects.get(kind=Job.Kind.EXAM_TIMETABLE)
    assert job.status == Job.Status.DONE, job.message
    assert "1 épreuve placée" in job.message
    paper = ExamPaper.objects.get()
    assert paper.unit.code == "CCE001" and paper.candidates == 2
    assert written.starts_on <= paper.starts_at.astimezone(LOCAL).date() <= written.ends_on
    assert paper.starts_at.astimezone(LOCAL).time() in (dt.time(17, 0), dt.time(19, 0))
    page = html.unescape(client.get("/accueil/examens/").content.decode())
    assert "CCE001 (2 candidats, 120 min)" in page

    client.force_login(learner)
    assert "épreuve écrite le" not in client.get("/espace/examens/").content.decode()
    client.force_login(reception)
    timetable = ExamTimetable.objects.get()
    client.post(f"/accueil/examens/epreuves/{timetable.pk}/publication/")
    client.force_login(learner)
    page = html.unescape(client.get("/espace/examens/").content.decode())
    when = paper.starts_at.astimezone(LOCAL)
    assert "CCE001 : épreuve écrite le" in page and f"à {when:%H}h{when:%M}" in page
    assert paper.rooms in page
    convocation = pdf_text(client.get(f"/espace/examens/{written.pk}/convocation.pdf").content)
    assert f"{when:%d/%m/%Y} à {when:%H}h{when:%M}" in " ".join(convocation.split())

    # the learner's calendar feed carries the paper too
    from icalendar import Calendar

    from timetable.services import new_feed

    feed = Calendar.from_ical(client.get(f"/agenda/{new_feed(learner)}.ics").content)
    exams = [e for e in feed.walk("VEVENT") if "Épreuve écrite" in str(e["summary"])]
    assert [str(e["summary"]) for e in exams] == ["CCE001 — Épreuve écrite"]
    assert exams[0].decoded("dtstart") == when
    assert paper.rooms in str(exams[0]["location"])

    client.force_login(reception)  # a published timetable is not recomputed
    with pytest.raises(Exception, match="publié"):
        exam_timetable.generate(written, le_port)


def test_without_convocations_the_job_says_why_and_others_are_refused(
    client, planning, s1, learner, reception, django_user_model, django_capture_on_commit_callbacks
):
    le_port = Centre.objects.get(code="LE-PORT")
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accueil/examens/{s1.pk}/epreuves/", {"centre": le_port.pk})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and "émettez d'abord les convocations" in job.message
    assert client.post(f"/accueil/examens/{s1.pk}/epreuves/", {"centre": "x"}).status_code == 302
    teacher = make_user(django_user_model, "prof@example.re", "teacher")
    for other in (learner, teacher):
        client.force_login(other)
        assert (
            client.post(f"/accueil/examens/{s1.pk}/epreuves/", {"centre": le_port.pk}).status_code
            == 403
        )
        assert client.post("/accueil/examens/epreuves/1/publication/").status_code == 403


def _slot_of(paper) -> str:
    return exam_timetable.slot_id(paper.starts_at)


def _convoke_to_ast004(session, reception, *people):
    """Both learners attend AST004 too, and are convoked to it."""
    group = TeachingGroup.objects.get(unit__code="AST004", centre__code="LE-PORT")
    held = list(
        teaching.group_sessions(group)
        .filter(starts_at__lt=dt.datetime(2017, 2, 13, tzinfo=LOCAL))
        .order_by("starts_at")
    )
    for one in held[:2]:
        teaching.record_attendance(one, {p.pk for p in people}, reception)
    services.issue_convocations(session)


def test_staff_move_a_paper_with_the_engines_checks_and_a_published_move_is_mailed(
    client,
    written,
    learner,
    other_learner,
    reception,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """R-EXA-1: staff adjust the timetable on its page; a move that seats a candidate
    twice at once is refused with the reason, nothing saved; after publication, a move
    mails each candidate the new date, and the calendar feed's event is a newer version."""
    from assessment.models import Convocation
    from catalogue.models import Unit

    Unit.objects.filter(code="AST004").update(evaluation=["2"])  # two written papers
    _convoke_to_ast004(written, reception, learner, other_learner)
    le_port = Centre.objects.get(code="LE-PORT")
    timetable = exam_timetable.generate(written, le_port)
    cce, ast = (ExamPaper.objects.get(unit__code=code) for code in ("CCE001", "AST004"))
    assert _slot_of(cce) != _slot_of(ast)  # the same two candidates

    client.force_login(reception)
    page = html.unescape(client.get(f"/accueil/examens/epreuves/{timetable.pk}/").content.decode())
    assert "Épreuves écrites" in page and "Nouveau créneau" in page
    move = f"/accueil/examens/epreuves/deplacer/{ast.pk}/"
    response = client.post(move, {"slot": _slot_of(cce)}, follow=True)
    assert "AST004 et CCE001 au même créneau : 2 candidat(s) passent les deux." in html.unescape(
        response.content.decode()
    )
    ast.refresh_from_db()
    assert _slot_of(ast) != _slot_of(cce) and ast.sequence == 0  # nothing saved
    unknown = client.post(
        f"/accueil/examens/epreuves/deplacer/{ast.pk}/", {"slot": "x"}, follow=True
    )
    assert "choisissez un créneau de la session" in html.unescape(unknown.content.decode())

    exam_timetable.publish(timetable)
    free = next(
        value
        for value, _ in exam_timetable.slot_choices(timetable)
        if value not in (_slot_of(cce), _slot_of(ast))
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(move, {"slot": free})
    assert response.status_code == 302
    ast.refresh_from_db()
    assert _slot_of(ast) == free and ast.sequence == 1
    when = ast.starts_at.astimezone(LOCAL)
    convoked = set(
        Convocation.objects.filter(session=written, unit__code="AST004").values_list(
            "learner__email", flat=True
        )
    )
    assert {m.to[0] for m in mailoutbox} == convoked == {learner.email, other_learner.email}
    assert all(f"{when:%H}h{when:%M}" in m.body and "déplacée" in m.body for m in mailoutbox)

    from icalendar import Calendar

    from timetable.services import new_feed

    client.force_login(learner)
    feed = Calendar.from_ical(client.get(f"/agenda/{new_feed(learner)}.ics").content)
    event = next(e for e in feed.walk("VEVENT") if str(e["summary"]) == "AST004 — Épreuve écrite")
    assert event.decoded("dtstart") == when and int(event["sequence"]) == 1


def test_orals_get_one_slot_per_candidate_and_reports_a_deadline(
    client, written, learner, other_learner, reception
):
    """R-EXA-1: an oral ("^") gives each candidate their own slot, never during their
    written paper; a report ("1") is due `report_days_before` days before the session,
    at `report_due_at` (the year's data); the learner reads both once published."""
    from assessment.models import ExamOral
    from catalogue.models import Unit

    Unit.objects.filter(code="CCE001").update(evaluation=["2", "^"])
    _convoke_to_ast004(written, reception, learner, other_learner)
    le_port = Centre.objects.get(code="LE-PORT")
    timetable = exam_timetable.publish(exam_timetable.generate(written, le_port))
    paper = ExamPaper.objects.get(unit__code="CCE001")
    orals = list(ExamOral.objects.filter(timetable=timetable))
    assert {o.learner_id for o in orals} == {learner.pk, other_learner.pk}
    assert len({o.starts_at for o in orals}) == 2 and all(o.minutes == 30 for o in orals)
    paper_ends = paper.starts_at + dt.timedelta(minutes=paper.minutes)
    assert all(
        o.starts_at >= paper_ends or o.starts_at + dt.timedelta(minutes=30) <= paper.starts_at
        for o in orals
    )
    client.force_login(learner)
    page = html.unescape(client.get("/espace/examens/").content.decode())
    mine = next(o for o in orals if o.learner_id == learner.pk).starts_at.astimezone(LOCAL)
    assert "CCE001 : soutenance orale le" in page and f"à {mine:%H}h{mine:%M}" in page
    setup = written.year.regulation.exam_papers
    due = written.starts_on - dt.timedelta(days=setup.report_days_before)
    assert setup.report_days_before == 7 and setup.report_due_at == dt.time(17, 0)
    assert "AST004 : rapport à remettre au Centre régional du Port au plus tard le" in page
    from django.utils import formats

    assert formats.date_format(due, "l j F Y") in page
    convocation = " ".join(
        pdf_text(client.get(f"/espace/examens/{written.pk}/convocation.pdf").content).split()
    )
    assert f"Rapport à remettre au plus tard le {due:%d/%m/%Y} à 17h00" in convocation
    assert "Soutenance le" in convocation


def test_papers_keep_to_a_teaching_centres_opening_hours():
    """R-CTR-1, R-EXA-1: a teaching centre's stored hours are opening hours; a paper
    slot must fit them (the year's `within_opening_hours_of`); the regional centre's
    are reception hours and bind nothing."""
    from planning.exams import ExamSlot

    saint_louis = Centre(
        code="X", kind="teaching", hours=[{"weekdays": [6], "opens": "08:00", "closes": "12:00"}]
    )
    saturday = dt.date(2017, 2, 25)
    assert exam_timetable.within_hours(saint_louis, ExamSlot("a", saturday, dt.time(8), 120))
    assert not exam_timetable.within_hours(saint_louis, ExamSlot("b", saturday, dt.time(17), 120))
    assert not exam_timetable.within_hours(
        saint_louis, ExamSlot("c", saturday, dt.time(11), 120)
    )  # ends after closing


def test_late_opening_leaves_only_the_later_paper_slot(written):
    centre = Centre.objects.get(code="SAINT-BENOIT")
    centre.hours = [{"weekdays": [1, 2, 3, 4, 5], "opens": "18:00:00", "closes": "21:00:00"}]
    centre.save()
    problem = exam_timetable._problem(written, centre)
    assert problem.slots and {s.start for s in problem.slots} == {dt.time(19, 0)}
    le_port = Centre.objects.get(code="LE-PORT")  # reception hours end at 17:00
    assert {s.start for s in exam_timetable._problem(written, le_port).slots} == {
        dt.time(17, 0),
        dt.time(19, 0),
    }


def test_the_adjust_page_and_moves_are_staff_only(client, written, learner, django_user_model):
    le_port = Centre.objects.get(code="LE-PORT")
    timetable = exam_timetable.generate(written, le_port)
    paper = ExamPaper.objects.get()
    teacher = make_user(django_user_model, "prof2@example.re", "teacher")
    for other in (learner, teacher):
        client.force_login(other)
        assert client.get(f"/accueil/examens/epreuves/{timetable.pk}/").status_code == 403
        assert (
            client.post(
                f"/accueil/examens/epreuves/deplacer/{paper.pk}/", {"slot": "x"}
            ).status_code
            == 403
        )
