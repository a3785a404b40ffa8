"""A general timetabling engine on OR-Tools CP-SAT (no Django, like the rules core).

The model: events to place (a UE's class meetings, chats, web conferences), bookable
slots (an evening position on a day), rooms with a capacity in centres, teachers,
groups of events that must never overlap (the UEs one learner follows together; one
teacher's UEs), and slots nobody may use.

Hard constraints: every event placed once in one of its allowed slots; no two events of
a group, or of a teacher, in the same slot; one event per room and slot; nothing in an
unavailable slot. Soft constraints, weighted and reported one by one: a UE's sessions
spread over the weeks (`spread`), a group's sessions on few evenings (`evenings`) —
both in the solver's objective — then, as rooms are given slot by slot once the times
are fixed (a centre never has more sessions in a slot than rooms), one room per UE
(`room_changes`) and rooms big enough (`capacity`), reported.

When no timetable exists, `solve` says which constraints conflict, in words a planner
understands: obvious impossibilities first (an event with no slot, a group with more
sessions than slots), then the smallest set of constraint families CP-SAT proves
incompatible.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Slot:
    id: str
    day: dt.date
    start: dt.time
    minutes: int

    @property
    def week(self) -> tuple[int, int]:
        return self.day.isocalendar()[:2]


@dataclass(frozen=True)
class Room:
    id: str
    centre: str
    capacity: int


@dataclass(frozen=True)
class Event:
    """One session to place. `allowed` limits its slots (e.g. its semester's teaching
    days); `needs_room` is false for sessions held online (chats, web conferences)."""

    id: str
    unit: str
    kind: str
    minutes: int
    centre: str
    size: int = 0
    teacher: str = ""
    needs_room: bool = True
    allowed: frozenset[str] | None = None  # None: every slot


@dataclass(frozen=True)
class Group:
    """Events that must never overlap, e.g. the UEs of one programme and semester."""

    id: str
    label: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class Weights:
    spread: int = 3
    evenings: int = 1
    room_changes: int = 2
    capacity: int = 1


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    rooms: tuple[Room, ...]
    events: tuple[Event, ...]
    groups: tuple[Group, ...] = ()
    unavailable: frozenset[str] = frozenset()
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True)
class Placement:
    event: str
    slot: str
    room: str  # "" for an online session


@dataclass(frozen=True)
class Solution:
    status: str  # "optimal", "feasible", "infeasible" or "unknown" (time ran out)
    placements: tuple[Placement, ...]
    soft: dict[str, int]  # cost of each soft constraint, unweighted
    conflicts: tuple[str, ...]  # why there is no timetable, in French
    seconds: float

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")


class ProblemError(ValueError):
    """A malformed problem (unknown id, duplicate…), in French."""


def solve(
    problem: Problem, time_limit_s: float = 10.0, workers: int = 2, seed: int = 0
) -> Solution:
    started = time.perf_counter()
    _check(problem)
    obvious = _obvious_conflicts(problem)
    if obvious:
        return Solution("infeasible", (), {}, tuple(obvious), time.perf_counter() - started)
    built = _Model(problem)
    built.warm_start(_greedy(problem), time_limit_s / 10)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = built.placements(solver)
        return Solution(
            "optimal" if status == cp_model.OPTIMAL else "feasible",
            placements,
            built.soft_costs(solver, placements),
            (),
            time.perf_counter() - started,
        )
    if status == cp_model.INFEASIBLE:
        conflicts = _explain(problem, time_limit_s)
        return Solution("infeasible", (), {}, conflicts, time.perf_counter() - started)
    if built.fallback is not None:
        placements, soft = built.fallback
        return Solution("feasible", placements, soft, (), time.perf_counter() - started)
    return Solution(
        "unknown",
        (),
        {},
        ("Aucun planning trouvé dans le temps imparti ; augmentez la durée de calcul.",),
        time.perf_counter() - started,
    )


# --- checks and explanations -------------------------------------------------------------


def _check(problem: Problem) -> None:
    for kind, ids in (
        ("créneau", [s.id for s in problem.slots]),
        ("salle", [r.id for r in problem.rooms]),
        ("séance", [e.id for e in problem.events]),
        ("groupe", [g.id for g in problem.groups]),
    ):
        seen = set()
        for identifier in ids:
            if identifier in seen:
                raise ProblemError(f"{kind} en double : « {identifier} »")
            seen.add(identifier)
    slots = {s.id for s in problem.slots}
    events = {e.id for e in problem.events}
    for event in problem.events:
        unknown = (event.allowed or frozenset()) - slots
        if unknown:
            raise ProblemError(f"séance « {event.id} » : créneau inconnu « {min(unknown)} »")
    for group in problem.groups:
        unknown = set(group.events) - events
        if unknown:
            raise ProblemError(f"groupe « {group.label} » : séance inconnue « {min(unknown)} »")
    for slot in problem.unavailable - slots:
        raise ProblemError(f"créneau indisponible inconnu « {slot} »")


def _candidate_slots(problem: Problem, event: Event) -> list[str]:
    allowed = event.allowed if event.allowed is not None else {s.id for s in problem.slots}
    return [s.id for s in problem.slots if s.id in allowed and s.id not in problem.unavailable]


def _rooms_for(problem: Problem, event: Event) -> list[Room]:
    return [r for r in problem.rooms if r.centre == event.centre] if event.needs_room else []


def _obvious_conflicts(problem: Problem) -> list[str]:
    """Impossibilities a planner sees at once, each in one sentence."""
    out = []
    candidates = {e.id: set(_candidate_slots(problem, e)) for e in problem.events}
    for event in problem.events:
        if not candidates[event.id]:
            out.append(
                f"La séance {event.id} ({event.unit}) n'a aucun créneau possible : toutes ses "
                "dates sont hors période ou indisponibles."
            )
        if event.needs_room and not _rooms_for(problem, event):
            out.append(
                f"La séance {event.id} ({event.unit}) demande une salle, et le centre "
                f"« {event.centre} » n'en a aucune."
            )
    for label, members in _overlap_sets(problem):
        union = set().union(*(candidates[e] for e in members)) if members else set()
        if len(members) > len(union):
            out.append(
                f"{label} : {len(members)} séances à placer sans chevauchement, mais seulement "
                f"{len(union)} créneaux possibles."
            )
    by_centre: dict[str, list[str]] = defaultdict(list)
    for event in problem.events:
        if event.needs_room:
            by_centre[event.centre].append(event.id)
    for centre, members in by_centre.items():
        rooms = len([r for r in problem.rooms if r.centre == centre])
        union = set().union(*(candidates[e] for e in members))
        if rooms and len(members) > rooms * len(union):
            out.append(
                f"Centre « {centre} » : {len(members)} séances en salle pour {rooms} salle(s) "
                f"et {len(union)} créneaux."
            )
    return out


def _overlap_sets(problem: Problem) -> list[tuple[str, list[str]]]:
    """Every set of events that must not overlap, with its label for the planner."""
    sets = [(f"Groupe « {g.label} »", list(g.events)) for g in problem.groups]
    by_teacher: dict[str, list[str]] = defaultdict(list)
    for event in problem.events:
        if event.teacher:
            by_teacher[event.teacher].append(event.id)
    sets += [(f"Enseignant « {t} »", members) for t, members in sorted(by_teacher.items())]
    return sets


def _explain(problem: Problem, time_limit_s: float) -> tuple[str, ...]:
    """The constraint families CP-SAT finds incompatible (a small core), named."""
    built = _Model(problem, with_assumptions=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1  # cores of assumptions need a single worker
    if solver.solve(built.model) != cp_model.INFEASIBLE:
        return ("Les contraintes sont incompatibles, sans qu'une cause simple soit trouvée.",)
    core = solver.sufficient_assumptions_for_infeasibility()
    names = [built.assumption_labels[i] for i in core if i in built.assumption_labels]
    if not names:
        return ("Les contraintes sont incompatibles, sans qu'une cause simple soit trouvée.",)
    return ("Aucun planning ne respecte ensemble : " + " ; ".join(sorted(set(names))) + ".",)


def _greedy(problem: Problem) -> dict[str, tuple[str, str]]:
    """A quick first timetable to start the solver from (a hint, not a constraint): each
    UE's sessions aimed at evenly spaced weeks (spread), and inside the aimed week on an
    evening its learners already come (few evenings), else the aimed slot, moved forward
    past any clash. Events it cannot place are left for the solver."""
    overlap: dict[str, list[str]] = defaultdict(list)  # event → the sets it belongs to
    for label, members in _overlap_sets(problem):
        for event in members:
            overlap[event].append(label)
    slots = {s.id: s for s in problem.slots}
    taken: set[tuple[str, str]] = set()  # (set label, slot) and ("room:" + id, slot)
    days_used: dict[str, set[dt.date]] = defaultdict(set)  # set label → its evenings
    by_unit: dict[str, list[Event]] = defaultdict(list)
    for event in problem.events:
        by_unit[event.unit].append(event)
    order = sorted(by_unit.values(), key=lambda evs: len(_candidate_slots(problem, evs[0])))
    placed: dict[str, tuple[str, str]] = {}

    def free_room(event: Event, slot: str) -> str | None:
        """The room the event can take in this slot ("" online), None if it clashes."""
        if any((label, slot) in taken for label in overlap[event.id]):
            return None
        rooms = [r for r in _rooms_for(problem, event) if (f"room:{r.id}", slot) not in taken]
        if event.needs_room and not rooms:
            return None
        return max(rooms, key=lambda r: r.capacity).id if rooms else ""

    for events in order:
        for index, event in enumerate(events):
            candidates = _candidate_slots(problem, event)
            if not candidates:
                continue
            target = candidates[index * len(candidates) // len(events)]
            week = [c for c in candidates if slots[c].week == slots[target].week]
            shared = [
                c
                for c in week
                if any(slots[c].day in days_used[label] for label in overlap[event.id])
            ]
            start = candidates.index(target)
            ring = [candidates[(start + step) % len(candidates)] for step in range(len(candidates))]
            for slot in [*shared, *ring]:
                room = free_room(event, slot)
                if room is None:
                    continue
                placed[event.id] = (slot, room)
                taken.update((label, slot) for label in overlap[event.id])
                for label in overlap[event.id]:
                    days_used[label].add(slots[slot].day)
                if room:
                    taken.add((f"room:{room}", slot))
                break
    return placed


# --- the CP-SAT model --------------------------------------------------------------------


class _Model:
    def __init__(self, problem: Problem, with_assumptions: bool = False):
        self.problem = problem
        self.model = cp_model.CpModel()
        self.assumption_labels: dict[int, str] = {}
        self.fallback: tuple | None = None  # the greedy timetable, completed
        self.with_assumptions = with_assumptions
        slots = {s.id: s for s in problem.slots}
        self.slots = slots
        self.events = {e.id: e for e in problem.events}
        m = self.model
        # x[e, s]: event e takes slot s. Rooms are given afterwards, slot by slot
        # (`_rooms`): here a centre never has more sessions in a slot than rooms.
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        self.x_of: dict[str, dict[str, cp_model.IntVar]] = defaultdict(dict)
        for event in problem.events:
            candidates = _candidate_slots(problem, event)
            for slot in candidates:
                var = m.new_bool_var(f"x[{event.id},{slot}]")
                self.x[event.id, slot] = var
                self.x_of[event.id][slot] = var
            guard = self._guard(f"placer chaque séance de {event.unit}", key=f"unit:{event.unit}")
            self._add(m.add_exactly_one(self.x_of[event.id].values()), guard)
        for label, members in _overlap_sets(problem):
            guard = self._guard(
                label.replace("Groupe", "le groupe").replace("Enseignant", "l'enseignant")
                + " sans chevauchement",
                key=label,
            )
            by_slot: dict[str, list] = defaultdict(list)
            for event in members:
                for slot, var in self.x_of[event].items():
                    by_slot[slot].append(var)
            for variables in by_slot.values():
                if len(variables) > 1:
                    self._add(m.add_at_most_one(variables), guard)
        rooms_in = defaultdict(int)
        for room in problem.rooms:
            rooms_in[room.centre] += 1
        in_room: dict[tuple[str, str], list] = defaultdict(list)
        for event in problem.events:
            if event.needs_room:
                for slot, var in self.x_of[event.id].items():
                    in_room[event.centre, slot].append(var)
        for (centre, _slot), variables in in_room.items():
            if len(variables) > rooms_in[centre]:
                guard = self._guard(
                    f"{rooms_in[centre]} salle(s) au centre « {centre} »", key=f"rooms:{centre}"
                )
                self._add(m.add(sum(variables) <= rooms_in[centre]), guard)
        if not with_assumptions:
            self._objective()

    def _guard(self, label: str, key: str):
        if not self.with_assumptions:
            return None
        if not hasattr(self, "_guards"):
            self._guards: dict[str, cp_model.IntVar] = {}
        if key not in self._guards:
            literal = self.model.new_bool_var(f"a[{key}]")
            self._guards[key] = literal
            self.model.add_assumption(literal)
            self.assumption_labels[literal.index] = label
        return self._guards[key]

    @staticmethod
    def _add(constraint, guard) -> None:
        if guard is not None:
            constraint.only_enforce_if(guard)

    def _objective(self) -> None:
        m, problem, weights = self.model, self.problem, self.problem.weights
        terms = []
        self.soft_vars: dict[str, list] = defaultdict(list)
        # spread: per UE and week, sessions beyond an even share of the weeks.
        by_unit_week: dict[tuple[str, tuple[int, int]], list] = defaultdict(list)
        unit_events: dict[str, set[str]] = defaultdict(set)
        unit_weeks: dict[str, set] = defaultdict(set)
        for (event, slot), var in self.x.items():
            unit = self.events[event].unit
            week = self.slots[slot].week
            by_unit_week[unit, week].append(var)
            unit_events[unit].add(event)
            unit_weeks[unit].add(week)
        for (unit, _week), variables in by_unit_week.items():
            share = math.ceil(len(unit_events[unit]) / max(len(unit_weeks[unit]), 1))
            over = m.new_int_var(0, len(variables), f"over[{unit},{_week}]")
            m.add(sum(variables) <= share + over)
            self.soft_vars["spread"].append(over)
            terms.append(weights.spread * over)
        # evenings: per group, each day with a session counts once.
        for group in problem.groups:
            by_day: dict[dt.date, list] = defaultdict(list)
            members = set(group.events)
            for (event, slot), var in self.x.items():
                if event in members:
                    by_day[self.slots[slot].day].append(var)
            for day, variables in by_day.items():
                used = m.new_bool_var(f"evening[{group.id},{day}]")
                for variable in variables:  # minimised: true only when needed
                    m.add_implication(variable, used)
                self.soft_vars["evenings"].append(used)
                terms.append(weights.evenings * used)
        m.minimize(sum(terms))

    def warm_start(self, placed: dict[str, tuple[str, str]], time_limit_s: float) -> None:
        """Start the search from the greedy timetable. A partial hint helps CP-SAT little
        on this model, so the greedy placement is first completed (the soft-cost
        variables computed) with every placement fixed; that complete, feasible
        assignment becomes the hint: the real search then starts with a solution."""
        if len(placed) < len(self.problem.events):
            return
        # The greedy timetable is complete and keeps every hard rule: it stands if the
        # search finds nothing better in its time, even on a machine too busy to probe.
        chosen = {event: slot for event, (slot, _) in placed.items()}
        self.fallback = self._fallback_of(chosen)
        for (event, slot), var in self.x.items():
            self.model.add_hint(var, placed[event][0] == slot)
        probe = cp_model.CpSolver()
        probe.parameters.fix_variables_to_their_hinted_value = True
        probe.parameters.max_time_in_seconds = max(time_limit_s, 1.0)
        probe.parameters.num_workers = 1
        if probe.solve(self.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return  # the partial hint (times only) stays
        self.model.clear_hints()
        for index in range(len(self.model.proto.variables)):
            var = self.model.get_int_var_from_proto_index(index)
            self.model.add_hint(var, probe.value(var))

    def _fallback_of(self, chosen: dict[str, str]) -> tuple[tuple[Placement, ...], dict]:
        """Placements and soft costs of a complete timetable, computed without the
        solver, the way the model counts them (spread, evenings, then rooms)."""
        problem = self.problem
        rooms = _rooms(problem, chosen)
        order = {s.id: i for i, s in enumerate(problem.slots)}
        placements = tuple(
            sorted(
                (Placement(e, s, rooms.get(e, "")) for e, s in chosen.items()),
                key=lambda p: (order[p.slot], p.event),
            )
        )
        unit_events: dict[str, set[str]] = defaultdict(set)
        unit_weeks: dict[str, set] = defaultdict(set)
        for event, slot in self.x:
            unit = self.events[event].unit
            unit_events[unit].add(event)
            unit_weeks[unit].add(self.slots[slot].week)
        per_week: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
        for event, slot in chosen.items():
            per_week[self.events[event].unit, self.slots[slot].week] += 1
        spread = sum(
            max(0, n - math.ceil(len(unit_events[unit]) / max(len(unit_weeks[unit]), 1)))
            for (unit, _), n in per_week.items()
        )
        evenings = sum(
            len({self.slots[chosen[e]].day for e in group.events if e in chosen})
            for group in problem.groups
        )
        soft = {"spread": spread, "evenings": evenings} | _room_costs(problem, placements)
        return placements, soft

    def placements(self, solver: cp_model.CpSolver) -> tuple[Placement, ...]:
        chosen = {e: s for (e, s), var in self.x.items() if solver.value(var)}
        rooms = _rooms(self.problem, chosen)
        order = {s.id: i for i, s in enumerate(self.problem.slots)}
        out = [Placement(e, s, rooms.get(e, "")) for e, s in chosen.items()]
        return tuple(sorted(out, key=lambda p: (order[p.slot], p.event)))

    def soft_costs(self, solver: cp_model.CpSolver, placements) -> dict[str, int]:
        costs = {
            name: int(sum(solver.value(v) for v in self.soft_vars.get(name, [])))
            for name in ("spread", "evenings")
        }
        return costs | _room_costs(self.problem, placements)


def _rooms(problem: Problem, chosen: dict[str, str]) -> dict[str, str]:
    """Rooms for the placed sessions, slot by slot: each UE keeps the room it had if it
    is free, else takes the smallest free room that holds its group (else the largest)."""
    events = {e.id: e for e in problem.events}
    by_slot: dict[str, list[Event]] = defaultdict(list)
    for event_id, slot in chosen.items():
        if events[event_id].needs_room:
            by_slot[slot].append(events[event_id])
    order = {s.id: i for i, s in enumerate(problem.slots)}
    usual: dict[str, str] = {}
    out: dict[str, str] = {}
    for slot in sorted(by_slot, key=order.__getitem__):
        free = {r.id: r for r in problem.rooms}
        # the biggest groups choose first
        for event in sorted(by_slot[slot], key=lambda e: (-e.size, e.id)):
            candidates = [r for r in free.values() if r.centre == event.centre]
            if not candidates:
                continue
            room = free.get(usual.get(event.unit, ""))
            if room is None or room.centre != event.centre:
                holding = [r for r in candidates if r.capacity >= event.size]
                room = (
                    min(holding, key=lambda r: (r.capacity, r.id))
                    if holding
                    else max(candidates, key=lambda r: (r.capacity, r.id))
                )
            out[event.id] = room.id
            usual.setdefault(event.unit, room.id)
            del free[room.id]
    return out


def _room_costs(problem: Problem, placements) -> dict[str, int]:
    events = {e.id: e for e in problem.events}
    capacity = {r.id: r.capacity for r in problem.rooms}
    rooms_of_unit: dict[str, set[str]] = defaultdict(set)
    over = 0
    for placement in placements:
        if placement.room:
            event = events[placement.event]
            rooms_of_unit[event.unit].add(placement.room)
            over += max(event.size - capacity[placement.room], 0)
    changes = sum(len(rooms) - 1 for rooms in rooms_of_unit.values())
    return {"room_changes": changes, "capacity": over}
