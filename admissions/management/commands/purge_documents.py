"""Remove personal documents no longer needed (security guide, RGPD), to run daily:
the files of withdrawn applicants after the keeping period, and upload leftovers of
transactions that rolled back (files no row names)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from admissions.services import purge_documents
from parcours import clock, uploads


class Command(BaseCommand):
    help = "Supprime les pièces des candidats rétractés après la durée de conservation."

    def handle(self, *args, **options):
        removed = purge_documents(clock.today(), settings.PARCOURS_KEEP_WITHDRAWN_DAYS)
        orphans = uploads.purge_orphans(dt.timedelta(days=1))
        self.stdout.write(
            f"{removed} pièce(s) de dossiers rétractés supprimée(s) "
            f"(conservation : {settings.PARCOURS_KEEP_WITHDRAWN_DAYS} jours) ; "
            f"{orphans} fichier(s) orphelin(s) supprimé(s)."
        )
