"""Staff follow the long jobs they started (parcours/jobs.py): the panel of one kind,
refreshed by htmx while a job is pending, and a finished batch's file. Reception and
direction only; GET never writes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from parcours.access import staff_only
from parcours.jobs import pending_and_recent, start
from parcours.models import Job
from parcours.uploads import KINDS, file_response


def start_and_tell(request, kind: str, *, key: str, title: str, params: dict, started: str):
    """Queue a job from a staff page and say so; the page's panel then follows it."""
    _, is_new = start(kind, key=key, title=title, params=params, user=request.user)
    if is_new:
        messages.success(request, f"{started} : voyez son état ci-dessous.")
    else:
        messages.info(request, "Ce travail est déjà en cours : voyez son état ci-dessous.")


def panel_context(kind: str) -> dict:
    jobs = pending_and_recent(kind)
    return {
        "jobs": jobs,
        "jobs_kind": kind,
        "jobs_pending": any(job.is_pending for job in jobs),
    }


@staff_only
@require_GET
def panel(request, kind: str):
    if kind not in Job.Kind.values:
        raise Http404("Travail inconnu.")
    return render(request, "parcours/_jobs.html", panel_context(kind))


@staff_only
@require_GET
def job_file(request, pk: int):
    job = get_object_or_404(Job.objects.exclude(stored_name=""), pk=pk, status=Job.Status.DONE)
    extension = job.stored_name.rsplit(".", 1)[1]
    return file_response(
        job.stored_name, job.result_name or f"document.{extension}", KINDS[extension][0]
    )
