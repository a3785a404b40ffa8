"""The exam timetable (R-EXA-1, issue 16 item 1 — the engine): every paper placed once,
no candidate with two papers at once, seats enough in every slot, papers spread over
the days, and a French explanation when nothing is possible."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from planning.exams import (
    ExamProblem,
    ExamRoom,
    Paper,
    check_exams,
    exam_slots,
    place_orals,
    seat_exams,
    solve_exams,
)

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


def test_a_move_by_hand_is_held_to_the_engines_hard_rules():
    """R-EXA-1: staff adjust the timetable; a move that puts two papers of the same
    candidate at once, or more candidates than seats, is refused with the reason."""
    papers = (
        Paper("AST004", 120, people("a", "b")),
        Paper("CCE001", 120, people("a")),
        Paper("TRS001", 120, frozenset(f"t{n}" for n in range(25))),
    )
    problem = ExamProblem(papers, exam_slots(DAYS[:2], EVENING, 120), (ExamRoom("S1", 26),))
    first, second = problem.slots[0].id, problem.slots[1].id
    assert check_exams(problem, {"AST004": first, "CCE001": second, "TRS001": second}) == []
    clash = check_exams(problem, {"AST004": first, "CCE001": first, "TRS001": second})
    assert clash == ["AST004 et CCE001 au même créneau : 1 candidat(s) passent les deux."]
    crowded = check_exams(problem, {"AST004": first, "CCE001": second, "TRS001": first})
    assert crowded == ["AST004, TRS001 : 27 candidats pour 26 places."]
    assert check_exams(problem, {"AST004": "20170225-0800", "CCE001": first, "TRS001": second})
    seated = seat_exams(problem, {"AST004": first, "CCE001": second, "TRS001": second})
    assert {pl.paper: pl.seats for pl in seated}["TRS001"] == (("S1", 25),)


def test_orals_are_individual_and_never_clash_with_a_written_paper():
    """R-EXA-1: an oral ("^ soutenance") gives each candidate their own slot, not while
    they sit a written paper, one candidate at a time for the UE's jury."""
    papers = (Paper("AST004", 120, people("a", "b")),)
    problem = ExamProblem(
        papers, exam_slots(DAYS[:1], EVENING, 120), (ExamRoom("A", 30), ExamRoom("B", 2))
    )
    written = solve_exams(problem, time_limit_s=5)
    orals = (Paper("UA211G", 30, people("a", "b", "c", "d", "e")),)
    slots, missing = place_orals(orals, problem, written)
    assert missing == ()
    written_slot = next(s for s in problem.slots if s.id == written.placements[0].slot)
    starts = [(s.day, s.start) for s in slots]
    assert len(set(starts)) == 5  # one candidate at a time
    for oral in slots:
        if oral.candidate in ("a", "b"):  # never during their written paper
            assert (
                oral.start < written_slot.start
                or oral.start
                >= (
                    dt.datetime.combine(written_slot.day, written_slot.start)
                    + dt.timedelta(minutes=120)
                ).time()
            )
        if oral.start >= written_slot.start and oral.start < dt.time(written_slot.start.hour + 2):
            assert oral.room == "B"  # room A seats the written paper
    too_many = (Paper("UA211G", 30, frozenset(f"o{n}" for n in range(9))),)
    _, missing = place_orals(too_many, problem, written)
    assert missing == ("UA211G : plus de créneau libre pour une soutenance.",)
