"""E-mails go through the task queue (django-tasks, database backend): a crash after
the commit loses none, a failed sending is tried again.

`queue_mail` renders the message now (plain text: no HTML escaping, so "l'intervention"
stays "l'intervention") and enqueues its sending. With the database backend the task's
row is written in the caller's transaction: it exists exactly when the change that
caused it was committed. With any other backend (the tests' immediate one) the task is
enqueued once the transaction commits, so a rolled-back change sends nothing either.
The worker (`manage.py db_worker`) sends; a failure is retried MAIL_ATTEMPTS times with
a growing delay.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)
SUBJECT_PREFIX = "[Cnam La Réunion] "


def render_text(template: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping (the "text" engine)."""
    return render_to_string(template, context, using="text")


def queue_mail(subject: str, body: str, recipient: str) -> None:
    enqueue_with_the_change(send_queued_mail, " ".join(subject.split()), body, recipient, 1)


def enqueue_with_the_change(queued_task, *args) -> None:
    """Enqueue a task so that it exists exactly when the current change commits."""
    from django_tasks_db import DatabaseBackend

    if isinstance(queued_task.get_backend(), DatabaseBackend):
        queued_task.enqueue(*args)  # its row commits (or rolls back) with the change
    else:
        transaction.on_commit(partial(queued_task.enqueue, *args))


@task()
def send_queued_mail(subject: str, body: str, recipient: str, attempt: int) -> None:
    try:
        send_mail(subject, body, None, [recipient])
    except Exception:
        if attempt >= settings.MAIL_ATTEMPTS:
            logger.exception("E-mail abandonné après %d essais.", attempt)
            raise
        delay = dt.timedelta(minutes=settings.MAIL_RETRY_MINUTES * attempt)
        logger.warning("E-mail non envoyé (essai %d) : nouvel essai dans %s.", attempt, delay)
        send_queued_mail.using(run_after=timezone.now() + delay).enqueue(
            subject, body, recipient, attempt + 1
        )
        raise
