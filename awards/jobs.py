"""The ledger's backfill as a background job (parcours/jobs.py): `sync_credits` reads
every mark of every decided jury (R-EXA-4), minutes on a large history."""

from __future__ import annotations

from awards.services import sync_all_credits
from parcours.jobs import Outcome


def sync_credits(job) -> Outcome:
    written = sync_all_credits()
    return Outcome(
        message=(
            f"{written} UE acquise{'s' if written > 1 else ''} inscrite{'s' if written > 1 else ''}"
            " au registre ; les UE déjà inscrites restent telles quelles."
        )
    )
