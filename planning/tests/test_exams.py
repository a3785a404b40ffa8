"""The exam timetable (R-EXA-1, issue 16 item 1 — the engine): every paper placed once,
no candidate with two papers at once, seats enough in every slot, papers spread over
the days, and a French explanation when nothing is possible."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from planning.exams import ExamProblem, ExamRoom, Paper, exam_slots, solve_exams

DAYS = [dt.date(2017, 2, 20) + dt.timedelta(days=n) for n in range(5)]  # the week of 20/02
EVENING = [dt.time(17, 0), dt.time(19, 0)]


def people(*names: str) -> frozenset[str]:
    return frozenset(names)


def check(problem, timetable):
    """The hard rules, read back from the timetable."""
    slot_of = {pl.paper: pl.slot for pl in timetable.placements}
    assert sorted(slot_of) == sorted(p.id for p in problem.papers)  # each once
    busy = defaultdict(set)
    for paper in problem.papers:
        for candidate in paper.candidates:
            assert slot_of[paper.id] not in busy[candidate], "two papers at once"
            busy[candidate].add(slot_of[paper.id])
    capacity = {r.id: r.capacity for r in problem.rooms}
    used = defaultdict(int)
    for pl in timetable.placements:
        size = len(next(p for p in problem.papers if p.id == pl.paper).candidates)
        assert sum(n for _, n in pl.seats) == size  # every candidate seated
        for room, n in pl.seats:
            used[pl.slot, room] += n
    assert all(n <= capacity[room] for (_, room), n in used.items())


def test_shared_candidates_never_sit_two_papers_at_once_and_are_spread_over_days():
    papers = (
        Paper("AST004", 120, people("a", "b", "c")),
        Paper("CCE001", 120, people("a", "b")),
        Paper("TRS001", 120, people("c", "d")),
        Paper("TET003", 120, people("a", "d")),
    )
    problem = ExamProblem(papers, exam_slots(DAYS, EVENING, 120), (ExamRoom("S1", 30),))
    timetable = solve_exams(problem, time_limit_s=5)
    assert timetable.feasible
    check(problem, timetable)
    assert timetable.same_day == 0  # five evenings are enough to give each one a day


def test_a_paper_larger_than_one_room_fills_several():
    papers = (Paper("AST004", 120, frozenset(f"l{n}" for n in range(45))),)
    rooms = (ExamRoom("A", 30), ExamRoom("B", 20))
    problem = ExamProblem(papers, exam_slots(DAYS[:1], EVENING[:1], 120), rooms)
    timetable = solve_exams(problem, time_limit_s=5)
    check(problem, timetable)
    assert timetable.placements[0].seats == (("A", 30), ("B", 15))


def test_no_timetable_is_explained_in_french():
    big = Paper("AST004", 120, frozenset(f"l{n}" for n in range(80)))
    problem = ExamProblem((big,), exam_slots(DAYS, EVENING, 120), (ExamRoom("A", 30),))
    assert solve_exams(problem).conflicts == (
        "AST004 : 80 candidats pour 30 places dans les salles du centre.",
    )
    three = tuple(Paper(code, 120, people("a")) for code in ("X1", "X2", "X3"))
    problem = ExamProblem(three, exam_slots(DAYS[:1], EVENING, 120), (ExamRoom("A", 30),))
    timetable = solve_exams(problem)
    assert not timetable.feasible
    assert "Un candidat passe 3 épreuves (X1, X2, X3) pour 2 créneaux" in timetable.conflicts[0]
    long = ExamProblem((Paper("X1", 240, people("a")),), exam_slots(DAYS, EVENING, 120), ())
    assert "X1 : aucun créneau de 240 minutes." in solve_exams(long).conflicts


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.frozensets(st.sampled_from("abcdefghij"), min_size=1, max_size=6),
        min_size=1,
        max_size=6,
    )
)
def test_any_feasible_timetable_keeps_the_hard_rules(candidate_sets):
    papers = tuple(Paper(f"UE{n}", 120, c) for n, c in enumerate(candidate_sets))
    problem = ExamProblem(papers, exam_slots(DAYS, EVENING, 120), (ExamRoom("A", 8),))
    timetable = solve_exams(problem, time_limit_s=2)
    if timetable.feasible:
        check(problem, timetable)
    else:
        assert timetable.conflicts
