"""The ledger follows admissions and assessment through their signals (they do not
import awards: issue 19, item 7)."""

from django.dispatch import receiver

from admissions.signals import registration_validated
from assessment.signals import jury_dates_changed, jury_marks_changed
from awards import services


@receiver(jury_marks_changed, dispatch_uid="awards.sync_jury_credits")
def _sync(sender, jury, **kwargs):
    services.sync_jury_credits(jury)  # R-EXA-4: the UEs validated enter the ledger


@receiver(jury_dates_changed, dispatch_uid="awards.refresh_jury_credits")
def _refresh(sender, jury, **kwargs):
    services.refresh_jury_credits(jury)  # R-EXA-5: visible from the publication day


@receiver(registration_validated, dispatch_uid="awards.open_from_registration")
def _open_validation(sender, dossier, by, **kwargs):
    if dossier.validation:  # a VAE, VAP85 or VES: its application opens (R-FEE-4)
        services.open_from_registration(dossier, by)
