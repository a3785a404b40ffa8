"""Teaching groups, attendance and the alternance day: services and pages, with who may
see what (a teacher only their groups, a learner only their own counts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.test_pages import PageParser
from admissions.models import Dossier
from admissions.tests.conftest import make_user
from catalogue.models import Centre
from teaching import services
from teaching.models import Attendance, TeachingGroup
from timetable.models import Planning, Session
from timetable.services import LOCAL
from timetable.tests.conftest import register

LATER = dt.date(2016, 11, 30)  # S1 well under way


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.PARCOURS_TODAY = LATER.isoformat()
    return LATER


@pytest.fixture
def teacher(db, django_user_model):
    return make_user(django_user_model, "prof@example.re", "teacher")


@pytest.fixture
def other_teacher(db, django_user_model):
    return make_user(django_user_model, "autre.prof@example.re", "teacher")


@pytest.fixture
def groups(planning, year):
    services.ensure_groups(year)
    return TeachingGroup.objects.filter(year=year)


@pytest.fixture
def ast004(groups, teacher):
    group = groups.get(unit__code="AST004", centre__code="LE-PORT")
    services.assign_teachers(group, [teacher])
    return group


@pytest.fixture
def class_of(ast004, learner, other_learner, year, le_port, django_user_model):
    """Léa (in the centre) and another learner (at a distance) follow AST004."""
    register(learner, year, le_port, {"AST004": False, "CCE001": False})
    register(other_learner, year, le_port, {"AST004": True})
    third = make_user(django_user_model, "sans.inscription@example.re", "learner")
    register(third, year, le_port, {"AST004": False}, status=Dossier.Status.DEPOSITED)
    return [learner, other_learner]


def held(group, count=None):
    sessions = list(
        services.group_sessions(group)
        .filter(starts_at__lt=dt.datetime.combine(LATER, dt.time.min, LOCAL))
        .order_by("starts_at")
    )
    return sessions[:count] if count else sessions


def test_every_taught_ue_of_each_centre_gets_one_group(groups, planning):
    units = set(planning.sessions.values_list("unit__code", flat=True))
    assert set(groups.filter(centre__code="LE-PORT").values_list("unit__code", flat=True)) == units
    assert services.ensure_groups(planning.year) == 0  # idempotent


def test_the_group_is_its_final_registrations_distance_included(ast004, class_of):
    """R-CAL-2: a learner following at a distance belongs to the centre's group."""
    members = services.members(ast004)
    # the deposited (not yet final) dossier is not in the group
    assert {m.email for m in members} == {u.email for u in class_of}
    assert [m.foad for m in members if m.email == class_of[1].email] == [True]


def test_recording_attendance_and_counting_it_per_semester(ast004, class_of, teacher, year):
    learner, other = class_of
    first, second = held(ast004, 2)
    services.record_attendance(first, {learner.pk, other.pk}, teacher)
    services.record_attendance(second, {learner.pk}, teacher)

    counts = services.attendance_counts(year, [learner.pk, other.pk])
    assert counts[learner.pk, ast004.unit_id] == {"S1": 2}
    assert counts[other.pk, ast004.unit_id] == {"S1": 1}
    # the learner's page data: R-EXA-3 needs 2 in the semester
    mine = {u.unit.code: u for u in services.learner_attendance(other, year)}
    assert mine["AST004"].by_semester == (("S1", "Semestre 1", 1, 1),)
    # re-recording changes only what differs, and keeps the history
    assert services.record_attendance(second, {learner.pk, other.pk}, teacher) == 1
    assert Attendance.history.filter(learner=other, session=second).count() == 2


def test_attendance_is_refused_before_the_session_and_for_strangers(
    ast004, class_of, teacher, django_user_model
):
    future = services.group_sessions(ast004).order_by("-starts_at").first()
    with pytest.raises(ValidationError, match="pas encore eu lieu"):
        services.record_attendance(future, set(), teacher)
    stranger = make_user(django_user_model, "intrus@example.re", "learner")
    with pytest.raises(ValidationError, match="pas inscrit"):
        services.record_attendance(held(ast004, 1)[0], {stranger.pk}, teacher)
    assert not Attendance.objects.exists()


def test_a_staff_correction_needs_a_reason_and_is_in_the_history(
    ast004, class_of, teacher, reception
):
    learner, _ = class_of
    session = held(ast004, 1)[0]
    services.record_attendance(session, set(), teacher)
    with pytest.raises(ValidationError, match="motif"):
        services.correct_attendance(session, learner.pk, True, " ", reception)
    services.correct_attendance(session, learner.pk, True, "Feuille mal cochée", reception)
    record = Attendance.history.filter(learner=learner).first()
    assert record.present and record.history_change_reason == "Feuille mal cochée"


