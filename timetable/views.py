"""The planning's pages and feeds.

- Public: the published planning per centre and per UE (week or month), and each UE's
  calendar feed. A draft planning is shown to no one but staff.
- Learner: their own sessions (the UEs of their final registration, their centre) and
  their private calendar link, made, shown once and revoked here. The feed itself is
  reached with the token alone (calendar apps cannot sign in); an unknown or revoked
  token is a 404.
- Staff (reception and direction): generate, publish, withdraw the publication, move,
  cancel and restore a session, with the history of each change.

GET never writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue.models import AcademicYear, Centre, Unit
from parcours import clock
from parcours.access import attempt, learner_only, public, staff_only
from parcours.history import changes
from parcours.job_views import panel_context, start_and_tell
from parcours.models import Job
from teaching.services import ensure_groups
from timetable import ics, services
from timetable.forms import GenerateForm, MoveForm, ReasonForm
from timetable.models import Planning, Session
from timetable.presenters import by_day, default_day, window

SESSION_ROWS = ("unit", "room", "planning__centre")
HISTORY_SKIPPED = {
    *("id", "uid", "updated_at", "planning", "unit", "kind", "number", "minutes"),
    *("reason", "sequence"),
}


def _published_planning(centre: Centre, year_code: str | None) -> Planning:
    plannings = Planning.objects.filter(centre=centre, status=Planning.Status.PUBLISHED)
    if year_code:
        plannings = plannings.filter(year__code=year_code)
    planning = plannings.select_related("year", "centre").order_by("-year__code").first()
    if planning is None:
        raise Http404("Aucun planning publié pour ce centre.")
    return planning


def _calendar_page(request, template: str, sessions, context: dict):
    """A week or month of `sessions` (a queryset), opened on today brought inside
    their span. Two queries: the span, then the window's sessions."""
    span = sessions.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    shown = window(request.GET, default_day(clock.today(), span["first"], span["last"]))
    rows = list(
        sessions.between(shown.starts, shown.ends)
        .select_related(*SESSION_ROWS)
        .order_by("starts_at", "unit__code")
    )
    return render(
        request,
        template,
        {
            **context,
            "window": shown,
            "days": by_day(rows),
            "has_sessions": span["first"] is not None,
            "links": {
                "previous": shown.query(shown.previous),
                "next": shown.query(shown.next),
                "week": shown.query(shown.first, "semaine"),
                "month": shown.query(shown.first, "mois"),
            },
        },
    )


def _feed_response(sessions, name: str, filename: str, papers=()) -> HttpResponse:
    body = ics.calendar(sessions.select_related(*SESSION_ROWS).order_by("starts_at"), name, papers)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public ------------------------------------------------------------------------------------


@public
@require_GET
def index(request):
    """The published plannings: per centre, and each UE with its public feed."""
    plannings = list(
        Planning.objects.filter(status=Planning.Status.PUBLISHED)
        .select_related("year", "centre")
        .annotate(count=Count("sessions", filter=Q(sessions__cancelled=False)))
        .order_by("-year__code", "centre__position")
    )
    units = {
        (row["planning"], row["unit__code"]): row
        for row in Session.objects.published()
        .values("planning", "unit__code", "unit__title")
        .annotate(count=Count("id", filter=Q(cancelled=False)))
    }
    for planning in plannings:
        planning.units = sorted(
            (row for (p, _), row in units.items() if p == planning.pk),
            key=lambda row: row["unit__code"],
        )
    return render(
        request,
        "timetable/index.html",
        {"plannings": plannings, "breadcrumb_data": {"links": [], "current": "Planning"}},
    )


def _public_crumbs(current: str) -> dict:
    return {"links": [{"url": reverse("timetable:index"), "title": "Planning"}], "current": current}


@public
@require_GET
def centre_planning(request, centre: str):
    centre = get_object_or_404(Centre, code=centre)
    planning = _published_planning(centre, request.GET.get("annee"))
    return _calendar_page(
        request,
        "timetable/centre.html",
        planning.sessions.all(),
        {"planning": planning, "breadcrumb_data": _public_crumbs(centre.name)},
    )


