"""Marks files: every line checked before anything is written, then all in one
transaction; exports that never run as formulas."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from admissions.models import Dossier
from admissions.tests.conftest import make_user
from assessment import imports, services
from assessment.models import Mark
from catalogue.models import Unit
from timetable.tests.conftest import register


@pytest.fixture
def convoked(s1, cohort, django_user_model, year, le_port):
    """Léa is convoked; the other learner (one attendance) and Noé (not registered to
    AST004) are not."""
    noe = make_user(django_user_model, "noe@example.re", "learner")
    register(noe, year, le_port, {"CCE001": False})
    services.issue_convocations(s1)
    return cohort[0]


def url(session, what="import/") -> str:
    return f"/examens/{session.pk}/ue/AST004/{what}"


def upload(text: str, name="notes.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_file_with_problems_is_previewed_line_by_line_and_nothing_is_written(
    client, s1, convoked, teacher
):
    client.force_login(teacher)
    text = (
        "email;note;absence\n"
        "lea.payet@example.re;12,5;\n"
        "inconnu@example.re;10;\n"
        "autre@example.re;11;\n"
        "lea.payet@example.re;13;\n"
        "noe@example.re;21;\n"
        ";;peut-être\n"
    )
    response = client.post(url(s1), {"step": "preview", "fichier": upload(text)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "apprenant inconnu « inconnu@example.re »" in page
    assert "n&#x27;a pas le droit de composer" in page  # the other learner, and Noé
    assert "figure déjà à la ligne 2" in page
    assert "note 21 hors de 0 à 20" in page
    assert "absence « peut-être » inconnue" in page and "apprenant non indiqué" in page
    assert "Confirmer" not in page
    assert not Mark.objects.exists()


def test_a_clean_file_is_confirmed_then_saved_in_one_go(client, s1, convoked, teacher):
    client.force_login(teacher)
    response = client.post(
        url(s1), {"step": "preview", "fichier": upload("email,note\nLEA.PAYET@example.re,14.5\n")}
    )
    assert response.status_code == 200 and not Mark.objects.exists()  # preview writes nothing
    payload = re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)

    tampered = client.post(
        url(s1), {"step": "confirm", "payload": payload[:-2] + "xx"}, follow=True
    )
    assert "Aperçu expiré ou altéré" in tampered.content.decode()
    assert not Mark.objects.exists()

    client.post(url(s1), {"step": "confirm", "payload": payload})
    assert Mark.objects.get().value == Decimal("14.5")


def test_the_preview_shows_the_mark_each_line_replaces(client, s1, convoked, teacher):
    """Issue 14, item 6: a mark already saved is shown beside the one that replaces it."""
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [services.MarkEntry(convoked.pk, Decimal("8.5"), "", 0)], teacher)
    client.force_login(teacher)
    response = client.post(
        url(s1), {"step": "preview", "fichier": upload("email;note\nlea.payet@example.re;12\n")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">Remplace</th>' in page and "<td>8,5/20</td>" in page
    assert "1 ligne remplace une note déjà saisie" in page


def test_confirming_after_someone_changed_the_mark_is_refused(
    client, s1, convoked, teacher, reception
):
    client.force_login(teacher)
    response = client.post(
        url(s1), {"step": "preview", "fichier": upload("email;note\nlea.payet@example.re;9\n")}
    )
    payload = re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [services.MarkEntry(convoked.pk, Decimal(16), "", 0)], reception)
    refused = client.post(url(s1), {"step": "confirm", "payload": payload})
    assert refused.status_code == 400
    assert "modifiée par quelqu" in refused.content.decode()
    assert Mark.objects.get().value == Decimal(16)


def test_an_xlsx_file_by_dossier_number(client, s1, convoked, teacher):
    dossier = Dossier.objects.get(learner=convoked)
    book = Workbook()
    book.active.append(["dossier", "note", "absence"])
    book.active.append([dossier.reference, None, "excusé"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(teacher)
    response = client.post(
        url(s1),
        {"step": "preview", "fichier": SimpleUploadedFile("notes.xlsx", buffer.getvalue())},
    )
    payload = re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)
    client.post(url(s1), {"step": "confirm", "payload": payload})
    assert Mark.objects.get().absence == "excused"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("notes.txt", b"email;note\n", "un fichier .csv ou .xlsx est attendu"),
        ("notes.xlsx", b"<html>", "pas un classeur XLSX"),
        ("notes.csv", b"nom;valeur\nx;1\n", "Ligne 1 : les colonnes"),
        ("notes.csv", b"", "Le fichier est vide"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_reason(name, body, message):
    with pytest.raises(imports.MarksFileError, match=message):
        imports.read_lines(name, body)


def test_exports_neutralise_formulas(client, s1, convoked, teacher):
    Dossier.objects.filter(learner=convoked).update(last_name='=HYPERLINK("http://x","y")')
    client.force_login(teacher)
    response = client.get(url(s1, "notes.csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["email", "dossier", "nom", "prenom", "note", "absence"]
    assert rows[1][2].startswith("'=")
    book = load_workbook(io.BytesIO(client.get(url(s1, "notes.xlsx")).content))
    assert book.active["C2"].value.startswith("'=")
    assert book.active["C2"].data_type == "s"


def test_learners_reach_neither_import_nor_export(client, s1, convoked):
    client.force_login(convoked)
    assert client.get(url(s1)).status_code == 403
    assert client.get(url(s1, "notes.csv")).status_code == 403


# --- hostile or odd files: a French message naming the line, never a server error -------


def xlsx_with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced."""
    import zipfile

    book = Workbook()
    book.active.append(["email", "note"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(item, data)
    return out.getvalue()


EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
    b"</sheetData></worksheet>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "hahahahahahahahahaha">'
    + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&" + bytes([97 + i]) + b";") * 10)
        for i in range(8)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("notes.csv", bytes(range(256)) * 20, "octets binaires"),
        ("notes.csv", b"email;note\nlea@example.re;" + b"1" * 140_000 + b"\n", "Ligne 2 : une"),
        ("notes.csv", b'email;note\n"lea@example.re;12\n', "mal formé|Ligne"),
        ("notes.xlsx", b"PK\x03\x04" + bytes(500), "XLSX illisible"),
        ("notes.xlsx", xlsx_with_sheet_xml(EXTERNAL_ENTITY), "refusé par sécurité"),
        ("notes.xlsx", xlsx_with_sheet_xml(LAUGHS), "refusé par sécurité"),
    ],
)
def test_a_hostile_file_is_refused_in_french(name, body, message):
    with pytest.raises(imports.MarksFileError, match=message):
        imports.read_lines(name, body)


