from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue.services import load_catalogue_folder
from rules.data_reader import DataError


class Command(BaseCommand):
    help = (
        "Charge le catalogue (formations, UE, centres, années) depuis un dossier de fichiers "
        "TOML. Tout est vérifié avant d'écrire ; le chargement est tout ou rien (R-CAT-6)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder",
            nargs="?",
            default=str(settings.PARCOURS_DATA_DIR),
            help="dossier contenant programmes/, units/, centres.toml et years/",
        )

    def handle(self, *args, folder, **options):
        try:
            report = load_catalogue_folder(Path(folder))
        except DataError as error:
            lines = [f"  - {problem}" for problem in error.problems]
            raise CommandError(
                f"Catalogue non chargé : {len(error.problems)} problème(s) dans {folder}, "
                "la base n'a pas été modifiée.\n" + "\n".join(lines)
            ) from None
        self.stdout.write(f"Catalogue chargé depuis {folder}")
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if not report.changed:
            self.stdout.write("  Aucun changement.")
