"""The direction's reports on the synthetic population (issue 18, item 5): the BPF of a
fiscal year and the dashboard of a year, each beside a bare SQL aggregation of the same
figures in the same run, with the number of queries each made.

The population (`manage.py generate_population`) records attendance but no signed sheet
and no payment, so the BPF is computed with the "planned" readings (learner and trainer
hours from the sessions, as `[bpf]` allows) — the year's own "signed" readings would
count nobody there. Figures are printed, never asserted:

    DATABASE_URL=sqlite:////tmp/bench/db.sqlite3 .venv/bin/python bench/reports.py
    DATABASE_URL=postgres://… .venv/bin/python bench/reports.py --fiscal-year 2016
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from admissions.models import Dossier  # noqa: E402
from admissions.services import REGISTERED  # noqa: E402
from catalogue.models import AcademicYear  # noqa: E402
from reports import bpf, dashboard  # noqa: E402

LABEL = 52
assert len(REGISTERED) == 2, "the floor's SQL names the two final states"


def timed(label: str, step):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - started
    print(f"{label:<{LABEL}} {seconds:>8.2f} s {len(queries):>6} requêtes")
    return result, seconds


def run(sql: str, params) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def bpf_floor(report: bpf.Report) -> int:
    """The same figures in bare SQL: payments by payer and situation; the period's
    sessions; each registered learner's planned minutes by situation and funding."""
    first, last = bpf._bounds(report.first, report.last)
    rows = run(
        "SELECT d.situation, p.payer, SUM(p.amount) FROM admissions_payment p "
        "JOIN admissions_dossier d ON d.id = p.dossier_id "
        "WHERE p.received_on >= %s AND p.received_on <= %s AND NOT p.is_guarantee "
        "GROUP BY 1, 2",
        [report.first, report.last],
    )
    rows += run(
        "SELECT COUNT(*), SUM(minutes) FROM timetable_session "
        "WHERE starts_at >= %s AND starts_at < %s AND NOT cancelled",
        [first, last],
    )
    rows += run(
        "SELECT d.situation, d.funding, COUNT(DISTINCT d.learner_id), SUM(g.minutes) "
        "FROM admissions_dossierunit du JOIN admissions_dossier d ON d.id = du.dossier_id "
        "JOIN (SELECT p.year_id, p.centre_id, s.unit_id, SUM(s.minutes) AS minutes "
        "      FROM timetable_session s JOIN timetable_planning p ON p.id = s.planning_id "
        "      WHERE s.starts_at >= %s AND s.starts_at < %s AND NOT s.cancelled "
        "      GROUP BY 1, 2, 3) g "
        "ON g.year_id = d.year_id AND g.centre_id = d.centre_id AND g.unit_id = du.unit_id "
        "WHERE d.year_id IN (SELECT id FROM catalogue_academicyear "
        "                    WHERE first_day <= %s AND last_day >= %s) "
        "AND d.status IN (%s, %s) GROUP BY 1, 2",
        [first, last, report.last, report.first, *REGISTERED],
    )
    return len(rows)


def dashboard_floor(year: AcademicYear) -> int:
    """The dashboard's figures in bare SQL, quotes aside (they are computed, not read)."""
    rows = run(
        "SELECT status, COUNT(*) FROM admissions_dossier WHERE year_id = %s GROUP BY 1",
        [year.pk],
    )
    rows += run(
        "SELECT du.semester, COUNT(DISTINCT du.dossier_id) FROM admissions_dossierunit du "
        "JOIN admissions_dossier d ON d.id = du.dossier_id "
        "WHERE d.year_id = %s AND d.status IN (%s, %s) GROUP BY 1",
        [year.pk, *REGISTERED],
    )
    rows += run(
        "SELECT deposited_on, COUNT(*) FROM admissions_dossier "
        "WHERE year_id = %s AND deposited_on IS NOT NULL GROUP BY 1",
        [year.pk],
    )
    rows += run(
        "SELECT d.id, du.unit_id, du.foad FROM admissions_dossierunit du "
        "JOIN admissions_dossier d ON d.id = du.dossier_id "
        "WHERE d.year_id = %s AND d.status IN (%s, %s)",
        [year.pk, *REGISTERED],
    )
    rows += run(
        "SELECT p.payer, SUM(p.amount) FROM admissions_payment p "
        "JOIN admissions_dossier d ON d.id = p.dossier_id "
        "WHERE d.year_id = %s AND NOT p.is_guarantee GROUP BY 1",
        [year.pk],
    )
    rows += run(
        "SELECT s.unit_id, SUM(CASE WHEN a.present THEN 1 ELSE 0 END), COUNT(*) "
        "FROM teaching_attendance a JOIN timetable_session s ON s.id = a.session_id "
        "JOIN timetable_planning p ON p.id = s.planning_id WHERE p.year_id = %s GROUP BY 1",
        [year.pk],
    )
    rows += run(
        "SELECT m.unit_id, e.number, COUNT(*) FROM assessment_mark m "
        "JOIN assessment_examsession e ON e.id = m.session_id "
        "WHERE e.year_id = %s AND m.value IS NOT NULL GROUP BY 1, 2",
        [year.pk],
    )
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fiscal-year", type=int, default=None)
    parser.add_argument("--year", default=None, help="l'année du tableau de bord (code)")
    options = parser.parse_args()
    year = (
        AcademicYear.objects.get(code=options.year)
        if options.year
        else AcademicYear.objects.exclude(label__contains="synthétique").order_by("-code").first()
    )
    fiscal_year = options.fiscal_year or year.first_day.year
    print(
        f"{connection.vendor} — {Dossier.objects.count()} dossiers ; exercice {fiscal_year}, "
        f"tableau de bord {year.code}"
    )
    readings = dataclasses.replace(
        year.regulation.bpf, learner_hours="planned", trainer_hours="planned"
    )
    report, seconds = timed("BPF (heures planifiées)", lambda: bpf.report(fiscal_year, readings))
    _, floor = timed("  plancher : agrégation SQL des mêmes chiffres", lambda: bpf_floor(report))
    print(f"{'  rapport au plancher':<{LABEL}} {seconds / floor:>8.1f} ×")
    total = report.bpf.learners_total
    print(
        f"  {total.count} stagiaires, {total.hours} heures ; "
        f"{len(report.bpf.unclassified)} lignes à classer"
    )
    board, seconds = timed("Tableau de bord (tous centres)", lambda: dashboard.build(year, None))
    _, floor = timed(
        "  plancher : agrégation SQL des mêmes chiffres", lambda: dashboard_floor(year)
    )
    print(f"{'  rapport au plancher':<{LABEL}} {seconds / floor:>8.1f} ×")
    print(
        f"  {sum(b.value for b in board.by_status)} dossiers, "
        f"{len(board.unquotable)} sans devis calculable"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mémoire maximale du processus : {peak:.0f} Mo")


if __name__ == "__main__":
    main()
