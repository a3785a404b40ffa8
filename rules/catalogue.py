"""The catalogue as data (R-CAT-6): programmes, units and centres read from a folder of
TOML files, with the academic years beside them, and validated as a whole before
anything is written.

Folder layout:
    programmes/<CODE>.toml   one per programme (R-CAT-1, R-CAT-2, R-CAT-7)
    units/*.toml             [[unit]] tables (R-CAT-3, R-CAT-4, R-CAT-5)
    centres.toml             [[centre]] tables (R-CTR-1)
    years/<YYYY-YYYY>.toml   one per academic year (rules.regulation)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rules.data_reader import DataError, DataProblem, Reader, read_toml
from rules.regulation import SEMESTER_CODES, Regulation, Thresholds, parse_regulation

UNIT_KINDS = ("course", "activity")
UNIT_PERIODS = ("annual", *SEMESTER_CODES)
PROGRAMME_KINDS = ("certificate", "title")
CENTRE_KINDS = ("regional", "teaching")


@dataclass(frozen=True)
class Unit:
    """An UE (R-CAT-3). Activity units (UA…) are outside the exam-session rule (R-EXA-2)."""

    code: str
    title: str
    other_title: str
    ects: int
    kind: str
    evaluation: tuple[str, ...]
    coefficient: int | None
    period: str
    programmes: tuple[str, ...]
    description: str
    note: str
    equivalence: str
    rule: str
    # The description is the centre's own text: the brochure gives none for this UE.
    description_by_centre: bool = False

    @property
    def is_activity(self) -> bool:
        return self.kind == "activity"


# The professional fields an experience or internship may be in (R-EXP-1, R-EXP-2).
EXPERIENCE_FIELDS = {
    "information": "information, accueil, orientation",
    "accompaniment": "accompagnement social et professionnel",
    "other": "autre domaine",
}


@dataclass(frozen=True)
class AwardRule:
    """What a programme's award requires (R-AWD-1, R-AWD-2), with threshold keys."""

    required_units: tuple[str, ...]
    report_unit: str
    experience_unit: str
    experience_key: str
    internship_if_no_field_experience_key: str
    internship_if_experience_outside_field_key: str
    request_period_key: str
    conditions: tuple[str, ...]
    rule: str
    # R-EXP-1, R-EXP-2: the professional fields (rules.experience.FIELDS) that count as
    # this programme's field; a reading, so data.
    experience_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Programme:
    code: str
    kind: str
    title: str
    declared_ects: int
    rule: str
    summary: str
    entry_level: str
    exit_level: str
    cpf_eligible: bool
    alternance: bool
    vae: bool
    common_core: str
    rncp_registration_years: int | None
    rncp_decree: str
    rome: tuple[tuple[str, str], ...]
    objectives: str
    competences: tuple[str, ...]
    public: tuple[str, ...]
    careers: tuple[str, ...]
    employers: tuple[str, ...]
    access_conditions: tuple[str, ...]
    prerequisites: str
    access_checked_when: str
    award: AwardRule
    # The summary is the centre's own text, not the brochure's.
    summary_by_centre: bool = False
    # R-ORG-4: the RNCP level (2019 nomenclature) and the NSF specialty the BPF reports.
    rncp_level: int | None = None
    nsf_code: str = ""
    nsf_label: str = ""


@dataclass(frozen=True)
class OpeningHours:
    weekdays: tuple[int, ...]
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Centre:
    code: str
    name: str
    kind: str
    address: str
    city: str
    phone: str
    fax: str
    email: str
    contact_role: str
    hours: tuple[OpeningHours, ...]
    rule: str


@dataclass(frozen=True)
class EctsReport:
    """R-CAT-6: the declared total against the sum of the units, never "fixed"."""

    programme: str
    declared: int
    units_sum: int

    @property
    def matches(self) -> bool:
        return self.declared == self.units_sum

    def __str__(self) -> str:
        verdict = "conforme" if self.matches else f"ÉCART de {self.declared - self.units_sum} ECTS"
        return (
            f"{self.programme} : {self.declared} ECTS déclarés, "
            f"somme des unités {self.units_sum} ECTS — {verdict}"
        )


