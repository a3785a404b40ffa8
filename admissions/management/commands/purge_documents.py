"""Apply the retention periods (R-ORG-6, privacy/retention.py), to run daily: the files
of withdrawn or refused applicants, then the applicants themselves (anonymised), and
upload leftovers of transactions that rolled back (files no row names)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from admissions.services import purge_documents
from parcours import clock, uploads
from privacy.services import anonymise_due_applicants


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation (R-ORG-6) : supprime les pièces des candidats "
        "rétractés ou refusés après PARCOURS_KEEP_WITHDRAWN_DAYS jours, anonymise ces "
        "candidats après PARCOURS_ANONYMISE_APPLICANTS_DAYS jours (les statistiques restent), "
        "retire les fichiers orphelins. Sans effet la seconde fois le même jour."
    )

    def handle(self, *args, **options):
        today = clock.today()
        removed = purge_documents(today, settings.PARCOURS_KEEP_WITHDRAWN_DAYS)
        report = anonymise_due_applicants(today)
        orphans = uploads.purge_orphans(dt.timedelta(days=1))
        self.stdout.write(
            f"{removed} pièce(s) de dossiers rétractés ou refusés supprimée(s) "
            f"(conservation : {settings.PARCOURS_KEEP_WITHDRAWN_DAYS} jours) ; "
            f"{report.dossiers} dossier(s) anonymisé(s), {report.accounts} compte(s) "
            f"anonymisé(s), {len(report.kept_accounts)} compte(s) conservé(s) "
            f"(conservation : {settings.PARCOURS_ANONYMISE_APPLICANTS_DAYS} jours) ; "
            f"{orphans} fichier(s) orphelin(s) supprimé(s)."
        )
