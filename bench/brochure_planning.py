"""Time to generate the brochure's 2016-2017 planning for one centre (issue 5).

Usage (from the repository root):
    .venv/bin/python bench/brochure_planning.py [--time-limit 10] [--centre LE-PORT]

Prints the problem's size, the time to build it, the solver's status, wall time and
soft costs. The rooms are a stand-in (two rooms of 30 and 20 seats): the brochure
lists none.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from planning.brochure import PlanningRequest, brochure_problem, reunion_holidays  # noqa: E402
from planning.engine import Room, solve  # noqa: E402
from rules.catalogue import load_catalogue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--centre", default="LE-PORT")
    parser.add_argument("--year", default="2016-2017")
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


if __name__ == "__main__":
    main()
