"""R-ORG-4: the BPF of fiscal year 2016 computed from a small population written by hand,
on the page (every figure lists its rows), in the CSV and in the PDF; the direction
classifies what the readings cannot; nobody else sees it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from admissions.models import Dossier, Payment
from assessment.tests.test_views import pdf_text
from reports import bpf, services


def figures(report):
    out = {}
    for _code, _title, lines, total in report.sections():
        for figure in [*lines, *([total] if total else [])]:
            out[figure.key] = figure
    return out


def test_the_bpf_of_a_small_population_computed_by_hand(population):
    people, payments, minutes = population
    report = bpf.report(2016)
    f = figures(report)
    assert (report.first, report.last) == (dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    # C: learners' own payments (guarantee and 2017 left out), the CIF's, Léa's employer's listed
    assert f["C9"].amount == Decimal("350.00") and sorted(f["C9"].refs) == sorted(
        [payments["lea"].pk, payments["paul"].pk, payments["marc"].pk]
    )
    assert f["C2d"].amount == Decimal("1000.00")
    assert f["C-total"].amount == Decimal("1350.00")
    # E: one internal trainer, the two sessions whose sheets they closed
    assert (f["E-internal"].count, f["E-internal"].minutes) == (1, sum(minutes))
    assert f["E-external"].count == 0
    # F-1: Léa (a), Paul (c, at a distance), Marc (d); Zoé listed; Inès followed nothing
    assert (f["F1-a"].count, f["F1-a"].minutes) == (1, sum(minutes))
    assert (f["F1-c"].count, f["F1-c"].minutes) == (1, 90)
    assert (f["F1-d"].count, f["F1-d"].minutes) == (1, minutes[0])
    assert (f["F1-distance"].count, f["F1-distance"].minutes) == (1, 90)
    assert f["F1-total"].count == 3
    # F-3: CP29 has no RNCP entry (d); Marc's VAE is an accompaniment (f)
    assert (f["F3-d"].count, f["F3-f"].count, f["F3-a5"].count) == (2, 1, 0)
    # F-4: the programmes' NSF specialty, from the catalogue
    assert [(s.key, s.count) for s in report.bpf.specialties] == [("F4-332", 3)]
    assert {(u.kind, u.ref) for u in report.bpf.unclassified} == {
        ("payment", payments["lea_employer"].pk),
        ("learner", people["zoe"].pk),
    }


def test_the_direction_classifies_what_the_readings_cannot(population, direction):
    people, payments, minutes = population
    services.classify("payment", payments["lea_employer"].pk, "C2h", direction)
    services.classify("learner", people["zoe"].pk, "b", direction)
    f = figures(bpf.report(2016))
    assert f["C2h"].amount == Decimal("500.00") and f["C-total"].amount == Decimal("1850.00")
    assert (f["F1-b"].count, f["F1-b"].minutes) == (1, minutes[0])
    assert bpf.report(2016).bpf.unclassified == []
    with pytest.raises(Exception, match="ligne"):
        services.classify("learner", people["zoe"].pk, "C9", direction)  # not an F-1 line


def test_the_page_lists_each_figures_rows_and_exports_the_cerfas_structure(
    client, population, direction, reception, learner
):
    people, _, _ = population
    client.force_login(direction)
    page = client.get("/direction/bpf/2016/").content.decode()
    for expected in (
        "Personnes à titre individuel et à leurs frais",
        "350,00",
        "2 lignes à classer",
        "Cerfa 10443",
    ):
        assert expected in page, expected
    rows = client.get("/direction/bpf/2016/lignes/C9/").content.decode()
    assert "Lea TEST" in rows and "Paul TEST" in rows and "Ines TEST" not in rows
    rows = client.get("/direction/bpf/2016/lignes/F1-a/").content.decode()
    assert "Lea TEST" in rows and "Marc TEST" not in rows
    assert client.get("/direction/bpf/2016/lignes/Z9/").status_code == 404

    csv_text = client.get("/direction/bpf/2016/bpf.csv").content.decode("utf-8-sig")
    assert "C;C9;Personnes à titre individuel et à leurs frais;3;;350,00" in csv_text
    assert (
        "F1;F1-distance;dont stagiaires ayant suivi tout ou partie à distance;1;1,50;" in csv_text
    )
    assert "à classer;learner;" in csv_text
    text = " ".join(pdf_text(client.get("/direction/bpf/2016/bpf.pdf").content).split())
    for expected in (
        "Bilan pédagogique et financier",
        "Exercice 2016",
        "F-4. Spécialités",
        "Travail social",
        "350,00",
    ):
        assert expected in text, expected

    response = client.post(
        "/direction/bpf/2016/classer/",
        {"kind": "learner", "object_id": people["zoe"].pk, "line": "b"},
        follow=True,
    )
    assert "1 ligne à classer" in response.content.decode()
    # a bad line or object is told, nothing written
    response = client.post(
        "/direction/bpf/2016/classer/",
        {"kind": "payment", "object_id": "x", "line": "C1"},
        follow=True,
    )
    assert "Référence" in response.content.decode()

    for other in (reception, learner):
        client.force_login(other)
        for url in (
            "/direction/bpf/",
            "/direction/bpf/2016/",
            "/direction/bpf/2016/bpf.csv",
            "/direction/bpf/2016/lignes/C9/",
        ):
            assert client.get(url).status_code == 403, (other, url)
        assert (
            client.post(
                "/direction/bpf/2016/classer/",
                {"kind": "learner", "object_id": people["zoe"].pk, "line": "a"},
            ).status_code
            == 403
        )


def test_a_fiscal_year_without_readings_says_so(client, direction, catalogue):
    client.force_login(direction)
    assert client.get("/direction/bpf/2030/").status_code == 404
    assert client.get("/direction/bpf/1999/").status_code == 404
    index = client.get("/direction/bpf/").content.decode()
    assert "Exercice 2016" in index and "Exercice 2017" in index


def test_the_page_and_the_rows_use_a_fixed_number_of_queries(
    client, population, direction, django_assert_max_num_queries
):
    client.force_login(direction)
    # session, user, roles; years, choices, payments, sheets, dossiers, signatures,
    # distance activity, half-days, stored years, specialties; the unclassified rows (3)
    with django_assert_max_num_queries(15):
        client.get("/direction/bpf/2016/")
    # the same computation, then the page of rows behind the figure
    with django_assert_max_num_queries(14):
        client.get("/direction/bpf/2016/lignes/C9/")


def test_a_scheme_recorded_with_the_payment_needs_no_classification(population, reception):
    """The reception records the scheme it knows (an OPCO's professionalisation); the
    direction's classification still wins over it."""
    import uuid

    from admissions import services as admissions
    from admissions.forms import PaymentForm

    people, _, _ = population
    dossier = people["zoe"]
    dossier.status = Dossier.Status.DEPOSITED  # a live dossier takes payments
    dossier.save()

    def transfer(amount: str, scheme: str):
        return admissions.record_payment(
            dossier,
            token=uuid.uuid4(),
            payer="employer",
            method="transfer",
            amount=Decimal(amount),
            received_on=dt.date(2016, 11, 2),
            by=reception,
            scheme=scheme,
        )

    payment = transfer("800.00", "C2b")
    f = figures(bpf.report(2016))
    assert f["C2b"].amount == Decimal("800.00") and f["C2b"].refs == [payment.pk]
    assert ("payment", payment.pk) not in {
        (u.kind, u.ref) for u in bpf.report(2016).bpf.unclassified
    }
    with pytest.raises(ValidationError, match="ligne du bilan"):
        transfer("1.00", "Z1")  # not a line of the form: refused, nothing written
    assert Payment.objects.filter(dossier=dossier).count() == 1
    form = PaymentForm(
        {
            "token": str(uuid.uuid4()),
            "payer": "learner",
            "method": "card",
            "amount": "10,00",
            "received_on": "2016-09-01",
            "scheme": "C2b",
        }
    )
    assert not form.is_valid() and "C9" in " ".join(form.errors["scheme"])
