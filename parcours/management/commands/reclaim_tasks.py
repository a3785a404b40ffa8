import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Remet en file les tâches restées « en cours » plus de PARCOURS_TASK_RECLAIM_MINUTES "
        "minutes : leur travailleur a été tué en plein travail (django-tasks-db les laisse "
        "RUNNING). Lancée au démarrage du travailleur ; sans risque si lancée deux fois."
    )

    def handle(self, *args, **options):
        # Real time: a job's age is the system clock's, as the queue's own dates.
        limit = timezone.now() - dt.timedelta(minutes=settings.PARCOURS_TASK_RECLAIM_MINUTES)
        with transaction.atomic():
            stale = DBTaskResult.objects.select_for_update().filter(
                status=TaskResultStatus.RUNNING, started_at__lt=limit
            )
            count = stale.update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"{count} tâche(s) interrompue(s) remise(s) en file.")
