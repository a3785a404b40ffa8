import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from parcours.worker import Heartbeat, reclaim_lost_tasks


class Command(DatabaseWorker):
    help = (
        "Le travailleur des tâches (e-mails, plannings, lots de PDF, registre des acquis) : "
        "le db_worker de django-tasks-db, avec un battement toutes les "
        "PARCOURS_WORKER_BEAT_SECONDS secondes que lit /sante/. Au démarrage, remet en file "
        "les tâches qu'un travailleur disparu a laissées « en cours ». Plusieurs travailleurs "
        "peuvent tourner ensemble ; chacun prend une tâche à la fois."
    )

    def handle(self, *args, reload: bool, batch: bool, worker_id: str, **options):
        # Under the autoreloader (DEBUG) the parent only watches files; its child works.
        working = not (reload and not batch) or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        if not working:
            return super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        reclaimed = reclaim_lost_tasks()
        if reclaimed and options.get("verbosity", 1):
            self.stdout.write(f"{reclaimed} tâche(s) interrompue(s) remise(s) en file.")
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        try:
            return super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()