@public
@require_GET
def unit_planning(request, centre: str, unit: str):
    centre = get_object_or_404(Centre, code=centre)
    unit = get_object_or_404(Unit, code=unit)
    planning = _published_planning(centre, request.GET.get("annee"))
    return _calendar_page(
        request,
        "timetable/unit.html",
        planning.sessions.filter(unit=unit),
        {
            "planning": planning,
            "unit": unit,
            "feed_url": request.build_absolute_uri(
                reverse("timetable:unit_feed", args=[centre.code, unit.code])
            ),
            "breadcrumb_data": _public_crumbs(f"{unit.code}, {centre.name}"),
        },
    )


@public
@require_GET
def unit_feed(request, centre: str, unit: str):
    """The public calendar of a UE in a centre (every published year)."""
    centre = get_object_or_404(Centre, code=centre)
    unit = get_object_or_404(Unit, code=unit)
    sessions = Session.objects.published().filter(planning__centre=centre, unit=unit)
    return _feed_response(
        sessions, f"{unit.code} — {unit.title} ({centre.name})", f"{unit.code}-{centre.code}.ics"
    )


# --- the learner ---------------------------------------------------------------------------------


def _space_crumbs(current: str) -> dict:
    return {
        "links": [{"url": reverse("admissions:space"), "title": "Mon espace"}],
        "current": current,
    }


@learner_only
@require_GET
def my_planning(request):
    """The learner's own sessions only (their final registrations)."""
    return _calendar_page(
        request,
        "timetable/mine.html",
        services.learner_sessions(request.user),
        {"breadcrumb_data": _space_crumbs("Mon planning")},
    )


