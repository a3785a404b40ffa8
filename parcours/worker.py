"""The task worker's liveness: a heartbeat row per worker, and the reclaim of the tasks a
dead worker left "running" (django-tasks-db leaves them so for ever).

Real time throughout (the system clock): a beat is recent or not whatever day the
business clock pins, like the queue's own dates.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parcours.models import WorkerBeat

logger = logging.getLogger(__name__)


def live_workers() -> set[str]:
    limit = timezone.now() - dt.timedelta(seconds=settings.WORKER_DEAD_SECONDS)
    return set(WorkerBeat.objects.filter(seen_at__gte=limit).values_list("worker_id", flat=True))


def reclaim_lost_tasks() -> int:
    """Put back in the queue every task "running" on a worker that is gone: its beat is
    stale, or — a worker that never beat (a plain `db_worker`) — it has run longer than
    PARCOURS_TASK_RECLAIM_MINUTES. Safe twice, and beside live workers."""
    now = timezone.now()
    old = now - dt.timedelta(minutes=settings.PARCOURS_TASK_RECLAIM_MINUTES)
    with transaction.atomic():
        alive = live_workers()
        known = set(WorkerBeat.objects.values_list("worker_id", flat=True))
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        lost = []
        for task_result in running:
            worker = task_result.worker_ids[-1] if task_result.worker_ids else ""
            if worker in alive:
                continue
            if worker in known or task_result.started_at is None or task_result.started_at < old:
                lost.append(task_result.pk)
        count = DBTaskResult.objects.filter(pk__in=lost).update(
            status=TaskResultStatus.READY, started_at=None
        )
        WorkerBeat.objects.filter(
            seen_at__lt=now - dt.timedelta(seconds=settings.WORKER_DEAD_SECONDS)
        ).exclude(worker_id__in=alive).delete()
    if count:
        logger.warning("%d tâche(s) interrompue(s) remise(s) en file.", count)
    return count


def beat(worker_id: str, started_at: dt.datetime) -> None:
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


class Heartbeat:
    """A daemon thread that beats every WORKER_BEAT_SECONDS while the worker runs, even
    during a long job; stopping it removes the row (a worker stopped cleanly is not
    "dead")."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        beat(self.worker_id, self.started_at)  # before the first task is claimed
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(settings.WORKER_BEAT_SECONDS):
            try:
                beat(self.worker_id, self.started_at)
            except Exception:  # a locked or restarting database: beat again next time
                logger.warning("Battement du travailleur non écrit.", exc_info=True)
            finally:
                connection.close()  # this thread's own connection

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=settings.WORKER_BEAT_SECONDS + 5)
        try:
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            logger.warning("Battement du travailleur non retiré.", exc_info=True)
