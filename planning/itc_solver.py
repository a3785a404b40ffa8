"""ITC-2007 Track 3 (curriculum-based course timetabling, UD2): CP-SAT for a first
timetable and a lower bound, then simulated annealing and CP-SAT repairs.

- Time model. Booleans x[c, p] (course c has a lecture in period p), at most one lecture
  per period for each curriculum and each teacher (maximal cliques only). Rooms enter
  through Hall's condition: the rooms a lecture may use without a capacity cost are
  nested (every room at least its size), so rooms can be given to a period's lectures
  iff, for every capacity class j, the lectures needing a class >= j are no more than
  the rooms of class >= j. A lecture may move down to a smaller class k (d[c, p, k]) at
  the UD2 capacity cost. Minimum working days use day indicators; isolated lectures one
  indicator per curriculum and period (identical curricula merged, weighted by their
  count). Without room stability this model is a relaxation of the problem: its bound
  is a lower bound of the UD2 optimum (`SolveResult.objective_bound`).
- Rooms. Periods fixed, rooms minimising room capacity + room stability: a greedy start,
  then rounds of one optimal assignment per period (linear assignment) given a main
  room per course, then an exact CP-SAT model (lectures x rooms booleans) from the best.
- Annealing. Simulated annealing on the complete timetable with the exact UD2 cost,
  every hard constraint kept. A move takes a lecture to another (period, room): a plain
  move to a free room, a swap with the lecture there otherwise; a share of the moves
  only change the room, and another share swap the lecture with the one lecture whose
  curriculum or teacher keeps it out of the target period (a Kempe chain of length
  two). Costs are updated incrementally and a move's change is computed before it is
  made, so a move costs a few microseconds of Python. The temperature falls
  geometrically over a fixed number of rounds; with several workers, one chain runs
  here and one in each helper process (spawned at the start), and after each round
  every chain goes on from the one whose timetable costs least.
- Repairs. Large neighbourhood search on the complete timetable: a few courses' lectures
  (all of them, or those of two days) are freed and placed again, periods and rooms, by
  an exact CP-SAT model of the UD2 cost they change, everything else fixed.

`solve` runs: the relaxation with CP-SAT's default portfolio for a moment (its LP gives
the bound and proves small instances); if it found no timetable, the relaxation without
objective (a feasible timetable in a moment); the relaxation with every worker on
CP-SAT's neighbourhood search until its short share of time is up; rooms; the
annealing for most of the time; the repairs until the time limit. The shares of time
and the temperatures are general settings below, not fitted to an instance. Results
are meant to be scored by `planning.itc2007.score`, never by these objectives.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.graph.python import linear_sum_assignment
from ortools.sat.python import cp_model

from planning.itc2007 import WEIGHTS, Assignment, Instance, score

log = logging.getLogger(__name__)

# (course index, period index) -> room index
Rooms = dict[tuple[int, int], int]

# Share of the remaining time each room model may use, and its floor in seconds.
ROOM_STAGE_SHARE = 0.02
ROOM_STAGE_MIN_S = 0.5
BOUND_TOLERANCE = 1e-6
# Shares of the time limit: the relaxation with the default portfolio (for its bound),
# then with every worker on neighbourhood search (both phases together: FIRST_PASS_SHARE;
# the annealing starts hot, so a long first pass buys little).
PROOF_SHARE = 0.03
FIRST_PASS_SHARE = 0.05
# Share of the neighbourhoods grown from a course that costs something.
GUIDED_SHARE = 0.5
# Rounds of the room matching without improvement before some main rooms are shuffled.
MATCHING_STALL = 3
# Share of the time limit left to the repairs at the end, after the annealing; the
# temperatures at the start and the end of the annealing (UD2 weights are 1, 2 and 5),
# and its rounds (chains exchange their timetables after each).
LNS_SHARE = 0.1
START_TEMPERATURE = 3.0
END_TEMPERATURE = 0.1
ANNEALING_ROUNDS = 20
# Shares of the annealing's moves that change only a lecture's room, and that swap a
# lecture with the one lecture whose curriculum or teacher keeps it out of a period.
SAME_PERIOD_SHARE = 0.2
CONFLICT_SWAP_SHARE = 0.4
# Time limits below which no helper process is started for the annealing.
MIN_HELPER_LIMIT_S = 10.0
# Time limit of one repair of the neighbourhood search, and the least time worth one.
LNS_STEP_S = 0.4
LNS_MIN_S = 0.2


@dataclass(frozen=True)
class SolveResult:
    assignments: list[Assignment]
    status: str  # "OPTIMAL", "FEASIBLE", "INFEASIBLE" or "UNKNOWN" (nothing found in time)
    wall_time: float
    objective_bound: int | None = None  # lower bound of the UD2 soft cost, if known


def _solver(
    time_limit_s: float, workers: int, seed: int, lns_only: bool = False
) -> cp_model.CpSolver:
    """CP-SAT with a time limit. `lns_only` gives every worker to large neighbourhood
    search: on a few cores it finds better timetables sooner than the default portfolio
    (whose first worker is a full tree search with the LP), but proves no bound."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.use_lns_only = lns_only
    return solver


