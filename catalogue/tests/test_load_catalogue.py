"""R-CAT-6: the catalogue is data, validated as a whole and loaded all-or-nothing."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import AcademicYear, Centre, EvaluationMode, Programme, Unit

MODELS = (Programme, Unit, Centre, AcademicYear, EvaluationMode)


def snapshot():
    """Every catalogue row and history row, to prove a failed load wrote nothing."""
    rows = {}
    for model in MODELS:
        rows[model.__name__] = sorted(model.objects.values_list("code", flat=True))
        rows[f"{model.__name__}.history"] = model.history.count()
    return rows


def load(folder) -> str:
    out = io.StringIO()
    call_command("load_catalogue", str(folder), stdout=out)
    return out.getvalue()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.django_db
def test_it_loads_the_brochure_and_reports_ects_per_programme(data_copy):
    output = load(data_copy)

    assert Programme.objects.count() == 2
    assert Unit.objects.count() == 16  # R-CAT-3
    assert Centre.objects.count() == 3  # R-CTR-1
    assert AcademicYear.objects.get().code == "2016-2017"
    assert "CP29 : 54 ECTS déclarés, somme des unités 54 ECTS — conforme" in output
    # R-CAT-6: the mismatch is reported with both figures, never "fixed".
    assert "CPN42 : 120 ECTS déclarés, somme des unités 118 ECTS — ÉCART de 2 ECTS" in output


@pytest.mark.django_db
def test_cpn42_contains_the_six_taught_ues_of_cp29_and_six_more(data_copy):
    load(data_copy)
    cp29 = set(
        Unit.objects.filter(programmes__code="CP29", kind="course").values_list("code", flat=True)
    )
    cpn42 = Unit.objects.filter(programmes__code="CPN42", kind="course")
    # R-CAT-4: 12 UEs of which the 6 of the certificate; UA2322 is CP29's only.
    assert cpn42.count() == 12
    assert cp29 <= set(cpn42.values_list("code", flat=True))
    assert not Unit.objects.filter(code="UA2322", programmes__code="CPN42").exists()
    assert Programme.objects.get(code="CPN42").common_core.code == "CP29"


@pytest.mark.django_db
def test_a_second_load_changes_nothing(data_copy):
    load(data_copy)
    before = snapshot()

    output = load(data_copy)

    assert snapshot() == before
    assert "Aucun changement." in output


@pytest.mark.django_db
def test_an_edited_value_updates_its_row_and_shows_in_the_history(data_copy):
    load(data_copy)
    edit(
        data_copy / "units" / "epn-travail.toml",
        'title = "Champs de la sociologie"',
        'title = "Champs de la sociologie contemporaine"',
    )

    output = load(data_copy)

    unit = Unit.objects.get(code="AST002")
    assert unit.title == "Champs de la sociologie contemporaine"
    assert "unités : 0 créé(s), 1 modifié(s), 15 inchangé(s)" in output
    latest, previous = unit.history.order_by("-history_date", "-history_id")[:2]
    assert latest.history_type == "~"
    assert (previous.title, latest.title) == (
        "Champs de la sociologie",
        "Champs de la sociologie contemporaine",
    )


@pytest.mark.django_db
def test_an_edited_tariff_updates_the_year(data_copy):
    load(data_copy)
    edit(data_copy / "years" / "2016-2017.toml", "amount = 18.00", "amount = 19.00")

    load(data_copy)

    year = AcademicYear.objects.get(code="2016-2017")
    assert str(year.regulation.tariffs.file_fee.amount) == "19.00"
    assert year.history.count() == 2


BROKEN = [
    pytest.param(
        "units/epn-travail.toml",
        'programmes = ["CPN42"]\ndescription = """Être',
        'programmes = ["CPN43"]\ndescription = """Être',
        "units/epn-travail.toml [unit[7].programmes] : programme inconnu « CPN43 »",
        id="unit-referencing-an-unknown-programme",
    ),
    pytest.param(
        "units/epn-travail.toml",
        "dans l'intervention sociale\"\nects = 4",
        "dans l'intervention sociale\"\nects = -4",
        "units/epn-travail.toml [unit[8].ects] : doit être supérieur ou égal à 1 (lu : -4)",
        id="negative-ects",
    ),
    pytest.param(
        "years/2016-2017.toml",
        "courses_end = 2017-02-11",
        "courses_end = 2016-09-01",
        "years/2016-2017.toml [semester[0].courses_end] : date hors d'ordre",
        id="date-out-of-order",
    ),
    pytest.param(
        "programmes/CP29.toml",
        "declared_ects = 54",
        "declared_ects = = 54",
        "programmes/CP29.toml : syntaxe TOML invalide",
        id="syntax-error",
    ),
    pytest.param(
        "programmes/CPN42.toml",
        '"AST002", "PSY001"',
        '"AST002", "PSY009"',
        "programmes/CPN42.toml [award.required_units] : unité inconnue « PSY009 »",
        id="award-naming-an-unknown-unit",
    ),
    pytest.param(
        "programmes/CPN42.toml",
        'experience_fields = ["accompaniment"]',
        'experience_fields = ["cuisine"]',
        "programmes/CPN42.toml [award.experience_fields] : « cuisine » : information, "
        "accompaniment, other attendu",
        id="award-naming-an-unknown-experience-field",
    ),
    pytest.param(
        "units/epn-travail.toml",
        'code = "PSY001"',
        'code = "AST002"',
        "code « AST002 » en double",
        id="duplicate-unit-code",
    ),
    pytest.param(
        "centres.toml",
        "opens = 16:30:00",
        "opens = 22:30:00",
        "centres.toml [centre[2].hours[0].closes] : la fermeture doit suivre l'ouverture",
        id="centre-closing-before-opening",
    ),
    pytest.param(
        "years/2016-2017.toml",
        'rule = "R-EXA-4"\nvalue = 10.00',
        'rule = "R-EXA-44"\nvalue = 10.00',
        "la règle R-EXA-44 n'existe pas dans la spécification",
        id="unknown-rule-id",
    ),
    pytest.param(
        "years/2016-2017.toml",
        "  categories = [5, 6, 7, 8]",
        "  categories = [5, 6, 7]",
        "les catégories 1 à 8 doivent être couvertes",
        id="job-seeker-category-missing",
    ),
    pytest.param(
        "years/2016-2017.toml",
        'when = "foreign_national"',
        'when = "martian"',
        "years/2016-2017.toml [document[8].when] : condition inconnue « martian »",
        id="document-with-an-unknown-condition",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("file", "old", "new", "message"), BROKEN)
