"""Command line: `python -m rules evaluate FILE.toml [--data DIR]`.

Evaluates every case of the file and prints, as JSON, each result and its explanation
(Decimals as strings such as "262.00", dates in ISO format). Exit status: 0 when every
case ran (and matched its expected output, when given), 1 when an expected output does
not match, 2 on bad input or data (a French message on stderr naming the field).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

from rules.cases import CaseError, differences, evaluate, load_cases
from rules.catalogue import load_catalogue
from rules.data_reader import DataError

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rules", description="Règles de la brochure : évaluer des cas."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    evaluate_command = commands.add_parser(
        "evaluate", help="évaluer les cas d'un fichier TOML et afficher le résultat en JSON"
    )
    evaluate_command.add_argument("file", type=Path, help="fichier de cas ([[case]])")
    evaluate_command.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"dossier des données ({DEFAULT_DATA})"
    )
    args = parser.parse_args(argv)

    try:
        catalogue = load_catalogue(args.data)
        cases = load_cases(args.file)
        outcomes = [(case, evaluate(case, catalogue)) for case in cases]
    except (CaseError, DataError) as error:
        print(f"erreur : {error}", file=sys.stderr)
        return 2

    report, status = [], 0
    for case, outcome in outcomes:
        entry = {"case": case.index, "name": case.name, "rule": case.rule, "year": case.year}
        entry |= {"decision": case.decision, **outcome}
        if case.expected is not None:
            found = differences(case, outcome)
            entry["matches_expected"] = not found
            if found:
                entry["differences"] = found
                status = 1
        report.append(entry)
    print(json.dumps(report, ensure_ascii=False, indent=2, default=_plain))
    return status


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} n'est pas sérialisable")


if __name__ == "__main__":
    sys.exit(main())
