"""Announce published results by e-mail (without any mark), to run daily."""

from django.core.management.base import BaseCommand
from django.db import transaction

from assessment.services import send_result_notices


class Command(BaseCommand):
    help = "Envoie l'avis « vos résultats sont disponibles » pour les jurys publiés ce jour."

    def handle(self, *args, **options):
        with transaction.atomic():
            sent = send_result_notices()
        self.stdout.write(f"{sent} avis de publication envoyé(s).")
