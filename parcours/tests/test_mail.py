"""E-mails through the task queue (parcours/mail.py): written with the change that
causes them, sent once by the worker, retried on failure, plain text unescaped."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template import engines

from parcours.mail import queue_mail, render_text, send_queued_mail


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


def run_worker():
    """Our worker (db_worker with its heartbeat and reclaim), until the queue is empty."""
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_mail_is_queued_in_the_changes_transaction_and_sent_once(database_queue):
    with transaction.atomic():
        queue_mail("Dossier déposé", "Bonjour", "lea@example.re")
        # the task's row is part of the transaction: committed with it, or not at all
        assert database_queue.objects.count() == 1
    assert mail.outbox == []  # nothing is sent inside the request

    run_worker()
    run_worker()  # a second pass sends nothing again

    assert [(m.subject, m.to) for m in mail.outbox] == [("Dossier déposé", ["lea@example.re"])]
    assert database_queue.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_queues_no_mail(database_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_mail("Dossier déposé", "Bonjour", "lea@example.re")
        raise RuntimeError("the deposit failed")

    run_worker()
    assert database_queue.objects.count() == 0 and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_failed_sending_is_tried_again_later(database_queue, monkeypatch):
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise OSError("SMTP injoignable")
        return 1

    monkeypatch.setattr("parcours.mail.send_mail", flaky)
    queue_mail("Résultats", "Bonjour", "lea@example.re")
    run_worker()

    retry = database_queue.objects.get(status="READY")
    assert retry.run_after is not None and retry.args_kwargs["args"][-1] == 2
    database_queue.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)
    run_worker()
    assert len(calls) == 2
    assert database_queue.objects.filter(status="SUCCESSFUL").count() == 1


def test_plain_text_mails_are_not_html_escaped():
    """ "l&#x27;intervention sociale" was what a learner read."""
    template = engines["text"].from_string("Titre : {{ title }}")
    assert template.render({"title": "Chargé d'accompagnement <social>"}) == (
        "Titre : Chargé d'accompagnement <social>"
    )


@pytest.mark.django_db
def test_the_dossier_mails_keep_their_apostrophes(catalogue):
    from admissions.models import Dossier
    from catalogue.models import Programme

    dossier = Dossier(pk=1, programme=Programme.objects.get(code="CPN42"))
    body = render_text(
        "admissions/emails/deposited.txt", {"dossier": dossier, "space_url": "https://x"}
    )
    assert "&#x27;" not in body and "&amp;" not in body


def test_the_task_is_registered_for_the_worker():
    assert send_queued_mail.module_path == "parcours.mail.send_queued_mail"


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_is_taken_again_and_done_once(database_queue, settings):
    """Issue 15, item 2: django-tasks-db leaves a killed worker's job RUNNING for ever;
    `reclaim_tasks` (which `manage.py worker` runs as it starts) puts it back, the next
    worker sends it. This worker never beat: the time limit tells it is gone."""
    import datetime as dt

    from django.utils import timezone

    settings.PARCOURS_TASK_RECLAIM_MINUTES = 30
    with transaction.atomic():
        queue_mail("Dossier déposé", "Bonjour", "lea@example.re")
    job = database_queue.objects.get()
    job.claim("travailleur-tue")  # as the worker does, then it is killed
    database_queue.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=1)
    )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # django-tasks-db alone never takes it again while it reads "running"
    assert mail.outbox == [] and database_queue.objects.get(pk=job.pk).status == "RUNNING"

    call_command("reclaim_tasks", verbosity=0)
    call_command("reclaim_tasks", verbosity=0)  # twice: no harm
    run_worker()
    run_worker()  # which reclaims too, as it starts: nothing left to send

    assert [m.to for m in mail.outbox] == [["lea@example.re"]]
    assert database_queue.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_job_running_for_less_than_the_limit_is_left_to_its_worker(database_queue, settings):
    settings.PARCOURS_TASK_RECLAIM_MINUTES = 30
    with transaction.atomic():
        queue_mail("Dossier déposé", "Bonjour", "lea@example.re")
    database_queue.objects.get().claim("travailleur-vivant")
    call_command("reclaim_tasks", verbosity=0)
    assert database_queue.objects.get().status == "RUNNING"
