from django.apps import AppConfig


class ParcoursConfig(AppConfig):
    """The project's own app, for its management commands (backup, restore,
    reclaim_tasks) and its system checks (the signing certificate, parcours/pades.py)."""

    name = "parcours"
    verbose_name = "Parcours"

    def ready(self):
        from parcours import pades  # noqa: F401 -- registers its system check
