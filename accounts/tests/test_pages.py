"""The account pages are well-formed, French and accessible (labels, errors, autocomplete)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accounts.tests.helpers import PASSWORD, link_path, login_post, sign_up

pytestmark = pytest.mark.django_db


class PageParser(HTMLParser):
    """Unbalanced tags, duplicate ids, inputs without a label, dangling aria refs."""

    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.ids = [], [], set()
        self.label_targets, self.inputs, self.described_by = set(), [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if element_id:
            if element_id in self.ids:
                self.errors.append(f"id en double : {element_id}")
            self.ids.add(element_id)
        if tag == "label":
            self.label_targets.add(attributes.get("for"))
        if tag == "input" and attributes.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attributes)
        if "aria-describedby" in attributes:
            self.described_by.extend(attributes["aria-describedby"].split())
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> ne ferme pas <{self.stack[-1] if self.stack else '-'}>")
        else:
            self.stack.pop()

    def check(self, html):
        self.feed(html)
        for attributes in self.inputs:
            if attributes.get("id") not in self.label_targets:
                self.errors.append(f"champ sans étiquette : {attributes.get('name')}")
            if not attributes.get("autocomplete"):
                self.errors.append(f"champ sans autocomplete : {attributes.get('name')}")
        self.errors += [
            f"aria-describedby vers rien : {i}" for i in self.described_by if i not in self.ids
        ]
        return self.errors + [f"non fermé : {t}" for t in self.stack]


def pages(client, mailoutbox, capture):
    yield "connexion", client.get(reverse("accounts:login"))
    yield "connexion refusée", login_post(client, "inconnu@exemple.re", "Mauvais-1")
    yield "inscription", client.get(reverse("accounts:signup"))
    yield (
        "inscription refusée",
        sign_up(client, capture, "pas-une-adresse", "court", confirmation="autre"),
    )
    yield "messagerie", sign_up(client, capture, "awa@exemple.re")
    confirm = link_path(mailoutbox[-1], "confirmer")
    yield "confirmation", client.get(confirm)
    yield "confirmation refusée", client.post(confirm, {"password": "Mauvais-1"})
    yield "lien invalide", client.get(confirm[:-3] + "xx/")
    yield "oubli", client.get(reverse("accounts:password_reset"))
    yield (
        "oubli envoyé",
        client.post(reverse("accounts:password_reset"), {"email": "x@exemple.re"}, follow=True),
    )
    yield (
        "lien de réinitialisation invalide",
        client.get(
            reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "a-b"})
        ),
    )
    yield "mot de passe modifié", client.get(reverse("accounts:password_reset_complete"))
    for _ in range(4):
        login_post(client, "bloque@exemple.re", "Mauvais-1")
    yield "blocage", login_post(client, "bloque@exemple.re", PASSWORD + "x")


def test_every_account_page_is_well_formed_french_and_accessible(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PARCOURS_SITE_URL = "https://parcours.example"
    checked = []
    for name, response in pages(client, mailoutbox, django_capture_on_commit_callbacks):
        html = response.content.decode()
        assert response.status_code in {200, 429}, name
        assert '<html lang="fr"' in html, name
        assert PageParser().check(html) == [], name
        checked.append(name)
    assert len(checked) == 13
