"""Benchmark of the planning engine's CP-SAT approach on ITC-2007 Track 3 (CB-CTT, UD2).

Run from the repository root:

    .venv/bin/python bench/itc2007.py --time-limit 60
    .venv/bin/python bench/itc2007.py --time-limit 10 --instances comp01 comp04 --out /tmp/sol
    .venv/bin/python bench/itc2007.py --time-limit 60 --instances comp07 --trace

Every figure printed is computed by `planning.itc2007.score` on the returned timetable
(the solver's own objective is never reported). With `--out`, each solution is written
in the competition format, read back with the strict reader and scored again. With
`--trace`, the solver's progress (phases, annealing rounds, repairs) goes to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from planning.itc2007 import ItcError, read_instance, read_solution, score, write_solution  # noqa: E402
from planning.itc_solver import solve  # noqa: E402

DEFAULT_DATA = Path("/work/shared/benchmarks/itc2007")
INSTANCES = tuple(f"comp{n:02d}" for n in range(1, 8))

# Source: /work/shared/benchmarks/itc2007/README.md. Best known costs from Bettinelli et
# al., TOP 23:313-349 (2015), table 1 (True = proven optimal); the competition winner's
# best of 10 runs at the competition's time limit.
BEST_KNOWN = {
    "comp01": (5, True),
    "comp02": (24, False),
    "comp03": (64, False),
    "comp04": (35, True),
    "comp05": (284, False),
    "comp06": (27, True),
    "comp07": (6, True),
}
WINNER = {
    "comp01": 5,
    "comp02": 51,
    "comp03": 84,
    "comp04": 37,
    "comp05": 330,
    "comp06": 48,
    "comp07": 20,
}

COLUMNS = (
    ("Instance", 8),
    ("Dures", 5),
    ("RC", 4),
    ("MWD", 4),
    ("IL", 4),
    ("RS", 4),
    ("Coût", 5),
    ("Meilleur", 8),
    ("Vainqueur", 9),
    ("Écart", 6),
    ("Écart %", 8),
    ("Temps s", 7),
)


def row(values: list[str]) -> str:
    return "  ".join(
        value.ljust(width) if i == 0 else value.rjust(width)
        for i, (value, (_, width)) in enumerate(zip(values, COLUMNS, strict=True))
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ITC-2007 Track 3 : CP-SAT contre l'état de l'art")
    parser.add_argument("--time-limit", type=float, required=True, help="secondes par instance")
    parser.add_argument("--instances", nargs="+", default=list(INSTANCES))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, help="dossier où écrire les solutions .sol")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trace", action="store_true", help="progrès du solveur sur stderr")
    args = parser.parse_args(argv)
    if args.trace:
        logging.basicConfig(format="%(relativeCreated)8.0f ms %(message)s")
        logging.getLogger("planning.itc_solver").setLevel(logging.DEBUG)

    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    print(row([name for name, _ in COLUMNS]), flush=True)
    for name in args.instances:
        path = args.data / f"{name}.ctt"
        try:
            instance = read_instance(path)
        except ItcError as error:
            print(f"erreur : {error}", file=sys.stderr)
            return 2
        started = time.monotonic()
        result = solve(instance, args.time_limit, workers=args.workers, seed=args.seed)
        elapsed = time.monotonic() - started
        assignments = result.assignments
        if args.out is not None:
            target = args.out / f"{name}.sol"
            target.write_text(write_solution(assignments), encoding="utf-8")
            assignments = read_solution(target, instance)
        result_score = score(instance, assignments)
        hard, soft = result_score.hard, result_score.soft
        best, optimal = BEST_KNOWN.get(name, (None, False))
        winner = WINNER.get(name)
        gap = gap_pct = "-"
        if best is not None and hard.total == 0 and assignments:
            gap = str(soft.total - best)
            gap_pct = f"{100 * (soft.total - best) / best:.0f}" if best else "-"
        print(
            row(
                [
                    name,
                    str(hard.total) if assignments else "aucune",
                    str(soft.room_capacity),
                    str(soft.min_working_days),
                    str(soft.isolated_lectures),
                    str(soft.room_stability),
                    str(soft.total),
                    "-" if best is None else f"{best}{'*' if optimal else ''}",
                    "-" if winner is None else str(winner),
                    gap,
                    gap_pct,
                    f"{elapsed:.1f}",
                ]
            ),
            flush=True,
        )
    cores = os.cpu_count()
    print(
        f"Limite de temps {args.time_limit:g} s par instance ; {args.workers} workers CP-SAT, "
        f"graine {args.seed} ; machine : {cores} cœurs. Meilleur : * = optimum prouvé. "
        "Coûts UD2 (RC×1, MWD×5, IL×2, RS×1) calculés par planning.itc2007.score."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
