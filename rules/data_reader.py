"""Typed reading of the TOML data files, collecting every problem with its file and key.

The loader reports all problems at once (R-CAT-6) instead of stopping at the first,
so whoever edits the data fixes a file in one pass.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rules.spec import cited_ids, unknown_ids


@dataclass(frozen=True)
class DataProblem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.key}]" if self.key else self.file
        return f"{where} : {self.message}"


class DataError(Exception):
    """Raised with every problem found; nothing is loaded when it is raised."""

    def __init__(self, problems: list[DataProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_toml(path: Path, problems: list[DataProblem], label: str) -> dict[str, Any] | None:
    """Parse a TOML file with exact decimals; a syntax error becomes a problem."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        problems.append(DataProblem(label, "", f"syntaxe TOML invalide : {error}"))
    except OSError as error:
        problems.append(DataProblem(label, "", f"lecture impossible : {error.strerror}"))
    return None


_MISSING = object()


class Reader:
    """Reads one table of a data file; each accessor records a problem and returns a
    neutral value instead of raising, so validation goes on."""

    def __init__(self, table: Any, file: str, path: str, problems: list[DataProblem]):
        self.table = table if isinstance(table, dict) else {}
        self.file = file
        self.path = path
        self.problems = problems
        if not isinstance(table, dict):
            self.problem("", "une table est attendue")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path and name else (self.path or name)

    def problem(self, name: str, message: str) -> None:
        self.problems.append(DataProblem(self.file, self.key(name), message))

    def has(self, name: str) -> bool:
        return name in self.table

    def _get(self, name: str, required: bool) -> Any:
        value = self.table.get(name, _MISSING)
        if value is _MISSING and required:
            self.problem(name, "valeur obligatoire manquante")
        return value

    def sub(self, name: str, required: bool = True) -> Reader:
        value = self._get(name, required)
        return Reader({} if value is _MISSING else value, self.file, self.key(name), self.problems)

    def subs(self, name: str, required: bool = True) -> list[Reader]:
        value = self._get(name, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.problem(name, "une liste de tables est attendue")
            return []
        return [
            Reader(item, self.file, f"{self.key(name)}[{index}]", self.problems)
            for index, item in enumerate(value)
        ]

    def str(self, name: str, required: bool = True, default: str = "") -> str:
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(name, "un texte non vide est attendu")
            return default
        return value

    def choice(self, name: str, choices: tuple[str, ...], required: bool = True) -> str:
        value = self.str(name, required)
        if value and value not in choices:
            self.problem(name, f"« {value} » n'est pas une valeur permise ({', '.join(choices)})")
        return value

    def bool(self, name: str, required: bool = True, default: bool = False) -> bool:
        value = self._get(name, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(name, "true ou false est attendu")
            return default
        return value

    def int(self, name: str, required: bool = True, minimum: int | None = 0) -> int:
        value = self._get(name, required)
        if value is _MISSING:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, "un nombre entier est attendu")
            return 0
        if minimum is not None and value < minimum:
            self.problem(name, f"doit être supérieur ou égal à {minimum} (lu : {value})")
        return value

    def decimal(self, name: str, required: bool = True, minimum: Decimal | None = Decimal(0)):
        value = self._get(name, required)
        if value is _MISSING:
            return Decimal(0)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            self.problem(name, "un nombre est attendu")
            return Decimal(0)
        value = Decimal(value)
        if minimum is not None and value < minimum:
            self.problem(name, f"doit être supérieur ou égal à {minimum} (lu : {value})")
        return value

    def date(self, name: str, required: bool = True) -> dt.date | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.problem(name, "une date AAAA-MM-JJ est attendue")
            return None
        return value

    def time(self, name: str, required: bool = True) -> dt.time | None:
        value = self._get(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dt.time):
            self.problem(name, "une heure HH:MM:SS est attendue")
            return None
        return value

    def strs(self, name: str, required: bool = True) -> tuple[str, ...]:
        value = self._get(name, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(name, "une liste de textes est attendue")
            return ()
        return tuple(value)

    def ints(self, name: str, required: bool = True, lo: int = 1, hi: int = 7) -> tuple[int, ...]:
        value = self._get(name, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi for v in value
        ):
            self.problem(name, f"une liste d'entiers de {lo} à {hi} est attendue")
            return ()
        return tuple(value)

    def rule(self, required: bool = True) -> str:
        """The `rule` citation of this table: ids that exist in the spec."""
        citation = self.str("rule", required)
        if citation:
            if not cited_ids(citation):
                self.problem("rule", f"« {citation} » ne cite aucun identifiant de règle")
            for rule_id in unknown_ids(citation):
                self.problem("rule", f"la règle {rule_id} n'existe pas dans la spécification")
        return citation

    def in_order(self, *names: str, strict: bool = True) -> None:
        """Dates of this table must come in the given order."""
        values = [(name, self.table.get(name)) for name in names]
        values = [(n, v) for n, v in values if isinstance(v, dt.date)]
        for (first, a), (second, b) in itertools.pairwise(values):
            if a > b or (strict and a == b):
                self.problem(
                    second,
                    f"date hors d'ordre : {second} ({b:%d/%m/%Y}) doit suivre "
                    f"{first} ({a:%d/%m/%Y})",
                )
