"""The BPF of a fiscal year (R-ORG-4) from the rows Parcours holds: the payments received,
the sessions held and who held them, the registered learners and what they followed.
The rules core (`rules.bpf`) counts; this module gathers, in a fixed number of queries,
and lays the result out for the page, the CSV and the PDF.

Readings (the year's `[bpf]`, shown on the page with their source): those of the first
academic year overlapping the fiscal year. What the period covers:
- income: the payments received in the period, guarantee cheques left out (they are
  held, not cashed);
- trainers: the sessions of the period, by who closed their sheet ("signed"), or every
  session not cancelled, by who closed its sheet or else the group's only teacher
  ("planned"; a session of a group with several teachers and no sheet is listed);
- learners: each learner registered (final registration, terminated included) in a year
  overlapping the period, once, with the latest such dossier, for every minute they
  followed in the period ("signed": the certificat de réalisation's count) or the
  minutes of their UEs' sessions in it ("planned"); FOAD UEs count at a distance.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model

from admissions.models import Dossier, DossierUnit, Payment
from admissions.services import REGISTERED
from catalogue.models import AcademicYear, Programme
from parcours.pdf import render_pdf
from reports.models import Classification
from rules import bpf as core
from teaching.models import AttendanceSheet, TeachingGroup
from teaching.realisation import followed_by_learner
from timetable.models import Session
from timetable.services import LOCAL

SECTIONS = (
    ("C", "C. Bilan financier hors taxes : origine des produits de l'organisme"),
    ("E", "E. Personnes dispensant des heures de formation"),
    ("F1", "F-1. Type de stagiaires de l'organisme"),
    ("F3", "F-3. Objectif général des prestations dispensées"),
    ("F4", "F-4. Spécialités de formation"),
)


class NoReadings(Exception):
    """No academic year overlapping the fiscal year has the BPF's readings."""


@dataclass
class Report:
    fiscal_year: int
    first: dt.date
    last: dt.date
    year: AcademicYear  # whose readings count
    readings: core.BpfReadings
    bpf: core.Bpf
    learner_minutes: dict[int, int]  # per dossier, as counted
    trainer_minutes: dict[int, int]  # per trainer

    @property
    def label(self) -> str:
        return label(self.fiscal_year)

    def sections(self) -> list[tuple[str, str, list[core.Figure], core.Figure | None]]:
        b = self.bpf
        return [
            ("C", SECTIONS[0][1], b.income, b.income_total),
            ("E", SECTIONS[1][1], b.trainers, b.trainers_total),
            ("F1", SECTIONS[2][1], [*b.learners, b.distance], b.learners_total),
            ("F3", SECTIONS[3][1], b.aims, None),
            ("F4", SECTIONS[4][1], b.specialties, None),
        ]


def fiscal_start() -> tuple[int, int]:
    month, day = settings.PARCOURS_FISCAL_YEAR_START.split("-")
    return int(month), int(day)


def period(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """The fiscal year that starts in `fiscal_year` (the organisation's accounts: the
    calendar year by default, PARCOURS_FISCAL_YEAR_START otherwise)."""
    month, day = fiscal_start()
    first = dt.date(fiscal_year, month, day)
    return first, dt.date(fiscal_year + 1, month, day) - dt.timedelta(days=1)


def label(fiscal_year: int) -> str:
    first, last = period(fiscal_year)
    if first.year == last.year:
        return f"Exercice {first.year}"
    return f"Exercice du {first:%d/%m/%Y} au {last:%d/%m/%Y}"


def overlapping_years(first: dt.date, last: dt.date) -> list[AcademicYear]:
    return list(
        AcademicYear.objects.filter(first_day__lte=last, last_day__gte=first).order_by("first_day")
    )


def fiscal_years() -> list[int]:
    """The fiscal years the stored academic years touch, newest first."""
    found = set()
    for first_day, last_day in AcademicYear.objects.values_list("first_day", "last_day"):
        for calendar_year in range(first_day.year - 1, last_day.year + 1):
            first, last = period(calendar_year)
            if first <= last_day and last >= first_day:
                found.add(calendar_year)
    return sorted(found, reverse=True)


def report(fiscal_year: int, readings: core.BpfReadings | None = None) -> Report:
    """The BPF of the fiscal year; `readings` replaces the year's (a benchmark counting
    planned hours on a population without signed sheets)."""
    first, last = period(fiscal_year)
    years = overlapping_years(first, last)
    chosen = next((y for y in years if y.regulation.bpf is not None), None)
    if chosen is None:
        raise NoReadings(fiscal_year)
    readings = readings or chosen.regulation.bpf
    choices = _choices()
    learners = _learners(readings, years, first, last, choices[Classification.Kind.LEARNER])
    trainers, unattributed = _trainers(readings, first, last, choices[Classification.Kind.TRAINER])
    result = core.compute(
        readings,
        _payments(first, last, choices[Classification.Kind.PAYMENT]),
        trainers,
        learners,
        dict(Programme.objects.exclude(nsf_code="").values_list("nsf_code", "nsf_label")),
    )
    result.unclassified.extend(unattributed)
    return Report(
        fiscal_year,
        first,
        last,
        chosen,
        readings,
        result,
        {row.ref: row.minutes for row in learners},
        {row.ref: row.minutes for row in trainers},
    )


def _choices() -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {kind: {} for kind in Classification.Kind.values}
    for kind, object_id, line in Classification.objects.values_list("kind", "object_id", "line"):
        out[kind][object_id] = line
    return out


def _payments(first: dt.date, last: dt.date, choices: dict[int, str]) -> list[core.PaymentRow]:
    rows = Payment.objects.filter(
        received_on__gte=first, received_on__lte=last, is_guarantee=False
    ).values_list("pk", "amount", "payer", "dossier__situation", "scheme")
    # The direction's classification, else the scheme the reception recorded.
    return [
        core.PaymentRow(pk, amount, payer, situation, choices.get(pk) or scheme)
        for pk, amount, payer, situation, scheme in rows.iterator(chunk_size=5000)
    ]


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(first, dt.time.min, LOCAL),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, LOCAL),
    )


