"""Use cases that write accounts."""

import secrets

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import ROLES

DEMO_ACCOUNTS = (
    ("learner", "apprenant@demo.parcours.re", "Awa", "Payet"),
    ("reception", "accueil@demo.parcours.re", "Service", "Accueil"),
    ("teacher", "enseignant@demo.parcours.re", "Jean", "Hoarau"),
    ("direction", "direction@demo.parcours.re", "Marie", "Grondin"),
)


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str, str | None]]:
    """One account per role. Returns (role, e-mail, password) with the password only for
    accounts created now: an existing account keeps its password (idempotent)."""
    created = []
    for role_key, email, first_name, last_name in DEMO_ACCOUNTS:
        role = ROLES[role_key]
        user = User.objects.filter(email=email).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, is_staff=role.is_staff
            )
        group, _ = Group.objects.get_or_create(name=role.group)
        user.groups.add(group)
        created.append((role.group, email, password))
    return created
