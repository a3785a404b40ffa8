"""Demo only: two past years (the brochure's year moved back 52 and 104 weeks,
"synthétique") with their learners, marks and decided juries, so that `make run` shows
the published results (R-ORG-5) on the catalogue's pages: on the demo's day (September
2016) the year before has not held its second session yet, so the results shown are
those of the year before it. Idempotent: nothing is added once a past year has decided
juries."""

from django.core.management.base import BaseCommand, CommandError

from assessment.models import Jury
from assessment.population import generate
from catalogue.models import AcademicYear

DEMO_LEARNERS = 200  # enough for every rate of the two programmes to pass the minimum


class Command(BaseCommand):
    help = "Démonstration : une année passée, ses notes et ses jurys, pour les résultats publiés."

    def handle(self, *args, **options):
        base = AcademicYear.objects.order_by("-code").first()
        if base is None:
            raise CommandError("Chargez d'abord le catalogue.")
        past = Jury.objects.filter(status=Jury.Status.DECIDED).exclude(session__year=base)
        if past.exists():
            self.stdout.write("Années passées déjà chargées.")
            return
        try:
            report = generate(
                DEMO_LEARNERS, years=3, seed=2016, log=lambda _: None, with_base_year=False
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.years} années passées : {report.dossiers} inscriptions, "
            f"{report.marks} notes, jurys rendus."
        )
