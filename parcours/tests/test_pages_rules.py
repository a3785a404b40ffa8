"""What every page keeps: French error pages, no-store for personal pages, sessions that
end, and no control characters let through (parcours/middleware.py, docs/security.md)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import path

from accounts.roles import ROLES
from parcours.middleware import SIGNED_IN_AT


def boom(request):
    raise RuntimeError("une erreur de programmation")


boom.access_rule = "anonymous"
urlpatterns = [path("boom/", boom)]


@pytest.fixture
def user_of(db, django_user_model):
    def make(role: str):
        user = django_user_model.objects.create_user(
            email=f"{role}@example.re", password="motdepasse-solide-42"
        )
        user.groups.add(Group.objects.get(name=ROLES[role].group))
        user.is_staff = ROLES[role].is_staff
        user.save()
        return user

    return make


@pytest.mark.django_db
def test_a_missing_page_is_a_french_dsfr_page(client, settings):
    settings.DEBUG = False
    response = client.get("/formations/INCONNUE/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and 'lang="fr"' in html and "fr-container" in html
    assert "Not Found" not in html


@pytest.mark.django_db
def test_a_refused_page_is_a_french_dsfr_page(client, user_of):
    client.force_login(user_of("learner"))
    response = client.get("/accueil/dossiers/")

    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_a_csrf_failure_is_a_french_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/compte/connexion/", {"username": "a@b.re", "password": "x"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Formulaire expiré" in html and "CSRF" not in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_a_french_page_that_needs_no_database():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur inattendue" in html and "Server Error" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/formations/CP%00/", "/planning/le-port/?annee=%00", "/verifier/?code=a%01b", "/%7f/"],
)
def test_control_characters_in_a_request_are_refused_in_french(client, catalogue, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "Demande incorrecte" in response.content.decode()


@pytest.mark.django_db
def test_a_posted_nul_is_refused_before_any_view(client, user_of):
    client.force_login(user_of("learner"))
    response = client.post("/preinscription/", {"year": "1\x00"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_pages_of_a_signed_in_user_are_never_stored(client, user_of, catalogue):
    public = client.get("/formations/CP29/")
    client.force_login(user_of("learner"))
    private = client.get("/espace/")

    assert "no-store" not in public.get("Cache-Control", "")
    assert "no-store" in private["Cache-Control"] and "private" in private["Cache-Control"]


def test_sessions_end_when_the_browser_closes(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.PARCOURS_STAFF_SESSION_SECONDS <= 10 * 3600


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "hours", "still_in"),
    [
        ("reception", 8, True),
        ("reception", 10, False),
        ("direction", 10, False),
        ("teacher", 10, False),
        ("learner", 10, True),
        ("learner", 13, False),
    ],
)
def test_a_session_lasts_its_roles_lifetime_from_sign_in(client, user_of, role, hours, still_in):
    client.force_login(user_of(role))
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - hours * 3600
    session.save()

    response = client.get("/espace/" if role == "learner" else "/accueil/dossiers/")

    if still_in:
        assert response.status_code in {200, 403}
    else:
        assert response.status_code == 302 and "/compte/connexion/" in response.url
