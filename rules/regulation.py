"""The regulation of one academic year (R-CAL, R-FEE, thresholds), read from its data
file (data/years/<code>.toml). Decisions take a `Regulation` and never assume a year.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rules.bpf import BpfReadings, check_readings
from rules.data_reader import DataError, DataProblem, Reader, read_toml

SEMESTER_CODES = ("S1", "S2")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ATTENDANCE_ANNUAL_READINGS = ("each_semester", "whole_year")
TERMINATION_BASES = ("sessions", "days")
WITHDRAWAL_COUNTINGS = ("calendar_days", "working_days")  # R-REG-7 reading
REQUEST_PERIOD_STARTS = ("first_unit_validation", "last_unit_validation")  # R-AWD-1 reading
PERIOD_KINDS = ("semester", "annual")


@dataclass(frozen=True)
class Interruption:
    starts_on: dt.date
    courses_resume: dt.date


@dataclass(frozen=True)
class Semester:
    """R-CAL-1: one semester's calendar; R-REG-6: its registration deadline."""

    code: str
    label: str
    registration_deadline: dt.date
    courses_start: dt.date
    courses_end: dt.date
    revision_week: dt.date
    exam_session_1_week: dt.date
    interruptions: tuple[Interruption, ...]

    def is_teaching_day(self, day: dt.date) -> bool:
        if not self.courses_start <= day <= self.courses_end:
            return False
        return not any(i.starts_on <= day < i.courses_resume for i in self.interruptions)


@dataclass(frozen=True)
class ExamSession2:
    starts_on: dt.date
    ends_on: dt.date
    semesters: tuple[str, ...]


@dataclass(frozen=True)
class ExamPapers:
    """R-EXA-1 reading: the brochure gives the exam weeks, not the hours; a written
    paper lasts `minutes` and starts at one of `starts` on each weekday of the session."""

    minutes: int
    starts: tuple[dt.time, ...]
    # Reports ("1 rapport") are handed in `report_days_before` days before the
    # session's first day, by `report_due_at` (a reading: the brochure gives no date).
    report_days_before: int
    report_due_at: dt.time
    # Orals ("^ soutenance"): one candidate at a time, `oral_minutes` each, in the
    # slots not taken by written papers.
    oral_minutes: int
    # Kinds of centre whose stored hours are opening hours that bind the papers (the
    # brochure gives the regional centre's reception hours only, R-CTR-1).
    within_opening_hours_of: tuple[str, ...]


# The session kinds of the planning (timetable.Session.Kind).
SESSION_KINDS = ("class_meeting", "web_conference", "chat")


@dataclass(frozen=True)
class AttendanceProof:
    """R-ORG-1 readings: when a session's sheet may be signed, how long a QR code is
    valid, how late a sheet may be closed before it is flagged, and what counts as a
    presence for the right to sit (R-EXA-3)."""

    sign_from_minutes_before: int
    sign_until_minutes_after: int
    qr_seconds: int
    close_within_days: int
    presence_kinds: tuple[str, ...]  # session kinds whose attendance is a presence
    alert_after_absences: int  # absences in a semester that put the right to sit at risk
    # The funding situations whose funder wants a certificat de réalisation at the end of
    # each semester (dossier situations: employee, cif, career_change, job_seeker,
    # alternance).
    semester_certificates_for: tuple[str, ...] = ()
    # An alternance day at the centre is signed per half-day (R-ORG-1): the two windows,
    # (start, end) as "HH:MM", whose lengths make the day's hours (R-CAL-4).
    alternance_half_days: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ContractTerms:
    """R-ORG-3: what the contrat de formation professionnelle (L6353-3 to 7) and the
    convention de formation (L6353-1, D6353-1) say beyond the brochure: the cap of the
    first payment after the withdrawal period, and the centre's own texts on its
    trainers, its means and its distance means (each a reading with its source)."""

    first_payment_max_percent: Decimal
    trainers: str
    means: str
    distance_means: str
    version: str  # the contract's wording; a new wording asks for a new acceptance


@dataclass(frozen=True)
class Opening:
    """The UEs a centre opens in the year (R-FEE-1): those of `programmes` but
    `closed`, plus `units`. A UE opened in no centre of La Réunion may be followed in
    FOAD from another Cnam centre."""

    centre: str
    programmes: tuple[str, ...]
    units: tuple[str, ...]
    closed: tuple[str, ...]