def test_the_alternance_day_is_recorded_and_weighed_per_week(learner, year, le_port, reception):
    """R-CAL-4: one day of 7 hours a week in the centre for alternance learners."""
    dossier = register(learner, year, le_port, {"AST004": False})
    dossier.situation = Dossier.Situation.ALTERNANCE
    dossier.save()
    services.record_alternance_day(learner, le_port, dt.date(2016, 11, 7), Decimal(7), reception)
    services.record_alternance_day(learner, le_port, dt.date(2016, 11, 15), Decimal(4), reception)
    with pytest.raises(ValidationError, match="déjà enregistré"):
        services.record_alternance_day(
            learner, le_port, dt.date(2016, 11, 7), Decimal(7), reception
        )
    dossier.validated_on = dt.date(2016, 11, 7)
    dossier.save()
    judged = services.alternance_weeks(dossier, today=dt.date(2016, 11, 27))
    # every week of the contract so far, the one with nothing recorded included
    assert [(w.week, w.hours, w.status) for w in judged.weeks] == [
        (45, Decimal(7), "complete"),
        (46, Decimal(4), "short"),
        (47, Decimal(0), "missing"),
    ]
    assert (judged.complete_weeks, judged.short_weeks, judged.missing_weeks) == (1, 1, 1)
    assert services.alternance_weeks(dossier, today=dt.date(2016, 11, 1)) is None
    assert list(services.alternance_learners(year)) == [dossier]


def test_the_alternance_page_shows_each_week_missing_ones_included(
    client, learner, year, le_port, reception, settings
):
    """R-CAL-4 on the reception's page: a week of courses with nothing recorded is said."""
    settings.PARCOURS_TODAY = "2016-11-27"
    dossier = register(learner, year, le_port, {"AST004": False})
    Dossier.objects.filter(pk=dossier.pk).update(
        situation=Dossier.Situation.ALTERNANCE, validated_on=dt.date(2016, 11, 7)
    )
    services.record_alternance_day(learner, le_port, dt.date(2016, 11, 8), Decimal(7), reception)
    client.force_login(reception)
    page = client.get("/accueil/alternance/").content.decode()
    assert PageParser().check(page) == []
    assert "1 semaine complète, 0 incomplète, 2 sans aucune journée" in page
    assert "Semaine du 14/11/2016 : " in page and "aucune journée</span>" in page
    client.force_login(learner)
    assert client.get("/accueil/alternance/").status_code == 403


# --- pages and access -------------------------------------------------------------------------


def test_the_teacher_takes_attendance_on_the_sheet(client, ast004, class_of, teacher):
    learner, other = class_of
    session = held(ast004, 1)[0]
    client.force_login(teacher)
    assert "AST004" in client.get("/enseignement/groupes/").content.decode()
    page = client.get(f"/enseignement/seances/{session.pk}/emargement/").content.decode()
    assert PageParser().check(page) == []
    response = client.post(
        f"/enseignement/seances/{session.pk}/emargement/", {"present": [str(learner.pk)]}
    )
    assert response.status_code == 302
    assert set(Attendance.objects.values_list("learner_id", "present")) == {
        (learner.pk, True),
        (other.pk, False),
    }


