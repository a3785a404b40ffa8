"""French as people read it (issue 14, item 15): the slips found on the pages, and a lint
over every template, message and data file for the kind of slip they were."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SOURCES = [
    "accounts",
    "admissions",
    "assessment",
    "awards",
    "catalogue",
    "parcours",
    "planning",
    "rules",
    "teaching",
    "timetable",
    "templates",
    "data",
]
SLIPS = {
    r"(?<![’'])(?<!n'en )\best pas\b": "« n'est pas » : la négation perd son « ne »",
    r"\bil en faut \d+ présences": "« il en faut 2 présences » : « en » double le complément",
    r"Planning de \{\{": "« Planning de Centre régional… » : l'article manque",
    r"\(dib\)": "sigle en minuscules",
    r"\.lower\(\) for item in": "un libellé mis en minuscules perd ses sigles",
}


def _texts():
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".html", ".txt", ".toml"} and "/tests/" not in str(path):
                yield path, path.read_text(encoding="utf-8")


def test_no_known_slip_in_templates_messages_or_data():
    found = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1} — {why}"
        for path, text in _texts()
        for pattern, why in SLIPS.items()
        for m in re.finditer(pattern, text)
    ]
    assert found == []


def test_no_catalogue_text_opens_with_a_list_marker():
    """UASO03's note opened with the brochure's stray "b."."""
    opened = []
    for path in (ROOT / "data" / "units").glob("*.toml"):
        for unit in tomllib.loads(path.read_text(encoding="utf-8")).get("unit", []):
            for name in ("note", "description"):
                if re.match(r"^[a-z]\.\s", unit.get(name, "")):
                    opened.append(f"{unit['code']}.{name}")
    assert opened == []


def test_a_job_seeker_is_not_told_they_pay_for_themselves():
    from rules.dossier import CONDITIONS

    assert "vous-même" not in CONDITIONS["individual_funding"]


@pytest.mark.django_db
def test_the_first_calendar_link_does_not_speak_of_an_old_one(client, django_user_model):
    from admissions.tests.conftest import make_user

    client.force_login(make_user(django_user_model, "lea@example.re", "learner"))
    first = client.post("/espace/planning/agenda/", follow=True).content.decode()
    assert "Lien d&#x27;agenda créé." in first and "l&#x27;ancien" not in first
    again = client.post("/espace/planning/agenda/", follow=True).content.decode()
    assert "l&#x27;ancien ne fonctionne plus" in again
