from django.core.management.base import BaseCommand, CommandError

from parcours import backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base (copie cohérente) et les pièces privées dans une archive "
        "horodatée avec son manifeste (lignes par table, empreinte de chaque fichier) ; "
        "garde les PARCOURS_BACKUP_KEEP plus récentes. Sans risque si lancée deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", help="dossier des archives (PARCOURS_BACKUP_DIR)")

    def handle(self, *args, **options):
        try:
            archive = backup.create_backup(options["dossier"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Sauvegarde impossible : {error.strerror or error}.") from None
        self.stdout.write(f"Archive écrite : {archive}")
