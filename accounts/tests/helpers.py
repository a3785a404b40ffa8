"""What the account tests share."""

import re
from html import unescape

from django.urls import reverse

PASSWORD = "Tisane-de-vetiver-2017"
SITE_URL = "https://parcours.example"


def page_text(response) -> str:
    """A page's HTML without what changes on every response (CSP nonce, CSRF token)."""
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return unescape(html)


def sign_up(client, capture, email, password=PASSWORD, confirmation=None):
    """Post the sign-up form, run the e-mails sent on commit, follow the redirect."""
    with capture(execute=True):
        return client.post(
            reverse("accounts:signup"),
            {
                "email": email,
                "password": password,
                "password_confirmation": password if confirmation is None else confirmation,
            },
            follow=True,
        )


def link_path(mail, kind: str) -> str:
    """The path of the link of a kind ("confirmer", "mot-de-passe/nouveau") in a mail,
    checking it is built on the site's origin."""
    match = re.search(rf"{re.escape(SITE_URL)}(/compte/{kind}/\S+/)", mail.body)
    assert match, mail.body
    return match.group(1)


def login_post(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )
