"""Marks files: reading a CSV or XLSX file of marks into lines, checking every line
before anything is written, and writing exports whose cells cannot run as formulas.

A file has a header line naming its columns: `email` (or `dossier`, the dossier
number), `note`, and optionally `absence` (`absent`, `excusé`). A line's problems are
all reported at once, with its line number; the file is saved only when no line has
one, then in one transaction (`services.save_marks`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000
ABSENCE_WORDS = {
    "": "",
    "absent": "absent",
    "absente": "absent",
    "abs": "absent",
    "excusé": "excused",
    "excusée": "excused",
    "excuse": "excused",
    "excused": "excused",
}
IDENTIFIERS = ("email", "dossier")
# A cell starting with one of these may run as a formula in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class MarksFileError(ValueError):
    """The file as a whole cannot be read (format, size, header), in French."""


@dataclass
class Line:
    number: int  # the line in the file, header = 1
    identifier: str
    raw_value: str
    raw_absence: str
    value: Decimal | None = None
    absence: str = ""
    learner_id: int | None = None
    name: str = ""
    problems: list[str] = field(default_factory=list)
    current: object = None  # the mark already saved that this line replaces, if any


# A CSV field longer than this is no mark (the csv module's own limit is 131 072).
MAX_FIELD_CHARS = 1000


def rows_of_csv(data: bytes) -> list[tuple[int, list[str]]]:
    """(line number in the file, cells) of every record."""
    if b"\x00" in data:
        raise MarksFileError("Ce fichier n'est pas un fichier texte CSV (octets binaires).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # files saved by French Excel
    # Old Mac files end lines with CR alone: one line ending for every file.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0][:MAX_FIELD_CHARS]
    try:
        dialect = csv.Sniffer().sniff(first, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    reader = csv.reader(io.StringIO(text), dialect, strict=True)
    rows = []
    try:
        for row in reader:
            if any(len(cell) > MAX_FIELD_CHARS for cell in row):
                raise MarksFileError(
                    f"Ligne {reader.line_num} : une cellule dépasse {MAX_FIELD_CHARS} caractères."
                )
            rows.append((reader.line_num, row))
            if len(rows) > MAX_LINES + 1:
                break
    except csv.Error as error:
        where = f"Ligne {max(reader.line_num, 1)}"
        if "field larger than field limit" in str(error):
            raise MarksFileError(
                f"{where} : une cellule dépasse {MAX_FIELD_CHARS} caractères."
            ) from None
        raise MarksFileError(
            f"{where} : le fichier CSV est mal formé (guillemet non refermé ou séparateur "
            "inattendu) ; enregistrez-le à nouveau depuis votre tableur."
        ) from None
    return rows


def _rows_of_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number in the sheet, cells) of every row, as the spreadsheet numbers them.
    defusedxml (installed) makes openpyxl refuse external entities and entity bombs."""
    import zipfile
    import zlib

    from openpyxl import load_workbook

    unreadable = (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            # A sheet's rows carry their number; empty cells (read-only mode) do not.
            numbered = next((c.row for c in row if getattr(c, "row", None)), number)
            values = ["" if c.value is None else str(c.value) for c in row]
            if any(len(value) > MAX_FIELD_CHARS for value in values):
                raise MarksFileError(
                    f"Ligne {numbered} : une cellule dépasse {MAX_FIELD_CHARS} caractères."
                )
            rows.append((numbered, values))
            if len(rows) > MAX_LINES + 1:
                break
        book.close()
    except MarksFileError:
        raise
    except (*unreadable, zlib.error, EOFError, AttributeError) as error:
        raise MarksFileError("Fichier XLSX illisible ou refusé par sécurité.") from error
    return rows


def read_lines(name: str, data: bytes) -> tuple[list[Line], str]:
    """The lines with their raw cells, and the identifier column ("email" or "dossier");
    raises MarksFileError when the file itself cannot be read. Line numbers are the
    file's (or the sheet's), blank lines included in the count."""
    if len(data) > MAX_BYTES:
        raise MarksFileError("Fichier trop volumineux (2 Mo au plus).")
    lower = name.lower()
    if lower.endswith(".csv"):
        numbered = rows_of_csv(data)
    elif lower.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise MarksFileError("Ce fichier n'est pas un classeur XLSX.")
        numbered = _rows_of_xlsx(data)
    else:
        raise MarksFileError("Format non pris en charge : un fichier .csv ou .xlsx est attendu.")
    numbered = [(n, r) for n, r in numbered if any(cell.strip() for cell in r)]
    if not numbered:
        raise MarksFileError("Le fichier est vide.")
    if len(numbered) > MAX_LINES + 1:
        raise MarksFileError(f"Trop de lignes ({MAX_LINES} au plus) : découpez le fichier.")
    rows = [row for _, row in numbered]
    header = [cell.strip().lower() for cell in rows[0]]
    identifier = next((h for h in IDENTIFIERS if h in header), None)
    if identifier is None or "note" not in header:
        raise MarksFileError(
            "Ligne 1 : les colonnes « email » (ou « dossier ») et « note » sont attendues, "
            "« absence » en option."
        )
    position = {h: header.index(h) for h in (identifier, "note", "absence") if h in header}

    def cell(row: list[str], column: str) -> str:
        index = position.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    return [
        Line(number, cell(row, identifier), cell(row, "note"), cell(row, "absence"))
        for number, row in numbered[1:]
    ], identifier


def check_lines(lines: list[Line], learners: dict[str, tuple[int, str]], convoked: set[int]):
    """Fill each line's value, absence, learner and problems. `learners` maps an
    identifier (lower-case e-mail or dossier number) to (learner id, name)."""
    seen: dict[int, int] = {}
    for line in lines:
        found = learners.get(line.identifier.lower())
        if not line.identifier:
            line.problems.append("apprenant non indiqué")
        elif found is None:
            line.problems.append(f"apprenant inconnu « {line.identifier} »")
        else:
            line.learner_id, line.name = found
            if line.learner_id not in convoked:
                line.problems.append(
                    f"{line.name} n'a pas le droit de composer à cet examen (pas de convocation)"
                )
            if line.learner_id in seen:
                line.problems.append(f"{line.name} figure déjà à la ligne {seen[line.learner_id]}")
            else:
                seen[line.learner_id] = line.number
        absence = ABSENCE_WORDS.get(line.raw_absence.lower())
        if absence is None:
            line.problems.append(f"absence « {line.raw_absence} » inconnue (absent ou excusé)")
            absence = ""
        line.absence = absence
        if line.raw_value:
            try:
                line.value = Decimal(line.raw_value.replace(",", "."))
            except InvalidOperation:
                line.problems.append(f"note « {line.raw_value} » illisible")
            else:
                if not line.value.is_finite() or not Decimal(0) <= line.value <= Decimal(20):
                    line.problems.append(f"note {line.raw_value} hors de 0 à 20")
                elif line.value.as_tuple().exponent < -2:
                    line.problems.append(f"note {line.raw_value} : deux décimales au plus")
                if absence:
                    line.problems.append("une note et une absence ne vont pas ensemble")
        elif not absence:
            line.problems.append("ni note ni absence")
    return lines


def neutralised(value) -> str:
    """A cell's text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
