"""Settings from the environment: a clean deployment check, SQLite tuned for safety."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="parcours.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = run_python(
        "import django, sys; from django.core.management import call_command; django.setup();"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x9Q2" * 12,
        ALLOWED_HOSTS="parcours.cnam.re",
        PARCOURS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_python(
        "import django; django.setup()", DEBUG="0", SECRET_KEY="", PARCOURS_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_a_malformed_boolean_is_refused_with_its_name(tmp_path):
    result = run_python(
        "import django; django.setup()", DEBUG="peut-être", PARCOURS_VAR_DIR=str(tmp_path)
    )
    assert "DEBUG doit valoir" in result.stderr


def test_embedded_sqlite_uses_wal_full_sync_and_immediate_transactions(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.db import connection as c;"
        "cur = c.cursor();"
        "print(cur.execute('PRAGMA journal_mode').fetchone()[0],"
        " cur.execute('PRAGMA synchronous').fetchone()[0],"
        " c.settings_dict['OPTIONS']['transaction_mode'],"
        " cur.execute('PRAGMA busy_timeout').fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PARCOURS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    # synchronous 2 = FULL; busy timeout in milliseconds.
    assert result.stdout.split() == ["wal", "2", "IMMEDIATE", "20000"]


def test_the_interface_is_french_in_reunion_time():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "fr-fr"
    assert settings.TIME_ZONE == "Indian/Reunion"
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_make_run_links_e_mails_to_the_address_it_serves():
    """Issue 14, item 16: with another HOST, e-mails pointed at 127.0.0.1:8000."""
    plan = subprocess.run(
        ["make", "-n", "run", "HOST=192.0.2.7:9000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "PARCOURS_SITE_URL=${PARCOURS_SITE_URL-http://192.0.2.7:9000}" in plan
