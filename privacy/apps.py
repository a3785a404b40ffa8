from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data protection (R-ORG-6): retention periods, anonymisation, subject access and
    erasure requests."""

    name = "privacy"
    verbose_name = "Protection des données"
    default_auto_field = "django.db.models.BigAutoField"
