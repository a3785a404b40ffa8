"""CP-SAT for the ITC-2007 Track 3 benchmark (curriculum-based course timetabling, UD2).

A direct model (course x period x room) is big and slow on two cores; the solver works
on smaller models instead and only builds exact room variables where they are few.

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
- Main rooms. A second form of the time model adds each course's main room: a lecture
  is in it (one lecture per room and period) or elsewhere for a cost of 1, an upper
  bound of its share of room stability; Hall's condition then counts the rooms left
  free, so it stays exact.
- Rooms. Periods fixed, the actual rooms minimising room capacity + room stability: a
  greedy start, then rounds of one optimal assignment per period given a main room per
  course (each course's most used room, reshuffled for a few courses when stalled), then
  an exact CP-SAT model (lectures x rooms booleans) from the best of these.
- Repairs. Large neighbourhood search on the complete timetable: a few courses' lectures
  (all of them, or those of two days) are freed and placed again, periods and rooms, by
  an exact CP-SAT model of the UD2 cost they change, everything else fixed.

`solve` runs: the relaxation with CP-SAT's default portfolio for a moment (its LP gives
the bound and proves small instances), the relaxation with every worker on CP-SAT's own
neighbourhood search, rooms, one pass with main rooms (each course's most used
room) from the best timetable, rooms, then repairs until the time limit.
The shares of time are general settings below, not fitted to an instance. Results are
meant to be scored by `planning.itc2007.score`, never by these objectives.
"""

from __future__ import annotations

import bisect
import logging
import math
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
ROOM_STAGE_SHARE = 0.1
ROOM_STAGE_MIN_S = 0.5
BOUND_TOLERANCE = 1e-6
# Shares of the time limit: the relaxation with the default portfolio (for its bound),
# then with every worker on neighbourhood search (both phases together: FIRST_PASS_SHARE).
PROOF_SHARE = 0.03
FIRST_PASS_SHARE = 0.4
# Share of the time limit for the passes with main rooms, and the length of one pass.
MAIN_PASS_SHARE = 0.3
MAIN_PASSES = 1
# Share of the neighbourhoods grown from a course that costs something.
GUIDED_SHARE = 0.5
# Rounds of the room matching without improvement before some main rooms are shuffled.
MATCHING_STALL = 3
# A pass with main rooms is not started with less time than this.
MIN_PASS_S = 2.0
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
    """Periods for every lecture, rooms through Hall's condition and main rooms."""

    def __init__(self, instance: Instance, main: list[int] | None):
        self.instance = instance
        self.main = main
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
        self.in_main: dict[tuple[int, int], cp_model.IntVar] = {}
        self.elsewhere: dict[tuple[int, int], cp_model.IntVar] = {}
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
                if main is None:
                    free = x
                else:
                    here = self.in_main[c, p] = model.new_bool_var(f"m_{c}_{p}")
                    free = self.elsewhere[c, p] = model.new_bool_var(f"e_{c}_{p}")
                    model.add(here + free == x)
                    over = course.students - rooms[main[c]].capacity
                    if over > 0:
                        objective.append(capacity_weight * over * here)
                    objective.append(WEIGHTS["room_stability"] * free)
                if course.students > capacities[top]:  # bigger than every room
                    objective.append(capacity_weight * (course.students - capacities[top]) * free)
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
                    model.add(sum(downs) <= free)
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

        # rooms: one lecture per main room and period; Hall's condition on the others
        free_of = self.elsewhere if main is not None else self.x
        for p in periods:
            if main is not None:
                per_room: dict[int, list] = defaultdict(list)
                for c in by_period[p]:
                    per_room[main[c]].append(self.in_main[c, p])
                for group in per_room.values():
                    if len(group) > 1:
                        model.add_at_most_one(group)
            for j in classes:
                needing = [
                    free_of[c, p] - sum(self.d[c, p, k] for k in range(j))
                    for c in by_period[p]
                    if self.top[c] >= j
                ]
                taken = []
                if main is not None:
                    taken = [
                        self.in_main[c, p] for c in by_period[p] if class_of_room[main[c]] >= j
                    ]
                if len(needing) + len(taken) > rooms_from[j]:
                    model.add(sum(needing) + sum(taken) <= rooms_from[j])

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
        """Start from a complete timetable (it satisfies this model whatever the main
        rooms: its lectures outside their main room count as elsewhere)."""
        self.model.clear_hints()
        capacities = self.capacities
        rooms = self.instance.rooms
        for (c, p), x in self.x.items():
            r = timetable.get((c, p))
            self.model.add_hint(x, r is not None)
            in_main = r is not None and self.main is not None and r == self.main[c]
            if self.main is not None:
                self.model.add_hint(self.in_main[c, p], in_main)
                self.model.add_hint(self.elsewhere[c, p], r is not None and not in_main)
            level = (
                None
                if r is None or in_main
                else bisect.bisect_right(capacities, rooms[r].capacity) - 1
            )
            for k in range(self.top[c]):
                self.model.add_hint(self.d[c, p, k], level == k)

    def lectures(self, solver: cp_model.CpSolver) -> dict[tuple[int, int], tuple[int | None, int]]:
        """(course, period) -> (its main room or None, the class a room must at least have)."""
        result = {}
        for (c, p), var in self.x.items():
            if not solver.boolean_value(var):
                continue
            if self.main is not None and solver.boolean_value(self.in_main[c, p]):
                result[c, p] = (self.main[c], 0)
            else:
                level = next(
                    (k for k in range(self.top[c]) if solver.boolean_value(self.d[c, p, k])),
                    self.top[c],
                )
                result[c, p] = (None, level)
        return result


