"""The exam timetable of one session and centre (R-EXA-1), on OR-Tools CP-SAT; no
Django, like the rest of the planning engine.

Papers (a UE's written exam, its candidates) are placed in slots (the session's days ×
the year's exam start times, each slot long enough for the paper). Hard: every paper
once; no candidate with two papers in the same slot; in each slot, no more candidates
than the centre's seats. Seats are then given room by room — a room may seat the
candidates of several papers at once, as exam rooms do, and a paper may fill several
rooms. Soft: a candidate's papers spread over the days (`same_day`: for each pair of
papers sharing candidates, those candidates count once per day both fall on).

With no timetable possible, `solve_exams` says why in French: a paper with more
candidates than seats, a candidate with more papers than slots, or the solver's proof.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Paper:
    id: str  # the UE's code
    minutes: int
    candidates: frozenset[str]


@dataclass(frozen=True)
class ExamSlot:
    id: str
    day: dt.date
    start: dt.time
    minutes: int


@dataclass(frozen=True)
class ExamRoom:
    id: str
    capacity: int


@dataclass(frozen=True)
class ExamProblem:
    papers: tuple[Paper, ...]
    slots: tuple[ExamSlot, ...]
    rooms: tuple[ExamRoom, ...]


@dataclass(frozen=True)
class PaperPlacement:
    paper: str
    slot: str
    seats: tuple[tuple[str, int], ...]  # (room, candidates seated there)


@dataclass(frozen=True)
class ExamTimetable:
    status: str  # "optimal", "feasible", "infeasible" or "unknown"
    placements: tuple[PaperPlacement, ...]
    same_day: int  # the soft cost: candidate-days with two papers or more, counted by pair
    conflicts: tuple[str, ...]
    seconds: float

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")


def exam_slots(days: list[dt.date], starts: list[dt.time], minutes: int) -> tuple[ExamSlot, ...]:
    return tuple(
        ExamSlot(f"{day:%Y%m%d}-{start:%H%M}", day, start, minutes)
        for day in days
        for start in starts
    )


def _obvious_conflicts(problem: ExamProblem) -> list[str]:
    seats = sum(r.capacity for r in problem.rooms)
    found = []
    for paper in problem.papers:
        if len(paper.candidates) > seats:
            found.append(
                f"{paper.id} : {len(paper.candidates)} candidats pour {seats} places dans les "
                "salles du centre."
            )
        if not any(s.minutes >= paper.minutes for s in problem.slots):
            found.append(f"{paper.id} : aucun créneau de {paper.minutes} minutes.")
    papers_of: dict[str, list[str]] = defaultdict(list)
    for paper in problem.papers:
        for candidate in paper.candidates:
            papers_of[candidate].append(paper.id)
    most = max(papers_of.values(), key=len, default=[])
    if len(most) > len(problem.slots):
        found.append(
            f"Un candidat passe {len(most)} épreuves ({', '.join(sorted(most))}) pour "
            f"{len(problem.slots)} créneaux de la session."
        )
    return found


def solve_exams(
    problem: ExamProblem, time_limit_s: float = 10.0, workers: int = 2
) -> ExamTimetable:
    started = time.perf_counter()
    obvious = _obvious_conflicts(problem)
    if obvious:
        return ExamTimetable("infeasible", (), 0, tuple(obvious), time.perf_counter() - started)
    model = cp_model.CpModel()
    x = {
        (p.id, s.id): model.new_bool_var(f"x_{p.id}_{s.id}")
        for p in problem.papers
        for s in problem.slots
        if s.minutes >= p.minutes
    }
    for p in problem.papers:
        model.add_exactly_one(x[p.id, s.id] for s in problem.slots if (p.id, s.id) in x)
    shared = {
        (p.id, q.id): len(p.candidates & q.candidates)
        for p, q in combinations(problem.papers, 2)
        if p.candidates & q.candidates
    }
    for p, q in shared:  # no candidate sits two papers at once
        for s in problem.slots:
            if (p, s.id) in x and (q, s.id) in x:
                model.add(x[p, s.id] + x[q, s.id] <= 1)
    seats = sum(r.capacity for r in problem.rooms)
    size = {p.id: len(p.candidates) for p in problem.papers}
    for s in problem.slots:
        here = [(pid, var) for (pid, sid), var in x.items() if sid == s.id]
        model.add(sum(size[pid] * var for pid, var in here) <= seats)
    days = sorted({s.day for s in problem.slots})
    on_day = {}
    for p in problem.papers:
        for d in days:
            vars_ = [x[p.id, s.id] for s in problem.slots if s.day == d and (p.id, s.id) in x]
            on_day[p.id, d] = sum(vars_) if vars_ else 0
    penalties = []
    for (p, q), weight in shared.items():
        for d in days:
            both = model.new_bool_var(f"same_{p}_{q}_{d:%Y%m%d}")
            model.add(on_day[p, d] + on_day[q, d] - 1 <= both)
            penalties.append(weight * both)
    model.minimize(sum(penalties))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    seconds = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.INFEASIBLE:
            reason = (
                "Aucun calendrier d'examens possible : les candidats communs aux épreuves "
                "et les places des salles ne tiennent pas dans les créneaux de la session."
            )
            return ExamTimetable("infeasible", (), 0, (reason,), seconds)
        return ExamTimetable(
            "unknown", (), 0, ("Aucun calendrier trouvé dans le temps imparti.",), seconds
        )
    chosen = {pid: sid for (pid, sid), var in x.items() if solver.value(var)}
    placements = []
    by_slot: dict[str, list[str]] = defaultdict(list)
    for pid, sid in chosen.items():
        by_slot[sid].append(pid)
    for sid, pids in by_slot.items():
        placements += _seat(sid, sorted(pids, key=lambda pid: (-size[pid], pid)), size, problem)
    same_day = sum(
        weight
        for (p, q), weight in shared.items()
        if _day(problem, chosen[p]) == _day(problem, chosen[q])
    )
    return ExamTimetable(
        "optimal" if status == cp_model.OPTIMAL else "feasible",
        tuple(sorted(placements, key=lambda pl: (pl.slot, pl.paper))),
        same_day,
        (),
        seconds,
    )


def _day(problem: ExamProblem, slot_id: str) -> dt.date:
    return next(s.day for s in problem.slots if s.id == slot_id)


def _seat(
    slot: str, papers: list[str], size: dict[str, int], problem: ExamProblem
) -> list[PaperPlacement]:
    """Seats room by room, largest rooms and papers first: a room may seat several
    papers, a paper may fill several rooms (the model kept the total within seats)."""
    rooms = sorted(problem.rooms, key=lambda r: (-r.capacity, r.id))
    free = [r.capacity for r in rooms]
    out = []
    index = 0
    for pid in papers:
        left, seats = size[pid], []
        while left:
            while free[index] == 0:
                index += 1
            taken = min(left, free[index])
            seats.append((rooms[index].id, taken))
            free[index] -= taken
            left -= taken
        out.append(PaperPlacement(pid, slot, tuple(seats)))
    return out


def check_exams(problem: ExamProblem, chosen: dict[str, str]) -> list[str]:
    """What is wrong with papers placed by hand (`chosen`: paper → slot), in French;
    the hard rules of `solve_exams`, so a move is held to what generation obeys."""
    slots = {s.id: s for s in problem.slots}
    papers = {p.id: p for p in problem.papers}
    found = []
    for pid, sid in chosen.items():
        slot = slots.get(sid)
        if slot is None:
            found.append(f"{pid} : ce créneau n'est pas un créneau d'épreuve de la session.")
        elif slot.minutes < papers[pid].minutes:
            found.append(f"{pid} : le créneau dure moins que l'épreuve.")
    seats = sum(r.capacity for r in problem.rooms)
    by_slot: dict[str, list[str]] = defaultdict(list)
    for pid, sid in chosen.items():
        by_slot[sid].append(pid)
    for _slot, pids in sorted(by_slot.items()):
        for p, q in combinations(sorted(pids), 2):
            common = papers[p].candidates & papers[q].candidates
            if common:
                found.append(
                    f"{p} et {q} au même créneau : {len(common)} candidat(s) passent les deux."
                )
        seated = sum(len(papers[pid].candidates) for pid in pids)
        if seated > seats:
            found.append(f"{', '.join(sorted(pids))} : {seated} candidats pour {seats} places.")
    return found


def seat_exams(problem: ExamProblem, chosen: dict[str, str]) -> tuple[PaperPlacement, ...]:
    """Rooms for papers placed by hand (check them with `check_exams` first)."""
    size = {p.id: len(p.candidates) for p in problem.papers}
    by_slot: dict[str, list[str]] = defaultdict(list)
    for pid, sid in chosen.items():
        by_slot[sid].append(pid)
    placements: list[PaperPlacement] = []
    for sid, pids in by_slot.items():
        placements += _seat(sid, sorted(pids, key=lambda pid: (-size[pid], pid)), size, problem)
    return tuple(sorted(placements, key=lambda pl: (pl.slot, pl.paper)))


@dataclass(frozen=True)
class OralSlot:
    paper: str  # the UE's code
    candidate: str
    day: dt.date
    start: dt.time
    room: str


def place_orals(
    orals: tuple[Paper, ...],
    problem: ExamProblem,
    timetable: ExamTimetable,
) -> tuple[tuple[OralSlot, ...], tuple[str, ...]]:
    """Individual oral slots ("^ soutenance"), one candidate at a time per UE, in the
    session's slots cut into `Paper.minutes` pieces: never while the candidate sits a
    written paper or another oral, in a room no written paper fills then. Greedy,
    earliest first: orals have one jury per UE, so there is nothing to optimise
    beyond not clashing. Returns the slots and, for candidates left without one, why."""
    slots = sorted(problem.slots, key=lambda s: (s.day, s.start))
    papers = {p.id: p for p in problem.papers}
    busy_slots: dict[str, set[str]] = defaultdict(set)  # candidate -> written slots
    rooms_taken: dict[str, set[str]] = defaultdict(set)  # slot -> rooms of papers
    for pl in timetable.placements:
        for candidate in papers[pl.paper].candidates:
            busy_slots[candidate].add(pl.slot)
        rooms_taken[pl.slot] |= {room for room, _ in pl.seats}
    rooms = sorted(problem.rooms, key=lambda r: (r.capacity, r.id))  # small rooms first
    # (room, candidate or UE, day, time); orals all last the year's `oral_minutes`, so
    # their starts align within a slot and equal starts are the only overlaps.
    taken: set[tuple[str, dt.date, dt.time]] = set()
    out: list[OralSlot] = []
    missing: list[str] = []
    for oral in sorted(orals, key=lambda o: o.id):
        pieces = [
            (slot, (dt.datetime.combine(slot.day, slot.start) + dt.timedelta(minutes=k)).time())
            for slot in slots
            for k in range(0, slot.minutes - oral.minutes + 1, oral.minutes)
        ]
        for candidate in sorted(oral.candidates):
            for slot, start in pieces:
                if slot.id in busy_slots[candidate]:
                    continue
                if (candidate, slot.day, start) in taken or (oral.id, slot.day, start) in taken:
                    continue
                free = [
                    r.id
                    for r in rooms
                    if r.id not in rooms_taken[slot.id] and (r.id, slot.day, start) not in taken
                ]
                if not free:
                    continue
                taken |= {(candidate, slot.day, start), (oral.id, slot.day, start)}
                taken.add((free[0], slot.day, start))
                out.append(OralSlot(oral.id, candidate, slot.day, start, free[0]))
                break
            else:
                missing.append(f"{oral.id} : plus de créneau libre pour une soutenance.")
    return tuple(out), tuple(missing)