def _trainers(readings, first, last, choices) -> tuple[list[core.TrainerRow], list]:
    start, end = _bounds(first, last)
    minutes: dict[int, int] = defaultdict(int)
    unattributed = []
    sheets = AttendanceSheet.objects.filter(
        session__starts_at__gte=start, session__starts_at__lt=end, session__cancelled=False
    )
    if readings.trainer_hours == "signed":
        held = sheets.filter(closed_at__isnull=False).values_list(
            "opened_by_id", "session__minutes"
        )
        for trainer_id, session_minutes in held.iterator(chunk_size=5000):
            minutes[trainer_id] += session_minutes
    else:
        by_sheet = dict(sheets.values_list("session_id", "opened_by_id"))
        teachers = defaultdict(list)
        for key in TeachingGroup.teachers.through.objects.values_list(
            "teachinggroup__year_id",
            "teachinggroup__centre_id",
            "teachinggroup__unit_id",
            "user_id",
        ):
            teachers[key[:3]].append(key[3])
        sole_teacher = {key: ids[0] for key, ids in teachers.items() if len(ids) == 1}
        sessions = Session.objects.filter(
            starts_at__gte=start, starts_at__lt=end, cancelled=False
        ).values_list("pk", "minutes", "planning__year_id", "planning__centre_id", "unit_id")
        for pk, session_minutes, year_id, centre_id, unit_id in sessions.iterator(chunk_size=5000):
            trainer_id = by_sheet.get(pk) or sole_teacher.get((year_id, centre_id, unit_id))
            if trainer_id is None:
                unattributed.append(
                    core.Unclassified(
                        "session", pk, "séance sans feuille signée ni enseignant unique du groupe"
                    )
                )
                continue
            minutes[trainer_id] += session_minutes
    rows = [core.TrainerRow(pk, total, choices.get(pk, "")) for pk, total in minutes.items()]
    return rows, unattributed


def _learners(readings, years, first, last, choices) -> list[core.LearnerRow]:
    dossiers = {}
    for dossier in (
        Dossier.objects.filter(year__in=years, status__in=REGISTERED)
        .select_related("programme")
        .only(
            "pk",
            "learner_id",
            "year_id",
            "centre_id",
            "situation",
            "funding",
            "validation",
            "programme__rncp_level",
            "programme__nsf_code",
        )
        .order_by("year__first_day", "pk")
        .iterator(chunk_size=5000)
    ):
        dossiers[dossier.learner_id] = dossier  # the latest dossier of the period wins
    if readings.learner_hours == "signed":
        minutes = _signed_minutes(first, last)
    else:
        minutes = _planned_minutes(years, first, last)
    rows = []
    for learner_id, dossier in dossiers.items():
        total, distance = minutes.get(learner_id, (0, 0))
        if not total:
            continue  # registered, but followed nothing in this fiscal year
        programme = dossier.programme
        rows.append(
            core.LearnerRow(
                ref=dossier.pk,
                situation=dossier.situation,
                funding=dossier.funding,
                validation=dossier.validation,
                aim=core.aim_of_level(programme.rncp_level) if programme.rncp_level else "d",
                specialty=programme.nsf_code,
                minutes=total,
                distance_minutes=distance,
                choice=choices.get(dossier.pk, ""),
            )
        )
    return rows


