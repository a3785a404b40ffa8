"""Time to generate the brochure's 2016-2017 planning for one centre (issue 5), and
the exam timetable of the 100 000-learner population's largest session (issue 16).

Usage (from the repository root):
    .venv/bin/python bench/brochure_planning.py [--time-limit 10] [--centre LE-PORT]

Prints the problem's size, the time to build it, the solver's status, wall time and
soft costs. The rooms are a stand-in (two rooms of 30 and 20 seats): the brochure
lists none.

Exam timetable: the population's largest session is session 2 (every taught UE, S1 and
S2): 300 519 candidate-UE pairs over 6 years and 3 centres (docs/benchmarks.md), so
~16 700 pairs in one centre's session. The same number of pairs is drawn here, seeded,
from the catalogue's programmes, and every UE is taken as a written paper — the worst
case (the brochure has two written UEs only). Seats are a stand-in: 30-seat rooms,
enough for 1.5 × the mean load of a slot. Beside the soft cost the script prints a
lower bound no timetable can beat (`same_day_floor`) and a greedy first-fit pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from planning.brochure import PlanningRequest, brochure_problem, reunion_holidays  # noqa: E402
from planning.engine import Room, solve  # noqa: E402
from planning.exams import ExamProblem, ExamRoom, Paper, exam_slots, solve_exams  # noqa: E402
from rules.catalogue import load_catalogue  # noqa: E402
from rules.holidays import reunion_holidays as holidays  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--centre", default="LE-PORT")
    parser.add_argument("--year", default="2016-2017")
    parser.add_argument("--exam-pairs", type=int, default=300_519 // 6 // 3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    catalogue = load_catalogue(REPO / "data")
    regulation = catalogue.year(args.year)
    programmes = {
        p.code: tuple(u.code for u in catalogue.units_of(p.code) if not u.is_activity)
        for p in catalogue.programmes
    }
    rooms = (Room("SALLE-1", args.centre, 30), Room("SALLE-2", args.centre, 20))
    years = {regulation.first_day.year, regulation.last_day.year}
    request = PlanningRequest(args.centre, rooms, programmes, {}, reunion_holidays(years), {})
    started = time.perf_counter()
    problem = brochure_problem(regulation, catalogue.units, request)
    built = time.perf_counter() - started
    solution = solve(problem, time_limit_s=args.time_limit)
    print(f"année {args.year}, centre {args.centre}")
    print(
        f"  {len(problem.events)} séances, {len(problem.slots)} créneaux, "
        f"{len(problem.groups)} groupes ; modèle construit en {built:.3f} s"
    )
    print(
        f"  statut {solution.status} en {solution.seconds:.1f} s "
        f"(limite {args.time_limit:g} s, {os.cpu_count()} cœurs)"
    )
    print("  coûts souples : " + ", ".join(f"{k} {v}" for k, v in solution.soft.items()))
    exam_bench(catalogue, regulation, args)


def same_day_floor(papers, candidates: dict[str, set[str]], days: int) -> int:
    """A lower bound of the same-day cost, whatever the timetable: the larger of
    (a) each candidate's k papers spread evenly on D days, and (b) with P papers on D
    days, at least P − D distinct pairs of papers share a day, so the P − D lightest
    pairs (by shared candidates) at the least."""
    spread = 0
    for units in candidates.values():
        q, r = divmod(len(units), days)
        spread += r * (q + 1) * q // 2 + (days - r) * q * (q - 1) // 2
    weights = sorted(
        len(p.candidates & q.candidates) for i, p in enumerate(papers) for q in papers[i + 1 :]
    )
    pairs = sum(weights[: max(0, len(papers) - days)])
    return max(spread, pairs)


def exam_bench(catalogue, regulation, args) -> None:
    rng = random.Random(args.seed)  # noqa: S311 -- a reproducible sample, not a secret
    session = regulation.exam_session_2
    off = holidays({session.starts_on.year, session.ends_on.year})
    days = [
        session.starts_on + dt.timedelta(days=n)
        for n in range((session.ends_on - session.starts_on).days + 1)
    ]
    days = [d for d in days if d.isoweekday() in regulation.teaching.weekdays and d not in off]
    setup = regulation.exam_papers
    slots = exam_slots(days, list(setup.starts), setup.minutes)
    taught = {
        p.code: [u.code for u in catalogue.units_of(p.code) if not u.is_activity]
        for p in catalogue.programmes
    }
    candidates: dict[str, set[str]] = {}
    pairs = 0
    while pairs < args.exam_pairs:  # session 2 retakes: 1 to 4 UEs of one programme each
        units = taught[rng.choice(sorted(taught))]
        chosen = rng.sample(units, min(len(units), rng.randint(1, 4)))
        chosen = chosen[: args.exam_pairs - pairs]
        candidates[f"c{len(candidates)}"] = set(chosen)
        pairs += len(chosen)
    by_paper: dict[str, set[str]] = {}
    for person, units in candidates.items():
        for code in units:
            by_paper.setdefault(code, set()).add(person)
    papers = tuple(
        Paper(code, setup.minutes, frozenset(people)) for code, people in sorted(by_paper.items())
    )
    needed = max(max(len(p.candidates) for p in papers), int(1.5 * pairs / len(slots)))
    rooms = tuple(ExamRoom(f"S{n}", 30) for n in range(-(-needed // 30)))
    started = time.perf_counter()
    timetable = solve_exams(ExamProblem(papers, slots, rooms), time_limit_s=args.time_limit)
    floor = same_day_floor(papers, candidates, len(days))
    greedy_started = time.perf_counter()
    greedy = greedy_same_day(papers, slots, sum(r.capacity for r in rooms))
    greedy_seconds = time.perf_counter() - greedy_started
    print(
        f"calendrier des épreuves, {session.starts_on:%d/%m}–{session.ends_on:%d/%m/%Y} "
        f"(session 2, la plus grande de la population de 100 000 apprenants, un centre)"
    )
    print(
        f"  {len(papers)} épreuves, {len(candidates)} candidats, {pairs} inscriptions "
        f"candidat-épreuve, {len(slots)} créneaux sur {len(days)} jours, "
        f"{len(rooms)} salles de 30 places"
    )
    print(
        f"  statut {timetable.status} en {time.perf_counter() - started:.2f} s "
        f"(limite {args.time_limit:g} s, {os.cpu_count()} cœurs)"
    )
    print(
        f"  coût souple (deux épreuves d'un candidat le même jour) : {timetable.same_day}, "
        f"plancher {floor} ; premier créneau libre (glouton) : {greedy} en {greedy_seconds:.2f} s"
    )


def greedy_same_day(papers, slots, seats) -> int | str:
    """The baseline: largest papers first, each in the first slot with no clash and
    seats left, preferring a day none of its candidates sits yet. Its same-day cost."""
    load: dict[str, int] = {}
    placed: dict[str, str] = {}
    day_of = {s.id: s.day for s in slots}
    for paper in sorted(papers, key=lambda p: -len(p.candidates)):

        def clashes(slot, paper=paper):
            return any(
                placed[q.id] == slot.id and q.candidates & paper.candidates
                for q in papers
                if q.id in placed
            )

        def same_day(slot, paper=paper):
            return sum(
                len(q.candidates & paper.candidates)
                for q in papers
                if q.id in placed and day_of[placed[q.id]] == slot.day
            )

        free = [
            s
            for s in slots
            if not clashes(s) and load.get(s.id, 0) + len(paper.candidates) <= seats
        ]
        if not free:
            return "sans solution"
        best = min(free, key=same_day)
        placed[paper.id] = best.id
        load[best.id] = load.get(best.id, 0) + len(paper.candidates)
    return sum(
        len(p.candidates & q.candidates)
        for i, p in enumerate(papers)
        for q in papers[i + 1 :]
        if day_of[placed[p.id]] == day_of[placed[q.id]]
    )


if __name__ == "__main__":
    main()
