from django.core.management.base import BaseCommand

from parcours.worker import reclaim_lost_tasks


class Command(BaseCommand):
    help = (
        "Remet en file les tâches restées « en cours » sur un travailleur disparu (tué, sa "
        "machine arrêtée) : son battement a plus de PARCOURS_WORKER_DEAD_SECONDS secondes, "
        "ou, travailleur sans battement, la tâche tourne depuis plus de "
        "PARCOURS_TASK_RECLAIM_MINUTES minutes. `manage.py worker` le fait en démarrant ; "
        "sans risque si lancée deux fois ou à côté de travailleurs vivants."
    )

    def handle(self, *args, **options):
        count = reclaim_lost_tasks()
        self.stdout.write(f"{count} tâche(s) interrompue(s) remise(s) en file.")
