from django.core.management.base import BaseCommand

from accounts.services import create_demo_accounts


class Command(BaseCommand):
    help = "Crée un compte de démonstration par rôle (mot de passe affiché une seule fois)."

    def handle(self, *args, **options):
        for group, email, password in create_demo_accounts():
            if password:
                self.stdout.write(f"  {group:<16} {email:<32} mot de passe : {password}")
            else:
                self.stdout.write(f"  {group:<16} {email:<32} (existe déjà, mot de passe inchangé)")