def _allowed_periods(instance: Instance) -> list[list[int]]:
    per_day = instance.periods_per_day
    return [
        [
            p
            for p in range(instance.periods)
            if (course.id, p // per_day, p % per_day) not in instance.unavailable
        ]
        for course in instance.courses
    ]


class _TimeModel:
    """Periods for every lecture, rooms through Hall's condition (no room stability)."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.model = model = cp_model.CpModel()
        rooms = instance.rooms
        per_day = instance.periods_per_day
        periods = range(instance.periods)
        courses = instance.courses
        capacities = sorted({r.capacity for r in rooms})
        classes = range(len(capacities))
        class_of_room = [capacities.index(r.capacity) for r in rooms]
        rooms_from = [sum(1 for k in class_of_room if k >= j) for j in classes]
        # a lecture needs a room of class >= top(c), the smallest class big enough for c
        # (or the biggest class); d[c, p, k] moves it down to class k at a capacity cost
        self.top = [
            min(bisect.bisect_left(capacities, course.students), len(capacities) - 1)
            for course in courses
        ]
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.d: dict[tuple[int, int, int], cp_model.IntVar] = {}
        by_period: dict[int, list[int]] = defaultdict(list)
        objective = []
        capacity_weight = WEIGHTS["room_capacity"]

        for c, (course, allowed) in enumerate(
            zip(courses, _allowed_periods(instance), strict=True)
        ):
            top = self.top[c]
            for p in allowed:
                x = self.x[c, p] = model.new_bool_var(f"x_{c}_{p}")
                by_period[p].append(c)
                if course.students > capacities[top]:  # bigger than every room
                    objective.append(capacity_weight * (course.students - capacities[top]) * x)
                downs = []
                for k in range(top):
                    var = self.d[c, p, k] = model.new_bool_var(f"d_{c}_{p}_{k}")
                    downs.append(var)
                    objective.append(
                        capacity_weight
                        * (min(course.students, capacities[top]) - capacities[k])
                        * var
                    )
                if downs:
                    model.add(sum(downs) <= x)
            model.add(sum(self.x[c, p] for p in allowed) == course.lectures)
            # minimum working days
            if course.min_working_days > 1:
                day_vars = []
                for day in range(instance.days):
                    in_day = [self.x[c, p] for p in allowed if p // per_day == day]
                    if in_day:
                        var = model.new_bool_var(f"day_{c}_{day}")
                        model.add(var <= sum(in_day))
                        day_vars.append(var)
                short = model.new_int_var(0, course.min_working_days, f"short_{c}")
                model.add(short >= course.min_working_days - sum(day_vars))
                objective.append(WEIGHTS["min_working_days"] * short)

        # rooms: Hall's condition for every capacity class
        for p in periods:
            for j in classes:
                needing = [
                    self.x[c, p] - sum(self.d[c, p, k] for k in range(j))
                    for c in by_period[p]
                    if self.top[c] >= j
                ]
                if len(needing) > rooms_from[j]:
                    model.add(sum(needing) <= rooms_from[j])

        # curricula and teachers: at most one lecture per period
        index = {course.id: c for c, course in enumerate(courses)}
        groups: Counter[frozenset[int]] = Counter(
            frozenset(index[cid] for cid in q.courses) for q in instance.curricula
        )
        teachers: dict[str, set[int]] = defaultdict(set)
        for c, course in enumerate(courses):
            teachers[course.teacher].add(c)
        cliques = set(groups) | {frozenset(members) for members in teachers.values()}
        for clique in cliques:
            if len(clique) < 2 or any(clique < other for other in cliques):
                continue
            for p in periods:
                present = [self.x[c, p] for c in clique if (c, p) in self.x]
                if len(present) > 1:
                    model.add_at_most_one(present)

        # isolated lectures
        for members, multiplicity in groups.items():
            active = {}
            for p in periods:
                present = [self.x[c, p] for c in members if (c, p) in self.x]
                if present:
                    active[p] = sum(present)
            for p, here in active.items():
                neighbours = [
                    active[n]
                    for n in (p - 1, p + 1)
                    if n in active and n // per_day == p // per_day
                ]
                iso = model.new_bool_var(f"iso_{len(objective)}")
                model.add(iso >= here - sum(neighbours))
                objective.append(WEIGHTS["isolated_lectures"] * multiplicity * iso)

        model.minimize(sum(objective))
        self.capacities = capacities

    def add_hint(self, timetable: Rooms) -> None:
        """Start from a complete timetable (it satisfies this model)."""
        self.model.clear_hints()
        capacities = self.capacities
        rooms = self.instance.rooms
        for (c, p), x in self.x.items():
            r = timetable.get((c, p))
            self.model.add_hint(x, r is not None)
            level = None if r is None else bisect.bisect_right(capacities, rooms[r].capacity) - 1
            for k in range(self.top[c]):
                self.model.add_hint(self.d[c, p, k], level == k)

    def lectures(self, solver: cp_model.CpSolver) -> dict[tuple[int, int], int]:
        """(course, period) -> the capacity class its room must at least have."""
        return {
            (c, p): next(
                (k for k in range(self.top[c]) if solver.boolean_value(self.d[c, p, k])),
                self.top[c],
            )
            for (c, p), var in self.x.items()
            if solver.boolean_value(var)
        }


def _greedy_rooms(
    instance: Instance, lectures: dict[tuple[int, int], int], capacities: list[int]
) -> Rooms:
    """Rooms for the time model's lectures: period by period, the most demanding lectures
    first (with nested room sets this always succeeds), each in its course's most used
    free room that is big enough, else the smallest one."""
    rooms = instance.rooms
    chosen: Rooms = {}
    favourite: dict[int, Counter[int]] = defaultdict(Counter)
    by_period: dict[int, list[int]] = defaultdict(list)
    for c, p in lectures:
        by_period[p].append(c)
    for p in sorted(by_period):
        free = set(range(len(rooms)))
        for c in sorted(by_period[p], key=lambda c: (-lectures[c, p], c)):
            need = capacities[lectures[c, p]]
            candidates = [r for r in free if rooms[r].capacity >= need]
            best = min(candidates, key=lambda r: (-favourite[c][r], rooms[r].capacity, r))
            chosen[c, p] = best
            free.discard(best)
            favourite[c][best] += 1
    return chosen


def _rc_rs_cost(instance: Instance, timetable: Rooms) -> int:
    """Room capacity + room stability of a timetable (the costs rooms decide)."""
    rooms_of: dict[int, set[int]] = defaultdict(set)
    cost = 0
    for (c, _), r in timetable.items():
        rooms_of[c].add(r)
        over = instance.courses[c].students - instance.rooms[r].capacity
        cost += WEIGHTS["room_capacity"] * max(0, over)
    return cost + WEIGHTS["room_stability"] * sum(len(r) - 1 for r in rooms_of.values())


def _match_rooms(
    instance: Instance, start: Rooms, time_limit_s: float, rng: random.Random
) -> Rooms:
    """Rooms for fixed periods by alternating two steps: given a main room per course,
    each period's rooms are an optimal assignment (cost: room capacity, plus 1 outside
    the main room, halved for a room the course already uses); then each course's main
    room becomes its most used one. When this stalls, a few courses get another main
    room at random. Returns the best timetable seen (room capacity + room stability)."""
    deadline = time.monotonic() + time_limit_s
    rooms = instance.rooms
    courses = instance.courses
    by_period: dict[int, list[int]] = defaultdict(list)
    for c, p in start:
        by_period[p].append(c)
    best, best_cost = start, _rc_rs_cost(instance, start)
    current = start
    stall = 0
    while time.monotonic() < deadline:
        shuffle = stall >= MATCHING_STALL
        used: dict[int, Counter[int]] = defaultdict(Counter)
        for (c, _), r in (best if shuffle else current).items():
            used[c][r] += 1
        main = {c: max(sorted(counts), key=lambda r: counts[r]) for c, counts in used.items()}
        if shuffle:
            for c in rng.sample(sorted(main), max(1, len(main) // 10)):
                main[c] = rng.randrange(len(rooms))
            stall = 0
        timetable: Rooms = {}
        for p, present in by_period.items():
            assignment = linear_sum_assignment.SimpleLinearSumAssignment()
            for i in range(len(rooms)):  # square: rooms left empty take dummy rows
                for r, room in enumerate(rooms):
                    if i >= len(present):
                        assignment.add_arc_with_cost(i, r, 0)
                        continue
                    c = present[i]
                    over = max(0, courses[c].students - room.capacity)
                    outside = 0 if r == main[c] else (1 if r in used[c] else 2)
                    assignment.add_arc_with_cost(
                        i,
                        r,
                        2 * WEIGHTS["room_capacity"] * over + WEIGHTS["room_stability"] * outside,
                    )
            if assignment.solve() != assignment.OPTIMAL:
                return best
            for i, c in enumerate(present):
                timetable[c, p] = assignment.right_mate(i)
        cost = _rc_rs_cost(instance, timetable)
        if cost < best_cost:
            best, best_cost, stall = timetable, cost, 0
        else:
            stall += 1
        current = timetable
    return best


def _room_model(
    instance: Instance, start: Rooms, time_limit_s: float, workers: int, seed: int
) -> Rooms:
    """The best rooms for fixed periods (room capacity + room stability), from `start`."""
    courses = instance.courses
    rooms = instance.rooms
    model = cp_model.CpModel()
    y: dict[tuple[int, int, int], cp_model.IntVar] = {}
    objective = []
    for c, p in start:
        options = []
        for r, room in enumerate(rooms):
            var = y[c, p, r] = model.new_bool_var(f"y_{c}_{p}_{r}")
            options.append(var)
            over = courses[c].students - room.capacity
            if over > 0:
                objective.append(WEIGHTS["room_capacity"] * over * var)
            model.add_hint(var, start[c, p] == r)
        model.add_exactly_one(options)
    by_room_period: dict[tuple[int, int], list] = defaultdict(list)
    for (_, p, r), var in y.items():
        by_room_period[p, r].append(var)
    for group in by_room_period.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    periods_of: dict[int, list[int]] = defaultdict(list)
    for c, p in start:
        periods_of[c].append(p)
    for c, plist in periods_of.items():
        used = []
        for r in range(len(rooms)):
            var = model.new_bool_var(f"h_{c}_{r}")
            for p in plist:
                model.add_implication(y[c, p, r], var)
            used.append(var)
            model.add_hint(var, any(start[c, p] == r for p in plist))
        objective.append(WEIGHTS["room_stability"] * (sum(used) - 1))
    model.minimize(sum(objective))
    solver = _solver(time_limit_s, workers, seed, lns_only=True)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start
    found = {(c, p): r for (c, p, r), var in y.items() if solver.boolean_value(var)}
    # neighbourhood search alone may stop before it has taken the hint in
    return found if _rc_rs_cost(instance, found) <= _rc_rs_cost(instance, start) else start


def _to_assignments(instance: Instance, timetable: Rooms) -> list[Assignment]:
    per_day = instance.periods_per_day
    return sorted(
        Assignment(instance.courses[c].id, instance.rooms[r].id, p // per_day, p % per_day)
        for (c, p), r in timetable.items()
    )


class _Structure:
    """What the repair models need about an instance, computed once."""

    def __init__(self, instance: Instance):
        self.instance = instance
        courses = instance.courses
        index = {course.id: c for c, course in enumerate(courses)}
        self.allowed = [set(periods) for periods in _allowed_periods(instance)]
        # identical curricula merged, with their multiplicity (for isolated lectures)
        self.groups: list[tuple[frozenset[int], int]] = list(
            Counter(frozenset(index[cid] for cid in q.courses) for q in instance.curricula).items()
        )
        teachers: dict[str, set[int]] = defaultdict(set)
        for c, course in enumerate(courses):
            teachers[course.teacher].add(c)
        cliques = {members for members, _ in self.groups}
        cliques |= {frozenset(members) for members in teachers.values()}
        self.cliques = [
            q for q in cliques if len(q) > 1 and not any(q < other for other in cliques)
        ]
        self.groups_of: list[list[int]] = [[] for _ in courses]
        for g, (members, _) in enumerate(self.groups):
            for c in members:
                self.groups_of[c].append(g)
        self.neighbours: list[set[int]] = [set() for _ in courses]
        for clique in self.cliques:
            for c in clique:
                self.neighbours[c] |= clique - {c}


def _repair(
    structure: _Structure,
    timetable: Rooms,
    free: set[tuple[int, int]],
    window: set[int],
    time_limit_s: float,
    workers: int,
    seed: int,
) -> tuple[Rooms, bool]:
    """Re-place the `free` lectures (course, period) in periods of `window` and in any
    room, every other lecture fixed, minimising the UD2 cost they change. Returns the new
    timetable (the same one if nothing better was found) and whether the sub-problem was
    solved to optimality."""
    instance = structure.instance
    courses = instance.courses
    rooms = instance.rooms
    per_day = instance.periods_per_day
    taken: dict[int, set[int]] = defaultdict(set)  # period -> rooms of fixed lectures
    fixed_periods: dict[int, set[int]] = defaultdict(set)  # course -> its fixed periods
    fixed_rooms: dict[int, set[int]] = defaultdict(set)  # course -> rooms of those
    moving: Counter[int] = Counter()  # course -> lectures to place
    for (c, p), r in timetable.items():
        if (c, p) in free:
            moving[c] += 1
        else:
            taken[p].add(r)
            fixed_periods[c].add(p)
            fixed_rooms[c].add(r)
    model = cp_model.CpModel()
    w: dict[tuple[int, int, int], cp_model.IntVar] = {}
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    objective = []
    for c in sorted(moving):
        course = courses[c]
        busy = set(fixed_periods[c])
        for n in structure.neighbours[c]:
            busy |= fixed_periods[n]
        placed = []
        room_options: dict[int, list] = defaultdict(list)
        for p in sorted((structure.allowed[c] & window) - busy):
            options = []
            for r, room in enumerate(rooms):
                if r in taken[p]:
                    continue
                var = w[c, p, r] = model.new_bool_var(f"w_{c}_{p}_{r}")
                model.add_hint(var, timetable.get((c, p)) == r)
                options.append(var)
                room_options[r].append(var)
                over = course.students - room.capacity
                if over > 0:
                    objective.append(WEIGHTS["room_capacity"] * over * var)
            if options:
                var = x[c, p] = model.new_bool_var(f"x_{c}_{p}")
                model.add_hint(var, (c, p) in timetable)
                model.add(sum(options) == var)
                placed.append(var)
        model.add(sum(placed) == moving[c])
        # room stability: the rooms beyond those of the fixed lectures
        for r, options in room_options.items():
            if r in fixed_rooms[c]:
                continue
            used = model.new_bool_var(f"h_{c}_{r}")
            model.add_hint(used, any(timetable.get((c, p)) == r for p in window))
            for var in options:
                model.add_implication(var, used)
            objective.append(WEIGHTS["room_stability"] * used)
        # minimum working days: the days beyond those of the fixed lectures
        fixed_days = {p // per_day for p in fixed_periods[c]}
        if course.min_working_days > len(fixed_days):
            day_vars = []
            for day in sorted({p // per_day for (cc, p) in x if cc == c} - fixed_days):
                in_day = [x[c, p] for p in range(day * per_day, (day + 1) * per_day) if (c, p) in x]
                var = model.new_bool_var(f"day_{c}_{day}")
                model.add_hint(
                    var, any((c, p) in timetable for p in range(day * per_day, (day + 1) * per_day))
                )
                model.add(var <= sum(in_day))
                day_vars.append(var)
            short = model.new_int_var(0, course.min_working_days, f"short_{c}")
            model.add(short >= course.min_working_days - len(fixed_days) - sum(day_vars))
            objective.append(WEIGHTS["min_working_days"] * short)
    by_room_period: dict[tuple[int, int], list] = defaultdict(list)
    for (_, p, r), var in w.items():
        by_room_period[p, r].append(var)
    for group in by_room_period.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    for clique in structure.cliques:
        inside = [c for c in clique if c in moving]
        if len(inside) > 1:
            for p in window:
                present = [x[c, p] for c in inside if (c, p) in x]
                if len(present) > 1:
                    model.add_at_most_one(present)
    # isolated lectures of the curricula of the moving courses, on the window's days
    days = sorted({p // per_day for p in window})
    touched = {g for c in moving for g in structure.groups_of[c]}
    for g in sorted(touched):
        members, multiplicity = structure.groups[g]
        for day in days:
            active: dict[int, cp_model.LinearExprT] = {}
            for p in range(day * per_day, (day + 1) * per_day):
                if any(p in fixed_periods[c] for c in members):
                    active[p] = 1
                else:
                    present = [x[c, p] for c in members if (c, p) in x]
                    if present:
                        active[p] = sum(present)
            for p, here in active.items():
                neighbours = [
                    active[n] for n in (p - 1, p + 1) if n in active and n // per_day == day
                ]
                iso = model.new_bool_var(f"iso_{g}_{p}")
                model.add(iso >= here - sum(neighbours))
                objective.append(WEIGHTS["isolated_lectures"] * multiplicity * iso)
    model.minimize(sum(objective))
    solver = _solver(time_limit_s, workers, seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return timetable, False
    repaired = {key: r for key, r in timetable.items() if key not in free}
    for (c, p, r), var in w.items():
        if solver.boolean_value(var):
            repaired[c, p] = r
    return repaired, status == cp_model.OPTIMAL


def _costly_courses(structure: _Structure, timetable: Rooms) -> tuple[list[int], list[int]]:
    """The courses with a soft cost (too small a room, too few days, an isolated lecture,
    several rooms), and those with several rooms."""
    instance = structure.instance
    per_day = instance.periods_per_day
    periods_of: dict[int, set[int]] = defaultdict(set)
    rooms_of: dict[int, set[int]] = defaultdict(set)
    costly: set[int] = set()
    for (c, p), r in timetable.items():
        periods_of[c].add(p)
        rooms_of[c].add(r)
        if instance.rooms[r].capacity < instance.courses[c].students:
            costly.add(c)
    unstable = sorted(c for c, rooms in rooms_of.items() if len(rooms) > 1)
    costly.update(unstable)
    for c, course in enumerate(instance.courses):
        if len({p // per_day for p in periods_of[c]}) < course.min_working_days:
            costly.add(c)
    for members, _ in structure.groups:
        busy = {p: c for c in members for p in periods_of[c]}
        for p, c in busy.items():
            before = p - 1 if p % per_day > 0 else None
            after = p + 1 if p % per_day < per_day - 1 else None
            if before not in busy and after not in busy:
                costly.add(c)
    return sorted(costly), unstable


class _Neighbourhoods:
    """Lectures to re-place together, of several kinds, each with its own size that grows
    while its sub-problems are solved to optimality and shrinks otherwise."""

    KINDS = ("courses", "related courses", "room sharers", "days")

    def __init__(self, structure: _Structure, rng: random.Random):
        self.structure = structure
        self.rng = rng
        count = len(structure.instance.courses)
        self.sizes = {kind: max(2, count // 10) for kind in self.KINDS}
        self.sizes["days"] = max(2, count // 4)

    def pick(self, timetable: Rooms) -> tuple[str, set[tuple[int, int]], set[int]]:
        """A kind, the free lectures and the periods they may use. Half of the time the
        search starts from a course that costs something (for room sharers: from one
        using several rooms)."""
        structure, rng = self.structure, self.rng
        instance = structure.instance
        count = len(instance.courses)
        kind = rng.choice(self.KINDS)
        size = min(self.sizes[kind], count)
        everything = set(range(instance.periods))
        costly, unstable = _costly_courses(structure, timetable)
        pool = unstable if kind == "room sharers" else costly
        seed = rng.choice(pool) if pool and rng.random() < GUIDED_SHARE else rng.randrange(count)
        if kind == "courses":
            others = [c for c in range(count) if c != seed]
            chosen = {seed, *rng.sample(others, size - 1)}
        elif kind == "room sharers":
            chosen = self._room_sharers(timetable, size, seed)
        else:
            chosen = self._related(size, seed)
        if kind != "days":
            return kind, {key for key in timetable if key[0] in chosen}, everything
        per_day = instance.periods_per_day
        lectures_of_seed = sorted(p // per_day for (c, p) in timetable if c == seed)
        first = rng.choice(lectures_of_seed) if lectures_of_seed else rng.randrange(instance.days)
        other = [d for d in range(instance.days) if d != first]
        days = {first, *rng.sample(other, min(1, len(other)))}
        window = {p for p in everything if p // per_day in days}
        return kind, {key for key in timetable if key[0] in chosen and key[1] in window}, window

    def update(self, kind: str, optimal: bool) -> None:
        count = len(self.structure.instance.courses)
        size = self.sizes[kind] + (1 if optimal else -1)
        self.sizes[kind] = max(2, min(count, size))

    def _related(self, size: int, seed: int) -> set[int]:
        """Courses sharing curricula or teachers, grown from `seed`."""
        rng, neighbours = self.rng, self.structure.neighbours
        count = len(neighbours)
        chosen = {seed}
        frontier = sorted(neighbours[seed])
        while len(chosen) < size:
            if not frontier:
                frontier = [rng.randrange(count)]
            c = frontier.pop(rng.randrange(len(frontier)))
            if c not in chosen:
                chosen.add(c)
                frontier.extend(sorted(neighbours[c] - chosen))
        return chosen

    def _room_sharers(self, timetable: Rooms, size: int, seed: int) -> set[int]:
        """Courses using the rooms of `seed`, and so on."""
        rng = self.rng
        count = len(self.structure.instance.courses)
        users: dict[int, set[int]] = defaultdict(set)
        rooms_of: dict[int, set[int]] = defaultdict(set)
        for (c, _), r in timetable.items():
            users[r].add(c)
            rooms_of[c].add(r)
        chosen = {seed}
        while len(chosen) < size:
            pool = sorted({n for c in chosen for r in rooms_of[c] for n in users[r]} - chosen)
            chosen.add(rng.choice(pool) if pool else rng.randrange(count))
        return chosen


class _Annealer:
    """Simulated annealing on a complete timetable with the exact UD2 cost, every hard
    constraint kept (the starting timetable must satisfy them all). A move takes one
    lecture to another (period, room): to a free room it is a plain move, to an occupied
    one a swap of the two lectures. Costs are kept incrementally (lectures per course and
    room, per course and day, per curriculum and period) and a move's change of cost is
    computed before it is made, so a rejected move changes nothing."""

    def __init__(self, structure: _Structure, timetable: Rooms, rng: random.Random):
        instance = structure.instance
        courses = instance.courses
        self.rng = rng
        self.per_day = per_day = instance.periods_per_day
        self.periods = periods = instance.periods
        self.room_count = rooms = len(instance.rooms)
        self.over = [
            [WEIGHTS["room_capacity"] * max(0, c.students - r.capacity) for r in instance.rooms]
            for c in courses
        ]
        self.min_days = [c.min_working_days for c in courses]
        self.allowed = [[p in allowed for p in range(periods)] for allowed in structure.allowed]
        teacher_index: dict[str, int] = {}
        self.teacher = [teacher_index.setdefault(c.teacher, len(teacher_index)) for c in courses]
        self.groups_of = [tuple(g) for g in structure.groups_of]
        self.group_sets = [frozenset(g) for g in structure.groups_of]
        self.neighbours = structure.neighbours
        self.iso_weight = [WEIGHTS["isolated_lectures"] * m for _, m in structure.groups]
        self.stability = WEIGHTS["room_stability"]
        self.days_weight = WEIGHTS["min_working_days"]
        # state
        self.course: list[int] = []
        self.period: list[int] = []
        self.room: list[int] = []
        self.at = [[-1] * rooms for _ in range(periods)]  # lecture index, or -1
        self.in_room = [[0] * rooms for _ in courses]
        self.rooms_used = [0] * len(courses)
        self.in_day = [[0] * instance.days for _ in courses]
        self.days_used = [0] * len(courses)
        # a curriculum's lectures per period (0 or 1), each day padded with two empty
        # periods on either side so that neighbours need no bounds check
        self.padded = [p // per_day * (per_day + 4) + 2 + p % per_day for p in range(periods)]
        padded_length = instance.days * (per_day + 4)
        self.group_count = [[0] * padded_length for _ in structure.groups]
        self.teacher_count = [[0] * periods for _ in teacher_index]
        self.cost = 0
        for (c, p), r in sorted(timetable.items()):
            i = len(self.course)
            self.course.append(c)
            self.period.append(p)
            self.room.append(r)
            self.cost += self._add(i, p, r)
        # a course's rooms cost (distinct rooms - 1); _add counts every distinct room
        self.cost -= self.stability * sum(1 for n in self.rooms_used if n)
        # and a course's missing days start from its minimum
        self.cost += self.days_weight * sum(self.min_days)

    def _add(self, i: int, p: int, r: int) -> int:
        c = self.course[i]
        self.period[i] = p
        self.room[i] = r
        self.at[p][r] = i
        delta = self.over[c][r]
        used = self.in_room[c]
        used[r] += 1
        if used[r] == 1:
            self.rooms_used[c] += 1
            delta += self.stability
        days = self.in_day[c]
        day = p // self.per_day
        days[day] += 1
        if days[day] == 1:
            n = self.days_used[c]
            if n < self.min_days[c]:
                delta -= self.days_weight
            self.days_used[c] = n + 1
        q = self.padded[p]
        for g in self.groups_of[c]:
            count = self.group_count[g]
            # the isolated lectures of g change by: +1 for this one if alone, -1 for
            # each neighbour that was alone
            left, right = count[q - 1], count[q + 1]
            change = 0 if left or right else 1
            if left and not count[q - 2]:
                change -= 1
            if right and not count[q + 2]:
                change -= 1
            delta += self.iso_weight[g] * change
            count[q] = 1
        self.teacher_count[self.teacher[c]][p] += 1
        return delta

    def _remove(self, i: int) -> int:
        c, p, r = self.course[i], self.period[i], self.room[i]
        self.at[p][r] = -1
        delta = -self.over[c][r]
        used = self.in_room[c]
        used[r] -= 1
        if used[r] == 0:
            self.rooms_used[c] -= 1
            delta -= self.stability
        days = self.in_day[c]
        day = p // self.per_day
        days[day] -= 1
        if days[day] == 0:
            n = self.days_used[c] - 1
            if n < self.min_days[c]:
                delta += self.days_weight
            self.days_used[c] = n
        q = self.padded[p]
        for g in self.groups_of[c]:
            count = self.group_count[g]
            count[q] = 0
            left, right = count[q - 1], count[q + 1]
            change = 0 if left or right else 1
            if left and not count[q - 2]:
                change -= 1
            if right and not count[q + 2]:
                change -= 1
            delta -= self.iso_weight[g] * change
        self.teacher_count[self.teacher[c]][p] -= 1
        return delta

    def _fits(self, c: int, p: int, leaving: int) -> bool:
        """Whether course c may have a lecture in period p once `leaving` (a course, or
        -1) has left it."""
        if not self.allowed[c][p]:
            return False
        t = self.teacher[c]
        busy = self.teacher_count[t][p]
        if leaving >= 0 and self.teacher[leaving] == t:
            busy -= 1
        if busy:
            return False
        q = self.padded[p]
        for g in self.groups_of[c]:
            if self.group_count[g][q] and (leaving < 0 or g not in self.group_sets[leaving]):
                return False
        return True

    def _apply(self, i: int, j: int, p2: int, r2: int, p: int, r: int) -> int:
        """Lecture i to (p2, r2) and lecture j (or -1) from there to (p, r); the change
        of cost."""
        delta = self._remove(i)
        if j >= 0:
            delta += self._remove(j)
            delta += self._add(j, p, r)
        return delta + self._add(i, p2, r2)

    def _delta(self, i: int, j: int, p2: int, r2: int) -> int:
        """The change of cost if lecture i went to (p2, r2) and lecture j (or -1) from
        there to i's place, computed without changing anything (both must fit)."""
        c, p, r = self.course[i], self.period[i], self.room[i]
        c2 = self.course[j] if j >= 0 else -1
        over = self.over
        delta = over[c][r2] - over[c][r]
        if c2 >= 0:
            delta += over[c2][r] - over[c2][r2]
        if c == c2:  # two lectures of one course exchange their rooms: nothing else
            return delta
        if r != r2:
            delta += self._room_change(c, r, r2)
            if c2 >= 0:
                delta += self._room_change(c2, r2, r)
        if p == p2:
            return delta
        day, day2 = p // self.per_day, p2 // self.per_day
        if day != day2:
            delta += self._day_change(c, day, day2)
            if c2 >= 0:
                delta += self._day_change(c2, day2, day)
        q, q2 = self.padded[p], self.padded[p2]
        shared = self.group_sets[c2] if c2 >= 0 else ()
        delta += self._group_change(c, q, q2, shared)
        if c2 >= 0:
            delta += self._group_change(c2, q2, q, self.group_sets[c])
        return delta

    def _room_change(self, c: int, r: int, r2: int) -> int:
        used = self.in_room[c]
        return self.stability * ((used[r2] == 0) - (used[r] == 1))

    def _day_change(self, c: int, day: int, day2: int) -> int:
        days = self.in_day[c]
        n = self.days_used[c]
        after = n - (days[day] == 1) + (days[day2] == 0)
        least = self.min_days[c]
        return self.days_weight * (max(0, least - after) - max(0, least - n))

    def _group_change(self, c: int, q: int, q2: int, shared) -> int:
        """Isolated lectures of c's curricula (but those in `shared`, whose lectures
        stay where they are) when c's lecture goes from padded period q to q2."""
        delta = 0
        for g in self.groups_of[c]:
            if g in shared:
                continue
            count = self.group_count[g]
            count[q] = 0
            left, right = count[q - 1], count[q + 1]
            change = 0 if left or right else 1
            if left and not count[q - 2]:
                change -= 1
            if right and not count[q + 2]:
                change -= 1
            left, right = count[q2 - 1], count[q2 + 1]
            if not (left or right):
                change -= 1
            if left and not count[q2 - 2]:
                change += 1
            if right and not count[q2 + 2]:
                change += 1
            count[q] = 1
            delta -= self.iso_weight[g] * change
        return delta

    def run(self, time_limit_s: float, start_temperature: float, end_temperature: float):
        """Anneal for `time_limit_s` seconds, the temperature falling geometrically;
        returns the best timetable seen and its cost."""
        rng = self.rng
        random_ = rng.random
        course, period, room, at = self.course, self.period, self.room, self.at
        lectures, periods, rooms = len(course), self.periods, self.room_count
        neighbours = self.neighbours
        best_cost = self.cost
        best: Rooms | None = self.timetable()
        start = time.monotonic()
        temperature = start_temperature
        ratio = end_temperature / start_temperature
        moves = accepted = 0
        while True:
            if moves % 1000 == 0:
                progress = (time.monotonic() - start) / time_limit_s
                if progress >= 1:
                    break
                temperature = start_temperature * ratio**progress
            moves += 1
            i = int(random_() * lectures)
            c, p, r = course[i], period[i], room[i]
            kind = random_()
            if kind < SAME_PERIOD_SHARE:  # another room, same period
                p2, r2 = p, int(random_() * rooms)
            else:
                p2 = int(random_() * periods)
                r2 = r if random_() < 0.5 else int(random_() * rooms)
                if kind > 1 - CONFLICT_SWAP_SHARE and p2 != p:
                    # swap with the one lecture that keeps c out of p2, if only one does
                    clash = -1
                    near = neighbours[c]
                    for k in at[p2]:
                        if k >= 0 and course[k] in near:
                            if clash >= 0:
                                clash = -2
                                break
                            clash = k
                    if clash == -2:
                        continue
                    if clash >= 0:
                        r2 = room[clash]
            j = at[p2][r2]
            if j == i:
                continue
            if p2 != p:
                c2 = course[j] if j >= 0 else -1
                if not self._fits(c, p2, c2) or (c2 >= 0 and not self._fits(c2, p, c)):
                    continue
            delta = self._delta(i, j, p2, r2)
            if delta <= 0 or random_() < math.exp(-delta / temperature):
                if delta > 0 and best is None:
                    # leaving the best timetable seen: keep a copy of it first
                    best = self.timetable()
                self._apply(i, j, p2, r2, p, r)
                accepted += 1
                self.cost += delta
                if self.cost < best_cost:
                    best_cost, best = self.cost, None
        if best is None:
            best = self.timetable()
        log.debug("annealing: %d moves, %d accepted, cost %d", moves, accepted, self.cost)
        return best_cost, best

    def timetable(self) -> Rooms:
        return {(c, p): r for c, p, r in zip(self.course, self.period, self.room, strict=True)}


