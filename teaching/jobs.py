"""A period's signed attendance sheets as a ZIP of PDFs, for a funder's audit, as a
background job (parcours/jobs.py): rendering hundreds of sheets takes minutes."""

from __future__ import annotations

import datetime as dt

from parcours.jobs import Outcome
from teaching import realisation


def attendance_archive(job) -> Outcome:
    first = dt.date.fromisoformat(job.params["first"])
    last = dt.date.fromisoformat(job.params["last"])
    centre = job.params.get("centre") or None
    sheets = realisation.sheets_of_period(first, last, centre).count()
    data = realisation.archive(first, last, centre)
    return Outcome(
        message=f"{sheets} feuille{'s' if sheets > 1 else ''} d'émargement du "
        f"{first:%d/%m/%Y} au {last:%d/%m/%Y}, une par PDF, dans une archive ZIP.",
        pdf=data,
        pdf_name=f"emargements-{first:%Y%m%d}-{last:%Y%m%d}.zip",
        extension="zip",
    )
