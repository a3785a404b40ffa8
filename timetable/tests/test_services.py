"""The brochure's planning generated into the database, and staff changes checked by the
same hard rules as the engine (R-CAL-1, R-CAL-2, R-CAL-3)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from admissions.models import Dossier
from catalogue.bridge import rules_unit
from catalogue.models import Programme, Unit
from planning.brochure import expected_sessions
from rules.data_reader import DataError
from timetable import services
from timetable.models import CalendarFeed, Room, Session
from timetable.services import LOCAL
from timetable.tests.conftest import register


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(time), LOCAL)


def local(session: Session) -> dt.datetime:
    return session.starts_at.astimezone(LOCAL)


def test_every_ue_of_the_centre_gets_exactly_its_sessions(planning, year):
    """R-CAL-3: class meetings + web conferences per UE size; activity units none."""
    regulation = year.regulation
    counts = Counter(planning.sessions.values_list("unit__code", flat=True))
    taught = Unit.objects.filter(kind=Unit.Kind.COURSE).prefetch_related("programmes")
    assert set(counts) == {u.code for u in taught}
    for unit in taught:
        assert counts[unit.code] == expected_sessions(regulation, rules_unit(unit)), unit.code
    # TET003 is annual, 8 ECTS: 12 class meetings and 12 web conferences over both semesters.
    tet003 = planning.sessions.filter(unit__code="TET003")
    assert tet003.filter(kind=Session.Kind.CLASS_MEETING).count() == 12
    semesters = {s.code: s for s in regulation.semesters}
    in_s2 = [s for s in tet003 if local(s).date() >= semesters["S2"].courses_start]
    assert 0 < len(in_s2) < 24
    # each UE's sessions of a kind are numbered in the order they happen
    for unit in taught:
        for kind in Session.Kind.values:
            numbers = list(
                planning.sessions.filter(unit=unit, kind=kind)
                .order_by("starts_at")
                .values_list("number", flat=True)
            )
            assert numbers == list(range(1, len(numbers) + 1))


def test_sessions_are_on_teaching_evenings_only(planning, year):
    """R-CAL-1, R-CAL-2: Monday to Friday, 17:00–21:00, inside the semesters, never in
    the break nor on a public holiday of La Réunion (20 December included)."""
    regulation = year.regulation
    holidays = services.holidays_of(regulation)
    assert dt.date(2016, 12, 20) in holidays
    s1, s2 = regulation.semesters
    for session in planning.sessions.all():
        start = local(session)
        end = session.ends_at.astimezone(LOCAL)
        assert start.isoweekday() <= 5
        assert dt.time(17) <= start.time() and end.time() <= dt.time(21)
        assert end.date() == start.date()
        assert start.date() not in holidays
        assert not (dt.date(2016, 12, 17) <= start.date() < dt.date(2017, 1, 9))
        assert s1.courses_start <= start.date() <= s1.courses_end or (
            s2.courses_start <= start.date() <= s2.courses_end
        )
        assert (session.room is None) == session.online


def test_no_clash_for_the_learners_of_a_programme_nor_in_a_room(planning):
    sessions = list(planning.sessions.prefetch_related("unit__programmes"))
    for programme in Programme.objects.all():
        mine = [s for s in sessions if programme in s.unit.programmes.all()]
        for a, b in itertools.combinations(mine, 2):
            assert a.ends_at <= b.starts_at or b.ends_at <= a.starts_at, (a, b)
    rooms = Counter((s.room_id, s.starts_at) for s in sessions if s.room_id)
    assert max(rooms.values()) == 1


def test_a_published_planning_is_not_regenerated(planning, year, le_port):
    with pytest.raises(ValidationError, match="publié"):
        services.generate(year, le_port)
    services.unpublish(planning)
    again = services.generate(year, le_port)
    assert again.planning.pk == planning.pk
    assert again.sessions == Session.objects.filter(planning=planning).count()
    # the history keeps the replaced sessions' deletion and the new ones' creation
    assert Session.history.filter(history_type="-").count() == again.sessions


def first(planning, unit: str, kind=Session.Kind.CLASS_MEETING) -> Session:
    return planning.sessions.filter(unit__code=unit, kind=kind).order_by("starts_at").first()


def free_evening(planning, after: dt.date) -> dt.datetime:
    """A 17:00 start on a teaching day of S1 with no session of the centre at all."""
    taken = {local(s).date() for s in planning.sessions.all()}
    holidays = services.holidays_of(planning.year.regulation)
    day = after
    while day in taken or day.isoweekday() > 5 or day in holidays:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(17), LOCAL)


def test_staff_move_a_session_to_a_free_evening(planning):
    session = first(planning, "AST004")
    target = free_evening(planning, dt.date(2016, 10, 3))
    room = session.room

    moved = services.move(session, target, room, "Enseignant en formation ce soir-là")

    assert moved.starts_at == target and moved.sequence == 1
    # the first class meeting moved after others: the numbers follow the dates again
    numbers = list(
        planning.sessions.filter(unit__code="AST004", kind=Session.Kind.CLASS_MEETING)
        .order_by("starts_at")
        .values_list("number", flat=True)
    )
    assert numbers == list(range(1, 8)) and moved.number > 1
    record = moved.history.first()
    assert record.history_change_reason == "Enseignant en formation ce soir-là"
    assert record.prev_record.starts_at != target


@pytest.mark.parametrize(
    ("day", "time", "expected"),
    [
        ("2016-12-20", "17:00", "férié"),  # La Réunion's abolition of slavery day
        ("2016-10-01", "17:00", "lundi au vendredi"),  # a Saturday
        ("2016-12-28", "17:00", "interruption"),  # the break
        ("2016-10-04", "20:00", "de 17:00 à 21:00"),  # would end at 21:20
        ("2016-10-04", "16:00", "de 17:00 à 21:00"),
        ("2017-03-06", "17:00", "semestre"),  # AST004 is an S1 UE
    ],
)
def test_a_move_outside_the_teaching_evenings_is_refused(planning, day, time, expected):
    session = first(planning, "AST004")
    with pytest.raises(ValidationError) as refused:
        services.move(session, at(day, time), session.room, "essai")
    assert any(expected in m for m in refused.value.messages), refused.value.messages
    session.refresh_from_db()
    assert session.sequence == 0


def test_a_move_onto_a_session_of_the_same_learners_is_refused(planning):
    session = first(planning, "AST004")
    other = first(planning, "CCE001")
    with pytest.raises(ValidationError) as refused:
        services.move(session, other.starts_at + dt.timedelta(minutes=20), session.room, "essai")
    assert any("CCE001" in m and "mêmes apprenants" in m for m in refused.value.messages)


def test_a_move_into_a_taken_room_is_refused(planning, le_port):
    """Units of no common programme may share an evening, not a room."""
    other_programme = Programme.objects.create(
        code="TEST", kind="certificate", title="Autre", declared_ects=4
    )
    lone = Unit.objects.create(code="TST001", title="Essai", ects=4, kind="course", period="S1")
    lone.programmes.add(other_programme)
    taken = first(planning, "AST004")
    lone_session = Session.objects.create(
        planning=planning,
        unit=lone,
        kind=Session.Kind.CLASS_MEETING,
        number=1,
        starts_at=free_evening(planning, dt.date(2016, 10, 3)),
        minutes=80,
        room=Room.objects.filter(centre=le_port).exclude(pk=taken.room_id).first(),
    )
    with pytest.raises(ValidationError) as refused:
        services.move(lone_session, taken.starts_at, taken.room, "essai")
    assert any(f"salle {taken.room.name} est prise par AST004" in m for m in refused.value.messages)
    other_room = lone_session.room
    assert services.move(lone_session, taken.starts_at, other_room, "autre salle").sequence == 1


def test_a_move_needs_a_reason(planning):
    session = first(planning, "AST004")
    with pytest.raises(ValidationError, match="motif"):
        services.move(session, session.starts_at, session.room, "  ")


def test_cancel_then_restore_unless_the_evening_was_taken(planning):
    session = first(planning, "AST004")
    cancelled = services.cancel(session, "Grève des transports")
    assert cancelled.cancelled and cancelled.sequence == 1
    # Another UE of the same learners takes the freed evening…
    other = first(planning, "CCE001")
    services.move(other, session.starts_at, other.room, "place libérée")
    with pytest.raises(ValidationError, match="reprendre sa place"):
        services.restore(cancelled, "finalement maintenue")
    services.move(other, free_evening(planning, dt.date(2016, 10, 3)), other.room, "retour")
    restored = services.restore(cancelled, "finalement maintenue")
    assert not restored.cancelled and restored.sequence == 2


def test_a_learner_sees_the_units_of_their_final_registration_in_their_centre(
    planning, learner, other_learner, year, le_port
):
    register(learner, year, le_port, {"AST004": False, "CCE001": True})
    register(other_learner, year, le_port, {"TRS001": False}, status=Dossier.Status.DEPOSITED)

    mine = list(services.learner_sessions(learner))

    assert {s.unit.code for s in mine} == {"AST004", "CCE001"}
    # CCE001 is followed at a distance (FOAD): its web conferences only
    cce = [s for s in mine if s.unit.code == "CCE001"]
    assert cce and all(s.online for s in cce)
    assert len([s for s in mine if s.unit.code == "AST004"]) == 13
    # a dossier not yet final shows nothing
    assert list(services.learner_sessions(other_learner)) == []


def test_a_draft_planning_is_shown_to_no_learner(draft_planning, learner, year, le_port):
    register(learner, year, le_port, {"AST004": False})
    assert list(services.learner_sessions(learner)) == []


def test_a_new_calendar_link_revokes_the_old_one(learner):
    old = services.new_feed(learner)
    assert services.feed_learner(old) == learner
    new = services.new_feed(learner)
    assert services.feed_learner(old) is None
    assert services.feed_learner(new) == learner
    assert CalendarFeed.objects.filter(learner=learner, revoked_at__isnull=True).count() == 1
    # only a hash is stored
    assert not CalendarFeed.objects.filter(token_hash__in=[old, new]).exists()
    services.revoke_feeds(learner)
    assert services.feed_learner(new) is None


def test_the_planning_file_is_checked_against_the_catalogue(catalogue, settings, data_copy):
    path = data_copy / "planning.toml"
    text = path.read_text()
    text = text.replace('code = "SAINT-BENOIT"', 'code = "SAINT-PIERRE"')
    text = text.replace("chats = []", 'chats = ["XYZ999"]')
    text = text.replace('programmes = ["CP29", "CPN42"]', 'programmes = ["CP29", "CPN99"]', 1)
    text = text.replace("capacity = 20", "capacity = 0", 1)
    text = 'colour = "bleu"\n' + text
    path.write_text(text)
    settings.PARCOURS_DATA_DIR = data_copy

    with pytest.raises(DataError) as error:
        services.planning_setup()

    found = [str(p) for p in error.value.problems]
    assert "planning.toml [online.chats] : UE « XYZ999 » inconnue du catalogue" in found
    assert "planning.toml [centre[2].code] : centre « SAINT-PIERRE » inconnu du catalogue" in found
    assert (
        "planning.toml [centre[0].programmes] : formation « CPN99 » inconnue du catalogue" in found
    )
    assert any(p.startswith("planning.toml [centre[0].room[1].capacity]") for p in found)
    assert "planning.toml [colour] : clé inconnue" in found
