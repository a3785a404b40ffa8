"""`python -m rules evaluate FILE.toml`: JSON out on good input, a French error naming
the field and exit status 2 on bad input."""

import json
import shutil
import subprocess
import sys

import pytest

from rules.tests.conftest import DATA, REPO

QUOTE = """
[[case]]
name = "Un demandeur d'emploi de catégorie 2 s'inscrit à trois UE."
rule = "R-FEE-1"
year = "2016-2017"
decision = "quote"
[case.input]
funding = "job_seeker"
job_seeker_category = {category}
first_registration = true
units = {units}
"""

LEDGER = """
[[case]]
name = "Une note de {mark}/20."
year = "2016-2017"
decision = "ledger"
[case.input]
attempts = [{{ unit = "CCE001", on = {on}, session = 1, mark = {mark} }}]
"""


def evaluate(tmp_path, text, *options):
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "rules", "evaluate", str(path), *options],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def quote_text(category=2, units='["TET003", "AST004", "CCE001"]'):
    return QUOTE.format(category=category, units=units)


def test_a_job_seekers_quote_is_printed_as_json_with_decimals_as_strings(tmp_path):
    done = evaluate(tmp_path, quote_text())
    assert done.returncode == 0, done.stderr
    [entry] = json.loads(done.stdout)
    assert entry["result"]["total"] == "262.00"
    assert entry["result"]["year"] == "2016-2017"
    assert entry["explanation"][0]["rule_id"] == "R-FEE-1"
    assert "matches_expected" not in entry


def test_dates_are_printed_in_iso_format(tmp_path):
    text = LEDGER.format(mark="10", on="2017-02-24")
    [entry] = json.loads(evaluate(tmp_path, text).stdout)
    assert entry["result"]["units"][0]["validated_on"] == "2017-02-24"
    assert entry["result"]["units"][0]["mark"] == "10"


def test_a_matching_expected_output_exits_zero_and_a_mismatch_exits_one(tmp_path):
    good = evaluate(tmp_path, quote_text() + "[case.expected]\ntotal = 262.00\n")
    assert good.returncode == 0
    assert json.loads(good.stdout)[0]["matches_expected"] is True
    bad = evaluate(tmp_path, quote_text() + "[case.expected]\ntotal = 261.99\n")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)[0]["differences"] == [
        "total : attendu Decimal('261.99'), obtenu Decimal('262.00')"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            quote_text(units='["TET003", "XYZ001"]'),
            "cas 1 « Un demandeur d'emploi de catégorie 2 s'inscrit à trois UE. » : "
            "input.units[1] : UE inconnue « XYZ001 »",
        ),
        (
            quote_text(category=9),
            "input.job_seeker_category : catégorie de demandeur d'emploi « 9 »",
        ),
        (
            LEDGER.format(mark="21", on="2017-02-24"),
            "input.attempts[0].mark : note « 21 » hors du barème",
        ),
        (
            LEDGER.format(mark="12", on="2018-02-24"),
            "input.attempts[0].on : le 24/02/2018 est hors de l'année universitaire 2016-2017",
        ),
        (
            quote_text().replace("first_registration = true\n", ""),
            "input.first_registration : valeur obligatoire manquante",
        ),
        (quote_text().replace("funding =", "fundng ="), "input.fundng : champ inconnu"),
        (quote_text().replace('"quote"', '"devis"'), "decision : « devis »"),
        (quote_text().replace('"2016-2017"', '"2099-2100"'), "year : année universitaire inconnue"),
        ("[[case]\nname = 1", "syntaxe TOML invalide"),
    ],
    ids=[
        "unknown-unit",
        "category-9",
        "mark-21",
        "date-out-of-year",
        "missing-field",
        "unknown-field",
        "unknown-decision",
        "unknown-year",
        "toml-syntax",
    ],
)
def test_bad_input_gets_a_french_error_naming_the_field_and_exit_status_two(
    tmp_path, text, message
):
    done = evaluate(tmp_path, text)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_the_data_option_reads_another_folder(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    year = data / "years" / "2016-2017.toml"
    year.write_text(year.read_text(encoding="utf-8").replace("amount = 18.00", "amount = 20.00"))
    done = evaluate(tmp_path, quote_text(), "--data", str(data))
    assert json.loads(done.stdout)[0]["result"]["total"] == "264.00"


def test_a_broken_data_folder_is_reported_with_exit_status_two(tmp_path):
    done = evaluate(tmp_path, quote_text(), "--data", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "dossier introuvable" in done.stderr


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (REPO / "rules" / "examples").glob("*.toml"))
)
def test_the_examples_of_the_documentation_run(name):
    done = subprocess.run(
        [sys.executable, "-m", "rules", "evaluate", f"rules/examples/{name}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["explanation"]
