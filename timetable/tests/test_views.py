"""The planning's pages and calendar feeds: who sees what, the feeds parsed back as
RFC 5545, staff changes through the pages, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.tests.test_pages import PageParser
from admissions.tests.conftest import make_user
from timetable import services
from timetable.models import Session
from timetable.services import LOCAL
from timetable.tests.conftest import register
from timetable.tests.test_services import first, free_evening


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    # RFC 5545 3.1: CRLF line ends, lines folded at 75 octets
    lines = body.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in body.replace(b"\r\n", b"")
    return Calendar.from_ical(body)


def events(calendar: Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


# --- public -------------------------------------------------------------------------------


def test_the_public_sees_a_published_planning_only(client, draft_planning):
    assert "Aucun planning n'est encore publié" in client.get("/planning/").content.decode()
    assert client.get("/planning/LE-PORT/").status_code == 404
    assert client.get("/planning/LE-PORT/ue/AST004.ics").content.count(b"BEGIN:VEVENT") == 0

    services.publish(draft_planning)

    page = client.get("/planning/").content.decode()
    assert "Centre régional du Port" in page and "AST004" in page


def test_the_centre_page_by_week_and_by_month(client, planning):
    week = client.get("/planning/LE-PORT/", {"vue": "semaine", "date": "2016-10-05"})
    page = week.content.decode()
    assert "Semaine du 3 octobre au 9 octobre 2016" in page
    shown = planning.sessions.filter(
        starts_at__date__gte=dt.date(2016, 10, 3), starts_at__date__lte=dt.date(2016, 10, 9)
    )
    assert shown.exists()
    for session in shown:
        assert f"{session.starts_at.astimezone(LOCAL):%H:%M}" in page
    month = client.get("/planning/LE-PORT/", {"vue": "mois", "date": "2016-10-05"}).content
    assert "Octobre 2016" in month.decode()
    assert month.decode().count('class="fr-mb-1w fr-p-1w planning-session') == (
        planning.sessions.filter(starts_at__month=10, starts_at__year=2016).count()
    )
    # before the courses, the page opens on the first week with sessions
    first_page = client.get("/planning/LE-PORT/").content.decode()
    assert "Semaine du 19 septembre au 25 septembre 2016" in first_page


def test_a_malformed_date_falls_back_to_today(client, planning):
    assert client.get("/planning/LE-PORT/", {"date": "2016-13-45", "vue": "x"}).status_code == 200


def test_the_public_feed_of_a_ue_is_valid_rfc5545(client, planning):
    calendar = parse(client.get("/planning/LE-PORT/ue/AST004.ics"))
    assert calendar["VERSION"] == "2.0" and "Parcours" in str(calendar["PRODID"])
    found = events(calendar)
    expected = planning.sessions.filter(unit__code="AST004")
    assert len(found) == expected.count() == 13
    assert len({str(e["UID"]) for e in found}) == 13
    timezones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert timezones == ["Indian/Reunion"]
    session = expected.order_by("starts_at").first()
    event = next(e for e in found if str(e["UID"]) == f"{session.uid}@parcours")
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Indian/Reunion" and start == session.starts_at
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=80)
    assert str(event["STATUS"]) == "CONFIRMED" and event.decoded("SEQUENCE") == 0
    assert "Centre régional du Port" in str(event["LOCATION"])
    for required in ("DTSTAMP", "SUMMARY"):
        assert required in event


def test_a_moved_or_cancelled_session_updates_the_feed(client, planning):
    session = first(planning, "AST004")
    target = free_evening(planning, dt.date(2016, 10, 3))
    services.move(session, target, session.room, "salle indisponible")
    other = first(planning, "AST004", Session.Kind.WEB_CONFERENCE)
    services.cancel(other, "enseignant malade")

    found = {str(e["UID"]): e for e in events(parse(client.get("/planning/LE-PORT/ue/AST004.ics")))}

    moved = found[f"{session.uid}@parcours"]
    assert moved.decoded("DTSTART") == target and moved.decoded("SEQUENCE") == 1
    cancelled = found[f"{other.uid}@parcours"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.decoded("SEQUENCE") == 1


# --- learners -----------------------------------------------------------------------------


@pytest.fixture
def registered(planning, learner, other_learner, year, le_port):
    register(learner, year, le_port, {"AST004": False})
    register(other_learner, year, le_port, {"TRS001": False})
    return learner


def test_a_learner_sees_only_their_sessions(client, registered, other_learner):
    client.force_login(registered)
    page = client.get("/espace/planning/", {"vue": "mois", "date": "2016-10-01"}).content.decode()
    assert "AST004" in page and "TRS001" not in page
    client.force_login(other_learner)
    page = client.get("/espace/planning/", {"vue": "mois", "date": "2016-10-01"}).content.decode()
    assert "TRS001" in page and "AST004" not in page


def test_the_learner_feed_needs_its_token_and_dies_when_revoked(client, registered, other_learner):
    client.force_login(registered)
    response = client.post("/espace/planning/agenda/", {"action": "new"}, follow=True)
    url = re.search(
        r'<code id="adresse-agenda">http://testserver(/agenda/[^<]+\.ics)</code>',
        response.content.decode(),
    ).group(1)
    # shown once: the page does not show it again
    assert url not in client.get("/espace/planning/agenda/").content.decode()
    client.logout()

    feed = client.get(url)  # a calendar app: no session, the token only
    found = events(parse(feed))
    assert {str(e["SUMMARY"]).split(" ")[0] for e in found} == {"AST004"}
    assert feed["Cache-Control"] == "private, no-store"
    assert client.get(url.replace(url[8:20], "x" * 12)).status_code == 404
    assert client.get("/agenda/inconnu.ics").status_code == 404

    # another learner's link shows their sessions, never this learner's
    client.force_login(other_learner)
    client.post("/espace/planning/agenda/", {"action": "new"})
    client.force_login(registered)
    client.post("/espace/planning/agenda/", {"action": "revoke"})
    assert client.get(url).status_code == 404


def test_planning_pages_refuse_the_wrong_roles(client, planning, learner, reception, db):
    teacher = make_user(type(learner), "prof@example.re", "teacher")
    session = first(planning, "AST004")
    staff_urls = [
        "/accueil/planning/",
        f"/accueil/planning/{planning.pk}/",
        f"/accueil/planning/seance/{session.pk}/",
    ]
    for user in (learner, teacher):
        client.force_login(user)
        for url in staff_urls:
            assert client.get(url).status_code == 403, url
        assert client.post(f"/accueil/planning/{planning.pk}/publication/").status_code == 403
        assert (
            client.post(
                f"/accueil/planning/seance/{session.pk}/", {"action": "cancel", "etat-reason": "x"}
            ).status_code
            == 403
        )
    session.refresh_from_db()
    assert not session.cancelled
    client.force_login(reception)
    assert client.get("/espace/planning/").status_code == 403
    client.logout()
    assert client.get("/espace/planning/").status_code == 302


# --- staff --------------------------------------------------------------------------------


def test_staff_generate_publish_and_see_the_planning(
    client, reception, year, le_port, cached_solver, django_capture_on_commit_callbacks
):
    client.force_login(reception)
    page = client.get("/accueil/planning/").content.decode()
    assert "Pas de planning" in page

    # The solver runs as a job (issue 15, item 2): queued with the request's commit, its
    # state and outcome listed on the page that started it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accueil/planning/generer/", {"year": year.pk, "centre": le_port.pk}
        )
    assert response.url == reverse("timetable:staff")

    planning = le_port.planning_set.get()
    assert planning.sessions.count() == 163
    page = html.unescape(client.get("/accueil/planning/").content.decode())
    assert "Terminé" in page and "163 séances placées" in page
    assert reverse("timetable:staff_planning", args=[planning.pk]) in page
    response = client.post(f"/accueil/planning/{planning.pk}/publication/", {"action": "publish"})
    planning.refresh_from_db()
    assert planning.is_published
    # a published planning is not regenerated: the job fails and says why
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accueil/planning/generer/", {"year": year.pk, "centre": le_port.pk})
    page = html.unescape(client.get("/accueil/planning/").content.decode())
    assert "En échec" in page and "retirez d'abord la publication" in page


def test_staff_move_a_session_and_read_why_it_was_refused(client, reception, planning):
    client.force_login(reception)
    session = first(planning, "AST004")
    url = f"/accueil/planning/seance/{session.pk}/"

    refused = client.post(
        url,
        {
            "action": "move",
            "day": "2016-12-20",
            "start": "17:00",
            "room": session.room_id,
            "reason": "essai",
            "status": "x",
        },
    )
    assert refused.status_code == 400
    assert "est férié" in refused.content.decode()
    missing = client.post(
        url, {"action": "move", "day": "2016-10-04", "start": "17:00", "room": session.room_id}
    )
    assert "Ce champ est obligatoire" in missing.content.decode()

    target = free_evening(planning, dt.date(2016, 10, 3))
    done = client.post(
        url,
        {
            "action": "move",
            "day": f"{target:%Y-%m-%d}",
            "start": "17:00",
            "room": session.room_id,
            "reason": "Salle prêtée au jury",
        },
        follow=True,
    )
    page = done.content.decode()
    assert "Séance déplacée" in page
    assert "motif : Salle prêtée au jury" in page
    assert (
        f"début : {session.starts_at.astimezone(LOCAL):%d/%m/%Y %H:%M} → {target:%d/%m/%Y %H:%M}"
        in page
    )
    assert "accueil@example.re" in page


# session, user, its roles (once); then the page: its rows, the span, the window
QUERIES = {"centre": 4, "mine": 6, "staff_planning": 6}


def test_planning_pages_use_a_fixed_number_of_queries(
    client, registered, reception, planning, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES["centre"]):
        client.get("/planning/LE-PORT/", {"vue": "mois", "date": "2016-10-01"})
    client.force_login(registered)
    with django_assert_num_queries(QUERIES["mine"]):
        client.get("/espace/planning/", {"vue": "mois", "date": "2016-10-01"})
    client.force_login(reception)
    with django_assert_num_queries(QUERIES["staff_planning"]):
        client.get(f"/accueil/planning/{planning.pk}/", {"vue": "mois", "date": "2016-10-01"})


def test_planning_pages_are_well_formed(client, registered, reception, planning):
    session = first(planning, "AST004")
    pages = [
        ("/planning/", None),
        ("/planning/LE-PORT/", None),
        ("/planning/LE-PORT/ue/AST004/", None),
        ("/espace/planning/", registered),
        ("/espace/planning/agenda/", registered),
        ("/accueil/planning/", reception),
        (f"/accueil/planning/{planning.pk}/", reception),
        (f"/accueil/planning/seance/{session.pk}/", reception),
    ]
    for url, user in pages:
        if user:
            client.force_login(user)
        for view in ("semaine", "mois"):
            response = client.get(url, {"vue": view})
            assert response.status_code == 200, url
            assert PageParser().check(response.content.decode()) == [], (url, view)
