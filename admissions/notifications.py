"""E-mails to the applicant about their dossier, queued with the change (a rolled-back
change sends nothing, a crash after the commit loses none: parcours/mail.py). They
carry no mark and no personal detail beyond what the applicant wrote; the dossier
itself is read in the personal space."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from parcours.mail import SUBJECT_PREFIX, queue_mail, render_text


def _send(dossier, subject: str, template: str, **context) -> None:
    context |= {
        "dossier": dossier,
        "space_url": settings.PARCOURS_SITE_URL + reverse("admissions:space"),
    }
    body = render_text(f"admissions/emails/{template}.txt", context)
    queue_mail(SUBJECT_PREFIX + subject, body, dossier.learner.email)


def deposited(dossier) -> None:
    _send(dossier, f"Dossier {dossier.reference} déposé", "deposited")


def incomplete(dossier, missing: list[str]) -> None:
    _send(dossier, f"Dossier {dossier.reference} incomplet", "incomplete", missing=missing)


def validated(dossier) -> None:
    _send(dossier, "Votre inscription est définitive", "validated")


def refused(dossier) -> None:
    _send(dossier, f"Dossier {dossier.reference} refusé", "refused")


def ended(dossier, cancellation) -> None:
    subject = f"{cancellation.get_kind_display()} enregistrée — dossier {dossier.reference}"
    _send(dossier, subject, "ended", cancellation=cancellation)
