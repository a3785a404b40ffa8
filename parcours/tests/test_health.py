"""/sante/ (issue 15, item 5): the database and the worker's queue, counts only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _job(**values):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="parcours.mail.send_queued_mail",
        backend_name="default",
        run_after=values.pop("run_after", timezone.now()),
        **values,
    )


@pytest.fixture(autouse=True)
def a_live_worker():
    from parcours.worker import beat

    beat("travailleur", timezone.now())


def test_a_healthy_service_answers_200_with_counts_only(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    body = response.json()
    assert body["statut"] == "ok" and body["base_de_donnees"] == "ok"
    assert body["travaux"] == {"en_attente": 0, "en_retard": 0, "en_cours": 0, "en_echec_24h": 0}
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_job_waiting_past_the_lag_means_no_worker_takes_jobs(client, settings):
    settings.HEALTH_WORKER_LAG_SECONDS = 60
    _job(run_after=timezone.now() - dt.timedelta(seconds=30))  # due, within the lag
    assert client.get("/sante/").status_code == 200
    _job(run_after=timezone.now() - dt.timedelta(minutes=5))
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["travailleur"] == "en retard"
    assert response.json()["travaux"]["en_attente"] == 2


def test_the_access_log_keeps_no_secret_nor_address():
    from parcours.access_log import redacted

    assert redacted("/agenda/abcDEF123-xyz.ics") == "/agenda/….ics"
    assert redacted("/compte/confirmer/MQ/abc-123/") == "/compte/confirmer/…/"
    assert redacted("/compte/mot-de-passe/nouveau/MQ/set-password/") == (
        "/compte/mot-de-passe/nouveau/…/"
    )
    assert redacted("/verifier/CP29-7KQ2-M4XD/") == "/verifier/…/"
    assert redacted("/formations/CPN42/") == "/formations/CPN42/"