@dataclass
class _Helper:
    process: multiprocessing.process.BaseProcess
    connection: multiprocessing.connection.Connection


def _helper_main(connection: multiprocessing.connection.Connection, instance: Instance) -> None:
    """A helper process: runs annealing chains on request until told to stop."""
    structure = _Structure(instance)
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        timetable, seconds, hot, cold, seed = task
        annealer = _Annealer(structure, timetable, random.Random(seed))  # noqa: S311
        cost, best = annealer.run(seconds, hot, cold)
        connection.send((cost, best, annealer.cost, annealer.timetable()))


def _start_helpers(instance: Instance, count: int) -> list[_Helper]:
    context = multiprocessing.get_context("spawn")
    helpers = []
    for _ in range(count):
        parent, child = context.Pipe()
        process = context.Process(target=_helper_main, args=(child, instance), daemon=True)
        process.start()
        child.close()
        helpers.append(_Helper(process, parent))
    return helpers


def _stop_helpers(helpers: list[_Helper]) -> None:
    for helper in helpers:
        with contextlib.suppress(OSError):
            helper.connection.send(None)
        helper.process.join(timeout=1)
        if helper.process.is_alive():
            helper.process.kill()
            helper.process.join()
        helper.connection.close()
    helpers.clear()


def _anneal(
    structure: _Structure,
    timetable: Rooms,
    deadline: float,
    helpers: list[_Helper],
    rng: random.Random,
    name: str,
) -> tuple[int, Rooms]:
    """Simulated annealing until `deadline` (monotonic), one chain here and one in each
    helper, the temperature falling geometrically from START_TEMPERATURE to
    END_TEMPERATURE over ANNEALING_ROUNDS rounds; after each round every chain goes on
    from the chain whose timetable costs least. Returns the best timetable seen."""
    current = timetable
    best_cost, best = math.inf, timetable
    ratio = END_TEMPERATURE / START_TEMPERATURE
    for k in range(ANNEALING_ROUNDS):
        length = (deadline - time.monotonic()) / (ANNEALING_ROUNDS - k)
        if length <= 0:
            break
        hot = START_TEMPERATURE * ratio ** (k / ANNEALING_ROUNDS)
        cold = START_TEMPERATURE * ratio ** ((k + 1) / ANNEALING_ROUNDS)
        asked = []
        for helper in helpers:
            try:
                helper.connection.send((current, length, hot, cold, rng.randrange(2**31)))
                asked.append(helper)
            except OSError:
                pass
        annealer = _Annealer(structure, current, random.Random(rng.randrange(2**31)))  # noqa: S311
        results = [(*annealer.run(length, hot, cold), annealer.cost, annealer.timetable())]
        for helper in asked:
            try:
                results.append(helper.connection.recv())
            except (EOFError, OSError):
                log.warning("an annealing helper stopped")
        for cost, found, _, _ in results:
            if cost < best_cost:
                best_cost, best = cost, found
        current = min(results, key=lambda result: result[2])[3]
        log.debug(
            "%s round %d: T %.2f, chains %s, best %s",
            name,
            k,
            cold,
            [(result[0], result[2]) for result in results],
            best_cost,
        )
    return int(best_cost), best


