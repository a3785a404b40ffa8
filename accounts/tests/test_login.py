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


# --- behind the TLS proxy (ASVS 6.3.1) ------------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    from parcours.proxy import client_address_settings

    for name, value in client_address_settings(True).items():
        setattr(settings, name, value)


def from_address(client, email, password, address, forged=""):
    forwarded = f"{forged}, {address}" if forged else address
    return login_post(
        client, email, password, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
    )


@pytest.mark.usefixtures("behind_proxy")
def test_behind_the_proxy_an_attacker_cannot_lock_the_direction_out(client, user):
    for _ in range(6):
        from_address(client, EMAIL, "Mauvais-mot-de-passe", "203.0.113.66")

    # The proxy's address is everyone's REMOTE_ADDR: the lockout is the attacker's only.
    assert from_address(client, EMAIL, PASSWORD, "198.51.100.7").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


@pytest.mark.usefixtures("behind_proxy")
def test_behind_the_proxy_a_forged_forwarded_for_does_not_escape_the_lockout(client, user):
    answers = [
        from_address(client, EMAIL, "Mauvais-mot-de-passe", "203.0.113.66", forged=f"10.0.0.{n}")
        for n in range(6)
    ]

    assert [a.status_code for a in answers] == [200] * 4 + [429, 429]


@pytest.mark.usefixtures("behind_proxy")
def test_behind_the_proxy_one_address_spraying_many_accounts_is_stopped(client, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    User.objects.create_user("cible@exemple.re", PASSWORD)
    answers = [
        from_address(client, f"compte-{n}@exemple.re", "Mauvais-mot-de-passe", "203.0.113.66")
        for n in range(8)
    ]
    # Right password, other account: refused from that address, accepted from another.
    sprayer = from_address(client, "cible@exemple.re", PASSWORD, "203.0.113.66")
    other = from_address(client, "cible@exemple.re", PASSWORD, "198.51.100.7")

    assert [a.status_code for a in answers] == [200] * 7 + [429]
    assert sprayer.status_code == 429
    assert other.status_code == 302


def test_without_the_proxy_a_forwarded_for_header_is_ignored(client, user):
    for n in range(5):
        from_address(client, EMAIL, "Mauvais-mot-de-passe", f"203.0.113.{n}")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert from_address(client, EMAIL, PASSWORD, "198.51.100.7").status_code == 429


def test_an_overlong_username_fails_in_french_and_still_counts(client):
    """10 000 characters typed as the e-mail: a French error, never a 500 (PostgreSQL
    refused axes' 255-character column), and the failures still lock the pair."""
    long_name = "a" * 10_000 + "@exemple.re"
    responses = fail(client, long_name, 5)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get().username == long_name[:254]
