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
