from django.apps import AppConfig


class AwardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "awards"
    verbose_name = "Acquis et diplômes"

    def ready(self):
        from awards import receivers  # noqa: F401 -- connects the ledger to its signals