def solve(instance: Instance, time_limit_s: float, workers: int = 2, seed: int = 0) -> SolveResult:
    """A complete timetable (periods and rooms) within about `time_limit_s` seconds.

    Randomness comes from CP-SAT and from the neighbourhood search, both seeded by
    `seed`; with a wall-clock limit (and several workers), two runs may still differ."""
    start = time.monotonic()
    # processes for the annealing chains beyond the first, started now so that they are
    # ready when the annealing begins
    helpers = _start_helpers(instance, workers - 1 if time_limit_s >= MIN_HELPER_LIMIT_S else 0)
    try:
        return _solve(instance, time_limit_s, workers, seed, start, helpers)
    finally:
        _stop_helpers(helpers)


def _solve(
    instance: Instance,
    time_limit_s: float,
    workers: int,
    seed: int,
    start: float,
    helpers: list[_Helper],
) -> SolveResult:

    def elapsed() -> float:
        return time.monotonic() - start

    def room_budget() -> float:
        return max(ROOM_STAGE_MIN_S, ROOM_STAGE_SHARE * (time_limit_s - elapsed()))

    rng = random.Random(seed)  # noqa: S311 (search, not security)
    best: Rooms | None = None
    best_cost = 0
    bound: int | None = None

    def place_rooms(model: _TimeModel, solver: cp_model.CpSolver) -> None:
        nonlocal best, best_cost
        greedy = _greedy_rooms(instance, model.lectures(solver), model.capacities)
        budget = room_budget()
        matched = _match_rooms(instance, greedy, budget / 2, rng)
        timetable = _room_model(instance, matched, budget / 2, workers, seed)
        result = score(instance, _to_assignments(instance, timetable))
        log.debug(
            "%s %.1fs: time model %s, after rooms %s",
            instance.name,
            elapsed(),
            solver.objective_value,
            result.summary(),
        )
        if best is None or result.soft.total < best_cost:
            best, best_cost = timetable, result.soft.total

    def proven() -> bool:
        return best is not None and bound is not None and best_cost <= bound

    def finish() -> SolveResult:
        if best is None:
            return SolveResult([], "UNKNOWN", elapsed(), bound)
        status = "OPTIMAL" if proven() else "FEASIBLE"
        return SolveResult(_to_assignments(instance, best), status, elapsed(), bound)

    # 1. The relaxation (no room stability) with CP-SAT's default portfolio, whose LP
    #    proves a lower bound; small instances are solved to optimality here.
    relaxed = _TimeModel(instance)
    solver = _solver(PROOF_SHARE * time_limit_s, workers, seed)
    status = solver.solve(relaxed.model)
    if status == cp_model.INFEASIBLE:
        return SolveResult([], "INFEASIBLE", elapsed(), None)
    # the objective is integral; CP-SAT reports its bound as a float
    bound = math.ceil(solver.best_objective_bound - BOUND_TOLERANCE)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        place_rooms(relaxed, solver)
    if proven():
        return finish()

    # 2. Without a timetable yet, the first one that satisfies the relaxation's
    #    constraints (no objective: found in a moment where the optimisation may take
    #    long), then the relaxation again, every worker on large neighbourhood search,
    #    until a solution is found after its share of time.
    if best is None:
        feasibility = relaxed.model.clone()
        feasibility.clear_objective()
        solver = _solver(time_limit_s - elapsed(), workers, seed)
        status = solver.solve(feasibility)
        if status == cp_model.INFEASIBLE:
            return SolveResult([], "INFEASIBLE", elapsed(), None)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            place_rooms(relaxed, solver)
    if best is None:
        return finish()
    first_pass_end = FIRST_PASS_SHARE * time_limit_s
    if elapsed() < first_pass_end:
        solver = _solver(first_pass_end - elapsed(), workers, seed, lns_only=True)
        relaxed.add_hint(best)
        status = solver.solve(relaxed.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            place_rooms(relaxed, solver)
    if proven():
        return finish()

    # 3. Simulated annealing on the complete timetable, one chain per worker.
    structure = _Structure(instance)
    annealing_end = (1 - LNS_SHARE) * time_limit_s
    if annealing_end - elapsed() > LNS_MIN_S:
        cost, timetable = _anneal(
            structure, best, start + annealing_end, helpers, rng, instance.name
        )
        if cost < best_cost:
            best, best_cost = timetable, cost
    # 4. Large neighbourhood search on the complete timetable, rooms included.
    neighbourhoods = _Neighbourhoods(structure, rng)
    current, current_cost = best, best_cost
    iterations = 0
    gains: Counter[str] = Counter()
    while time_limit_s - elapsed() > LNS_MIN_S and not proven():
        iterations += 1
        kind, free, window = neighbourhoods.pick(current)
        step = min(LNS_STEP_S, time_limit_s - elapsed())
        repaired, optimal = _repair(
            structure, current, free, window, step, workers, seed + iterations
        )
        neighbourhoods.update(kind, optimal)
        cost = score(instance, _to_assignments(instance, repaired)).soft.total
        if cost <= current_cost:
            gains[kind] += current_cost - cost
            current, current_cost = repaired, cost
            if cost < best_cost:
                best, best_cost = repaired, cost
    log.debug(
        "%s: %d repairs, cost %s, gains %s, sizes %s",
        instance.name,
        iterations,
        best_cost,
        dict(gains),
        neighbourhoods.sizes,
    )
    return finish()
