# ruff: noqa: F811 (fixtures imported from the assessment tests, used by name)
"""The dashboard's pass rate per UE (issue 18, item 4) comes from the marks, with the
count behind it, and lists each candidate's sessions."""

from __future__ import annotations

from decimal import Decimal

from assessment.tests.conftest import cohort, s1, sessions  # noqa: F401
from assessment.tests.test_results import _decide
from assessment.tests.test_views import convoked  # noqa: F401
from reports import dashboard


def test_the_pass_rate_per_ue_counts_those_who_sat(
    client, s1, cohort, convoked, reception, direction, le_port
):
    learner, _ = cohort
    _decide(s1, cohort, reception, direction, [(learner, "12", "")])
    bars = {bar.key: bar for bar in dashboard.build(s1.year, le_port).pass_rates}
    assert (bars["AST004"].value, bars["AST004"].detail) == (Decimal(100), "1 sur 1")
    client.force_login(direction)
    listing = client.get(
        "/direction/tableau-de-bord/resultats/AST004/", {"annee": s1.year.code}
    ).content.decode()
    assert "validée" in listing and "absent(e)" in listing  # the other never sat
