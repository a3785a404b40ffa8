"""Long jobs staff start (issue 15, item 2): a planning generation, the PVs of a session,
the ledger's backfill. They take seconds to minutes, so they do not run in the request.

`start` records a `Job` and enqueues its run in the same transaction (the mail's rule: it
exists exactly when the request's change committed). The worker runs `run_job`, which
marks the job running, calls the kind's handler and records its outcome in French: a
page to open, a file to download, or the reasons it could not be done. The page that
started the job lists it with its state (`pending_and_recent`) and refreshes itself
while one is pending.

A run is safe twice: a job already finished is not run again (a worker killed after the
outcome was saved, then reclaimed, completes it once), and every handler replaces what
an interrupted run may have left (a planning's sessions are replaced in one
transaction; the ledger's backfill writes nothing already written).

An unexpected error is retried JOB_ATTEMPTS times with a growing delay; a refusal of the
rules (a `ValidationError`: no planning possible, no jury decided) is final at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from parcours import clock
from parcours.mail import enqueue_with_the_change
from parcours.models import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    message: str
    url: str = ""
    pdf: bytes | None = None  # a file to keep for download (a PDF, or a ZIP of them)
    pdf_name: str = ""
    extension: str = "pdf"


# Each kind's handler: a function of the job returning its Outcome, in the app it
# belongs to (named here so that the worker finds it without import side effects).
HANDLERS: dict[str, str] = {
    Job.Kind.PLANNING: "timetable.jobs.generate_planning",
    Job.Kind.JURY_RECORDS: "assessment.jobs.session_jury_records",
    Job.Kind.EXAM_TIMETABLE: "assessment.jobs.exam_timetable",
    Job.Kind.SYNC_CREDITS: "awards.jobs.sync_credits",
    Job.Kind.ATTENDANCE_ARCHIVE: "teaching.jobs.attendance_archive",
}


def start(kind: str, key: str, title: str, params: dict, user) -> tuple[Job, bool]:
    """Queue a job; (the job, True) — or the pending job of the same key and False, so
    that a second click does not run the same work twice."""
    if kind not in Job.Kind.values:
        raise ValueError(f"Travail inconnu : {kind!r}")
    with transaction.atomic():
        pending = (
            Job.objects.select_for_update()
            .filter(key=key, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
            .first()
        )
        if pending is not None:
            return pending, False
        job = Job.objects.create(kind=kind, key=key, title=title, params=params, requested_by=user)
        enqueue_with_the_change(run_job, job.pk)
    return job, True


def pending_and_recent(kind: str, limit: int = 5) -> list[Job]:
    return list(Job.objects.filter(kind=kind).select_related("requested_by")[:limit])


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_pending:
            return None  # finished by an earlier run: once is enough
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = clock.now()
        job.save(update_fields=["status", "attempts", "started_at"])
        return job


def _finish(job: Job, status: str, message: str, outcome: Outcome | None = None) -> None:
    from parcours.uploads import KINDS, CleanUpload, store

    stored = ""
    if outcome is not None and outcome.pdf is not None:
        stored = store(
            CleanUpload(
                content=outcome.pdf,
                extension=outcome.extension,
                content_type=KINDS[outcome.extension][0],
                display_name=outcome.pdf_name,
                size=len(outcome.pdf),
                sha256="",
            )
        )
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=status,
            message=message,
            result_url=outcome.url if outcome else "",
            stored_name=stored,
            result_name=outcome.pdf_name if outcome else "",
            finished_at=clock.now(),
        )


@task()
def run_job(job_id: int) -> str:
    job = _claim(job_id)
    if job is None:
        return "déjà terminé"
    try:
        outcome = import_string(HANDLERS[job.kind])(job)
    except ValidationError as refusal:
        _finish(job, Job.Status.FAILED, "\n".join(refusal.messages))
        return "refusé"
    except Exception:
        logger.exception("Travail %s (%s) en erreur, essai %d.", job.pk, job.kind, job.attempts)
        if job.attempts < settings.JOB_ATTEMPTS:
            delay = dt.timedelta(minutes=settings.JOB_RETRY_MINUTES * job.attempts)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.QUEUED,
                message=f"Erreur inattendue : nouvel essai dans {_minutes(delay)}.",
            )
            # Scheduling is real time: the queue's own clock.
            run_job.using(run_after=timezone.now() + delay).enqueue(job.pk)
            return "nouvel essai prévu"
        _finish(
            job,
            Job.Status.FAILED,
            f"Erreur inattendue après {job.attempts} essais : le détail est dans le journal "
            "du serveur ; prévenez l'équipe technique.",
        )
        raise
    _finish(job, Job.Status.DONE, outcome.message, outcome)
    return "terminé"


def _minutes(delay: dt.timedelta) -> str:
    minutes = int(delay.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"
