"""Backfill the ledger from every decided jury (R-EXA-4): a database from before the
ledger, or the synthetic population of the benchmarks. Idempotent."""

import time

from django.core.management.base import BaseCommand

from awards.services import sync_all_credits


class Command(BaseCommand):
    help = (
        "Inscrit dans le registre des acquis les UE validées par chaque jury tenu (R-EXA-4). "
        "Sans effet sur les UE déjà inscrites : une seconde exécution n'écrit rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="nombre d'UE acquises écrites par transaction (5000 par défaut)",
        )

    def handle(self, *args, batch_size, **options):
        started = time.perf_counter()
        written = sync_all_credits(batch_size=max(1, batch_size))
        seconds = time.perf_counter() - started
        self.stdout.write(f"{written} UE acquise(s) inscrite(s) au registre en {seconds:.1f} s.")
