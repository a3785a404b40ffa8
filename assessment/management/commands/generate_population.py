"""A synthetic population for the benchmarks (bench/assessment_bulk.py, and the award
benchmark later): reproducible from --seed."""

from django.core.management.base import BaseCommand, CommandError

from assessment.population import generate


class Command(BaseCommand):
    help = (
        "Crée une population synthétique (apprenants sur plusieurs années, inscriptions, "
        "présences, notes des deux sessions, jurys) pour les mesures de performance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=1000)
        parser.add_argument("--years", type=int, default=6)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, learners, years, seed, **options):
        if learners < 1 or years < 1:
            raise CommandError("--learners et --years doivent être au moins 1.")
        try:
            report = generate(learners, years, seed, log=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.learners} apprenants sur {report.years} années : {report.dossiers} "
            f"dossiers, {report.registrations} inscriptions à des UE, {report.attendances} "
            f"présences, {report.marks} notes, en {report.seconds:.1f} s."
        )