def _greedy_rooms(
    instance: Instance,
    lectures: dict[tuple[int, int], tuple[int | None, int]],
    capacities: list[int],
) -> Rooms:
    """Rooms for the time model's lectures: main rooms first, then, period by period, the
    most demanding lectures first (with nested room sets this always succeeds), each in
    its course's most used free room that is big enough, else the smallest one."""
    rooms = instance.rooms
    chosen: Rooms = {}
    favourite: dict[int, Counter[int]] = defaultdict(Counter)
    by_period: dict[int, list[int]] = defaultdict(list)
    for (c, p), (room, _) in lectures.items():
        by_period[p].append(c)
        if room is not None:
            favourite[c][room] += 1
    for p in sorted(by_period):
        free = set(range(len(rooms)))
        for c in by_period[p]:
            room = lectures[c, p][0]
            if room is not None:
                chosen[c, p] = room
                free.discard(room)
        others = [c for c in by_period[p] if lectures[c, p][0] is None]
        for c in sorted(others, key=lambda c: (-lectures[c, p][1], c)):
            need = capacities[lectures[c, p][1]]
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


def _main_rooms_of(instance: Instance, timetable: Rooms) -> list[int]:
    """Each course's most used room (ties: the lowest index)."""
    used: dict[int, Counter[int]] = defaultdict(Counter)
    for (c, _), r in timetable.items():
        used[c][r] += 1
    return [
        max(sorted(used[c]), key=lambda r: used[c][r]) if used[c] else 0
        for c in range(len(instance.courses))
    ]


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


def solve(instance: Instance, time_limit_s: float, workers: int = 2, seed: int = 0) -> SolveResult:
    """A complete timetable (periods and rooms) within about `time_limit_s` seconds.

    Randomness comes from CP-SAT and from the neighbourhood search, both seeded by
    `seed`; with a wall-clock limit (and several workers), two runs may still differ."""
    start = time.monotonic()

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
    relaxed = _TimeModel(instance, None)
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

    # 2. The relaxation again, every worker on large neighbourhood search.
    solver = _solver(FIRST_PASS_SHARE * time_limit_s - elapsed(), workers, seed, lns_only=True)
    if best is not None:
        relaxed.add_hint(best)
    status = solver.solve(relaxed.model)
    if status == cp_model.INFEASIBLE:
        return SolveResult([], "INFEASIBLE", elapsed(), None)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        place_rooms(relaxed, solver)
    if best is None or proven():
        return finish()

    # 3. The time model with main rooms (each course's most used room), from the best
    #    timetable.
    passes = 0
    end_of_main = (FIRST_PASS_SHARE + MAIN_PASS_SHARE) * time_limit_s
    while end_of_main - elapsed() - room_budget() > MIN_PASS_S:
        passes += 1
        model = _TimeModel(instance, _main_rooms_of(instance, best))
        model.add_hint(best)
        length = min(end_of_main - elapsed(), MAIN_PASS_SHARE * time_limit_s / MAIN_PASSES)
        solver = _solver(length - room_budget(), workers, seed + passes, lns_only=True)
        status = solver.solve(model.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
        place_rooms(model, solver)
        if proven():
            return finish()

    # 4. Large neighbourhood search on the complete timetable, rooms included.
    structure = _Structure(instance)
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
