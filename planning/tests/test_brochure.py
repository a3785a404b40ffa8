"""The brochure's 2016-2017 planning (R-CAL-1, R-CAL-2, R-CAL-3), generated for the
regional centre from the data: every UE gets exactly its sessions, no clash inside a
programme's semester, nothing in the break or on a public holiday, all between 17:00
and 21:00."""

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from planning.brochure import (
    PlanningRequest,
    brochure_problem,
    evening_starts,
    expected_sessions,
    reunion_holidays,
)
from planning.engine import Room, solve
from rules.catalogue import load_catalogue

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(DATA)


@pytest.fixture(scope="module")
def planned(catalogue):
    year = catalogue.year("2016-2017")
    programmes = {
        p.code: tuple(u.code for u in catalogue.units_of(p.code) if not u.is_activity)
        for p in catalogue.programmes
    }
    request = PlanningRequest(
        centre="LE-PORT",
        rooms=(Room("SALLE-1", "LE-PORT", 30), Room("SALLE-2", "LE-PORT", 20)),
        programmes=programmes,
        online={"CCE001": "chats"},
        holidays=reunion_holidays([2016, 2017]),
        group_sizes={},
    )
    problem = brochure_problem(year, catalogue.units, request)
    solution = solve(problem, time_limit_s=5)
    return year, problem, solution


def test_the_evening_has_three_slots(catalogue):
    """R-CAL-2 note: 17:00–21:00 holds exactly three 1 h 20 slots."""
    assert evening_starts(catalogue.year("2016-2017")) == [
        dt.time(17, 0),
        dt.time(18, 20),
        dt.time(19, 40),
    ]


def test_every_ue_gets_exactly_its_sessions(catalogue, planned):
    """R-CAL-3: class meetings plus web conferences (or chats, as configured)."""
    year, problem, solution = planned
    assert solution.feasible
    events = {e.id: e for e in problem.events}
    per_unit = Counter(events[p.event].unit for p in solution.placements)
    taught = [u for u in catalogue.units if not u.is_activity]
    assert len(taught) == 12
    for unit in taught:
        online = "chats" if unit.code == "CCE001" else "web_conferences"
        assert per_unit[unit.code] == expected_sessions(year, unit, online), unit.code
    assert sum(1 for e in problem.events if e.kind == "chat") == 9  # CCE001, 4 ECTS


def test_no_clash_inside_a_programme_semester(planned):
    _year, problem, solution = planned
    slot_of = {p.event: p.slot for p in solution.placements}
    for group in problem.groups:
        slots = [slot_of[e] for e in group.events]
        assert len(slots) == len(set(slots)), group.label
    rooms = [(p.room, p.slot) for p in solution.placements if p.room]
    assert len(rooms) == len(set(rooms))


def test_nothing_in_the_break_on_holidays_or_outside_the_evening(planned):
    year, problem, solution = planned
    slots = {s.id: s for s in problem.slots}
    s1 = year.semester("S1")
    pause = s1.interruptions[0]
    for placement in solution.placements:
        slot = slots[placement.slot]
        assert not pause.starts_on <= slot.day < pause.courses_resume
        assert slot.day != dt.date(2016, 12, 20)  # abolition of slavery, La Réunion
        assert slot.day != dt.date(2016, 11, 1)
        assert slot.day.isoweekday() <= 5
        start = dt.datetime.combine(slot.day, slot.start)
        assert dt.time(17, 0) <= slot.start
        assert (start + dt.timedelta(minutes=80)).time() <= dt.time(21, 0)


def test_annual_ues_run_over_both_semesters(planned):
    year, problem, solution = planned
    slots = {s.id: s for s in problem.slots}
    events = {e.id: e for e in problem.events}
    semesters = defaultdict(set)
    s2_start = year.semester("S2").courses_start
    for placement in solution.placements:
        if events[placement.event].unit == "TET003":
            day = slots[placement.slot].day
            semesters["S2" if day >= s2_start else "S1"].add(placement.event)
    assert len(semesters["S1"]) == len(semesters["S2"]) == 12  # 24 sessions, half each


def test_a_machine_too_busy_to_search_still_gets_the_greedy_timetable(planned):
    """With almost no time, the greedy timetable (complete, every hard rule kept) is
    returned, with its soft costs counted as the model counts them."""
    _, problem, searched = planned
    hurried = solve(problem, time_limit_s=0.01, workers=1)
    assert hurried.status == "feasible"
    assert len(hurried.placements) == len(problem.events)
    assert set(hurried.soft) == set(searched.soft)

    def objective(solution):  # what the search minimises, from the greedy start
        weights = problem.weights
        return (
            weights.spread * solution.soft["spread"] + weights.evenings * solution.soft["evenings"]
        )

    assert objective(searched) <= objective(hurried)
