"""Sign-up with e-mail confirmation (issue "Admissions", point 1)."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.tests.helpers import PASSWORD, SITE_URL, link_path, page_text, sign_up
from accounts.tokens import EmailConfirmationTokenGenerator

pytestmark = pytest.mark.django_db

EMAIL = "awa.payet@exemple.re"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.PARCOURS_SITE_URL = SITE_URL + "/"


@pytest.fixture
def signed_up(client, mailoutbox, django_capture_on_commit_callbacks):
    """A new applicant has signed up; returns the confirmation link's path."""
    sign_up(client, django_capture_on_commit_callbacks, EMAIL)
    return link_path(mailoutbox[-1], "confirmer")


def test_sign_up_makes_one_inactive_account_and_mails_a_confirmation_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks, "Awa.Payet@Exemple.RE")

    user = User.objects.get()
    assert user.email == EMAIL  # lower case
    assert not user.is_active and user.awaiting_confirmation
    assert user.check_password(PASSWORD) and user.password.startswith("argon2")
    assert not user.groups.exists()
    assert response.redirect_chain == [(reverse("accounts:signup_done"), 302)]
    assert "Consultez votre messagerie" in page_text(response)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [EMAIL]
    assert mail.subject == "Parcours : confirmez votre adresse électronique"
    assert link_path(mail, "confirmer").startswith("/compte/confirmer/")
    assert SESSION_KEY not in client.session


def test_opening_the_link_shows_a_button_and_writes_nothing(client, signed_up):
    response = client.get(signed_up)

    user = User.objects.get()
    assert response.status_code == 200
    html = page_text(response)
    assert "Confirmer mon adresse</button>" in html
    assert EMAIL in html
    assert 'autocomplete="current-password"' in html
    assert not user.is_active and user.awaiting_confirmation and not user.groups.exists()
    assert user.last_login is None
    assert SESSION_KEY not in client.session


@pytest.mark.urls("accounts.tests.urls_with_space")
def test_confirming_activates_joins_the_learners_and_opens_the_learner_space(client, signed_up):
    response = client.post(signed_up, {"password": PASSWORD})

    user = User.objects.get()
    assert user.is_active and not user.awaiting_confirmation
    assert user.has_role("learner")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert response.status_code == 302
    assert response.url == "/espace/"


@pytest.mark.urls("accounts.tests.urls_without_space")
def test_without_the_learner_space_confirming_leads_to_the_default_page(
    client, signed_up, settings
):
    settings.LOGIN_REDIRECT_URL = "catalogue:home"  # a site without the admissions app
    response = client.post(signed_up, {"password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Votre adresse est confirmée et votre compte est activé."
    ]
    assert User.objects.get().is_active


def test_with_the_real_urls_confirming_opens_a_page_that_greets_the_learner(client, signed_up):
    response = client.post(signed_up, {"password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert "Votre adresse est confirmée et votre compte est activé." in page_text(response)


def test_confirming_asks_for_the_sign_up_password(client, signed_up):
    response = client.post(signed_up, {"password": "Pas-le-bon-mot-de-passe"})

    user = User.objects.get()
    html = page_text(response)
    assert response.status_code == 200
    assert "Ce mot de passe n'est pas celui choisi lors de l'inscription." in html
    assert 'aria-describedby="id_password-error"' in html
    assert not user.is_active and not user.groups.exists()
    assert SESSION_KEY not in client.session


def test_a_used_link_only_leads_to_the_login_page(client, signed_up):
    client.post(signed_up, {"password": PASSWORD})
    client.logout()

    again = client.get(signed_up, follow=True)
    posted_again = client.post(signed_up, {"password": PASSWORD})

    assert again.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "Votre adresse est déjà confirmée" in page_text(again)
    assert posted_again.status_code == 302 and posted_again.url == reverse("accounts:login")
    assert SESSION_KEY not in client.session
    assert User.objects.get().groups.count() == 1


def test_an_expired_link_is_refused(client, signed_up, monkeypatch):
    later = dt.datetime.now() + dt.timedelta(days=1, minutes=1)
    monkeypatch.setattr(EmailConfirmationTokenGenerator, "_now", lambda self: later)

    shown = client.get(signed_up)
    posted = client.post(signed_up, {"password": PASSWORD})

    for response in (shown, posted):
        assert response.status_code == 200
        assert "Lien invalide ou expiré" in page_text(response)
        assert f'href="{reverse("accounts:signup")}"' in page_text(response)
    assert not User.objects.get().is_active


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path[:-2] + ("a" if path[-2] != "a" else "b") + "/",  # token
        lambda path: path.replace("/confirmer/", "/confirmer/Zm9v"),  # uid
        lambda path: "/compte/confirmer/MTIzNDU2/abc-def/",  # no such user
    ],
)
def test_a_tampered_link_is_refused(client, signed_up, tamper):
    response = client.post(tamper(signed_up), {"password": PASSWORD})

    assert response.status_code == 200
    assert "Lien invalide ou expiré" in page_text(response)
    assert not User.objects.get().is_active


def test_a_confirmation_link_is_not_a_password_reset_link(client, signed_up):
    uid, token = signed_up.strip("/").split("/")[-2:]
    User.objects.update(is_active=True)  # even once the account is active

    response = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
        follow=True,
    )

    assert "Lien invalide ou expiré" in page_text(response)