def test_cr_only_line_endings_are_read_as_lines():
    lines, _ = imports.read_lines("notes.csv", b"email;note\rlea@example.re;12\rnoe@example.re;9\r")
    assert [(line.number, line.identifier, line.raw_value) for line in lines] == [
        (2, "lea@example.re", "12"),
        (3, "noe@example.re", "9"),
    ]


def test_line_numbers_are_the_files_blank_lines_included():
    csv_lines, _ = imports.read_lines("notes.csv", b"email;note\n\n\nlea@example.re;12\n")
    book = Workbook()
    book.active.append(["email", "note"])
    book.active.append([None, None])
    book.active.append(["lea@example.re", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx_lines, _ = imports.read_lines("notes.xlsx", buffer.getvalue())

    assert [line.number for line in csv_lines] == [4]
    assert [line.number for line in xlsx_lines] == [3]


def test_an_xlsx_over_the_line_limit_is_refused_not_cut(monkeypatch):
    """The XLSX import silently dropped the rows after the first 5 000."""
    monkeypatch.setattr(imports, "MAX_LINES", 3)
    book = Workbook()
    book.active.append(["email", "note"])
    for n in range(4):
        book.active.append([f"l{n}@example.re", 10])
    buffer = io.BytesIO()
    book.save(buffer)

    with pytest.raises(imports.MarksFileError, match="Trop de lignes"):
        imports.read_lines("notes.xlsx", buffer.getvalue())
