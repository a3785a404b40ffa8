from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalogue"
    verbose_name = "Catalogue des formations"

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from parcours.history import date_on_the_business_clock

        pre_create_historical_record.connect(
            date_on_the_business_clock, dispatch_uid="history-on-the-business-clock"
        )