@dataclass(frozen=True)
class Catalogue:
    programmes: tuple[Programme, ...]
    units: tuple[Unit, ...]
    centres: tuple[Centre, ...]
    evaluation_codes: tuple[tuple[str, str], ...]
    years: tuple[Regulation, ...]

    # Lookups by code, built once per catalogue (a bulk pass asks hundreds of thousands
    # of times); cached_property writes to the instance, so the dataclass stays frozen.
    @cached_property
    def _units_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def _programmes_by_code(self) -> dict[str, Programme]:
        return {p.code: p for p in self.programmes}

    @cached_property
    def _units_by_programme(self) -> dict[str, tuple[Unit, ...]]:
        found: dict[str, list[Unit]] = {}
        for unit in self.units:
            for code in unit.programmes:
                found.setdefault(code, []).append(unit)
        return {code: tuple(units) for code, units in found.items()}

    def unit(self, code: str) -> Unit:
        return self._units_by_code[code]

    def programme(self, code: str) -> Programme:
        return self._programmes_by_code[code]

    def year(self, code: str) -> Regulation:
        """The regulation of academic year `code` (e.g. "2016-2017")."""
        for year in self.years:
            if year.code == code:
                return year
        raise KeyError(code)

    def units_of(self, programme_code: str) -> tuple[Unit, ...]:
        """R-CAT-4: the units a programme contains, in catalogue order."""
        return self._units_by_programme.get(programme_code, ())

    def ects_report(self) -> tuple[EctsReport, ...]:
        return tuple(
            EctsReport(p.code, p.declared_ects, sum(u.ects for u in self.units_of(p.code)))
            for p in self.programmes
        )


# --- reading -------------------------------------------------------------------------


def load_catalogue(folder: Path, known_programmes: frozenset[str] = frozenset()) -> Catalogue:
    """Read and validate the whole folder; raise DataError listing every problem.

    `known_programmes` are codes already in the database, so a folder that only adds
    units or a year may refer to them.
    """
    problems: list[DataProblem] = []
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError([DataProblem(str(folder), "", "dossier introuvable")])

    def files(pattern: str) -> list[tuple[Path, str]]:
        return [(p, str(p.relative_to(folder))) for p in sorted(folder.glob(pattern))]

    programmes = []
    for path, label in files("programmes/*.toml"):
        data = read_toml(path, problems, label)
        if data is not None:
            programme = _programme(Reader(data, label, "", problems))
            if programme.code and programme.code != path.stem:
                problems.append(
                    DataProblem(
                        label, "code", f"« {programme.code} » ≠ nom du fichier « {path.stem} »"
                    )
                )
            programmes.append(programme)

    units, evaluation_codes = [], {}
    for path, label in files("units/*.toml"):
        data = read_toml(path, problems, label)
        if data is not None:
            root = Reader(data, label, "", problems)
            legend = root.sub("evaluation_codes")
            legend.rule()
            evaluation_codes.update({k: v for k, v in legend.table.items() if k != "rule"})
            units.extend((_unit(t), t) for t in root.subs("unit"))

    centres = []
    centres_path = folder / "centres.toml"
    if centres_path.exists():
        data = read_toml(centres_path, problems, "centres.toml")
        if data is not None:
            centres = [
                _centre(t) for t in Reader(data, "centres.toml", "", problems).subs("centre")
            ]

    years = []
    for path, label in files("years/*.toml"):
        data = read_toml(path, problems, label)
        if data is not None:
            year = parse_regulation(data, label, problems)
            if year.code and year.code != path.stem:
                problems.append(
                    DataProblem(
                        label, "year.code", f"« {year.code} » ≠ nom du fichier « {path.stem} »"
                    )
                )
            years.append(year)

    if not (programmes or units or centres or years):
        problems.append(DataProblem(str(folder), "", "aucun fichier de catalogue trouvé"))

    _check_references(programmes, units, evaluation_codes, known_programmes, problems)
    _check_unique("code", [(c.code, "centres.toml") for c in centres], problems)
    _check_openings(years, programmes, units, centres, known_programmes, problems)
    _check_unique("year.code", [(y.code, f"years/{y.code}.toml") for y in years], problems)
    if problems:
        raise DataError(problems)
    return Catalogue(
        programmes=tuple(programmes),
        units=tuple(unit for unit, _ in units),
        centres=tuple(centres),
        evaluation_codes=tuple(sorted(evaluation_codes.items())),
        years=tuple(sorted(years, key=lambda y: y.code)),
    )


def opened_units(
    regulation: Regulation, programmes_of: dict[str, tuple[str, ...]], centre: str | None = None
) -> frozenset[str]:
    """The UE codes `centre` opens in the year, or any centre of the region when None
    (R-FEE-1: FOAD is for the UEs "ni ouvertes ni proposées à La Réunion").
    `programmes_of` gives each known UE's programme codes."""
    opened: set[str] = set()
    for opening in regulation.openings:
        if centre is not None and opening.centre != centre:
            continue
        closed = set(opening.closed)
        opened |= {
            code
            for code, programmes in programmes_of.items()
            if set(programmes) & set(opening.programmes) and code not in closed
        }
        opened |= set(opening.units)
    return frozenset(opened)


def _check_openings(years, programmes, units, centres, known_programmes, problems) -> None:
    """Each year's openings (R-FEE-1) name known centres, programmes and UEs."""
    if not centres:  # a partial folder (tests) checks what it holds
        return
    centre_codes = {c.code for c in centres}
    programme_codes = {p.code for p in programmes} | set(known_programmes)
    unit_codes = {u.code for u, _ in units}
    for year in years:
        label = f"years/{year.code}.toml"
        for index, opening in enumerate(year.openings):
            where = f"opening[{index}]"
            if opening.centre not in centre_codes:
                problems.append(
                    DataProblem(label, f"{where}.centre", f"centre inconnu « {opening.centre} »")
                )
            for code in opening.programmes:
                if code not in programme_codes:
                    problems.append(
                        DataProblem(label, f"{where}.programmes", f"formation inconnue « {code} »")
                    )
            for key in ("units", "closed"):
                for code in getattr(opening, key):
                    if unit_codes and code not in unit_codes:
                        problems.append(
                            DataProblem(label, f"{where}.{key}", f"UE inconnue « {code} »")
                        )
        for kind in year.exam_papers.within_opening_hours_of:
            if kind not in CENTRE_KINDS:
                problems.append(
                    DataProblem(
                        label,
                        "exam_papers.within_opening_hours_of",
                        f"nature de centre inconnue « {kind} » ({', '.join(CENTRE_KINDS)})",
                    )
                )


def _check_unique(key: str, codes: list[tuple[str, str]], problems: list[DataProblem]) -> None:
    seen: dict[str, str] = {}
    for code, file in codes:
        if code in seen:
            problems.append(
                DataProblem(file, key, f"code « {code} » en double (déjà dans {seen[code]})")
            )
        seen.setdefault(code, file)


def _check_references(programmes, units, evaluation_codes, known_programmes, problems):
    """R-CAT-6: unique codes and references that resolve."""
    _check_unique("code", [(p.code, f"programmes/{p.code}.toml") for p in programmes], problems)
    _check_unique("unit.code", [(u.code, t.file) for u, t in units], problems)
    programme_codes = {p.code for p in programmes} | set(known_programmes)
    unit_by_code = {u.code: u for u, _ in units}
    for unit, table in units:
        for code in unit.programmes:
            if code not in programme_codes:
                table.problem("programmes", f"programme inconnu « {code} »")
        for code in unit.evaluation:
            if code not in evaluation_codes:
                table.problem("evaluation", f"modalité d'évaluation inconnue « {code} »")
    for programme in programmes:
        file = f"programmes/{programme.code}.toml"
        if programme.common_core and programme.common_core not in programme_codes:
            problems.append(
                DataProblem(file, "common_core", f"programme inconnu « {programme.common_core} »")
            )
        award = programme.award
        for key, code in (
            [("award.report_unit", award.report_unit)]
            + [("award.experience_unit", award.experience_unit)]
            + [("award.required_units", code) for code in award.required_units]
        ):
            if not code:
                continue
            unit = unit_by_code.get(code)
            if unit is None:
                problems.append(DataProblem(file, key, f"unité inconnue « {code} »"))
            elif programme.code not in unit.programmes:
                problems.append(
                    DataProblem(
                        file, key, f"l'unité « {code} » n'appartient pas à {programme.code}"
                    )
                )


