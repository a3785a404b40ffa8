"""Cases as data: read a TOML file of [[case]] tables, turn each input into the
decision's request, run it, and compare with the expected output (if any).

A case: name (a sentence), rule (the id it illustrates), year ("2016-2017"), decision
(a key of DECISIONS), [case.input] and, optionally, [case.expected]. Expected keys are
compared with the result (only the keys given; lists element by element), plus three
special keys: `cites` (rule ids the explanation must cite), `says` (fragments some
explanation message must contain) and `error` (a fragment of the expected input error).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from rules.alternance import alternance_weeks
from rules.awards import AwardRequest, award_status
from rules.catalogue import Catalogue, opened_units
from rules.data_reader import DataProblem, Reader
from rules.exams import ExamRequest, exam_right
from rules.explain import InputError, day
from rules.fees import FUNDINGS, QuoteRequest, quote
from rules.ledger import Attempt, Grant, unit_ledger
from rules.registration import registration_open
from rules.regulation import (
    ATTENDANCE_ANNUAL_READINGS,
    REQUEST_PERIOD_STARTS,
    TERMINATION_BASES,
    WITHDRAWAL_COUNTINGS,
    Regulation,
)
from rules.withdrawal import CancellationRequest, cancel

SPECIAL_EXPECTED = ("cites", "says", "not_says", "error")
# The readings a case may set instead of its year's (Thresholds field -> its values).
READINGS = {
    "attendance_annual_unit": ATTENDANCE_ANNUAL_READINGS,
    "termination_basis": TERMINATION_BASES,
    "withdrawal_counted_in": WITHDRAWAL_COUNTINGS,
    "certificate_request_counted_from": REQUEST_PERIOD_STARTS,
}


class CaseError(ValueError):
    """Bad input in a case, in French, naming the case and the field."""


@dataclass(frozen=True)
class Case:
    index: int  # 1-based, in its file
    name: str
    rule: str
    year: str
    decision: str
    input: dict[str, Any]
    expected: dict[str, Any] | None
    # A reading of the year other than its data's, for a case that shows what the other
    # value decides (`withdrawal_counted_in = "working_days"`…); only the readings.
    readings: dict[str, str] = field(default_factory=dict)

    def error(self, field: str, message: str) -> CaseError:
        where = f"{field} : " if field else ""
        return CaseError(f"cas {self.index} « {self.name} » : {where}{message}")


# --- reading the file ------------------------------------------------------------------


def load_cases(path: Path) -> list[Case]:
    """The cases of one file, each checked for its own fields (not yet its input)."""
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise CaseError(f"{path} : syntaxe TOML invalide : {error}") from None
    except OSError as error:
        raise CaseError(f"{path} : lecture impossible : {error.strerror}") from None
    tables = data.get("case")
    if not isinstance(tables, list) or not tables:
        raise CaseError(f"{path} : aucun [[case]] trouvé")
    cases = []
    for index, table in enumerate(tables, start=1):
        name = table.get("name") if isinstance(table, dict) else None
        case = Case(index, name if isinstance(name, str) else "?", "", "", "", {}, None)
        for key in ("name", "year", "decision"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise case.error(key, "valeur obligatoire manquante")
        if table["decision"] not in DECISIONS:
            raise case.error(
                "decision", f"« {table['decision']} » : {', '.join(DECISIONS)} attendu"
            )
        if not isinstance(table.get("input"), dict):
            raise case.error("input", "une table [case.input] est attendue")
        expected = table.get("expected")
        if expected is not None and not isinstance(expected, dict):
            raise case.error("expected", "une table [case.expected] est attendue")
        readings = table.get("readings", {})
        if not isinstance(readings, dict):
            raise case.error("readings", "une table [case.readings] est attendue")
        for key, value in readings.items():
            if key not in READINGS or value not in READINGS[key]:
                choices = ", ".join(f"{k} = {' | '.join(v)}" for k, v in READINGS.items())
                raise case.error(f"readings.{key}", f"lecture inconnue (lectures : {choices})")
        cases.append(
            Case(
                index=index,
                name=table["name"],
                rule=str(table.get("rule", "")),
                year=table["year"],
                decision=table["decision"],
                input=table["input"],
                expected=expected,
                readings=readings,
            )
        )
    return cases


# --- running a case --------------------------------------------------------------------


def evaluate(case: Case, catalogue: Catalogue) -> dict[str, Any]:
    """Run the case's decision; the result as plain values and its explanation."""
    try:
        regulation = catalogue.year(case.year)
    except KeyError:
        known = ", ".join(y.code for y in catalogue.years)
        raise case.error(
            "year", f"année universitaire inconnue « {case.year} » ({known})"
        ) from None
    if case.readings:
        regulation = replace(regulation, thresholds=replace(regulation.thresholds, **case.readings))
    allowed, run = DECISIONS[case.decision]
    problems: list[DataProblem] = []
    reader = Reader(case.input, "", "input", problems)
    for key in case.input:
        if key not in allowed:
            raise case.error(
                f"input.{key}", f"champ inconnu (champs permis : {', '.join(allowed)})"
            )
    try:
        result = run(reader, regulation, catalogue, case)
    except InputError as error:
        raise case.error(f"input.{error.field}", error.message) from None
    plain = asdict(result)
    reasons = plain.pop("reasons")
    return {"result": plain, "explanation": reasons}


