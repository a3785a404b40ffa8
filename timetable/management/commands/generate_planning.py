from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalogue.models import AcademicYear, Centre
from rules.data_reader import DataError
from teaching.services import ensure_groups
from timetable import services
from timetable.models import Planning


class Command(BaseCommand):
    help = (
        "Génère le planning des cours d'une année pour chaque centre décrit dans "
        "data/planning.toml (R-CAL-1..3), et le publie sur demande."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="année, ex. 2016-2017")
        parser.add_argument("--centre", action="append", help="code du centre (tous sinon)")
        parser.add_argument("--time-limit", type=float, help="secondes par centre")
        parser.add_argument("--publish", action="store_true", help="publier après génération")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="ne pas toucher aux centres qui ont déjà un planning (make run)",
        )

    def handle(self, *args, year, centre, time_limit, publish, if_missing, **options):
        try:
            year_row = AcademicYear.objects.get(code=year)
        except AcademicYear.DoesNotExist as error:
            raise CommandError(f"Année « {year} » inconnue : chargez le catalogue.") from error
        try:
            setup = services.planning_setup()
        except DataError as error:
            lines = "\n".join(f"  - {p}" for p in error.problems)
            raise CommandError(f"planning.toml non valable :\n{lines}") from error
        codes = centre or [c.code for c in setup.centres]
        for code in codes:
            try:
                centre_row = Centre.objects.get(code=code)
            except Centre.DoesNotExist as error:
                raise CommandError(f"Centre « {code} » inconnu.") from error
            if if_missing and Planning.objects.filter(year=year_row, centre=centre_row).exists():
                self.stdout.write(f"{code} : planning déjà présent, laissé tel quel.")
                continue
            try:
                done = services.generate(year_row, centre_row, setup, time_limit)
                if publish:
                    services.publish(done.planning)
                    ensure_groups(year_row)
            except ValidationError as error:
                raise CommandError(f"{code} : " + " ".join(error.messages)) from error
            costs = ", ".join(f"{k} {v}" for k, v in done.planning.soft_costs.items())
            self.stdout.write(
                f"{code} : {done.sessions} séances en {done.seconds:.1f} s "
                f"({done.planning.solver_status} ; coûts souples : {costs})"
                + (" ; publié" if publish else "")
            )
