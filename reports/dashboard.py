"""The direction's dashboard for a year and a centre (all centres by default): the
registrations by state and by semester, the deposits over the weeks of the registration
period, the income due and received by payer, the attendance rate per UE, the learners at
risk, the pass rates per UE and the award requests. Every figure is the count of a list
(`LISTS`), shown on its page and exported as CSV. A fixed number of queries, whatever the
number of learners.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from admissions.models import Dossier, DossierUnit, Payment
from admissions.services import REGISTERED, dues_by_payer
from assessment.results import year_outcomes
from awards.models import AwardRequest
from catalogue.models import AcademicYear, Centre, Unit
from reports.bpf import decimal_comma
from rules.results import rate, unit_results
from teaching.alerts import risks
from teaching.models import Attendance

PAYERS = dict(Payment.Payer.choices)
STATUSES = dict(Dossier.Status.choices)
AWARD_STATUSES = dict(AwardRequest.Status.choices)
INTERNAL_MINIMUM = 1  # the direction sees every rate; the public minimum is for publication


@dataclass
class Bar:
    label: str
    value: Decimal | int
    list_name: str
    key: str
    detail: str = ""
    share: Decimal = Decimal(0)  # of the longest bar, for the chart (0–100)


@dataclass
class Dashboard:
    year: AcademicYear
    centre: Centre | None
    by_status: list[Bar] = field(default_factory=list)
    by_semester: list[Bar] = field(default_factory=list)
    weeks: list[Bar] = field(default_factory=list)
    income: list[dict] = field(default_factory=list)
    unquotable: list[int] = field(default_factory=list)  # dossiers whose quote fails
    attendance: list[Bar] = field(default_factory=list)
    at_risk: int = 0
    pass_rates: list[Bar] = field(default_factory=list)
    awards: list[Bar] = field(default_factory=list)


def _scale(bars: list[Bar]) -> list[Bar]:
    top = max((Decimal(b.value) for b in bars), default=Decimal(0))
    for bar in bars:
        bar.share = (Decimal(bar.value) * 100 / top).quantize(Decimal("1")) if top else Decimal(0)
    return bars


def _dossiers(year: AcademicYear, centre: Centre | None):
    query = Dossier.objects.filter(year=year)
    return query.filter(centre=centre) if centre is not None else query


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def build(year: AcademicYear, centre: Centre | None) -> Dashboard:
    board = Dashboard(year, centre)
    dossiers = _dossiers(year, centre)
    counts = dict(dossiers.values_list("status").annotate(n=Count("pk")))
    board.by_status = _scale(
        [
            Bar(label, counts.get(status, 0), "dossiers", status)
            for status, label in STATUSES.items()
            if status != Dossier.Status.DRAFT or counts.get(status)
        ]
    )
    semesters = {s.code: s.label for s in year.regulation.semesters}
    per_semester = dict(
        DossierUnit.objects.filter(dossier__in=dossiers.filter(status__in=REGISTERED))
        .values_list("semester")
        .annotate(n=Count("dossier_id", distinct=True))
    )
    board.by_semester = _scale(
        [
            Bar(label, per_semester.get(code, 0), "semestre", code)
            for code, label in semesters.items()
        ]
    )
    board.weeks = _scale(_weeks(year, dossiers))
    board.income, board.unquotable = _income(year, centre, dossiers)
    board.attendance = _attendance(year, centre)
    board.at_risk = len(_risks(year, centre))
    board.pass_rates = _pass_rates(year, centre)
    requested = AwardRequest.objects.filter(
        requested_on__gte=year.first_day, requested_on__lte=year.last_day
    )
    award_counts = dict(requested.values_list("status").annotate(n=Count("pk")))
    board.awards = [
        Bar(label, award_counts.get(status, 0), "diplomes", status)
        for status, label in AWARD_STATUSES.items()
    ]
    return board


def _weeks(year: AcademicYear, dossiers) -> list[Bar]:
    """Deposits per week, from the opening of pre-registration to the last deposit."""
    per_week = Counter(
        _week(day)
        for day in dossiers.filter(deposited_on__isnull=False).values_list(
            "deposited_on", flat=True
        )
    )
    if not per_week:
        return []
    week, last = _week(year.regulation.first_day), max(per_week)
    week = min(week, min(per_week))
    bars = []
    while week <= last:
        bars.append(Bar(f"{week:%d/%m}", per_week.get(week, 0), "depots", week.isoformat()))
        week += dt.timedelta(days=7)
    return bars


def _income(year: AcademicYear, centre: Centre | None, dossiers) -> tuple[list[dict], list[int]]:
    due, unquotable = dues_by_payer(dossiers.filter(status__in=REGISTERED))
    received = dict(
        Payment.objects.filter(dossier__in=dossiers, is_guarantee=False)
        .values_list("payer")
        .annotate(total=Sum("amount"))
    )
    return [
        {
            "payer": payer,
            "label": label,
            "due": due.get(payer, Decimal("0.00")),
            "received": received.get(payer) or Decimal("0.00"),
        }
        for payer, label in PAYERS.items()
    ], unquotable


def _attendance(year: AcademicYear, centre: Centre | None) -> list[Bar]:
    records = Attendance.objects.filter(session__planning__year=year)
    if centre is not None:
        records = records.filter(session__planning__centre=centre)
    rows = (
        records.values_list("session__unit__code")
        .annotate(present=Count("pk", filter=Q(present=True)), total=Count("pk"))
        .order_by("session__unit__code")
    )
    bars = []
    for code, present, total in rows:
        percent = rate(present, total, INTERNAL_MINIMUM).percent or Decimal(0)
        bars.append(Bar(code, percent, "presences", code, f"{present} présences sur {total}"))
    return _scale(bars)


def _risks(year: AcademicYear, centre: Centre | None):
    found = risks(year)
    if centre is None:
        return found
    ids = set(_dossiers(year, centre).values_list("pk", flat=True))
    return [r for r in found if r.dossier_id in ids]


def _pass_rates(year: AcademicYear, centre: Centre | None) -> list[Bar]:
    outcomes, _ = year_outcomes(year, centre=centre)
    by_unit = defaultdict(list)
    for (_, unit_id), outcome in outcomes.items():
        if outcome.sat:
            by_unit[unit_id].append(outcome)
    units = Unit.objects.in_bulk(list(by_unit))
    bars = []
    for unit_id, rows in by_unit.items():
        result = unit_results(rows, INTERNAL_MINIMUM).pass_after_session_2
        bars.append(
            Bar(
                units[unit_id].code,
                result.percent or Decimal(0),
                "resultats",
                units[unit_id].code,
                f"{result.count} sur {result.of}",
            )
        )
    return sorted(bars, key=lambda b: b.label)


# --- the lists behind the figures ---------------------------------------------------------------


@dataclass(frozen=True)
class ListSpec:
    title: Callable[[str], str]
    columns: tuple[str, ...]
    rows: Callable  # (year, centre, key) -> iterable of tuples (first cell: dossier pk or None)


def _dossier_rows(query):
    for d in query.select_related("programme", "centre").order_by("last_name", "first_name", "pk"):
        yield (
            d.pk,
            d.reference,
            d.full_name or "(sans nom)",
            d.programme.code if d.programme_id else "—",
            d.centre.name if d.centre_id else "—",
            d.get_status_display(),
        )


DOSSIER_COLUMNS = ("Dossier", "Nom", "Formation", "Centre", "État")


def _list_dossiers(year, centre, key):
    if key not in STATUSES:
        return None
    return _dossier_rows(_dossiers(year, centre).filter(status=key))


def _list_semester(year, centre, key):
    if key not in {s.code for s in year.regulation.semesters}:
        return None
    chosen = DossierUnit.objects.filter(dossier__in=_dossiers(year, centre), semester=key)
    return _dossier_rows(
        _dossiers(year, centre).filter(status__in=REGISTERED, pk__in=chosen.values("dossier_id"))
    )


def _list_deposits(year, centre, key):
    try:
        week = dt.date.fromisoformat(key)
    except ValueError:
        return None
    return _dossier_rows(
        _dossiers(year, centre).filter(
            deposited_on__gte=week, deposited_on__lt=week + dt.timedelta(days=7)
        )
    )


def _list_payments(year, centre, key):
    if key not in PAYERS:
        return None
    payments = Payment.objects.filter(
        dossier__in=_dossiers(year, centre), payer=key, is_guarantee=False
    ).select_related("dossier")
    for p in payments.order_by("received_on", "pk"):
        yield (
            p.dossier_id,
            p.dossier.reference,
            p.dossier.full_name,
            f"{p.received_on:%d/%m/%Y}",
            p.get_method_display(),
            decimal_comma(p.amount),
        )


def _list_attendance(year, centre, key):
    records = Attendance.objects.filter(session__planning__year=year, session__unit__code=key)
    if centre is not None:
        records = records.filter(session__planning__centre=centre)
    names = {
        d.learner_id: (d.pk, d.reference, d.full_name)
        for d in _dossiers(year, centre).filter(status__in=REGISTERED)
    }
    counted = (
        records.values_list("learner_id")
        .annotate(present=Count("pk", filter=Q(present=True)), total=Count("pk"))
        .order_by("learner_id")
    )
    for learner_id, present, total in counted:
        pk, reference, name = names.get(learner_id, (None, "—", "(sans dossier)"))
        yield (pk, reference, name, present, total)


def _list_risks(year, centre, key):
    for r in _risks(year, centre):
        yield (r.dossier_id, r.unit.code, r.name, r.semester_label, r.present, r.level_label)


def _list_results(year, centre, key):
    unit = Unit.objects.filter(code=key).first()
    if unit is None:
        return None
    outcomes, _ = year_outcomes(year, unit=unit, centre=centre)
    names = {
        d.learner_id: (d.pk, d.reference, d.full_name)
        for d in _dossiers(year, centre).filter(status__in=REGISTERED)
    }

    def said(sat, validated):
        return "validée" if validated else ("non validée" if sat else "absent(e)")

    for (learner_id, _), o in sorted(outcomes.items()):
        pk, reference, name = names.get(learner_id, (None, "—", "—"))
        yield (pk, reference, name, said(o.sat_1, o.validated_1), said(o.sat_2, o.validated_2))


def _list_unquotable(year, centre, key):
    dossiers = _dossiers(year, centre).filter(status__in=REGISTERED)
    _, unquotable = dues_by_payer(dossiers)
    return _dossier_rows(dossiers.filter(pk__in=unquotable))


def _list_awards(year, centre, key):
    if key not in AWARD_STATUSES:
        return None
    requests = AwardRequest.objects.filter(
        status=key, requested_on__gte=year.first_day, requested_on__lte=year.last_day
    ).select_related("learner", "programme")
    for r in requests.order_by("requested_on", "pk"):
        yield (None, r.programme.code, r.learner.email, f"{r.requested_on:%d/%m/%Y}")


LISTS: dict[str, ListSpec] = {
    "dossiers": ListSpec(
        lambda k: f"Dossiers — {STATUSES.get(k, k)}", DOSSIER_COLUMNS, _list_dossiers
    ),
    "semestre": ListSpec(lambda k: f"Inscrits au semestre {k}", DOSSIER_COLUMNS, _list_semester),
    "depots": ListSpec(
        lambda k: f"Dossiers déposés la semaine du {k}", DOSSIER_COLUMNS, _list_deposits
    ),
    "paiements": ListSpec(
        lambda k: f"Paiements reçus — {PAYERS.get(k, k)}",
        ("Dossier", "Nom", "Reçu le", "Moyen", "Montant (€)"),
        _list_payments,
    ),
    "presences": ListSpec(
        lambda k: f"Présences en {k}",
        ("Dossier", "Nom", "Présences", "Séances relevées"),
        _list_attendance,
    ),
    "risques": ListSpec(
        lambda k: "Apprenants dont le droit de se présenter est menacé",
        ("UE", "Nom", "Semestre", "Présences", "Situation"),
        _list_risks,
    ),
    "resultats": ListSpec(
        lambda k: f"Résultats en {k}",
        ("Dossier", "Nom", "Session 1", "Session 2"),
        _list_results,
    ),
    "sans-devis": ListSpec(
        lambda k: "Inscriptions dont le devis ne peut être calculé",
        DOSSIER_COLUMNS,
        _list_unquotable,
    ),
    "diplomes": ListSpec(
        lambda k: f"Demandes de diplôme — {AWARD_STATUSES.get(k, k)}",
        ("Formation", "Apprenant", "Demandé le"),
        _list_awards,
    ),
}


# --- the charts (server-side SVG; the same data is the table beside) --------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 120


def columns(bars: list[Bar]) -> list[dict]:
    """Vertical bars in a CHART_WIDTH × CHART_HEIGHT box, for an SVG without script."""
    if not bars:
        return []
    step = Decimal(CHART_WIDTH) / len(bars)
    out = []
    for index, bar in enumerate(bars):
        height = (Decimal(CHART_HEIGHT) * bar.share / 100).quantize(Decimal("0.1"))
        out.append(
            {
                "bar": bar,
                "x": (step * index + step / 10).quantize(Decimal("0.1")),
                "width": (step * 8 / 10).quantize(Decimal("0.1")),
                "y": Decimal(CHART_HEIGHT) - height,
                "height": height,
            }
        )
    return out
