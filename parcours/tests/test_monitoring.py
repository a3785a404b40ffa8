"""Errors to Sentry when SENTRY_DSN is set, without personal data (issue 15, item 5)."""

from __future__ import annotations

import pytest
import sentry_sdk
from django.urls import path
from sentry_sdk.transport import Transport

from parcours.access import public
from parcours.monitoring import init_sentry, scrub

SENT: list[dict] = []


class CapturingTransport(Transport):
    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                SENT.append(item.payload.json)


@public
def broken(request, token):
    raise RuntimeError("panne")


urlpatterns = [path("agenda/<str:token>.ics", broken)]


def test_an_error_reaches_sentry_without_personal_data(client, settings, db, monkeypatch):
    settings.ROOT_URLCONF = __name__
    SENT.clear()
    original = sentry_sdk.init
    monkeypatch.setattr(
        sentry_sdk, "init", lambda **options: original(transport=CapturingTransport, **options)
    )
    init_sentry("https://cle@sentry.example.invalid/1", "essai", "")
    try:
        client.raise_request_exception = False
        client.cookies["sessionid"] = "secret-de-session"
        response = client.get("/agenda/JETON-SECRET.ics?email=lea@example.re")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # no DSN: off again
    assert response.status_code == 500
    assert SENT, "the error was not sent"
    text = repr(SENT)
    assert "panne" in text
    for secret in ("JETON-SECRET", "lea@example.re", "secret-de-session", "127.0.0.1"):
        assert secret not in text
    assert SENT[0]["transaction"] == "/agenda/….ics"  # where, without the secret


def test_scrub_drops_what_identifies_a_person():
    event = {
        "request": {
            "url": "https://parcours.cnam.re/verifier/CP29-7KQ2-M4XD/?q=1",
            "query_string": "q=1",
            "cookies": {"sessionid": "x"},
            "headers": {"Cookie": "x"},
            "data": {"password": "x"},
            "env": {"REMOTE_ADDR": "10.0.0.1"},
        },
        "user": {"ip_address": "10.0.0.1"},
    }
    assert scrub(event) == {"request": {"url": "https://parcours.cnam.re/verifier/…/"}}


@pytest.fixture(autouse=True)
def no_sentry_left():
    yield
    sentry_sdk.init()
