"""The public catalogue (anyone may read it). Every page reads the loaded data only and
runs a fixed number of SQL queries whatever the catalogue's size (tests count them)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from catalogue.accessibility import statement as accessibility_statement
from catalogue.models import AcademicYear, Centre, EvaluationMode, Programme, Unit
from catalogue.presenters import (
    WEEKDAY_NAMES,
    fee_examples,
    group_units,
    opening_hours,
    teaching_summary,
)
from parcours import clock
from parcours.access import public


def _current_year(code: str | None = None) -> AcademicYear | None:
    """The year named, else the latest whose pre-registration has opened, else the first."""
    if code:
        return get_object_or_404(AcademicYear, code=code)
    today = clock.today()
    year = AcademicYear.objects.filter(first_day__lte=today).order_by("-first_day").first()
    return year or AcademicYear.objects.order_by("first_day").first()


def _crumbs(current: str, *links: tuple[str, str]) -> dict:
    return {"current": current, "links": [{"url": url, "title": title} for url, title in links]}


@public
def home(request):
    year = _current_year()
    return render(
        request,
        "catalogue/home.html",
        {
            "programmes": Programme.objects.all(),
            "year": year,
            "regulation": year.regulation if year else None,
        },
    )


@public
def programme_detail(request, code):
    programme = get_object_or_404(Programme.objects.select_related("common_core"), code=code)
    units = list(
        programme.units.prefetch_related(
            Prefetch("programmes", queryset=Programme.objects.only("code", "title"))
        )
    )
    modes = dict(EvaluationMode.objects.values_list("code", "label"))
    built_on = list(Programme.objects.filter(common_core=programme).only("code", "title"))
    return render(
        request,
        "catalogue/programme.html",
        {
            "programme": programme,
            "groups": group_units(units, modes, programme.common_core),
            "taught": [u for u in units if not u.is_activity],
            "activities": [u for u in units if u.is_activity],
            "units_ects": sum(u.ects for u in units),
            "taught_ects": sum(u.ects for u in units if not u.is_activity),
            "built_on": built_on,
            "results": _published_results(programme=programme),
            "breadcrumb_data": _crumbs(programme.code),
        },
    )


def _published_results(programme=None, unit=None):
    """The latest published year's results (R-ORG-5), once its juries are all out."""
    from assessment.results import programme_year_results, published_year, unit_year_results

    year = published_year()
    if year is None:
        return None
    if programme is not None:
        return programme_year_results(programme, year)
    return unit_year_results(unit, year)


@public
def unit_detail(request, code):
    unit = get_object_or_404(
        Unit.objects.prefetch_related(
            Prefetch("programmes", queryset=Programme.objects.only("code", "title", "kind"))
        ),
        code=code,
        taught_by="",  # the brochure's catalogue, not another centre's UE
    )
    modes = dict(EvaluationMode.objects.values_list("code", "label"))
    return render(
        request,
        "catalogue/unit.html",
        {
            "unit": unit,
            "evaluation": [modes.get(c, c) for c in unit.evaluation],
            "results": _published_results(unit=unit),
            "breadcrumb_data": _crumbs(unit.code),
        },
    )


@public
def calendar(request, year=None):
    academic_year = _current_year(year)
    regulation = academic_year.regulation if academic_year else None
    return render(
        request,
        "catalogue/calendar.html",
        {
            "year": academic_year,
            "regulation": regulation,
            "teaching": teaching_summary(regulation) if regulation else None,
            "breadcrumb_data": _crumbs("Calendrier"),
        },
    )


@public
def fees(request):
    year = _current_year()
    regulation = year.regulation if year else None
    units = list(
        Unit.objects.filter(kind=Unit.Kind.COURSE, taught_by="").prefetch_related("programmes")
    )
    return render(
        request,
        "catalogue/fees.html",
        {
            "year": year,
            "regulation": regulation,
            "tariffs": regulation.tariffs if regulation else None,
            "examples": fee_examples(regulation, year.source, units) if regulation else [],
            "breadcrumb_data": _crumbs("Tarifs"),
        },
    )


@public
def centres(request):
    rows = [(centre, opening_hours(centre.hours)) for centre in Centre.objects.all()]
    return render(
        request,
        "catalogue/centres.html",
        {"centres": rows, "weekdays": WEEKDAY_NAMES, "breadcrumb_data": _crumbs("Centres")},
    )


@public
def how_to_register(request):
    year = _current_year()
    regulation = year.regulation if year else None
    return render(
        request,
        "catalogue/register.html",
        {
            "year": year,
            "regulation": regulation,
            "breadcrumb_data": _crumbs("S'inscrire"),
        },
    )


@public
def accessibility(request):
    """The accessibility statement, in the RGAA's model (issue 14, item 18)."""
    return render(
        request,
        "catalogue/accessibility.html",
        {
            "statement": accessibility_statement(),
            "centre": Centre.objects.regional(),
            "breadcrumb_data": _crumbs("Accessibilité"),
        },
    )
