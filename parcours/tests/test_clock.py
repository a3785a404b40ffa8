"""One clock for the business (issue 14, item 3): every date a page shows or a row
stores comes from `parcours.clock`; only the audit trail (history), the sign-in
lifetime, the purge of stray files and the task queue's scheduling read the system
clock."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from parcours import clock

ROOT = Path(settings.BASE_DIR)
APPS = [
    "accounts",
    "admissions",
    "assessment",
    "awards",
    "catalogue",
    "parcours",
    "teaching",
    "timetable",
]
SYSTEM_CLOCK = {
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),  # without an argument: the system's now
    ("datetime", "now"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}
# Where the system clock is right, and why.
ALLOWED = {
    "parcours/clock.py": "the business clock itself",
    "parcours/middleware.py": "a sign-in's lifetime is real time",
    "parcours/mail.py": "a retry runs after a real delay",
    "parcours/uploads.py": "stray files are purged by their real age",
    "parcours/health.py": "the task queue's due dates are real time",
    "parcours/backup.py": "archives are named by the real time (the operator's)",
    "parcours/jobs.py": "a retry runs after a real delay",
    "parcours/worker.py": "a worker's heartbeat and a task's age are real time",
}


def _system_clock_calls(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (name, node.func.attr) not in SYSTEM_CLOCK:
            continue
        if node.func.attr == "localtime" and node.args:
            continue  # converting a stored instant, not reading the clock
        lines.append(node.lineno)
    return lines


def test_no_module_reads_the_system_clock_outside_the_business_clock():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative or relative in ALLOWED:
                continue
            found += [f"{relative}:{line}" for line in _system_clock_calls(path)]
    assert found == [], "read parcours.clock instead: " + ", ".join(found)


def test_every_automatic_timestamp_is_on_the_business_clock():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.DateTimeField)
        and (field.auto_now or field.auto_now_add)
        and not isinstance(field, clock.BusinessDateTimeField)
    ]
    assert plain == []


def test_now_is_the_pinned_day_at_the_real_time(settings):
    settings.PARCOURS_TODAY = "2017-02-24"
    assert clock.now().date() == dt.date(2017, 2, 24)
    assert clock.now().tzinfo is not None
    settings.PARCOURS_TODAY = ""
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


@pytest.mark.django_db
def test_a_stored_timestamp_takes_the_business_day(settings, django_user_model):
    from timetable import services

    settings.PARCOURS_TODAY = "2016-10-03"
    learner = django_user_model.objects.create_user(email="l@example.re", password="x" * 20)
    services.new_feed(learner)
    feed = learner.calendar_feeds.get()
    assert timezone.localtime(feed.created_at).date() == dt.date(2016, 10, 3)