@learner_only
@require_http_methods(["GET", "POST"])
def my_feed(request):
    """Make (and show once), or revoke, the learner's private calendar link."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feeds(request.user)
            messages.success(request, "Le lien d'agenda est révoqué : il ne donne plus rien.")
        else:
            had_one = request.user.calendar_feeds.filter(revoked_at__isnull=True).exists()
            token = services.new_feed(request.user)
            # Only a hash is kept: the address is shown on the next page and never again.
            request.session["new_feed_token"] = token
            messages.success(
                request,
                "Nouveau lien créé ; l'ancien ne fonctionne plus."
                if had_one
                else "Lien d'agenda créé.",
            )
        return redirect("timetable:my_feed")
    token = request.session.pop("new_feed_token", None)
    live = request.user.calendar_feeds.filter(revoked_at__isnull=True).first()
    return render(
        request,
        "timetable/my_feed.html",
        {
            "live": live,
            "feed_url": request.build_absolute_uri(reverse("timetable:learner_feed", args=[token]))
            if token
            else None,
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("admissions:space"), "title": "Mon espace"},
                    {"url": reverse("timetable:mine"), "title": "Mon planning"},
                ],
                "current": "Mon agenda sur téléphone",
            },
        },
    )


@public  # the token is the access rule: calendar apps cannot sign in
@require_GET
def learner_feed(request, token: str):
    learner = services.feed_learner(token)
    if learner is None:
        raise Http404("Lien d'agenda inconnu ou révoqué.")
    from assessment import exam_timetable
    from assessment.services import visible_convocations

    convocations = exam_timetable.attach_papers(visible_convocations(learner))
    papers = [
        item for c in convocations for item in (c.paper, c.oral, c.report_due) if item is not None
    ]
    response = _feed_response(
        services.learner_sessions(learner),
        "Mon planning — Cnam La Réunion",
        "planning.ics",
        papers,
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- staff ---------------------------------------------------------------------------------------


def _staff_crumbs(*links, current: str) -> dict:
    return {
        "links": [{"url": reverse("timetable:staff"), "title": "Plannings"}, *links],
        "current": current,
    }


@staff_only
@require_GET
def staff_index(request):
    plannings = {
        (p.year_id, p.centre_id): p
        for p in Planning.objects.annotate(
            count=Count("sessions", filter=Q(sessions__cancelled=False)),
            cancelled=Count("sessions", filter=Q(sessions__cancelled=True)),
        )
    }
    years = list(AcademicYear.objects.order_by("-code"))
    centres = list(Centre.objects.all())
    rows = [
        {"year": y, "centre": c, "planning": plannings.get((y.pk, c.pk))}
        for y in years
        for c in centres
    ]
    return render(
        request,
        "timetable/staff/index.html",
        {
            "rows": rows,
            "breadcrumb_data": {"links": [], "current": "Plannings"},
            **panel_context(Job.Kind.PLANNING),
        },
    )


@staff_only
@require_POST
def generate(request):
    """The solver runs in the worker (it may take its whole time limit): the page lists
    the job and its outcome."""
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Année ou centre inconnu.")
        return redirect("timetable:staff")
    year, centre = form.cleaned_data["year"], form.cleaned_data["centre"]
    start_and_tell(
        request,
        Job.Kind.PLANNING,
        key=f"planning:{year.pk}:{centre.pk}",
        title=f"Planning {year.code} de {centre.name}",
        params={"year": year.pk, "centre": centre.pk},
        started=f"Génération du planning {year.code} de {centre.name} lancée",
    )
    return redirect("timetable:staff")


@staff_only
@require_POST
def publish(request, pk: int):
    planning = get_object_or_404(Planning, pk=pk)
    if request.POST.get("action") == "unpublish":
        attempt(
            request,
            lambda: services.unpublish(planning),
            "Publication retirée : le planning n'est plus visible des apprenants.",
        )
    elif attempt(
        request,
        lambda: services.publish(planning),
        "Planning publié : apprenants et public le voient, agendas compris.",
    ):
        ensure_groups(planning.year)  # each UE taught gets its group (teachers, attendance)
    return redirect("timetable:staff_planning", pk=pk)


@staff_only
@require_GET
def staff_planning(request, pk: int):
    planning = get_object_or_404(Planning.objects.select_related("year", "centre"), pk=pk)
    return _calendar_page(
        request,
        "timetable/staff/planning.html",
        planning.sessions.all(),
        {
            "planning": planning,
            "staff": True,
            "breadcrumb_data": _staff_crumbs(current=str(planning)),
        },
    )


def _session_history(session: Session) -> list[dict]:
    rows, previous = [], None
    for record in session.history.select_related("history_user").order_by("history_date"):
        change = changes(previous, record, HISTORY_SKIPPED)
        previous = record
        verb = {"+": "Créée", "~": "Modifiée", "-": "Supprimée"}[record.history_type]
        rows.append({"row": record, "what": f"{verb}" + (f" : {change}" if change else "")})
    return rows[::-1]


@staff_only
@require_http_methods(["GET", "POST"])
def staff_session(request, pk: int):
    session = get_object_or_404(
        Session.objects.select_related("planning__year", "planning__centre", "unit", "room"),
        pk=pk,
    )
    move_form = MoveForm(session=session)
    reason_form = ReasonForm(prefix="etat")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "move":
            move_form = MoveForm(request.POST, session=session)
            if move_form.is_valid():
                data = move_form.cleaned_data
                if attempt(
                    request,
                    lambda: services.move(session, data["starts_at"], data["room"], data["reason"]),
                    "Séance déplacée ; les agendas abonnés la recevront à la prochaine lecture.",
                ):
                    return redirect("timetable:staff_session", pk=pk)
            status = 400
        elif action in ("cancel", "restore"):
            reason_form = ReasonForm(request.POST, prefix="etat")
            if reason_form.is_valid():
                change = services.cancel if action == "cancel" else services.restore
                done = "Séance annulée." if action == "cancel" else "Séance rétablie."
                if attempt(
                    request, lambda: change(session, reason_form.cleaned_data["reason"]), done
                ):
                    return redirect("timetable:staff_session", pk=pk)
            status = 400
        else:
            status = 400
    planning = session.planning
    return render(
        request,
        "timetable/staff/session.html",
        {
            "session": session,
            "move_form": move_form,
            "reason_form": reason_form,
            "history": _session_history(session),
            "breadcrumb_data": _staff_crumbs(
                {
                    "url": reverse("timetable:staff_planning", args=[planning.pk])
                    + f"?date={session.starts_at.astimezone(services.LOCAL):%Y-%m-%d}",
                    "title": str(planning),
                },
                current=str(session),
            ),
        },
        status=status,
    )
