"""Demo only: the demo teacher takes the groups of the regional centre that have no
teacher yet, and the year's exam sessions are created, so that `make run` shows
attendance sheets and marks entry at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessment.services import ensure_exam_sessions
from catalogue.models import AcademicYear
from teaching.models import TeachingGroup

DEMO_TEACHER = "enseignant@demo.parcours.re"


class Command(BaseCommand):
    help = "Démonstration : confie au compte enseignant les groupes sans enseignant du Port."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True)
        parser.add_argument("--centre", default="LE-PORT")

    def handle(self, *args, year, centre, **options):
        teacher = get_user_model().objects.filter(email=DEMO_TEACHER).first()
        year_row = AcademicYear.objects.filter(code=year).first()
        if teacher is None or year_row is None:
            raise CommandError("Chargez d'abord le catalogue et les comptes de démonstration.")
        free = list(
            TeachingGroup.objects.filter(year=year_row, centre__code=centre, teachers__isnull=True)
        )
        for group in free:
            group.teachers.add(teacher)
        sessions = ensure_exam_sessions(year_row)
        self.stdout.write(
            f"{len(free)} groupe(s) confié(s) à {DEMO_TEACHER} ; "
            f"{len(sessions)} sessions d'examens."
        )
