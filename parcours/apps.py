from django.apps import AppConfig


class ParcoursConfig(AppConfig):
    """The project's own app, for its management commands (backup, restore,
    reclaim_tasks)."""

    name = "parcours"
    verbose_name = "Parcours"