def test_a_teacher_cannot_see_or_mark_another_teachers_group(
    client, ast004, class_of, other_teacher, groups
):
    session = held(ast004, 1)[0]
    services.assign_teachers(
        groups.get(unit__code="CCE001", centre__code="LE-PORT"), [other_teacher]
    )
    client.force_login(other_teacher)
    page = client.get("/enseignement/groupes/").content.decode()
    assert "CCE001" in page and "AST004" not in page
    assert client.get(f"/enseignement/groupes/{ast004.pk}/").status_code == 404
    assert client.get(f"/enseignement/seances/{session.pk}/emargement/").status_code == 404
    response = client.post(
        f"/enseignement/seances/{session.pk}/emargement/", {"present": [str(class_of[0].pk)]}
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    # a teacher cannot correct, nor choose teachers
    assert client.post(f"/enseignement/seances/{session.pk}/correction/").status_code == 403


def test_a_learner_sees_only_their_own_attendance(client, ast004, class_of, teacher):
    learner, other = class_of
    session = held(ast004, 1)[0]
    services.record_attendance(session, {other.pk}, teacher)
    client.force_login(learner)
    page = client.get("/espace/presences/").content.decode()
    assert "0 présence" in page and "encore 2 pour avoir le droit" in page
    assert "CCE001" in page
    client.force_login(other)
    page = client.get("/espace/presences/").content.decode()
    assert "1 présence" in page and "encore 1 pour avoir le droit" in page
    assert "CCE001" not in page
    # learners reach no teaching page
    assert client.get(f"/enseignement/groupes/{ast004.pk}/").status_code == 403
    assert client.get(f"/enseignement/seances/{session.pk}/emargement/").status_code == 403


def test_sessions_held_count_the_learners_own_centre_or_its_distance_sessions(
    client, ast004, class_of, planning
):
    """Issue 14, item 1 (R-CAL-2): another centre's planning of the same UEs does not
    add its sessions to a Le Port learner's count; a FOAD learner counts only the online
    sessions."""
    other_centre = Centre.objects.exclude(pk=planning.centre_id).first()
    copy = Planning.objects.create(
        year=planning.year, centre=other_centre, status=Planning.Status.PUBLISHED
    )
    Session.objects.bulk_create(
        Session(
            planning=copy,
            unit_id=s.unit_id,
            kind=s.kind,
            number=s.number,
            starts_at=s.starts_at,
            minutes=s.minutes,
        )
        for s in planning.sessions.all()
    )
    in_centre = len(held(ast004)) + sum(
        1 for s in services.group_sessions(ast004) if s.starts_at.date() == LATER
    )
    online = sum(
        1
        for s in services.group_sessions(ast004)
        if s.starts_at.date() <= LATER and s.kind != Session.Kind.CLASS_MEETING
    )
    assert 0 < online < in_centre
    learner, at_a_distance = class_of
    client.force_login(learner)
    page = client.get("/espace/presences/").content.decode()
    assert f"{in_centre} séances déjà tenues" in page
    client.force_login(at_a_distance)
    page = client.get("/espace/presences/").content.decode()
    assert f"à distance — {online} séance" in page


def test_a_future_session_shows_its_list_without_boxes_to_tick(client, ast004, class_of, teacher):
    """Issue 14, item 16: the sheet of a session still to come offered checkboxes and
    refused only after saving."""
    later = (
        services.group_sessions(ast004)
        .filter(
            starts_at__gte=dt.datetime.combine(LATER + dt.timedelta(days=1), dt.time.min, LOCAL)
        )
        .first()
    )
    client.force_login(teacher)
    page = client.get(f"/enseignement/seances/{later.pk}/emargement/").content.decode()
    assert "l&#x27;émargement s&#x27;ouvre le jour même" in page
    assert 'type="checkbox" name="present"' not in page
    assert "Enregistrer l&#x27;émargement" not in page
    today = held(ast004, 1)[0]
    page = client.get(f"/enseignement/seances/{today.pk}/emargement/").content.decode()
    assert 'type="checkbox" name="present"' in page


def test_staff_assign_teachers_and_correct_with_a_reason(
    client, ast004, class_of, reception, teacher, other_teacher
):
    learner, _ = class_of
    session = held(ast004, 1)[0]
    client.force_login(reception)
    client.post(f"/enseignement/groupes/{ast004.pk}/", {"teachers": [other_teacher.pk]})
    assert list(ast004.teachers.all()) == [other_teacher]
    client.post(
        f"/enseignement/seances/{session.pk}/correction/",
        {"learner": learner.pk, "present": "1", "reason": "Arrivée après l'appel"},
    )
    page = client.get(f"/enseignement/seances/{session.pk}/emargement/").content.decode()
    assert "motif : Arrivée après l&#x27;appel" in page


def test_teaching_pages_use_a_fixed_number_of_queries(
    client, ast004, class_of, teacher, django_assert_num_queries, django_user_model, year
):
    le_port = Centre.objects.get(code="LE-PORT")
    for n in range(5):  # more learners, same queries
        extra = make_user(django_user_model, f"extra{n}@example.re", "learner")
        register(extra, year, le_port, {"AST004": False})
    for session in held(ast004, 3):
        services.record_attendance(session, {class_of[0].pk}, teacher)
    client.force_login(teacher)
    # session, user, roles; the group, its learners, its sessions, the counts, the exams
    with django_assert_num_queries(8):
        client.get(f"/enseignement/groupes/{ast004.pk}/")
    with django_assert_num_queries(9):  # + its signed sheet (R-ORG-1)
        client.get(f"/enseignement/seances/{held(ast004, 1)[0].pk}/emargement/")
    client.force_login(class_of[0])
    # + the UEs to declare for, their distance activity, and the five of the absence
    # alerts (registrations, their UEs, counts, absences, sessions left)
    with django_assert_num_queries(14):
        client.get("/espace/presences/")


def test_sessions_of_the_group_leave_cancelled_ones_out(ast004):
    session = services.group_sessions(ast004).first()
    Session.objects.filter(pk=session.pk).update(cancelled=True)
    assert session not in services.group_sessions(ast004)