def test_a_known_address_gets_an_account_exists_mail_and_the_very_same_page(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    known = User.objects.create_user("connu@exemple.re", "Ancien-mot-de-passe-1")

    new_page = sign_up(client, django_capture_on_commit_callbacks, "nouveau@exemple.re")
    known_page = sign_up(client, django_capture_on_commit_callbacks, "Connu@Exemple.re")
    pending_page = sign_up(client, django_capture_on_commit_callbacks, "nouveau@exemple.re")

    for page in (known_page, pending_page):
        assert (page.status_code, page.redirect_chain) == (
            new_page.status_code,
            new_page.redirect_chain,
        )
        assert page_text(page) == page_text(new_page)
    assert User.objects.count() == 2
    known.refresh_from_db()
    assert known.check_password("Ancien-mot-de-passe-1")
    assert [m.to for m in mailoutbox] == [
        ["nouveau@exemple.re"],
        ["connu@exemple.re"],
        ["nouveau@exemple.re"],
    ]
    mail = mailoutbox[1]
    assert mail.subject == "Parcours : vous avez déjà un compte"
    assert f"{SITE_URL}/compte/connexion/" in mail.body
    assert f"{SITE_URL}/compte/mot-de-passe/oubli/" in mail.body
    assert "/compte/confirmer/" not in mail.body


def test_a_double_post_makes_one_account_and_both_links_work(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks, EMAIL)
    sign_up(client, django_capture_on_commit_callbacks, EMAIL)

    assert User.objects.count() == 1
    assert len(mailoutbox) == 2
    first, second = (link_path(m, "confirmer") for m in mailoutbox)
    assert client.get(second).status_code == 200
    assert "Confirmer mon adresse</button>" in page_text(client.get(first))
    client.post(first, {"password": PASSWORD})
    assert User.objects.get().is_active


def test_signing_up_again_before_confirming_sends_a_new_link_for_the_new_password(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """A stranger pre-registering someone's address cannot take the account over: the
    owner's later sign-up replaces the stranger's password and kills their link."""
    sign_up(client, django_capture_on_commit_callbacks, EMAIL, password="Mot-de-passe-intrus-1")
    sign_up(client, django_capture_on_commit_callbacks, EMAIL, password=PASSWORD)
    old_link, new_link = (link_path(m, "confirmer") for m in mailoutbox)

    assert "Lien invalide ou expiré" in page_text(client.get(old_link))
    refused = client.post(new_link, {"password": "Mot-de-passe-intrus-1"})
    assert "n'est pas celui choisi" in page_text(refused)
    assert not User.objects.get().is_active

    client.post(new_link, {"password": PASSWORD})
    user = User.objects.get()
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert not user.check_password("Mot-de-passe-intrus-1")


def test_a_deactivated_account_is_not_reactivated_by_signing_up(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    closed = User.objects.create_user(EMAIL, "Ancien-mot-de-passe-1", is_active=False)

    sign_up(client, django_capture_on_commit_callbacks, EMAIL)

    closed.refresh_from_db()
    assert not closed.is_active
    assert closed.check_password("Ancien-mot-de-passe-1")
    assert [m.subject for m in mailoutbox] == ["Parcours : vous avez déjà un compte"]


@pytest.mark.parametrize(
    ("password", "confirmation", "field", "message"),
    [
        ("court-2017", None, "Mot de passe", "Ce mot de passe est trop court."),
        ("qwertyuiop123", None, "Mot de passe", "Ce mot de passe est trop courant."),
        ("314159265358979", None, "Mot de passe", "Ce mot de passe est entièrement numérique."),
        ("awa.payet.exemple", None, "Mot de passe", "Le mot de passe est trop semblable"),
        (
            PASSWORD,
            PASSWORD + "!",
            "Confirmation du mot de passe",
            "Les deux mots de passe ne correspondent pas.",
        ),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_in_french_naming_the_field(
    client, mailoutbox, django_capture_on_commit_callbacks, password, confirmation, field, message
):
    response = sign_up(
        client, django_capture_on_commit_callbacks, EMAIL, password, confirmation=confirmation
    )

    html = page_text(response)
    assert response.status_code == 200 and not response.redirect_chain
    assert "Le formulaire contient des erreurs" in html
    assert f"{field}</a> : {message}" in html
    assert "fr-input-group--error" in html
    assert 'aria-invalid="true"' in html
    assert f'value="{EMAIL}"' in html  # the address is kept, never the password
    assert password not in html
    assert not User.objects.exists()
    assert mailoutbox == []


def test_an_invalid_address_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks, "pas-une-adresse")

    assert "Adresse électronique</a> : Saisissez une adresse de courriel valide." in page_text(
        response
    )
    assert 'aria-describedby="id_email-error"' in page_text(response)
    assert not User.objects.exists()
    assert mailoutbox == []


def test_extra_posted_fields_are_ignored(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "email": EMAIL,
                "password": PASSWORD,
                "password_confirmation": PASSWORD,
                "is_active": "on",
                "is_staff": "on",
                "is_superuser": "on",
            },
        )

    user = User.objects.get()
    assert not (user.is_active or user.is_staff or user.is_superuser)


# --- password strength (CNIL 2022-100: about 50 bits with a lockout) -------------------


@pytest.mark.parametrize(
    "password",
    [
        "cnamreunion974",
        "passwordpassword",
        "aaaaaaaaaaaa",
        " " * 12,
        "azertyuiopqs",
        "nouvelle.venue@exemple.re",  # the e-mail itself
        "NouvelleVenue2016!",  # built from the e-mail
    ],
)
def test_a_guessable_password_is_refused_in_french(password):
    from django.contrib.auth import password_validation

    from accounts.models import User

    user = User(email="nouvelle.venue@exemple.re")
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, user)
    assert any("trop facile à deviner" in m or "trop court" in m for m in refused.value.messages)


@pytest.mark.parametrize("password", ["Tisane-de-vetiver-2017", "Mangue-Letchi-Vanille"])
def test_a_passphrase_is_accepted(password):
    from django.contrib.auth import password_validation

    from accounts.models import User

    password_validation.validate_password(password, User(email="nouvelle.venue@exemple.re"))


def test_every_sign_up_path_costs_one_hash_and_one_check(monkeypatch):
    """Sign-up took 1.7 s for an unconfirmed address against 1.0 s for a new one."""
    from django.contrib.auth import hashers

    from accounts import services
    from accounts.models import User

    calls = []
    real_check = hashers.check_password
    monkeypatch.setattr(
        services, "check_password", lambda *a, **k: calls.append("check") or real_check(*a, **k)
    )
    monkeypatch.setattr(User, "check_password", lambda self, raw: calls.append("check") or True)
    User.objects.create_user("actif@exemple.re", PASSWORD)
    User.objects.create_user(
        "attente@exemple.re", PASSWORD, is_active=False, awaiting_confirmation=True
    )
    counts = []
    for email in ("neuf@exemple.re", "actif@exemple.re", "attente@exemple.re"):
        calls.clear()
        services.register_applicant(email, PASSWORD)
        counts.append(calls.count("check"))
    assert counts == [1, 1, 1]