def _programme(root: Reader) -> Programme:
    presentation = root.sub("presentation")
    presentation.rule()
    access = root.sub("access")
    access.rule()
    rncp = root.sub("rncp", required=False)
    if root.has("rncp"):
        rncp.rule()
    specialty = root.sub("specialty")
    specialty.rule()
    award = root.sub("award")
    award_rule = award.rule()
    for name in award.strs("experience_fields", required=False):
        if name not in EXPERIENCE_FIELDS:
            award.problem(
                "experience_fields", f"« {name} » : {', '.join(EXPERIENCE_FIELDS)} attendu"
            )
    threshold_keys = {}
    for name in (
        "experience",
        "internship_if_no_field_experience",
        "internship_if_experience_outside_field",
        "request_period",
    ):
        key = award.str(name, required=False)
        if key and key not in Thresholds.KEYS:
            award.problem(
                name, f"seuil inconnu « {key} » (voir [thresholds] du fichier de l'année)"
            )
        threshold_keys[name] = key
    rome = []
    for item in root.subs("rome", required=False):
        rome.append((item.str("code"), item.str("label")))
    return Programme(
        code=root.str("code"),
        kind=root.choice("kind", PROGRAMME_KINDS),
        title=root.str("title"),
        declared_ects=root.int("declared_ects", minimum=1),
        rule=root.rule(),
        summary=root.str("summary"),
        summary_by_centre=root.bool("summary_by_centre", required=False),
        entry_level=root.str("entry_level"),
        exit_level=root.str("exit_level", required=False),
        cpf_eligible=root.bool("cpf_eligible"),
        alternance=root.bool("alternance"),
        vae=root.bool("vae"),
        common_core=root.str("common_core", required=False),
        rncp_registration_years=rncp.int("registration_years") if root.has("rncp") else None,
        rncp_decree=rncp.str("decree") if root.has("rncp") else "",
        rncp_level=rncp.int("level", minimum=1) if root.has("rncp") else None,
        nsf_code=specialty.str("nsf"),
        nsf_label=specialty.str("label"),
        rome=tuple(rome),
        objectives=presentation.str("objectives"),
        competences=presentation.strs("competences", required=False),
        public=presentation.strs("public"),
        careers=presentation.strs("careers", required=False),
        employers=presentation.strs("employers", required=False),
        access_conditions=access.strs("conditions"),
        prerequisites=access.str("prerequisites"),
        access_checked_when=access.str("checked_when"),
        award=AwardRule(
            required_units=award.strs("required_units"),
            report_unit=award.str("report_unit", required=False),
            experience_unit=award.str("experience_unit", required=False),
            experience_key=threshold_keys["experience"],
            internship_if_no_field_experience_key=threshold_keys[
                "internship_if_no_field_experience"
            ],
            internship_if_experience_outside_field_key=threshold_keys[
                "internship_if_experience_outside_field"
            ],
            request_period_key=threshold_keys["request_period"],
            conditions=award.strs("conditions"),
            rule=award_rule,
            experience_fields=award.strs("experience_fields", required=False),
        ),
    )


def _unit(table: Reader) -> Unit:
    kind = table.choice("kind", UNIT_KINDS)
    period = table.choice("period", UNIT_PERIODS, required=kind == "course")
    coefficient = table.int("coefficient", required=kind == "course", minimum=1)
    return Unit(
        code=table.str("code"),
        title=table.str("title"),
        other_title=table.str("other_title", required=False),
        ects=table.int("ects", minimum=1),
        kind=kind,
        evaluation=table.strs("evaluation"),
        coefficient=coefficient if table.has("coefficient") else None,
        period=period,
        programmes=table.strs("programmes"),
        description=table.str("description"),
        note=table.str("note", required=False),
        equivalence=table.str("equivalence", required=False),
        rule=table.rule(),
        description_by_centre=table.bool("description_by_centre", required=False),
    )


def _centre(table: Reader) -> Centre:
    hours = []
    for item in table.subs("hours"):
        opens, closes = item.time("opens"), item.time("closes")
        if opens and closes and opens >= closes:
            item.problem("closes", "la fermeture doit suivre l'ouverture")
        hours.append(OpeningHours(item.ints("weekdays"), opens, closes))
    return Centre(
        code=table.str("code"),
        name=table.str("name"),
        kind=table.choice("kind", CENTRE_KINDS),
        address=table.str("address"),
        city=table.str("city"),
        phone=table.str("phone", required=False),
        fax=table.str("fax", required=False),
        email=table.str("email", required=False),
        contact_role=table.str("contact_role"),
        hours=tuple(hours),
        rule=table.rule(),
    )


__all__ = ["Catalogue", "DataError", "load_catalogue"]
