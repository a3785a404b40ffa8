"""E-mails to the applicant about their dossier, sent once the transaction commits
(a rolled-back change sends nothing). They carry no mark and no personal detail beyond
what the applicant wrote; the dossier itself is read in the personal space."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse


def _send(dossier, subject: str, template: str, **context) -> None:
    context |= {
        "dossier": dossier,
        "space_url": settings.PARCOURS_SITE_URL + reverse("admissions:space"),
    }
    body = render_to_string(f"admissions/emails/{template}.txt", context)
    recipient = dossier.learner.email
    transaction.on_commit(
        lambda: send_mail(f"[Cnam La Réunion] {subject}", body, None, [recipient])
    )


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
