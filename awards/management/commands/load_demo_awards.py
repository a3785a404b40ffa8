"""Demo only: the demo learner has five CP29 UEs earned in another regional centre, so
that `make run` shows a path to the diploma with what remains. Idempotent."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from awards.models import Credit
from catalogue.models import Unit

DEMO_LEARNER = "apprenant@demo.parcours.re"
DEMO_RECEPTION = "accueil@demo.parcours.re"
EARNED = ("TET003", "AST004", "CCE001", "TRS001", "TET007")
EARNED_ON = dt.date(2016, 6, 30)


class Command(BaseCommand):
    help = "Démonstration : cinq UE du CP29 acquises dans un autre centre pour l'apprenant."

    def handle(self, *args, **options):
        users = get_user_model().objects
        learner = users.filter(email=DEMO_LEARNER).first()
        reception = users.filter(email=DEMO_RECEPTION).first()
        units = list(Unit.objects.filter(code__in=EARNED))
        if learner is None or reception is None or len(units) != len(EARNED):
            raise CommandError("Chargez d'abord le catalogue et les comptes de démonstration.")
        written = 0
        for unit in units:
            _, created = Credit.objects.get_or_create(
                learner=learner,
                unit=unit,
                defaults={
                    "way": Credit.Way.OTHER_CENTRE,
                    "earned_on": EARNED_ON,
                    "published_on": EARNED_ON,
                    "justification": "Démonstration : attestation de réussite d'un autre "
                    "centre régional (R-REG-2, pièce 8).",
                    "recorded_by": reception,
                },
            )
            written += created
        self.stdout.write(f"{written} UE acquise(s) ajoutée(s) pour {DEMO_LEARNER}.")
