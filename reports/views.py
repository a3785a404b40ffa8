"""The direction's reports: the BPF of a fiscal year (R-ORG-4) — its page where every
figure lists the rows behind it, its CSV and PDF in the cerfa's structure, and the
classification of the rows the readings leave unclassified — and the dashboard of a
year and a centre, each figure leading to its list and the list's CSV.

Who may see them: the direction only (`direction_only`); the reception and learners
are refused (403). GET never writes.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from admissions.models import Dossier, Payment
from catalogue.models import AcademicYear
from parcours import clock
from parcours.access import attempt, direction_only
from reports import bpf as reports_bpf
from reports import dashboard, services
from reports.forms import ClassifyForm, DashboardFilter, line_choices
from teaching.services import current_year
from timetable.models import Session
from timetable.services import LOCAL

ROWS_PER_PAGE = 100
UNCLASSIFIED_SHOWN = 100
FISCAL_YEARS = range(2000, 2101)  # a plausible fiscal year, else 404


def _report(fiscal_year: int):
    if fiscal_year not in FISCAL_YEARS:
        raise Http404("Exercice inconnu.")
    try:
        return reports_bpf.report(fiscal_year)
    except reports_bpf.NoReadings:
        return None


def _breadcrumb(current: str, fiscal_year: int | None = None) -> dict:
    links = [{"url": reverse("reports:bpf_index"), "title": "Bilans pédagogiques et financiers"}]
    if fiscal_year is not None:
        links.append(
            {
                "url": reverse("reports:bpf", args=[fiscal_year]),
                "title": reports_bpf.label(fiscal_year),
            }
        )
    return {"links": links, "current": current}


@direction_only
@require_GET
def bpf_index(request):
    years = reports_bpf.fiscal_years()
    due = clock.today().year - 1  # filed before 30 April for the year before
    return render(
        request,
        "reports/bpf_index.html",
        {
            "years": [(y, reports_bpf.label(y), y == due) for y in years],
            "breadcrumb_data": {"links": [], "current": "Bilans pédagogiques et financiers"},
        },
    )


@direction_only
@require_GET
def bpf(request, fiscal_year: int):
    report = _report(fiscal_year)
    return render(
        request,
        "reports/bpf.html",
        {
            "fiscal_year": fiscal_year,
            "label": reports_bpf.label(fiscal_year),
            "report": report,
            "sections": report.sections() if report else [],
            "unclassified": _unclassified(report) if report else [],
            "breadcrumb_data": _breadcrumb(reports_bpf.label(fiscal_year)),
        },
        status=200 if report else 404,
    )


def _unclassified(report) -> list[dict]:
    """The rows the readings leave out, described for a person (three queries)."""
    shown = report.bpf.unclassified[:UNCLASSIFIED_SHOWN]
    ids = {
        kind: [u.ref for u in shown if u.kind == kind] for kind in ("payment", "learner", "session")
    }
    payments = Payment.objects.select_related("dossier").in_bulk(ids["payment"])
    dossiers = Dossier.objects.select_related("programme").in_bulk(ids["learner"])
    sessions = Session.objects.select_related("unit", "planning__centre").in_bulk(ids["session"])
    out = []
    for row in shown:
        if row.kind == "payment" and row.ref in payments:
            p = payments[row.ref]
            what = (
                f"Paiement de {p.amount} € reçu le {p.received_on:%d/%m/%Y} "
                f"({p.get_payer_display()}) — {p.dossier.full_name}, "
                f"{p.dossier.get_situation_display()}"
            )
            dossier = p.dossier_id
        elif row.kind == "learner" and row.ref in dossiers:
            d = dossiers[row.ref]
            what = f"{d.full_name} — {d.programme.code}, {d.get_situation_display()}"
            dossier = d.pk
        elif row.kind == "session" and row.ref in sessions:
            s = sessions[row.ref]
            when = timezone.localtime(s.starts_at, LOCAL)
            what = f"Séance {s.unit.code} du {when:%d/%m/%Y à %H:%M}, {s.planning.centre.name}"
            dossier = None
        else:
            continue
        out.append(
            {
                "row": row,
                "what": what,
                "dossier": dossier,
                "lines": line_choices(row.kind) if row.kind != "session" else [],
            }
        )
    return out


@direction_only
@require_GET
def bpf_rows(request, fiscal_year: int, key: str):
    report = _report(fiscal_year)
    figure = report.bpf.figure(key) if report else None
    if figure is None:
        raise Http404("Ligne inconnue.")
    page = Paginator(figure.refs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    kind, rows = reports_bpf.rows_behind(report, key, list(page.object_list))
    return render(
        request,
        "reports/bpf_rows.html",
        {
            "fiscal_year": fiscal_year,
            "figure": figure,
            "kind": kind,
            "rows": rows,
            "page_obj": page,
            "breadcrumb_data": _breadcrumb(f"{figure.key} — {figure.label}", fiscal_year),
        },
    )


@direction_only
@require_GET
def bpf_csv(request, fiscal_year: int):
    report = _report(fiscal_year)
    if report is None:
        raise Http404("Aucune règle de décompte pour cet exercice.")
    response = HttpResponse(
        "\ufeff" + reports_bpf.csv_text(report), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="bpf-{fiscal_year}.csv"'
    return response


@direction_only
@require_GET
def bpf_pdf(request, fiscal_year: int):
    report = _report(fiscal_year)
    if report is None:
        raise Http404("Aucune règle de décompte pour cet exercice.")
    response = HttpResponse(reports_bpf.pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bpf-{fiscal_year}.pdf"'
    return response


@direction_only
@require_POST
def classify(request, fiscal_year: int):
    form = ClassifyForm(request.POST)
    if not form.is_valid():
        attempt(request, lambda: _refuse(form), "")
    else:
        attempt(
            request,
            lambda: services.classify(
                form.cleaned_data["kind"],
                form.cleaned_data["object_id"],
                form.cleaned_data["line"],
                request.user,
            ),
            "Ligne classée : le bilan en tient compte.",
        )
    return redirect("reports:bpf", fiscal_year=fiscal_year)


def _refuse(form):
    raise ValidationError(
        [
            f"{form.fields[name].label if name in form.fields else 'Formulaire'} : "
            + " ".join(errors)
            for name, errors in form.errors.items()
        ]
    )


# --- the direction's dashboard ------------------------------------------------------------------


def _dashboard_scope(request):
    """The year and centre asked (the current year, every centre by default), or the
    form with its errors."""
    form = DashboardFilter(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None, None
    data = form.cleaned_data if request.GET else {}
    year = data.get("annee") or current_year() or AcademicYear.objects.order_by("-code").first()
    if not request.GET:
        form = DashboardFilter(initial={"annee": year})
    return form, year, data.get("centre")


def _scope_query(year, centre) -> str:
    return urlencode({"annee": year.code, **({"centre": centre.code} if centre else {})})


@direction_only
@require_GET
def dashboard_page(request):
    form, year, centre = _dashboard_scope(request)
    board = dashboard.build(year, centre) if year is not None else None
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": board,
            "weeks": dashboard.columns(board.weeks) if board else [],
            "chart_width": dashboard.CHART_WIDTH,
            "chart_height": dashboard.CHART_HEIGHT,
            "scope": _scope_query(year, centre) if board else "",
            "breadcrumb_data": {"links": [], "current": "Tableau de bord"},
        },
        status=200 if board or not request.GET else 400,
    )


def _list(request, name: str, key: str):
    spec = dashboard.LISTS.get(name)
    _, year, centre = _dashboard_scope(request)
    if spec is None or year is None:
        raise Http404("Liste inconnue.")
    rows = spec.rows(year, centre, key)
    if rows is None:
        raise Http404("Liste inconnue.")
    return spec, year, centre, rows


@direction_only
@require_GET
def dashboard_list(request, name: str, key: str):
    spec, year, centre, rows = _list(request, name, key)
    page = Paginator(list(rows), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    scope = _scope_query(year, centre)
    return render(
        request,
        "reports/dashboard_list.html",
        {
            "title": spec.title(key),
            "columns": spec.columns,
            "page_obj": page,
            "filters": scope,
            "year": year,
            "centre": centre,
            "scope": scope,
            "csv_url": reverse("reports:dashboard_csv", args=[name, key]) + "?" + scope,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("reports:dashboard") + "?" + scope, "title": "Tableau de bord"}
                ],
                "current": spec.title(key),
            },
        },
    )


@direction_only
@require_GET
def dashboard_csv(request, name: str, key: str):
    spec, year, centre, rows = _list(request, name, key)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(spec.columns)
    for row in rows:
        writer.writerow(row[1:])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{key}-{year.code}{'-' + centre.code if centre else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