@dataclass(frozen=True)
class Frequency:
    """R-CAL-3: how many meetings a UE of this size has."""

    period: str
    ects: int
    class_meetings: int
    chats: int
    web_conferences: int


@dataclass(frozen=True)
class Teaching:
    weekdays: tuple[int, ...]
    day_starts: dt.time
    day_ends: dt.time
    distance_learning: bool
    class_meeting_minutes: int
    web_conference_minutes: int
    chat_minutes: int
    frequencies: tuple[Frequency, ...]
    alternance_days_per_week: int
    alternance_hours_per_day: int

    def frequency_for(self, period: str, ects: int) -> Frequency | None:
        for frequency in self.frequencies:
            if frequency.period == period and frequency.ects == ects:
                return frequency
        return None


@dataclass(frozen=True)
class PricedItem:
    label: str
    amount: Decimal
    rule: str


@dataclass(frozen=True)
class JobSeekerRate:
    label: str
    categories: tuple[int, ...]
    per_ects: Decimal
    requires_direction_approval: bool
    rule: str


@dataclass(frozen=True)
class Tariffs:
    currency: str
    indicative: str
    file_fee: PricedItem
    registration_right: PricedItem
    unit_complement_label: str
    individual_per_ects: Decimal
    job_seeker_rates: tuple[JobSeekerRate, ...]
    foad_label: str
    foad_per_unit: Decimal
    experience_report: PricedItem
    employer_label: str
    employer_default_per_ects: Decimal
    validation: MappingProxyType  # "VAE" / "VAP85" / "VES" -> PricedItem
    validation_includes_registration_fees: bool

    def job_seeker_rate(self, category: int) -> JobSeekerRate | None:
        for rate in self.job_seeker_rates:
            if category in rate.categories:
                return rate
        return None


@dataclass(frozen=True)
class Thresholds:
    pass_mark: Decimal  # R-EXA-4
    pass_mark_out_of: int
    exam_sessions_per_registration: int  # R-EXA-2
    attendances_to_sit: int  # R-EXA-3
    attendance_annual_unit: str  # R-EXA-3 reading: "each_semester" or "whole_year"
    withdrawal_days: int  # R-REG-7
    withdrawal_counted_in: str  # R-REG-7 reading: "calendar_days" or "working_days"
    termination_basis: str  # R-REG-8 reading: "sessions" or "days"
    job_seeker_certificate_max_age_days: int  # R-REG-2
    certificate_request_years: int  # R-AWD-1
    certificate_request_counted_from: str  # R-AWD-1 reading: first or last UE validation
    experience_required_months: Decimal  # R-EXP-2
    internship_no_field_experience_months: Decimal  # R-EXP-1
    internship_outside_field_months: Decimal  # R-EXP-2
    results_publication_days: int  # R-EXA-5

    # Keys as written in the data file, for programme files that name a threshold.
    KEYS = (
        "pass_mark",
        "exam_sessions_per_registration",
        "attendances_to_sit",
        "withdrawal_period",
        "termination_pro_rata",
        "job_seeker_certificate_max_age",
        "certificate_request_period",
        "experience_required",
        "internship_no_field_experience",
        "internship_outside_field",
        "results_publication",
    )

    def months(self, key: str) -> Decimal:
        """Months of a duration threshold named by its data-file key."""
        return {
            "experience_required": self.experience_required_months,
            "internship_no_field_experience": self.internship_no_field_experience_months,
            "internship_outside_field": self.internship_outside_field_months,
        }[key]

    def days(self, key: str) -> int:
        """Days of a period threshold named by its data-file key."""
        return {
            "withdrawal_period": self.withdrawal_days,
            "job_seeker_certificate_max_age": self.job_seeker_certificate_max_age_days,
        }[key]

    def years(self, key: str) -> int:
        """Years of a period threshold named by its data-file key."""
        return {"certificate_request_period": self.certificate_request_years}[key]


@dataclass(frozen=True)
class DocumentRequirement:
    """R-REG-2: one piece of the dossier and to whom it applies."""

    code: str
    label: str
    when: str
    group: str
    max_age_key: str
    rule: str


