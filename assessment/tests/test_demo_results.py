"""The demo's past year (R-ORG-5, issue 18 done-when): `load_demo_results` gives it
learners, marks and decided juries, and its published results appear on
/formations/CPN42/ on the demo's day; a second run adds nothing."""

from __future__ import annotations

from html import unescape

from django.core.management import call_command

from assessment.models import Jury
from assessment.results import published_year


def test_the_demo_shows_the_published_results_of_its_past_year(client, planning, settings):
    settings.PARCOURS_TODAY = "2016-09-01"  # the demo's day (Makefile DEMO_TODAY)
    call_command("load_demo_results")
    # 2015-2016's second session is held in September 2016: its year is not out yet
    assert published_year().code == "2014-2015"
    page = unescape(client.get("/formations/CPN42/").content.decode())
    section = " ".join(page.split('id="resultats"')[1].split("</section>")[0].split())
    assert "Inscrits à la formation" in section
    assert " %</strong>" in section  # rates shown: the cohort is above the minimum count
    assert "R-ORG" not in page
    decided = Jury.objects.count()
    call_command("load_demo_results")
    assert Jury.objects.count() == decided
