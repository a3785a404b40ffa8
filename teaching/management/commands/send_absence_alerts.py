"""Absence alerts (R-EXA-3, R-CAL-4), to run daily."""

from django.conf import settings
from django.core.management.base import BaseCommand

from teaching.alerts import send_absence_alerts


class Command(BaseCommand):
    help = (
        "R-EXA-3, R-CAL-4 : prévient chaque apprenant dont le droit de passer l'examen d'une "
        "UE est menacé ou perdu ce semestre (une fois par niveau), et l'employeur d'un "
        "alternant sans journée au centre la semaine passée si le contrat le prévoit."
    )

    def handle(self, *args, **options):
        sent = send_absence_alerts(base_url=settings.PARCOURS_SITE_URL)
        self.stdout.write(f"{sent} alerte(s) d'absence envoyée(s).")
