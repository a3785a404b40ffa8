"""E-mails of assessment, sent once the transaction commits. They never carry a mark
(R-EXA-5: no result by phone or e-mail), only where to read it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse


def results_available(email: str, jury) -> None:
    body = render_to_string(
        "assessment/emails/results_available.txt",
        {"jury": jury, "url": settings.PARCOURS_SITE_URL + reverse("assessment:mine")},
    )
    transaction.on_commit(
        lambda: send_mail("[Cnam La Réunion] Vos résultats sont disponibles", body, None, [email])
    )
