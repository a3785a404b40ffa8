"""The four kinds of users and what their group may do in the back-office.

Applicants/learners, reception staff (service accueil), teachers and the direction.
Groups and their permissions are (re)made after every migration, so a fresh database
and an upgraded one agree.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    group: str
    is_staff: bool  # may open the back-office (Django admin)
    permissions: tuple[str, ...]  # "app_label.codename"


CATALOGUE_MODELS = ("programme", "unit", "centre", "academicyear", "evaluationmode")


ADMISSIONS_VIEW = tuple(f"admissions.view_{m}" for m in ("dossier", "payment", "cancellation"))


def _perms(actions: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"catalogue.{a}_{m}" for m in CATALOGUE_MODELS for a in actions)


ROLES = {
    "learner": Role("Apprenant", is_staff=False, permissions=()),
    "teacher": Role("Enseignant", is_staff=False, permissions=()),
    # Reception reads the catalogue; the direction owns it (edits show in the history).
    # Both read dossiers in the back-office; they change them only through the
    # admissions pages (services), never the admin.
    "reception": Role(
        "Service accueil", is_staff=True, permissions=_perms(("view",)) + ADMISSIONS_VIEW
    ),
    "direction": Role(
        "Direction", is_staff=True, permissions=_perms(("view", "change")) + ADMISSIONS_VIEW
    ),
}


def ensure_role_groups(sender=None, **kwargs):
    """Create each role's group with exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    # Runs after each app's migration: the last run sees every app's permissions.
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.group)
        wanted = []
        for dotted in role.permissions:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