@dataclass(frozen=True)
class Registration:
    preregistration_opens: dt.date
    steps: tuple[str, ...]
    incomplete_dossier: str
    fees_due: str
    termination: str


@dataclass(frozen=True)
class Regulation:
    code: str
    label: str
    source: str
    registration: Registration
    semesters: tuple[Semester, ...]
    exam_session_2: ExamSession2
    teaching: Teaching
    tariffs: Tariffs
    thresholds: Thresholds
    documents: tuple[DocumentRequirement, ...]
    exam_papers: ExamPapers
    openings: tuple[Opening, ...] = ()
    attendance_proof: AttendanceProof | None = None
    contract: ContractTerms | None = None
    bpf: BpfReadings | None = None

    def semester(self, code: str) -> Semester:
        for semester in self.semesters:
            if semester.code == code:
                return semester
        raise KeyError(code)

    @property
    def first_day(self) -> dt.date:
        """The year starts when pre-registration opens (R-CAL-1)."""
        return self.registration.preregistration_opens

    @property
    def last_day(self) -> dt.date:
        """The year ends with the second exam session (R-CAL-1)."""
        return self.exam_session_2.ends_on

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


# --- reading -------------------------------------------------------------------------


def load_regulation(path: Path) -> Regulation:
    """Read and validate one year's file; raise DataError with every problem."""
    problems: list[DataProblem] = []
    label = path.name
    data = read_toml(path, problems, label)
    regulation = None if data is None else parse_regulation(data, label, problems)
    if problems or regulation is None:
        raise DataError(problems)
    expected = path.stem
    if regulation.code != expected:
        raise DataError(
            [
                DataProblem(
                    label, "year.code", f"« {regulation.code} » ≠ nom du fichier « {expected} »"
                )
            ]
        )
    return regulation


def parse_regulation(data: dict[str, Any], file: str, problems: list[DataProblem]) -> Regulation:
    root = Reader(data, file, "", problems)
    year = root.sub("year")
    year.rule()
    registration = _registration(root.sub("registration"))
    semesters = tuple(_semester(s) for s in root.subs("semester"))
    _check_semesters(root, semesters, registration)
    session2 = root.sub("exam_session_2")
    session2.rule()
    session2.in_order("starts_on", "ends_on", strict=False)
    exam_session_2 = ExamSession2(
        session2.date("starts_on"), session2.date("ends_on"), session2.strs("semesters")
    )
    for code in exam_session_2.semesters:
        if code not in {s.code for s in semesters}:
            session2.problem("semesters", f"semestre inconnu « {code} »")
    if (
        semesters
        and exam_session_2.starts_on
        and exam_session_2.starts_on
        <= max(s.exam_session_1_week for s in semesters if s.exam_session_1_week)
    ):
        session2.problem("starts_on", "la 2nde session doit suivre les 1ères sessions")
    return Regulation(
        code=year.str("code"),
        label=year.str("label"),
        source=year.str("source"),
        registration=registration,
        semesters=semesters,
        exam_session_2=exam_session_2,
        teaching=_teaching(root.sub("teaching")),
        tariffs=_tariffs(root.sub("tariffs")),
        thresholds=_thresholds(root.sub("thresholds")),
        documents=_documents(root.subs("document")),
        exam_papers=_exam_papers(root.sub("exam_papers")),
        openings=_openings(root.subs("opening")),
        attendance_proof=_attendance_proof(root.sub("attendance_proof")),
        contract=_contract(root, "contract"),
        bpf=_bpf(root, "bpf"),
    )


def _mapping(table: Reader, name: str) -> MappingProxyType:
    sub = table.sub(name)
    values = {}
    for key, value in sub.table.items():
        if isinstance(value, str):
            values[key] = value
        else:
            sub.problem(key, "un texte est attendu")
    return MappingProxyType(values)


def _bpf(root: Reader, name: str) -> BpfReadings | None:
    """R-ORG-4's readings; None for a year stored before they existed."""
    if name not in root.table:
        return None
    table = root.sub(name)
    table.rule()
    readings = BpfReadings(
        source=table.str("source"),
        learner_hours=table.str("learner_hours"),
        trainer_hours=table.str("trainer_hours"),
        income_by_payer=_mapping(table, "income_by_payer"),
        income_by_situation=_mapping(table, "income_by_situation"),
        learner_by_situation=_mapping(table, "learner_by_situation"),
        own_expense=table.str("own_expense"),
        default_trainer=table.str("default_trainer", required=False),
        validation_aim=_mapping(table, "validation_aim"),
    )
    for problem in check_readings(readings):
        table.problem("", problem)
    return readings


