from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """What a training organisation owes around the brochure, for the direction: the
    bilan pédagogique et financier (R-ORG-4) and the direction's dashboard."""

    name = "reports"
    verbose_name = "Bilans et tableau de bord"
    default_auto_field = "django.db.models.BigAutoField"
