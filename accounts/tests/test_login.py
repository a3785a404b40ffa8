"""Login: one answer for every failure, and a lockout that looks the same for all."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from accounts.tests.helpers import PASSWORD, login_post, page_text

pytestmark = pytest.mark.django_db

EMAIL = "awa.payet@exemple.re"


@pytest.fixture
def user():
    return User.objects.create_user(EMAIL, PASSWORD)


def fail(client, email, times):
    return [login_post(client, email, "Mauvais-mot-de-passe") for _ in range(times)]


def test_the_login_page_leads_to_sign_up_and_password_reset(client):
    html = page_text(client.get(reverse("accounts:login")))

    assert f'href="{reverse("accounts:signup")}"' in html
    assert f'href="{reverse("accounts:password_reset")}"' in html
    assert 'autocomplete="current-password"' in html


def test_a_correct_login_signs_in_whatever_the_case_of_the_address(client, user):
    response = login_post(client, "Awa.Payet@EXEMPLE.re", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_unknown_address_wrong_password_and_unconfirmed_account_get_the_same_answer(client, user):
    User.objects.create_user("en-attente@exemple.re", PASSWORD, is_active=False)

    answers = [
        login_post(client, "inconnu@exemple.re", PASSWORD),
        login_post(client, EMAIL, "Mauvais-mot-de-passe"),
        login_post(client, "en-attente@exemple.re", PASSWORD),  # right password
    ]

    texts = {
        page_text(a).replace(a.context["form"]["username"].value(), "ADRESSE") for a in answers
    }
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len(texts) == 1
    text = texts.pop()
    assert "Adresse électronique ou mot de passe incorrect." in text
    assert 'aria-describedby="login-error"' in text
    assert "inactif" not in text and "confirm" not in text.split("<main")[1].lower()
    assert SESSION_KEY not in client.session


@pytest.mark.usefixtures("user")
def test_five_failures_lock_out_a_known_and_an_unknown_address_alike(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    known = fail(client, EMAIL, 5)
    unknown = fail(client, "inconnu@exemple.re", 5)

    assert [r.status_code for r in known[:4]] == [200] * 4
    assert [r.status_code for r in unknown[:4]] == [200] * 4
    assert known[4].status_code == unknown[4].status_code == 429
    assert page_text(known[4]) == page_text(unknown[4])
    html = page_text(known[4])
    assert "Trop de tentatives" in html
    assert "réessayez dans 15 minutes ou réinitialisez votre mot de passe" in html
    assert f'href="{reverse("accounts:password_reset")}"' in html
    assert EMAIL not in html


def test_a_locked_out_address_is_refused_even_with_the_right_password(client, user):
    fail(client, EMAIL, 5)

    response = login_post(client, EMAIL, PASSWORD)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_counts_an_address_whatever_its_case(client, user):
    fail(client, EMAIL, 4)

    response = login_post(client, EMAIL.upper(), "Mauvais-mot-de-passe")

    assert response.status_code == 429


def test_the_lockout_is_per_address_and_client_address(client, user):
    fail(client, EMAIL, 5)

    elsewhere = login_post(client, EMAIL, PASSWORD, REMOTE_ADDR="203.0.113.9")

    assert elsewhere.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, user):
    fail(client, EMAIL, 4)
    assert login_post(client, EMAIL, PASSWORD).status_code == 302
    client.logout()

    after = fail(client, EMAIL, 4)

    assert [r.status_code for r in after] == [200] * 4
    assert login_post(client, EMAIL, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=EMAIL, failures_since_start__gt=0).exists()


def test_failures_on_one_address_do_not_lock_another(client, user):
    fail(client, "inconnu@exemple.re", 5)

    response = login_post(client, EMAIL, PASSWORD)

    assert response.status_code == 302


def test_the_back_office_login_is_locked_out_too(client):
    User.objects.create_user("direction@exemple.re", PASSWORD, is_staff=True)
    admin_login = reverse("admin:login")

    answers = [
        client.post(admin_login, {"username": "Direction@Exemple.re", "password": "Mauvais-1"})
        for _ in range(5)
    ]
    right = client.post(admin_login, {"username": "direction@exemple.re", "password": PASSWORD})

    assert [a.status_code for a in answers] == [200] * 4 + [429]
    assert right.status_code == 429
    assert SESSION_KEY not in client.session
