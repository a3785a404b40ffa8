# ruff: noqa: F811 (a fixture imported from the assessment views' tests, used by name)
"""Published results on the public catalogue (R-ORG-5): shown once the year's juries
are all out, with the count behind each rate, never under the minimum count, never
before the results day (R-EXA-5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import unescape

from assessment import results, services
from assessment.tests.test_views import convoked  # noqa: F401
from catalogue.models import Unit


def _decide(s1, cohort, reception, direction, marks):
    unit = Unit.objects.get(code="AST004")
    services.save_marks(
        s1,
        unit,
        [
            services.MarkEntry(learner.pk, Decimal(value) if value else None, absence, 0)
            for learner, value, absence in marks
        ],
        reception,
    )
    jury = services.close_marks(services.jury_of(s1, unit))
    return services.decide(jury, direction, "RAS")


def test_results_appear_once_published_with_their_counts(
    client, s1, cohort, convoked, reception, direction, settings
):
    learner, _ = cohort
    # the other learner has no right to sit (one attendance): registered, never sat
    jury = _decide(s1, cohort, reception, direction, [(learner, "12", "")])
    settings.PARCOURS_RESULTS_MIN_COUNT = 2
    before = unescape(client.get("/formations/CPN42/").content.decode())
    assert "Résultats par unité" not in before  # the results day has not come
    settings.PARCOURS_TODAY = (jury.published_on() + dt.timedelta(days=1)).isoformat()
    assert results.published_year() == s1.year
    page = unescape(client.get("/ue/AST004/").content.decode())
    # 2 registered; Léa sat and passed, the other never sat: 1 of 1 present, 1 drop-out
    assert "Résultats par unité d'enseignement" in page
    assert "100 %" not in page  # one present is under the minimum
    section = " ".join(page.split('id="resultats"')[1].split("</section>")[0].split())
    assert "effectif trop faible (1)" in section
    assert "<strong>50 %</strong> (1 sur 2)" in section, section
    programme = unescape(client.get("/formations/CP29/").content.decode())
    assert "Inscrits à la formation : <strong>2</strong>" in programme
    assert "R-ORG" not in programme  # a public page names no rule
    settings.PARCOURS_RESULTS_MIN_COUNT = 10
    hidden = unescape(client.get("/formations/CPN42/").content.decode())
    assert "%" not in hidden.split('id="resultats"')[1].split("</section>")[0]


def test_a_year_with_an_undecided_jury_is_not_published(s1, cohort, convoked, settings):
    unit = Unit.objects.get(code="AST004")
    services.jury_of(s1, unit)  # opened, not decided
    settings.PARCOURS_TODAY = "2017-12-31"
    assert results.published_year() is None
