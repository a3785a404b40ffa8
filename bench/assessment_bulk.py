"""Bulk assessment on a synthetic population (issue 6): the right to sit for whole exam
sessions, and the jury results of every UE of every session.

Run against a database filled by `manage.py generate_population` (see README):

    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/assessment_bulk.py
    DATABASE_URL=postgres://… .venv/bin/python bench/assessment_bulk.py

Each step runs once timed, then once under tracemalloc for its peak of Python memory
(the timing run is not slowed by tracing). Figures are printed, never asserted.
"""

from __future__ import annotations

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

from assessment import services  # noqa: E402
from assessment.models import ExamSession, Mark  # noqa: E402
from catalogue.models import AcademicYear  # noqa: E402
from teaching.alerts import risks  # noqa: E402
from teaching.models import Attendance  # noqa: E402
from teaching.services import attendance_counts  # noqa: E402


def spaced(number: float) -> str:
    """1 234 567: French thousands."""
    return f"{number:,.0f}".replace(",", "\u202f")


def measure(label: str, unit: str, step):
    started = time.perf_counter()
    count = step()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = count / seconds if seconds else float("inf")
    print(
        f"{label:<46} {spaced(count):>10} {unit:<10} {seconds:>8.2f} s "
        f"{spaced(rate):>10}/s {peak / 2**20:>9.1f} Mo"
    )
    return seconds


def main() -> None:
    from django.contrib.auth import get_user_model

    year = AcademicYear.objects.order_by("-code").first()
    sessions = list(ExamSession.objects.filter(year=year).order_by("starts_on"))
    learners = get_user_model().objects.filter(email__endswith="@population.example").count()
    print(
        f"base : {connection.vendor} ; {spaced(learners)} apprenants, "
        f"{spaced(Mark.objects.count())} notes, {spaced(Attendance.objects.count())} "
        f"présences ; année mesurée {year.code}"
    )
    print(f"{'étape':<46} {'lignes':>21} {'durée':>10} {'débit':>12} {'pic Python':>12}")
    # The floor of the right to sit: the one aggregation of the year's attendance it
    # reads (the presence kinds of the year, by learner, UE and semester), alone.
    measure(
        "plancher (session 2) : présences de l'année agrégées",
        "couples",
        lambda: len(attendance_counts(year)),
    )
    for session in sessions:
        measure(
            f"droit de composer, session {session.number} {session.semester or 'S1+S2'}",
            "candidats",
            lambda session=session: sum(1 for _ in services.iter_exam_rights(session)),
        )
    every = list(ExamSession.objects.select_related("year").order_by("starts_on"))
    measure(
        f"résultats de jury, toutes UE ({len(every)} sessions)",
        "notes",
        lambda: sum(
            sum(u.statistics.count + u.statistics.absent for u in services.jury_results(s).values())
            for s in every
        ),
    )
    # The absence alerts' list (R-EXA-3) for the whole year, in the middle of S1.
    first = year.regulation.semesters[0]
    middle = first.courses_start + (first.exam_session_1_week - first.courses_start) / 2
    measure(
        f"apprenants à risque, toutes UE, le {middle:%d/%m/%Y}",
        "situations",
        lambda: len(risks(year, middle)),
    )
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pic de mémoire du processus (RSS) : {usage:.0f} Mo")


if __name__ == "__main__":
    main()
