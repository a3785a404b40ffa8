"""Award status in bulk on the synthetic population (issue 7): CP29 and CPN42 for every
learner (awards.bulk.award_statuses), beside a floor, a bare SQL aggregation over the
marks table in the same run.

Run against a database filled by `manage.py generate_population`, its ledger backfilled
by `manage.py sync_credits` (see docs/benchmarks.md):

    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/awards_bulk.py
    DATABASE_URL=postgres://… .venv/bin/python bench/awards_bulk.py --today 2017-09-24

By default statuses are decided on the day the latest year's last results come out (its
last day, or the publication of its session 2 when later), so every result counts.
Each step runs once timed, then once under tracemalloc for its peak of Python memory
(the timing run is not slowed by tracing). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from admissions.models import Dossier  # noqa: E402
from assessment.models import ExamSession, Mark  # noqa: E402
from awards.bulk import award_statuses  # noqa: E402
from awards.models import Credit  # noqa: E402
from awards.services import AWARD_PROGRAMMES  # noqa: E402
from catalogue.bridge import full_catalogue  # noqa: E402
from catalogue.models import AcademicYear  # noqa: E402
from rules.explain import day  # noqa: E402

LABEL = 56
# The floor: what the database alone does to read every learner's validated marks and
# ECTS, with nothing decided. The pass mark is the year's (R-EXA-4).
FLOOR_SQL = (
    "SELECT m.learner_id, COUNT(*), SUM(u.ects) FROM assessment_mark m "
    "JOIN catalogue_unit u ON u.id = m.unit_id WHERE m.value >= %s GROUP BY m.learner_id"
)


def spaced(number: float) -> str:
    """1 234 567: French thousands."""
    return f"{number:,.0f}".replace(",", "\u202f")


def measure(label: str, unit: str, step, traced=None) -> float:
    """Run `step` timed, then `traced` (by default the same step) under tracemalloc."""
    started = time.perf_counter()
    count = step()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    (traced or step)()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = count / seconds if seconds else float("inf")
    print(
        f"{label:<{LABEL}} {spaced(count):>10} {unit:<10} {seconds:>8.2f} s "
        f"{spaced(rate):>10}/s {peak / 2**20:>9.1f} Mo"
    )
    return seconds


def last_results_day(year: AcademicYear) -> dt.date:
    """The year's last day (end of session 2), or its last publication when later."""
    published = [s.publication_on for s in ExamSession.objects.filter(year=year)]
    return max([year.last_day, *published])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="date des statuts (AAAA-MM-JJ) ; par défaut, la publication des derniers "
        "résultats de la dernière année",
    )
    parser.add_argument("--chunk-size", type=int, default=5000)
    args = parser.parse_args()
    year = AcademicYear.objects.order_by("-code").first()
    today = args.today or last_results_day(year)
    pass_mark = year.regulation.thresholds.pass_mark

    learners = Dossier.objects.values("learner_id").distinct().count()
    print(
        f"base : {connection.vendor} ; {spaced(learners)} apprenants, "
        f"{spaced(Credit.objects.count())} UE acquises, {spaced(Mark.objects.count())} "
        f"notes ; statuts au {day(today)}"
    )
    print(f"{'étape':<{LABEL}} {'lignes':>21} {'durée':>10} {'débit':>12} {'pic Python':>12}")

    catalogue = full_catalogue()
    required = {
        code: set(catalogue.programme(code).award.required_units) for code in AWARD_PROGRAMMES
    }
    eligible: dict[str, int] = {}
    units_done: dict[str, int] = {}

    def statuses(units_tally: bool = False) -> int:
        """Every learner's statuses; eligible learners counted. Learners whose required
        UEs are all validated are counted in the traced run only (not part of the time)."""
        for tally in (eligible, units_done):
            tally.update(dict.fromkeys(AWARD_PROGRAMMES, 0))
        count = 0
        for _learner_id, by_programme in award_statuses(today, chunk_size=args.chunk_size):
            count += 1
            for code, status in by_programme.items():
                eligible[code] += status.eligible
                if units_tally:
                    units_done[code] += not any(m.item in required[code] for m in status.missing)
        return count

    def floor() -> int:
        count = 0
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [pass_mark])
            while rows := cursor.fetchmany(args.chunk_size):
                count += len(rows)
        return count

    bulk = measure(
        f"statut de délivrance {' + '.join(AWARD_PROGRAMMES)}, tous les apprenants",
        "apprenants",
        statuses,
        lambda: statuses(units_tally=True),
    )
    bare = measure("plancher : agrégation SQL brute sur les notes", "apprenants", floor)
    print(f"rapport statut / plancher : {bulk / bare:.1f}×")
    for code in AWARD_PROGRAMMES:
        print(
            f"{code} : {spaced(eligible[code])} apprenants peuvent demander le diplôme ; "
            f"{spaced(units_done[code])} ont validé toutes ses UE requises"
        )
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pic de mémoire du processus (RSS) : {usage:.0f} Mo")


if __name__ == "__main__":
    main()