def _contract(root: Reader, name: str) -> ContractTerms | None:
    """None for a year stored before R-ORG-3's readings existed (its stored text has no
    such table: `load_catalogue` gives it the current data)."""
    if name not in root.table:
        return None
    table = root.sub(name)
    table.rule()
    return ContractTerms(
        first_payment_max_percent=table.decimal("first_payment_max_percent"),
        trainers=table.str("trainers"),
        means=table.str("means"),
        distance_means=table.str("distance_means"),
        version=table.str("version"),
    )


def _attendance_proof(table: Reader) -> AttendanceProof:
    table.rule()
    kinds = table.strs("presence_kinds")
    for kind in kinds:
        if kind not in SESSION_KINDS:
            table.problem("presence_kinds", f"« {kind} » : {', '.join(SESSION_KINDS)} attendu")
    return AttendanceProof(
        sign_from_minutes_before=table.int("sign_from_minutes_before"),
        sign_until_minutes_after=table.int("sign_until_minutes_after"),
        qr_seconds=table.int("qr_seconds", minimum=5),
        close_within_days=table.int("close_within_days"),
        presence_kinds=kinds,
        alert_after_absences=table.int("alert_after_absences", minimum=1),
        semester_certificates_for=table.strs("semester_certificates_for"),
        alternance_half_days=_half_days(table),
    )


def _half_days(table: Reader) -> tuple[tuple[str, str], ...]:
    out = []
    for name in ("alternance_morning", "alternance_afternoon"):
        text = table.str(name)
        start, _, end = text.partition("-")
        try:
            first, last = (dt.time.fromisoformat(t.strip()) for t in (start, end))
        except ValueError:
            table.problem(name, f"« {text} » : HH:MM-HH:MM attendu")
            continue
        if not first < last:
            table.problem(name, f"« {text} » : la fin précède le début")
            continue
        out.append((start.strip(), end.strip()))
    return tuple(out)


def _openings(tables: list[Reader]) -> tuple[Opening, ...]:
    openings = []
    for table in tables:
        table.rule()
        openings.append(
            Opening(
                centre=table.str("centre"),
                programmes=table.strs("programmes", required=False),
                units=table.strs("units", required=False),
                closed=table.strs("closed", required=False),
            )
        )
    centres = [o.centre for o in openings]
    if len(set(centres)) != len(centres) and tables:
        tables[0].problem("centre", "un centre est décrit deux fois dans [[opening]]")
    return tuple(openings)


def _exam_papers(table: Reader) -> ExamPapers:
    table.rule()
    minutes = table.int("minutes", minimum=1)
    raw = table.table.get("starts")
    starts: list[dt.time] = []
    if not isinstance(raw, list) or not raw:
        table.problem("starts", "une liste d'heures HH:MM:SS est attendue")
    else:
        for value in raw:
            if not isinstance(value, dt.time):
                table.problem("starts", f"« {value} » : une heure HH:MM:SS est attendue")
            else:
                starts.append(value)
    if starts != sorted(set(starts)):
        table.problem("starts", "les heures doivent être croissantes et distinctes")
    return ExamPapers(
        minutes,
        tuple(starts),
        report_days_before=table.int("report_days_before"),
        report_due_at=table.time("report_due_at"),
        oral_minutes=table.int("oral_minutes", minimum=5),
        within_opening_hours_of=table.strs("within_opening_hours_of", required=False),
    )


def _registration(table: Reader) -> Registration:
    table.rule()
    return Registration(
        preregistration_opens=table.date("preregistration_opens"),
        steps=table.strs("steps"),
        incomplete_dossier=table.str("incomplete_dossier"),
        fees_due=table.str("fees_due"),
        termination=table.str("termination"),
    )


