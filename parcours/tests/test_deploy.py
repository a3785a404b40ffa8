"""The production service's declarations (issue 15, items 1 and 3): the Procfile, the
platform's cron.json and the systemd timers name the same jobs, each a management
command whose help states its rule; gunicorn's settings come from the environment."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]


def _cron_commands() -> set[str]:
    jobs = json.loads((ROOT / "cron.json").read_text())["jobs"]
    return {re.search(r"manage\.py (\w+)", job["command"]).group(1) for job in jobs}


def _timer_commands() -> set[str]:
    names = set()
    for timer in (ROOT / "deploy").glob("*.timer"):
        service = timer.with_suffix(".service").read_text()
        names.add(re.search(r"manage\.py (\w+)", service).group(1))
    return names


def test_scheduled_jobs_are_declared_once_for_both_platforms():
    assert (
        _cron_commands()
        == _timer_commands()
        == {
            "send_result_notices",
            "send_absence_alerts",
            "issue_semester_certificates",
            "purge_documents",
            "backup",
            "analyze_database",
        }
    )


def test_every_scheduled_job_is_a_command_whose_help_states_its_rule():
    commands = get_commands()
    for name in _cron_commands():
        help_text = load_command_class(commands[name], name).help
        assert len(help_text) > 30, name


def test_the_procfile_runs_gunicorn_and_the_worker():
    procfile = (ROOT / "Procfile").read_text()
    assert re.search(r"^web: .*gunicorn --config gunicorn.conf.py", procfile, re.M)
    assert re.search(r"^worker: python manage.py worker$", procfile, re.M)


def test_gunicorn_reads_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    # gunicorn.conf.py sets these defaults; monkeypatch restores them afterwards
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "15000")
    monkeypatch.setenv("DB_CONN_MAX_AGE", "60")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["timeout"]) == (3, 45)
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    assert config["logger_class"] == "parcours.access_log.PrivateAccessLogger"


def test_the_nightly_analyze_refreshes_the_statistics(db):
    """Issue 19, item 2: the planner's statistics exist after the nightly command."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    out = StringIO()
    call_command("analyze_database", stdout=out)
    assert "Statistiques à jour" in out.getvalue()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