def _signed_minutes(first, last) -> dict[int, tuple[int, int]]:
    return {
        learner_id: (followed.minutes(), sum(followed.distance.values()))
        for learner_id, followed in followed_by_learner(first, last).items()
    }


def _planned_minutes(years, first, last) -> dict[int, tuple[int, int]]:
    """The minutes of the sessions of each learner's UEs in the period, at their
    dossier's centre (two queries: the sessions summed per group, the chosen UEs)."""
    start, end = _bounds(first, last)
    per_group: dict[tuple, int] = defaultdict(int)
    for year_id, centre_id, unit_id, session_minutes in Session.objects.filter(
        starts_at__gte=start, starts_at__lt=end, cancelled=False, planning__year__in=years
    ).values_list("planning__year_id", "planning__centre_id", "unit_id", "minutes"):
        per_group[year_id, centre_id, unit_id] += session_minutes
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for learner_id, year_id, centre_id, unit_id, foad in (
        DossierUnit.objects.filter(dossier__year__in=years, dossier__status__in=REGISTERED)
        .values_list(
            "dossier__learner_id", "dossier__year_id", "dossier__centre_id", "unit_id", "foad"
        )
        .iterator(chunk_size=5000)
    ):
        planned = per_group.get((year_id, centre_id, unit_id), 0)
        out[learner_id][0] += planned
        if foad:
            out[learner_id][1] += planned
    return {learner_id: (total, distance) for learner_id, (total, distance) in out.items()}


# --- the rows behind a figure ---------------------------------------------------------------


def rows_behind(report: Report, key: str, refs: list[int]) -> tuple[str, list[dict]]:
    """What a figure counts, one dict per row (`refs` a page of them), for the list."""
    if key.startswith("C"):
        return "payment", [
            {
                "ref": p.pk,
                "dossier": p.dossier_id,
                "who": p.dossier.full_name,
                "date": p.received_on,
                "detail": f"{p.get_payer_display()} — {p.dossier.get_situation_display()}",
                "amount": p.amount,
            }
            for p in Payment.objects.filter(pk__in=refs)
            .select_related("dossier")
            .order_by("received_on", "pk")
        ]
    if key.startswith("E"):
        return "trainer", [
            {
                "ref": user.pk,
                "who": user.get_full_name() or user.email,
                "hours": _hours(report.trainer_minutes.get(user.pk, 0)),
            }
            for user in get_user_model().objects.filter(pk__in=refs).order_by("last_name", "email")
        ]
    return "learner", [
        {
            "ref": d.pk,
            "dossier": d.pk,
            "who": d.full_name,
            "detail": f"{d.programme.code} — {d.get_situation_display() or 'situation non dite'}",
            "hours": _hours(report.learner_minutes.get(d.pk, 0)),
        }
        for d in Dossier.objects.filter(pk__in=refs)
        .select_related("programme")
        .order_by("last_name", "first_name", "pk")
    ]


def _hours(minutes: int):
    return core.Figure("", "", minutes=minutes).hours


# --- the exports ------------------------------------------------------------------------------


def csv_text(report: Report) -> str:
    """The BPF in the cerfa's structure: one line per line of the form (semicolons and
    decimal commas, as a French spreadsheet opens it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([report.label, f"du {report.first:%d/%m/%Y} au {report.last:%d/%m/%Y}"])
    writer.writerow(["section", "ligne", "libellé", "nombre", "heures", "montant HT (€)"])
    for code, _title, figures, total in report.sections():
        for figure in [*figures, *([total] if total else [])]:
            writer.writerow(
                [
                    code,
                    figure.key,
                    figure.label,
                    figure.count,
                    "" if code == "C" else decimal_comma(figure.hours),
                    decimal_comma(figure.amount) if figure.amount is not None else "",
                ]
            )
    for row in report.bpf.unclassified:
        writer.writerow(["à classer", row.kind, row.reason, row.ref, "", ""])
    return out.getvalue()


def decimal_comma(value) -> str:
    """A number as a French spreadsheet reads it (decimal comma)."""
    return str(value).replace(".", ",")


def pdf(report: Report) -> bytes:
    return render_pdf(
        "reports/pdf/bpf.html",
        {"report": report, "sections": report.sections()},
    )
