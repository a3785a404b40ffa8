"""Password reset: the same answer for any address; links on the site's origin."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from accounts.tests.helpers import PASSWORD, SITE_URL, link_path, login_post, page_text

pytestmark = pytest.mark.django_db

EMAIL = "awa.payet@exemple.re"
NEW_PASSWORD = "Cari-de-palmiste-2024"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.PARCOURS_SITE_URL = SITE_URL


@pytest.fixture
def user():
    return User.objects.create_user(EMAIL, PASSWORD)


def ask_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)


@pytest.mark.usefixtures("user")
def test_known_unknown_and_unconfirmed_addresses_get_the_same_answer(client, mailoutbox):
    User.objects.create_user("en-attente@exemple.re", PASSWORD, is_active=False)

    answers = [
        ask_reset(client, email)
        for email in ("Awa.Payet@Exemple.re", "inconnu@exemple.re", "en-attente@exemple.re")
    ]

    assert {tuple(a.redirect_chain) for a in answers} == {
        ((reverse("accounts:password_reset_done"), 302),)
    }
    assert len({page_text(a) for a in answers}) == 1
    assert "Consultez votre messagerie" in page_text(answers[0])
    assert [m.to for m in mailoutbox] == [[EMAIL]]
    assert mailoutbox[0].subject == "Parcours : réinitialisation de votre mot de passe"


def test_the_whole_reset_flow(client, user, mailoutbox):
    ask_reset(client, EMAIL)
    path = link_path(mailoutbox[0], "mot-de-passe/nouveau")

    form_page = client.get(path, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    assert "Choisir un nouveau mot de passe" in page_text(form_page)
    assert 'autocomplete="new-password"' in page_text(form_page)
    done = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    assert "Mot de passe modifié" in page_text(done)
    assert SESSION_KEY not in client.session
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "Lien invalide ou expiré" in page_text(client.get(path, follow=True))
    assert login_post(client, EMAIL, PASSWORD).status_code == 200
    assert login_post(client, EMAIL, NEW_PASSWORD).status_code == 302


def test_a_weak_new_password_is_refused_in_french_naming_the_field(client, user, mailoutbox):
    ask_reset(client, EMAIL)
    form_page = client.get(link_path(mailoutbox[0], "mot-de-passe/nouveau"), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"}
    )

    html = page_text(response)
    assert "Nouveau mot de passe</a> : Ce mot de passe est trop court." in html
    assert 'aria-describedby="id_new_password1-error"' in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_resetting_the_password_lifts_the_lockout(client, user, mailoutbox):
    for _ in range(5):
        login_post(client, EMAIL, "Mauvais-mot-de-passe")
    assert login_post(client, EMAIL, PASSWORD).status_code == 429

    ask_reset(client, EMAIL)
    form_page = client.get(link_path(mailoutbox[0], "mot-de-passe/nouveau"), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert login_post(client, EMAIL, NEW_PASSWORD).status_code == 302