def test_a_broken_file_is_reported_and_leaves_the_database_untouched(
    data_copy, file, old, new, message
):
    load(data_copy)
    before = snapshot()
    # A valid edit elsewhere must not be written either: all-or-nothing.
    edit(
        data_copy / "units" / "epn-travail.toml",
        'title = "Champs de la sociologie"',
        'title = "Sociologie"',
    )
    edit(data_copy / file, old, new)

    with pytest.raises(CommandError) as raised:
        load(data_copy)

    assert message in str(raised.value)
    assert "la base n'a pas été modifiée" in str(raised.value)
    assert snapshot() == before
    assert Unit.objects.get(code="AST002").title == "Champs de la sociologie"


@pytest.mark.django_db
def test_every_problem_is_reported_at_once(data_copy):
    edit(data_copy / "programmes" / "CP29.toml", "declared_ects = 54", "declared_ects = 0")
    edit(
        data_copy / "years" / "2016-2017.toml",
        "courses_end = 2017-06-24",
        "courses_end = 2017-01-01",
    )

    with pytest.raises(CommandError) as raised:
        load(data_copy)

    assert "2 problème(s)" in str(raised.value)
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="dossier introuvable"):
        load(tmp_path / "nowhere")


@pytest.mark.django_db
def test_a_folder_with_only_a_new_year_loads_beside_the_catalogue(data_copy, tmp_path):
    load(data_copy)
    only_year = tmp_path / "next"
    (only_year / "years").mkdir(parents=True)
    text = (data_copy / "years" / "2016-2017.toml").read_text(encoding="utf-8")
    # The same calendar 52 weeks later (weekdays kept), under a new code.
    text = re.sub(
        r"\b(\d{4}-\d{2}-\d{2})\b",
        lambda m: (dt.date.fromisoformat(m.group(1)) + dt.timedelta(weeks=52)).isoformat(),
        text.replace('code = "2016-2017"', 'code = "2017-2018"'),
    )
    (only_year / "years" / "2017-2018.toml").write_text(text, encoding="utf-8")

    output = load(only_year)

    assert "années : 1 créé(s)" in output
    assert AcademicYear.objects.count() == 2
    assert Unit.objects.count() == 16
