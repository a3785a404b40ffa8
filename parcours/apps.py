from django.apps import AppConfig


class ParcoursConfig(AppConfig):
    """The project's own app: its commands (backup, restore) and cross-cutting hooks."""

    name = "parcours"
    verbose_name = "Parcours"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from parcours.history import date_on_the_business_clock

        pre_create_historical_record.connect(
            date_on_the_business_clock, dispatch_uid="history-on-the-business-clock"
        )
