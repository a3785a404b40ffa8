"""Certificats de réalisation at the end of each semester (R-ORG-2), to run daily."""

from django.core.management.base import BaseCommand

from teaching.realisation import issue_semester_certificates


class Command(BaseCommand):
    help = (
        "R-ORG-2 : délivre, après la fin des cours d'un semestre, le certificat de "
        "réalisation des inscriptions dont le financeur le demande (une fois par semestre)."
    )

    def handle(self, *args, **options):
        issued = issue_semester_certificates()
        self.stdout.write(f"{issued} certificat(s) de réalisation délivré(s).")
