"""Refresh the database's statistics so that its planner picks the right indexes
(issue 19, item 2: on the 100 000-learner population an unanalysed SQLite walked the
session index then every attendance row — 10 s for what takes 5 s once analysed).
SQLite keeps no statistics unless asked; PostgreSQL's autovacuum analyses on its own,
this makes it sure after bulk writes. Run every night (cron.json, the systemd timer)."""

import time

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Met à jour les statistiques de la base (ANALYZE), pour le choix des index."

    def handle(self, *args, **options):
        started = time.monotonic()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # A bounded sample per index keeps the run short on a large file.
                cursor.execute("PRAGMA analysis_limit = 1000")
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA optimize")
            else:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Statistiques à jour ({time.monotonic() - started:.1f} s).")
