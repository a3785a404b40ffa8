"""Long jobs through the queue (parcours/jobs.py) and the worker's heartbeat
(parcours/worker.py) — issue 15, items 2 and 5: queued with the change, run once even
when the worker dies mid-job, retried on an unexpected error, final on a refusal, and
/sante/ telling a live worker from a dead one."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from parcours import jobs
from parcours.jobs import Outcome
from parcours.models import Job, WorkerBeat
from parcours.worker import beat, reclaim_lost_tasks

CALLS: list[int] = []
FAILURES: list[BaseException] = []


def counting_handler(job) -> Outcome:
    CALLS.append(job.pk)
    if FAILURES:
        raise FAILURES.pop(0)
    return Outcome(message=f"Fait pour {job.params['n']}.", url="/accueil/apprenants/")


@pytest.fixture
def fake_kind(monkeypatch):
    CALLS.clear()
    FAILURES.clear()
    monkeypatch.setitem(
        jobs.HANDLERS, Job.Kind.SYNC_CREDITS, "parcours.tests.test_jobs.counting_handler"
    )
    return Job.Kind.SYNC_CREDITS


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


def run_worker():
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


def start(kind, n=1):
    return jobs.start(kind, key=f"essai:{n}", title=f"Essai {n}", params={"n": n}, user=None)


@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_with_the_change_and_run_once(database_queue, fake_kind):
    with transaction.atomic():
        job, started = start(fake_kind)
        assert started and database_queue.objects.count() == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        start(fake_kind, n=2)
        raise RuntimeError("the request failed")
    assert Job.objects.count() == 1 and database_queue.objects.count() == 1
    assert CALLS == []  # nothing runs in the request

    run_worker()
    run_worker()

    job.refresh_from_db()
    assert [job.pk] == CALLS
    assert job.status == Job.Status.DONE and job.message == "Fait pour 1."
    assert job.result_url == "/accueil/apprenants/" and job.attempts == 1
    assert job.started_at and job.finished_at and job.seconds is not None


@pytest.mark.django_db(transaction=True)
def test_a_second_click_joins_the_pending_job(database_queue, fake_kind):
    first, started = start(fake_kind)
    again, started_again = start(fake_kind)
    assert started and not started_again and again.pk == first.pk
    run_worker()
    _, started_after = start(fake_kind)  # once done, the same work may be asked again
    assert started_after and Job.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_it_to_the_next_which_completes_it_once(
    database_queue, fake_kind, settings
):
    """The worker took the job and died inside the handler: its beat goes stale, the
    next worker reclaims the task as it starts and runs the job to its end, once."""
    settings.WORKER_DEAD_SECONDS = 60
    job, _ = start(fake_kind)
    task_result = database_queue.objects.get()
    beat("travailleur-tue", timezone.now())
    task_result.claim("travailleur-tue")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1)
    # it dies; two minutes later its beat is stale
    WorkerBeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=2))

    run_worker()
    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    assert [job.pk] == CALLS  # the killed run never finished; this one did, once
    assert database_queue.objects.get().status == "SUCCESSFUL"
    assert not WorkerBeat.objects.exists()  # the dead worker's row is gone, and ours


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_the_outcome_was_saved_does_not_run_it_again(
    database_queue, fake_kind, settings
):
    job, _ = start(fake_kind)
    task_result = database_queue.objects.get()
    task_result.claim("travailleur-tue")  # never beat: the time limit applies
    database_queue.objects.filter(pk=task_result.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=2)
    )
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, message="Fait pour 1.")

    run_worker()

    assert CALLS == []
    assert database_queue.objects.get().return_value == "déjà terminé"


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_keeps_its_task_however_long_it_runs(database_queue, fake_kind, settings):
    settings.PARCOURS_TASK_RECLAIM_MINUTES = 30
    start(fake_kind)
    task_result = database_queue.objects.get()
    beat("travailleur-vivant", timezone.now())
    task_result.claim("travailleur-vivant")
    database_queue.objects.filter(pk=task_result.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=3)
    )
    assert reclaim_lost_tasks() == 0
    assert database_queue.objects.get().status == "RUNNING"
    WorkerBeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=5))
    assert reclaim_lost_tasks() == 1


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_is_retried_then_recorded_in_french(
    database_queue, fake_kind, settings
):
    settings.JOB_ATTEMPTS = 2
    FAILURES.extend([OSError("disque plein"), OSError("disque plein")])
    job, _ = start(fake_kind)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and "nouvel essai dans 2 minutes" in job.message
    retry = database_queue.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()
    database_queue.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 2
    assert "Erreur inattendue après 2 essais" in job.message
    assert "disque" not in job.message  # the detail is for the log, not the page
    assert len(CALLS) == 2


@pytest.mark.django_db(transaction=True)
def test_a_refusal_of_the_rules_is_final_and_says_why(database_queue, fake_kind):
    FAILURES.append(ValidationError(["Aucun planning possible :", "trop de séances."]))
    job, _ = start(fake_kind)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 1
    assert job.message == "Aucun planning possible :\ntrop de séances."
    assert database_queue.objects.filter(status="READY").count() == 0


def test_the_panel_and_files_are_staff_only(client, db, django_user_model, fake_kind):
    from admissions.tests.conftest import make_user

    for role in ("learner", "teacher"):
        user = make_user(django_user_model, f"{role}@example.re", role)
        client.force_login(user)
        assert client.get(f"/accueil/travaux/{fake_kind}/").status_code == 403
        assert client.get("/accueil/travaux/fichier/1/").status_code == 403
    client.force_login(make_user(django_user_model, "accueil@example.re", "reception"))
    assert client.get("/accueil/travaux/inconnu/").status_code == 404
    assert client.get("/accueil/travaux/fichier/999/").status_code == 404
    panel = client.get(f"/accueil/travaux/{fake_kind}/")
    assert panel.status_code == 200 and b"hx-get" not in panel.content  # nothing pending


def test_a_pending_job_makes_its_panel_refresh_itself(client, db, django_user_model, fake_kind):
    from admissions.tests.conftest import make_user

    Job.objects.create(kind=fake_kind, key="k", title="Inscription au registre")
    client.force_login(make_user(django_user_model, "accueil@example.re", "reception"))
    panel = client.get(f"/accueil/travaux/{fake_kind}/").content.decode()
    assert 'hx-get="/accueil/travaux/sync_credits/"' in panel and "En attente" in panel


def test_only_the_direction_starts_the_ledgers_backfill(
    client, db, django_user_model, django_capture_on_commit_callbacks
):
    from admissions.tests.conftest import make_user

    client.force_login(make_user(django_user_model, "accueil@example.re", "reception"))
    assert client.post("/accueil/apprenants/registre/").status_code == 403
    client.force_login(make_user(django_user_model, "direction@example.re", "direction"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/accueil/apprenants/registre/").status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.message.startswith("0 UE acquise inscrite")


# --- /sante/ and the heartbeat ------------------------------------------------------------


def test_health_tells_a_live_worker_from_none(client, db, settings):
    settings.WORKER_DEAD_SECONDS = 60
    response = client.get("/sante/")
    assert response.status_code == 503 and response.json()["travailleur"] == "arrêté"
    beat("w1", timezone.now())
    body = client.get("/sante/").json()
    assert body["statut"] == "ok" and body["travailleurs_actifs"] == 1
    WorkerBeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=2))
    assert client.get("/sante/").json()["travailleur"] == "arrêté"


BEATS_SEEN: list[list[int]] = []


def beat_watching_handler(job) -> Outcome:
    BEATS_SEEN.append(list(WorkerBeat.objects.values_list("pid", flat=True)))
    return Outcome(message="ok")


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_it_runs_and_leaves_cleanly(database_queue, fake_kind, monkeypatch):
    BEATS_SEEN.clear()
    monkeypatch.setitem(jobs.HANDLERS, fake_kind, "parcours.tests.test_jobs.beat_watching_handler")
    start(fake_kind)
    run_worker()
    assert [[os.getpid()]] == BEATS_SEEN  # beating while the job ran
    assert not WorkerBeat.objects.exists()  # and gone once stopped