def differences(case: Case, outcome: dict[str, Any] | None, error: str = "") -> list[str]:
    """What differs between the case's expected output and what came out."""
    expected = dict(case.expected or {})
    wanted_error = expected.pop("error", None)
    if wanted_error is not None:
        if not error:
            return [f"erreur attendue contenant « {wanted_error} », aucune erreur"]
        return [] if wanted_error in error else [f"erreur « {error} » ≠ « {wanted_error} »"]
    if error or outcome is None:
        return [f"erreur inattendue : {error}"]
    found: list[str] = []
    cited = {reason["rule_id"] for reason in outcome["explanation"]}
    for rule_id in expected.pop("cites", []):
        if rule_id not in cited:
            found.append(f"l'explication ne cite pas {rule_id}")
    text = "\n".join(reason["message"] for reason in outcome["explanation"])
    for fragment in expected.pop("says", []):
        if fragment not in text:
            found.append(f"l'explication ne dit pas « {fragment} »")
    for fragment in expected.pop("not_says", []):
        if fragment in text:
            found.append(f"l'explication dit « {fragment} », qui ne s'applique pas")
    return found + _compare(expected, outcome["result"], "")


def _compare(expected: Any, actual: Any, path: str) -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path} : table attendue"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key} : absent du résultat".lstrip("."))
            else:
                found += _compare(value, actual[key], f"{path}.{key}".lstrip("."))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list | tuple) or len(actual) != len(expected):
            return [f"{path} : {len(expected)} éléments attendus, obtenu {_show(actual)}"]
        found = []
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found += _compare(want, got, f"{path}[{index}]")
        return found
    if _number(expected) and _number(actual):
        same = Decimal(expected) == Decimal(actual)
    else:
        same = expected == actual and type(expected) is type(actual)
    return [] if same else [f"{path} : attendu {_show(expected)}, obtenu {_show(actual)}"]


def _number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else repr(value)


# --- the decisions: input fields, and how to read them ------------------------------------


def _in_year(case: Case, regulation: Regulation, name: str, value: dt.date | None) -> None:
    if value is not None and not regulation.contains(value):
        raise case.error(
            f"input.{name}",
            f"le {day(value)} est hors de l'{regulation.label.lower()} "
            f"(du {day(regulation.first_day)} au {day(regulation.last_day)})",
        )


def _optional_int(reader: Reader, name: str) -> int | None:
    return reader.int(name) if reader.has(name) else None


def _optional_decimal(reader: Reader, name: str) -> Decimal | None:
    return reader.decimal(name) if reader.has(name) else None


