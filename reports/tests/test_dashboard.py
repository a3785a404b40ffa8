"""The direction's dashboard (issue 18, item 4): a year's and a centre's figures, each
leading to its list and the list's CSV; charts with their data as tables; nobody but the
direction sees it; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import unescape

from admissions.models import Dossier
from reports import dashboard


def deposit_days(people):
    for offset, dossier in enumerate(people.values()):
        Dossier.objects.filter(pk=dossier.pk).update(
            deposited_on=dt.date(2016, 6, 6) + dt.timedelta(days=7 * (offset % 2))
        )


def test_the_figures_of_a_year_and_their_lists(client, population, direction, year, le_port):
    people, _, _ = population
    deposit_days(people)
    Dossier.objects.create(learner=direction, year=year, status=Dossier.Status.DEPOSITED)
    board = dashboard.build(year, le_port)
    status = {bar.key: bar.value for bar in board.by_status}
    assert status["validated"] == 5 and "deposited" in status
    assert {bar.key: bar.value for bar in board.by_semester}["S1"] == 5
    weeks = {bar.key: bar.value for bar in board.weeks}
    assert weeks["2016-06-06"] == 3 and weeks["2016-06-13"] == 2
    income = {row["payer"]: row for row in board.income}
    # received: everything but the guarantee cheque, in any fiscal year
    assert income["learner"]["received"] == Decimal("420.00")
    assert income["employer"]["received"] == Decimal("1500.00")
    assert income["learner"]["due"] > 0 and income["employer"]["due"] > 0
    # Paul follows AST004 "at a distance" though Le Port opens it: no quote, told apart
    assert board.unquotable == [people["paul"].pk]
    attendance = {bar.key: bar for bar in board.attendance}
    # closing a sheet marks absent who did not sign: 3 of 4, then 1 of 4 (Paul is at a distance)
    assert (attendance["AST004"].value, attendance["AST004"].detail) == (50, "4 présences sur 8")

    client.force_login(direction)
    page = unescape(
        client.get(
            "/direction/tableau-de-bord/", {"annee": "2016-2017", "centre": "LE-PORT"}
        ).content.decode()
    )
    for expected in (
        "Tableau de bord",
        "Dossiers par état",
        "Dossiers déposés par semaine",
        "<svg",
        "Taux de présence par UE",
    ):
        assert expected in page, expected
    scope = {"annee": "2016-2017", "centre": "LE-PORT"}
    listing = client.get("/direction/tableau-de-bord/dossiers/validated/", scope).content.decode()
    assert "Lea TEST" in listing and "5 lignes" in listing
    export = client.get("/direction/tableau-de-bord/paiements/learner/export.csv", scope)
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Dossier;Nom;Reçu le;Moyen;Montant (€)"
    assert len(lines) == 1 + 4 and any(";100,00" in line for line in lines)
    presence = client.get("/direction/tableau-de-bord/presences/AST004/", scope).content.decode()
    assert "Lea TEST" in presence
    assert client.get("/direction/tableau-de-bord/dossiers/nothing/", scope).status_code == 404
    assert client.get("/direction/tableau-de-bord/inconnue/x/", scope).status_code == 404
    assert client.get("/direction/tableau-de-bord/", {"annee": "1900-1901"}).status_code == 400


def test_only_the_direction_sees_the_dashboard(client, population, reception, learner, teacher):
    for other in (reception, learner, teacher):
        client.force_login(other)
        for url in (
            "/direction/tableau-de-bord/",
            "/direction/tableau-de-bord/dossiers/validated/",
            "/direction/tableau-de-bord/paiements/learner/export.csv",
        ):
            assert client.get(url).status_code == 403, (other, url)


def test_the_dashboard_uses_a_fixed_number_of_queries(
    client, population, direction, django_assert_num_queries
):
    people, _, _ = population
    deposit_days(people)
    client.force_login(direction)
    # session, user, roles, the current year; statuses, semesters, deposits; dues (the
    # registered, their years, their UEs, the learners' registrations, the units and their
    # programmes, opened UEs); payments; attendance; risks (6); outcomes (2), units;
    # award requests; the form's years and centres (4). The same at any population size:
    # no query sends a list of ids back.
    with django_assert_num_queries(28):
        client.get("/direction/tableau-de-bord/")
