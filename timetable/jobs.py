"""The planning generation as a background job (parcours/jobs.py): the solver may take
its whole time limit (R-CAL-3), longer than a request should."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.models import AcademicYear, Centre
from parcours.jobs import Outcome
from rules.data_reader import DataError
from timetable import services


def generate_planning(job) -> Outcome:
    year = AcademicYear.objects.get(pk=job.params["year"])
    centre = Centre.objects.get(pk=job.params["centre"])
    try:
        done = services.generate(year, centre)
    except DataError as error:
        raise ValidationError(
            [f"planning.toml : {problem}" for problem in error.problems]
        ) from error
    return Outcome(
        message=(
            f"{done.sessions} séances placées en {done.seconds:.1f} s. "
            "Vérifiez le planning, puis publiez-le."
        ),
        url=reverse("timetable:staff_planning", args=[done.planning.pk]),
    )