def _quote(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    funding = reader.choice("funding", FUNDINGS)
    request = QuoteRequest(
        funding=funding,
        units=reader.strs("units", required=False),
        foad_units=reader.strs("foad_units", required=False),
        first_registration=reader.bool("first_registration"),
        registration_right_paid=reader.bool("registration_right_paid", required=False),
        experience_report=reader.bool("experience_report", required=False),
        validation=reader.str("validation", required=False),
        job_seeker_category=reader.int("job_seeker_category", minimum=None)
        if funding == "job_seeker"
        else None,
        direction_approved=reader.bool("direction_approved", required=False),
        employer_per_ects=_optional_decimal(reader, "employer_per_ects"),
        employer_share=reader.decimal("employer_share", required=False)
        if reader.has("employer_share")
        else Decimal(1),
        employer_certificate_signed=reader.bool(
            "employer_certificate_signed", required=False, default=True
        ),
        # The year's openings (R-FEE-1) unless the case states its own.
        opened_locally=frozenset(reader.strs("opened_locally"))
        if reader.has("opened_locally")
        else opened_units(regulation, {u.code: u.programmes for u in catalogue.units}),
    )
    _stop_on_problems(reader, case)
    return quote(regulation, catalogue, request)


def _cancellation(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    request = CancellationRequest(
        deposited_on=reader.date("deposited_on"),
        requested_on=reader.date("requested_on"),
        paid=reader.decimal("paid"),
        first_registration=reader.bool("first_registration"),
        force_majeure=reader.bool("force_majeure", required=False),
        letter_date=reader.date("letter_date", required=False),
        letter_reference=reader.str("letter_reference", required=False),
        sessions_delivered=_optional_int(reader, "sessions_delivered"),
        sessions_planned=_optional_int(reader, "sessions_planned"),
        training_starts=reader.date("training_starts", required=False),
        training_ends=reader.date("training_ends", required=False),
        registration_right_charged=reader.bool(
            "registration_right_charged", required=False, default=True
        ),
        contract_value=_optional_decimal(reader, "contract_value"),
    )
    _stop_on_problems(reader, case)
    for name in ("deposited_on", "requested_on", "letter_date"):
        _in_year(case, regulation, name, getattr(request, name))
    return cancel(regulation, request)


def _registration(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    semester, on = reader.str("semester"), reader.date("on")
    _stop_on_problems(reader, case)
    return registration_open(regulation, semester, on)


def _exam(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    attendances = reader.sub("attendances", required=False)
    request = ExamRequest(
        unit=reader.str("unit"),
        registered=reader.bool("registered"),
        attendances={code: attendances.int(code) for code in attendances.table},
        sessions_sat=reader.int("sessions_sat", required=False),
    )
    _stop_on_problems(reader, case)
    return exam_right(regulation, catalogue, request)


def _attempts_and_grants(
    reader: Reader, case: Case
) -> tuple[tuple[Attempt, ...], tuple[Grant, ...]]:
    attempts = tuple(
        Attempt(
            unit=item.str("unit"),
            on=item.date("on"),
            year=item.str("year", required=False, default=case.year),
            session=item.int("session", minimum=None) if item.has("session") else 1,
            mark=item.decimal("mark", minimum=None) if item.has("mark") else None,
            absence=item.str("absence", required=False),
        )
        for item in reader.subs("attempts", required=False)
    )
    grants = tuple(
        Grant(
            unit=item.str("unit"),
            on=item.date("on"),
            way=item.str("way"),
            reference=item.str("reference", required=False),
            mark=item.decimal("mark", minimum=None) if item.has("mark") else None,
        )
        for item in reader.subs("grants", required=False)
    )
    return attempts, grants


def _ledger(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    attempts, grants = _attempts_and_grants(reader, case)
    _stop_on_problems(reader, case)
    return unit_ledger(catalogue, attempts, grants)


def _award(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    """`validated` (UE code = date) and/or `attempts` / `grants` read through the ledger."""
    table = reader.sub("validated", required=False)
    validated = {code: table.date(code) for code in table.table}
    attempts, grants = _attempts_and_grants(reader, case)
    request = AwardRequest(
        programme=reader.str("programme"),
        on=reader.date("on"),
        validated=validated,
        access=reader.str("access", required=False, default="none"),
        experience_months=reader.decimal("experience_months", required=False),
        experience_in_field=reader.bool("experience_in_field", required=False),
        internship_months=reader.decimal("internship_months", required=False),
    )
    _stop_on_problems(reader, case)
    if not (attempts or grants):
        return award_status(regulation, catalogue, request)
    ledger = unit_ledger(catalogue, attempts, grants)
    request = replace(request, validated={**ledger.validated(), **validated})
    status = award_status(regulation, catalogue, request)
    return replace(status, reasons=ledger.reasons + status.reasons)


def _alternance(reader: Reader, regulation: Regulation, catalogue: Catalogue, case: Case):
    start, end = reader.date("start"), reader.date("end")
    attended = {}
    for row in reader.subs("days", required=False):
        attended[row.date("day")] = row.decimal("hours")
    _stop_on_problems(reader, case)
    return alternance_weeks(regulation, attended, start, end)


def _stop_on_problems(reader: Reader, case: Case) -> None:
    if reader.problems:
        problem = reader.problems[0]
        raise case.error(problem.key, problem.message)


def _fields(request_class: type, *extra: str) -> tuple[str, ...]:
    return (*(f.name for f in fields(request_class)), *extra)


# decision -> (the input fields it accepts, how to read and run it)
DECISIONS = {
    "quote": (_fields(QuoteRequest), _quote),
    "cancellation": (_fields(CancellationRequest), _cancellation),
    "registration_open": (("semester", "on"), _registration),
    "exam_right": (_fields(ExamRequest), _exam),
    "ledger": (("attempts", "grants"), _ledger),
    "award_status": (_fields(AwardRequest, "attempts", "grants"), _award),
    "alternance_weeks": (("start", "end", "days"), _alternance),
}
