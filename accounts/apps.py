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

        from django.contrib.auth.signals import user_logged_in

        from parcours.middleware import remember_sign_in

        # A session's lifetime by role counts from here (parcours/middleware.py).
        user_logged_in.connect(remember_sign_in, dispatch_uid="parcours.remember_sign_in")