def _semester(table: Reader) -> Semester:
    table.rule()
    table.in_order("courses_start", "courses_end", "revision_week", "exam_session_1_week")
    semester = Semester(
        code=table.choice("code", SEMESTER_CODES),
        label=table.str("label"),
        registration_deadline=table.date("registration_deadline"),
        courses_start=table.date("courses_start"),
        courses_end=table.date("courses_end"),
        revision_week=table.date("revision_week"),
        exam_session_1_week=table.date("exam_session_1_week"),
        interruptions=tuple(
            Interruption(i.date("starts_on"), i.date("courses_resume"))
            for i in table.subs("interruption", required=False)
        ),
    )
    for index, interruption in enumerate(table.subs("interruption", required=False)):
        interruption.in_order("starts_on", "courses_resume")
        start, resume = (
            semester.interruptions[index].starts_on,
            semester.interruptions[index].courses_resume,
        )
        if (
            start
            and semester.courses_start
            and not (
                semester.courses_start < start
                and resume
                and resume < (semester.courses_end or resume)
            )
        ):
            interruption.problem("starts_on", "l'interruption doit tomber pendant les cours")
    for name in ("revision_week", "exam_session_1_week"):
        day = getattr(semester, name)
        if day and day.isoweekday() != 1:
            table.problem(
                name,
                "une semaine est désignée par son lundi "
                f"(lu : {WEEKDAYS[day.weekday()]} {day:%d/%m/%Y})",
            )
    return semester


def _check_semesters(root: Reader, semesters: tuple[Semester, ...], registration: Registration):
    codes = [s.code for s in semesters]
    if len(set(codes)) != len(codes):
        root.problem("semester", "code de semestre en double")
    opens = registration.preregistration_opens
    for index, semester in enumerate(semesters):
        if opens and semester.registration_deadline and semester.registration_deadline < opens:
            root.problem(
                f"semester[{index}].registration_deadline",
                "la clôture des inscriptions précède l'ouverture des préinscriptions",
            )
    for index, (first, second) in enumerate(itertools.pairwise(semesters)):
        if (
            first.exam_session_1_week
            and second.courses_start
            and (second.courses_start <= first.courses_end)
        ):
            root.problem(
                f"semester[{index + 1}].courses_start",
                f"le {second.code} doit commencer après la fin des cours du {first.code}",
            )


def _teaching(table: Reader) -> Teaching:
    table.rule()
    durations = table.sub("durations")
    durations.rule()
    alternance = table.sub("alternance")
    alternance.rule()
    frequencies = []
    for item in table.subs("frequency"):
        item.rule()
        frequencies.append(
            Frequency(
                period=item.choice("period", PERIOD_KINDS),
                ects=item.int("ects", minimum=1),
                class_meetings=item.int("class_meetings"),
                chats=item.int("chats"),
                web_conferences=item.int("web_conferences"),
            )
        )
    starts, ends = table.time("day_starts"), table.time("day_ends")
    if starts and ends and starts >= ends:
        table.problem("day_ends", "la fin de journée doit suivre son début")
    return Teaching(
        weekdays=table.ints("weekdays"),
        day_starts=starts,
        day_ends=ends,
        distance_learning=table.bool("distance_learning"),
        class_meeting_minutes=durations.int("class_meeting_minutes", minimum=1),
        web_conference_minutes=durations.int("web_conference_minutes", minimum=1),
        chat_minutes=durations.int("chat_minutes", minimum=1),
        frequencies=tuple(frequencies),
        alternance_days_per_week=alternance.int("days_per_week"),
        alternance_hours_per_day=alternance.int("hours_per_day"),
    )


def _priced(table: Reader) -> PricedItem:
    return PricedItem(table.str("label"), table.decimal("amount"), table.rule())


