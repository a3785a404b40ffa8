import os
import tarfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parcours import backup


class Command(BaseCommand):
    help = (
        "Restaure une archive de `backup` dans une base et un dossier vides, puis vérifie "
        "le nombre de lignes de chaque table et l'empreinte de chaque fichier."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--base", help="DATABASE_URL de la base vide (par défaut : celle du réglage)"
        )
        parser.add_argument(
            "--fichiers", help="dossier vide des pièces (par défaut : PRIVATE_MEDIA_ROOT)"
        )

    def handle(self, *args, **options):
        url = options["base"] or os.environ.get("DATABASE_URL")
        if not url:
            name = settings.DATABASES["default"]["NAME"]
            url = f"sqlite:///{name}"
        try:
            restored = backup.restore(
                options["archive"], url, options["fichiers"] or settings.PRIVATE_MEDIA_ROOT
            )
        except (backup.BackupError, OSError, KeyError, ValueError, tarfile.TarError) as error:
            # A missing or truncated archive, a manifest without a key: said, not a trace.
            raise CommandError(f"Restauration refusée : {error}") from None
        self.stdout.write(
            f"Restauré et vérifié : {restored.tables} tables, {restored.rows} lignes, "
            f"{restored.files} fichiers."
        )
