"""How long Parcours keeps each kind of personal data, and on what ground (R-ORG-6).

Each period with an end is a setting (environment variable in brackets), so that the
centre's data protection officer can set it without a code change; its source says
where the default comes from. `purge_documents` applies the first two every day.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RetentionRule:
    data: str
    setting: str  # the setting holding the period, in days; "" when there is no end
    after: str  # what starts the period
    what_happens: str
    source: str

    @property
    def days(self) -> int | None:
        return getattr(settings, self.setting) if self.setting else None

    @property
    def period(self) -> str:
        days = self.days
        if days is None:
            return "sans limite"
        if days % 365 == 0:
            years = days // 365
            return f"{years} an{'s' if years > 1 else ''}"
        return f"{days} jours"


RULES = [
    RetentionRule(
        data="Pièces des dossiers de candidats rétractés ou refusés",
        setting="PARCOURS_KEEP_WITHDRAWN_DAYS",
        after="la clôture du dossier",
        what_happens="les fichiers sont supprimés",
        source="CNIL, candidats non retenus : 2 ans au plus après le dernier contact "
        "(référentiel « recrutement », 2019)",
    ),
    RetentionRule(
        data="Identité et coordonnées des candidats rétractés ou refusés, et comptes "
        "ouverts sans dossier",
        setting="PARCOURS_ANONYMISE_APPLICANTS_DAYS",
        after="la clôture du dossier, ou la dernière connexion d'un compte sans dossier",
        what_happens="le dossier et le compte sont anonymisés ; les statistiques restent",
        source="CNIL, candidats non retenus : 2 ans au plus après le dernier contact "
        "(référentiel « recrutement », 2019)",
    ),
    RetentionRule(
        data="Paiements et remboursements",
        setting="PARCOURS_KEEP_ACCOUNTING_DAYS",
        after="la clôture de l'exercice",
        what_happens="conservés, même après anonymisation du dossier (montants, dates)",
        source="Code de commerce, art. L123-22 : pièces comptables 10 ans",
    ),
    RetentionRule(
        data="UE acquises, notes publiées, diplômes et documents délivrés",
        setting="",
        after="leur enregistrement",
        what_happens="conservés : ils prouvent des acquis capitalisés à vie",
        # R-EXA-4: a validated UE is capitalised for life (no rule id: learners read it).
        source="Brochure du Cnam : une UE validée est acquise définitivement ; "
        "l'établissement doit pouvoir attester un diplôme",
    ),
    RetentionRule(
        data="Feuilles d'émargement signées, activités à distance et certificats de réalisation",
        setting="",
        after="la fin de l'année du dernier paiement de la formation",
        what_happens="conservés au moins 3 ans ; pas de suppression automatique : "
        "ils prouvent aux financeurs que la formation a eu lieu",
        source="Modèle de certificat de réalisation (ministère du Travail) : pièces "
        "justificatives conservées 3 ans ; contrôle des financeurs (R6313-3)",
    ),
    RetentionRule(
        data="Copies de sauvegarde",
        setting="BACKUP_KEEP",
        after="la sauvegarde (une par nuit)",
        what_happens="les plus anciennes sont supprimées : une donnée effacée disparaît "
        "des sauvegardes après ce nombre de nuits",
        source="Sécurité des données (RGPD, art. 32) et limitation de la conservation",
    ),
]
