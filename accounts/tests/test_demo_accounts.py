"""`make run` creates one demo account per role, once."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.roles import ROLES


def run() -> str:
    out = io.StringIO()
    call_command("load_demo_accounts", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_one_account_per_role_and_prints_each_password_once():
    first = run()
    second = run()

    assert User.objects.count() == len(ROLES)
    for role in ROLES.values():
        assert User.objects.filter(groups__name=role.group).count() == 1
    assert first.count("mot de passe :") == len(ROLES)
    assert "mot de passe :" not in second
    assert second.count("existe déjà") == len(ROLES)


@pytest.mark.django_db
def test_demo_passwords_are_hashed_with_argon2_and_work():
    output = run()
    line = next(line for line in output.splitlines() if "direction@" in line)
    password = line.split("mot de passe : ")[1].strip()

    user = User.objects.get(email="direction@demo.parcours.re")
    assert user.password.startswith("argon2")
    assert user.check_password(password)
    assert user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_reception_reads_the_catalogue_and_the_direction_may_change_it():
    run()
    reception = User.objects.get(email="accueil@demo.parcours.re")
    direction = User.objects.get(email="direction@demo.parcours.re")
    learner = User.objects.get(email="apprenant@demo.parcours.re")

    assert reception.has_perm("catalogue.view_unit")
    assert not reception.has_perm("catalogue.change_unit")
    assert direction.has_perm("catalogue.change_unit")
    assert not direction.has_perm("catalogue.delete_unit")
    assert not learner.is_staff and not learner.has_perm("catalogue.view_unit")
    assert learner.has_role("learner") and not learner.has_role("direction")


@pytest.mark.django_db
def test_the_admin_shows_the_catalogue_history_to_the_direction(client, catalogue):
    run()
    client.force_login(User.objects.get(email="direction@demo.parcours.re"))

    listing = client.get("/admin/catalogue/unit/")
    unit_id = listing.context["cl"].result_list[0].pk
    history = client.get(f"/admin/catalogue/unit/{unit_id}/history/")

    assert listing.status_code == 200
    assert (
        "unités d’enseignement" in listing.content.decode()
        or "unités d&#x27;enseignement" in listing.content.decode()
    )
    assert history.status_code == 200
