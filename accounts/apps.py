from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from accounts.roles import ensure_role_groups

        # Groups need the permissions, which Django creates after migrating.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
