"""/sante/: what the load balancer and the monitoring ask — is the database answering,
is the task worker keeping up — with counts only, never personal data.

The worker is judged twice: by its heartbeat (`manage.py worker` writes one every
WORKER_BEAT_SECONDS; none fresher than WORKER_DEAD_SECONDS means no worker runs), and
by its queue (a job due for longer than HEALTH_WORKER_LAG_SECONDS and not started means
the workers do not keep up). The answer is 200 when all is well, 503 otherwise, so a
balancer can act on the status alone.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from parcours.access import public


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _queue() -> dict:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # Scheduling is real time: the queue's due dates are the system clock's.
    now = timezone.now()
    lag = dt.timedelta(seconds=settings.HEALTH_WORKER_LAG_SECONDS)
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    due = ready.filter(run_after__lte=now)
    return {
        "en_attente": ready.count(),
        "en_retard": due.filter(run_after__lte=now - lag).count(),
        "en_cours": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "en_echec_24h": DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=now - dt.timedelta(days=1)
        ).count(),
    }


@public
@never_cache
@require_GET
def health(request):
    from parcours.worker import live_workers

    database = _database()
    queue = _queue() if database else None
    workers = len(live_workers()) if database else 0
    if not database:
        worker = "inconnu"
    elif not workers:
        worker = "arrêté"
    elif queue["en_retard"]:
        worker = "en retard"
    else:
        worker = "ok"
    body = {
        "statut": "ok" if database and worker == "ok" else "dégradé",
        "base_de_donnees": "ok" if database else "injoignable",
        "travaux": queue,
        "travailleur": worker,
        "travailleurs_actifs": workers,
    }
    return JsonResponse(body, status=200 if body["statut"] == "ok" else 503)
