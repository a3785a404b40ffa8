"""E-mails of assessment, queued with the change (parcours/mail.py). They never carry a mark
(R-EXA-5: no result by phone or e-mail), only where to read it."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from parcours.mail import SUBJECT_PREFIX, queue_mail, render_text


def results_available(email: str, jury) -> None:
    body = render_text(
        "assessment/emails/results_available.txt",
        {"jury": jury, "url": settings.PARCOURS_SITE_URL + reverse("assessment:mine")},
    )
    queue_mail(SUBJECT_PREFIX + "Vos résultats sont disponibles", body, email)
