"""The planning engine on small hand-made problems: hard constraints hold, soft costs
are reported one by one, and an impossible problem is explained in words."""

import datetime as dt

import pytest

from planning.engine import Event, Group, Problem, ProblemError, Room, Slot, Weights, solve

MONDAY = dt.date(2016, 9, 19)
STARTS = (dt.time(17, 0), dt.time(18, 20), dt.time(19, 40))


def slots(days: int = 5, weeks: int = 1) -> tuple[Slot, ...]:
    """Evening slots (R-CAL-2: 17:00–21:00, three of 1 h 20), Monday to Friday."""
    out = []
    for week in range(weeks):
        for day in range(days):
            date = MONDAY + dt.timedelta(weeks=week, days=day)
            for start in STARTS:
                out.append(Slot(f"{date:%m%d}-{start:%H%M}", date, start, 80))
    return tuple(out)


def meetings(unit: str, count: int, **extra) -> list[Event]:
    return [Event(f"{unit}-{i}", unit, "class_meeting", 80, "PORT", **extra) for i in range(count)]


ROOMS = (Room("A", "PORT", 30), Room("B", "PORT", 12))


def by_event(solution):
    return {p.event: p for p in solution.placements}


def test_every_session_is_placed_once_and_groups_never_overlap():
    events = meetings("AST004", 3) + meetings("CCE001", 3) + meetings("TRS001", 3)
    group = Group("cp29-s1", "CP29, semestre 1", tuple(e.id for e in events))
    solution = solve(Problem(slots(), ROOMS, tuple(events), (group,)), time_limit_s=10)
    assert solution.feasible
    placed = by_event(solution)
    assert set(placed) == {e.id for e in events}
    assert len({p.slot for p in placed.values()}) == len(events)  # no overlap in the group


def test_a_teacher_is_in_one_place_at_a_time_and_rooms_hold_one_session():
    events = meetings("AST004", 3, teacher="T1") + meetings("PSY001", 3, teacher="T1")
    events += meetings("TET007", 6)
    problem = Problem(slots(days=1, weeks=2), ROOMS, tuple(events))
    solution = solve(problem, time_limit_s=10)
    assert solution.feasible
    placed = by_event(solution)
    teacher_slots = [placed[e.id].slot for e in events if e.teacher == "T1"]
    assert len(set(teacher_slots)) == len(teacher_slots)
    room_slots = [(p.room, p.slot) for p in placed.values()]
    assert len(set(room_slots)) == len(room_slots)


def test_unavailable_slots_and_allowed_slots_are_respected():
    all_slots = slots()
    monday = frozenset(s.id for s in all_slots if s.day == MONDAY)
    holiday = frozenset(s.id for s in all_slots if s.day == MONDAY + dt.timedelta(days=1))
    events = meetings("AST004", 2, allowed=monday | holiday)
    solution = solve(Problem(all_slots, ROOMS, tuple(events), unavailable=holiday), 10)
    assert solution.feasible
    assert all(p.slot in monday for p in solution.placements)


def test_online_sessions_need_no_room():
    events = [Event("w1", "AST004", "web_conference", 80, "PORT", needs_room=False)]
    solution = solve(Problem(slots(days=1), (), tuple(events)), 10)
    assert solution.feasible and solution.placements[0].room == ""


def test_soft_costs_are_reported_and_minimised():
    """A group's six sessions fit on two evenings (three slots each): `evenings` is 2;
    a UE keeps its room; nobody sits in a room too small."""
    events = meetings("AST004", 3, size=20) + meetings("CCE001", 3, size=20)
    group = Group("g", "CP29, semestre 1", tuple(e.id for e in events))
    problem = Problem(slots(), ROOMS, tuple(events), (group,), weights=Weights(spread=0))
    solution = solve(problem, time_limit_s=20)
    assert solution.status == "optimal"
    assert solution.soft == {"spread": 0, "evenings": 2, "room_changes": 0, "capacity": 0}
    assert {p.room for p in solution.placements} == {"A"}


def test_sessions_are_spread_over_the_weeks():
    """Four sessions over four weeks: one a week, not bunched."""
    events = meetings("TET007", 4)
    solution = solve(Problem(slots(weeks=4), ROOMS, tuple(events)), time_limit_s=20)
    assert solution.soft["spread"] == 0
    weeks = {
        dt.date.fromisoformat(f"2016-{p.slot[:2]}-{p.slot[2:4]}").isocalendar()[1]
        for p in solution.placements
    }
    assert len(weeks) == 4


def test_too_many_sessions_for_a_group_is_explained():
    events = meetings("AST004", 3) + meetings("CCE001", 3)
    group = Group("g", "CP29, semestre 1", tuple(e.id for e in events))
    solution = solve(Problem(slots(days=1), ROOMS, tuple(events), (group,)), 10)
    assert solution.status == "infeasible"
    assert solution.conflicts == (
        "Groupe « CP29, semestre 1 » : 6 séances à placer sans chevauchement, mais seulement "
        "3 créneaux possibles.",
    )


def test_a_hidden_conflict_names_the_constraints_involved():
    """Each family alone fits in two slots; together they form a triangle (x–y in one
    group, x–z in another, y–z for one teacher) that two slots cannot hold."""
    two_slots = slots(days=1)[:2]
    x = Event("AST004", "AST004", "class_meeting", 80, "PORT")
    y = Event("CCE001", "CCE001", "class_meeting", 80, "PORT", teacher="T1")
    z = Event("PSY001", "PSY001", "class_meeting", 80, "PORT", teacher="T1")
    groups = (
        Group("g1", "CP29, semestre 1", ("AST004", "CCE001")),
        Group("g2", "CPN42, semestre 1", ("AST004", "PSY001")),
    )
    solution = solve(Problem(two_slots, ROOMS, (x, y, z), groups), 10)
    assert solution.status == "infeasible"
    text = solution.conflicts[0]
    assert text.startswith("Aucun planning ne respecte ensemble :")
    for name in (
        "le groupe « CP29, semestre 1 »",
        "le groupe « CPN42, semestre 1 »",
        "l'enseignant « T1 »",
    ):
        assert name in text


def test_a_malformed_problem_names_what_is_wrong():
    events = meetings("AST004", 1)
    with pytest.raises(ProblemError, match="séance inconnue « X »"):
        solve(Problem(slots(), ROOMS, tuple(events), (Group("g", "G", ("X",)),)))
    with pytest.raises(ProblemError, match="séance en double"):
        solve(Problem(slots(), ROOMS, tuple(events + events)))