def _tariffs(table: Reader) -> Tariffs:
    table.rule()
    complement = table.sub("unit_complement")
    complement.rule()
    rates = []
    for item in complement.subs("job_seeker"):
        rates.append(
            JobSeekerRate(
                label=item.str("label"),
                categories=item.ints("categories", lo=1, hi=8),
                per_ects=item.decimal("per_ects"),
                requires_direction_approval=item.bool("requires_direction_approval"),
                rule=item.rule(),
            )
        )
    covered = [c for rate in rates for c in rate.categories]
    if sorted(covered) != list(range(1, 9)):
        complement.problem(
            "job_seeker", "les catégories 1 à 8 doivent être couvertes, une fois chacune"
        )
    foad = table.sub("foad_unit")
    employer = table.sub("employer")
    validation = table.sub("validation")
    validation.rule()
    return Tariffs(
        currency=table.str("currency"),
        indicative=table.str("indicative", required=False),
        file_fee=_priced(table.sub("file_fee")),
        registration_right=_priced(table.sub("registration_right")),
        unit_complement_label=complement.str("label"),
        individual_per_ects=complement.decimal("individual_per_ects"),
        job_seeker_rates=tuple(rates),
        foad_label=foad.str("label"),
        foad_per_unit=foad.decimal("per_unit"),
        experience_report=_priced(table.sub("experience_report")),
        employer_label=employer.str("label"),
        employer_default_per_ects=employer.decimal("default_per_ects"),
        validation=MappingProxyType(
            {
                kind: PricedItem(
                    validation.sub(kind).str("label"),
                    validation.sub(kind).decimal("amount"),
                    validation.table.get("rule", ""),
                )
                for kind in ("VAE", "VAP85", "VES")
            }
        ),
        validation_includes_registration_fees=validation.bool("includes_registration_fees"),
    )


def _thresholds(table: Reader) -> Thresholds:
    for key in Thresholds.KEYS:
        table.sub(key).rule()
    pass_mark = table.sub("pass_mark")
    attendances = table.sub("attendances_to_sit")
    out_of = pass_mark.int("out_of", minimum=1)
    mark = pass_mark.decimal("value")
    if out_of and mark > out_of:
        pass_mark.problem("value", f"la note de passage dépasse le barème ({mark} > {out_of})")
    return Thresholds(
        pass_mark=mark,
        pass_mark_out_of=out_of,
        exam_sessions_per_registration=table.sub("exam_sessions_per_registration").int("value"),
        attendances_to_sit=attendances.int("value"),
        attendance_annual_unit=attendances.choice("annual_unit", ATTENDANCE_ANNUAL_READINGS),
        withdrawal_days=table.sub("withdrawal_period").int("days"),
        withdrawal_counted_in=table.sub("withdrawal_period").choice(
            "counted_in", WITHDRAWAL_COUNTINGS
        ),
        termination_basis=table.sub("termination_pro_rata").choice("basis", TERMINATION_BASES),
        job_seeker_certificate_max_age_days=table.sub("job_seeker_certificate_max_age").int("days"),
        certificate_request_years=table.sub("certificate_request_period").int("years"),
        certificate_request_counted_from=table.sub("certificate_request_period").choice(
            "counted_from", REQUEST_PERIOD_STARTS
        ),
        experience_required_months=table.sub("experience_required").decimal("months"),
        internship_no_field_experience_months=table.sub("internship_no_field_experience").decimal(
            "months"
        ),
        internship_outside_field_months=table.sub("internship_outside_field").decimal("months"),
        results_publication_days=table.sub("results_publication").int("days_after_exams"),
    )


# The conditions a piece may depend on (`when`); rules/dossier.py evaluates them.
DOCUMENT_CONDITIONS = (
    "always",
    "employee",
    "job_seeker",
    "french_or_eu_national",
    "foreign_national",
    "declared_units_from_other_centres",
    "individual_funding",
    "employer_funding",
    "employer_certificate_unsigned",
)


def _documents(tables: list[Reader]) -> tuple[DocumentRequirement, ...]:
    documents = []
    for table in tables:
        when = table.str("when")
        if when and when not in DOCUMENT_CONDITIONS:
            table.problem("when", f"condition inconnue « {when} »")
        max_age = table.str("max_age", required=False)
        if max_age and max_age not in Thresholds.KEYS:
            table.problem("max_age", f"seuil inconnu « {max_age} »")
        documents.append(
            DocumentRequirement(
                code=table.str("code"),
                label=table.str("label"),
                when=when,
                group=table.str("group", required=False),
                max_age_key=max_age,
                rule=table.rule(),
            )
        )
    codes = [d.code for d in documents]
    for code in {c for c in codes if codes.count(c) > 1}:
        tables[0].problems.append(
            DataProblem(tables[0].file, "document", f"pièce en double « {code} »")
        )
    return tuple(documents)
