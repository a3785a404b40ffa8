"""Pages of assessment.

- Staff (reception, direction): the year's exam sessions; per session and UE, who may
  sit and why not, convocations, marks, the jury (close, decide, publish early),
  statistics and the jury record (procès-verbal) as PDF.
- Teachers: marks entry for the convoked learners of their groups' centres only.
- Learners: their convocations (page and PDF), refusals with their reasons, and their
  results once published (R-EXA-5) — `services.published_marks` is the one gate.

GET never writes.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions.models import Dossier
from assessment import exam_timetable, imports, services
from assessment.models import (
    Convocation,
    ExamPaper,
    ExamSession,
    ExamTimetable,
    Jury,
    Mark,
)
from catalogue.models import Centre, Unit
from parcours import clock
from parcours.access import (
    attempt,
    is_staff_member,
    learner_only,
    staff_only,
    teacher_or_staff_only,
)
from parcours.job_views import panel_context, start_and_tell
from parcours.models import Job
from parcours.pdf import pdf_response
from rules.ledger import validates
from teaching.models import TeachingGroup
from teaching.services import current_year


def _staff_crumbs(*links, current: str) -> dict:
    return {
        "links": [{"url": reverse("assessment:sessions"), "title": "Examens"}, *links],
        "current": current,
    }


@staff_only
@require_GET
def sessions(request):
    year = current_year()
    rows = []
    centres = list(Centre.objects.all())
    timetables = defaultdict(list)
    if year:
        made = {
            (t.session_id, t.centre_id): t
            for t in ExamTimetable.objects.filter(session__year=year).prefetch_related(
                "papers__unit"
            )
        }
        for session in ExamSession.objects.filter(year=year):
            timetables[session.pk] = [
                {"centre": c, "timetable": made.get((session.pk, c.pk))} for c in centres
            ]
        for session in ExamSession.objects.filter(year=year):
            convoked = dict(
                Convocation.objects.filter(session=session)
                .values_list("unit_id")
                .annotate(n=Count("id"))
            )
            juries = {j.unit_id: j for j in Jury.objects.filter(session=session)}
            units = list(services.session_units(session).order_by("code"))
            rows.append(
                {
                    "session": session,
                    "units": [
                        {"unit": u, "convoked": convoked.get(u.pk, 0), "jury": juries.get(u.pk)}
                        for u in units
                    ],
                    "decided": sum(1 for j in juries.values() if j.status == Jury.Status.DECIDED),
                    "timetables": timetables.get(session.pk, []),
                }
            )
    return render(
        request,
        "assessment/sessions.html",
        {
            "year": year,
            "rows": rows,
            "breadcrumb_data": {"links": [], "current": "Examens"},
            **panel_context(Job.Kind.JURY_RECORDS),
            "exam_jobs": panel_context(Job.Kind.EXAM_TIMETABLE),
        },
    )


@staff_only
@require_POST
def create_sessions(request):
    year = current_year()
    if year is not None:
        services.ensure_exam_sessions(year)
        messages.success(request, "Sessions d'examens créées d'après le calendrier de l'année.")
    return redirect("assessment:sessions")


def _session_unit(session_pk: int, code: str) -> tuple[ExamSession, Unit]:
    session = get_object_or_404(ExamSession.objects.select_related("year"), pk=session_pk)
    unit = get_object_or_404(services.session_units(session), code=code)
    return session, unit


JURY_PAGE = 100  # candidates per page of a jury


@staff_only
@require_GET
def unit_exam(request, pk: int, code: str):
    session, unit = _session_unit(pk, code)
    candidates = services.exam_rights(session, [unit.pk])
    jury = Jury.objects.filter(session=session, unit=unit).first()
    marks = {m.learner_id: m for m in Mark.objects.filter(session=session, unit=unit)}
    convoked = set(
        Convocation.objects.filter(session=session, unit=unit).values_list("learner_id", flat=True)
    )
    regulation = session.year.regulation
    # A UE of 9 657 candidates sent 1.1 MB of rows (issue 19, item 4): a page of them;
    # the counts and statistics stay over every candidate.
    page = Paginator(candidates, JURY_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "candidate": c,
            "convoked": c.learner_id in convoked,
            "mark": marks.get(c.learner_id),
            "validated": c.learner_id in marks and validates(regulation, marks[c.learner_id].value),
        }
        for c in page.object_list
    ]
    return render(
        request,
        "assessment/unit_exam.html",
        {
            "session": session,
            "unit": unit,
            "rows": rows,
            "page_obj": page,
            "candidates": len(candidates),
            "jury": jury,
            "allowed": sum(1 for c in candidates if c.right.allowed),
            "stats": services.statistics(list(marks.values()), regulation),
            "history": Mark.history.filter(session_id=session.pk, unit_id=unit.pk)
            .select_related("history_user", "dossier")
            .order_by("-history_date")[:200],
            "pass_mark": regulation.thresholds.pass_mark,
            "today": clock.today(),
            "breadcrumb_data": _staff_crumbs(current=f"{unit.code} — {session}"),
        },
    )


@staff_only
@require_POST
def jury_action(request, pk: int, code: str):
    session, unit = _session_unit(pk, code)
    action = request.POST.get("action")
    jury = services.jury_of(session, unit)
    actions = {
        "convoke": (
            lambda: services.issue_convocations_of(session, unit),
            "Convocations émises pour les apprenants qui ont le droit de composer.",
        ),
        "close": (lambda: services.close_marks(jury), "Notes closes : le jury peut statuer."),
        "reopen": (lambda: services.reopen_marks(jury), "Saisie des notes rouverte."),
        "decide": (
            lambda: services.decide(jury, request.user, request.POST.get("minutes", "")),
            "Décision du jury enregistrée ; les notes sont verrouillées.",
        ),
        "publish": (
            lambda: services.publish_early(jury, request.user),
            "Résultats publiés : les apprenants les voient dans leur espace.",
        ),
    }
    if action not in actions:
        messages.error(request, "Action inconnue.")
    else:
        attempt(request, *actions[action])
    return redirect("assessment:unit_exam", pk=pk, code=code)


@staff_only
@require_GET
def jury_record(request, pk: int, code: str):
    """The procès-verbal of the jury, once it has decided."""
    session, unit = _session_unit(pk, code)
    jury = get_object_or_404(Jury, session=session, unit=unit, status=Jury.Status.DECIDED)
    return pdf_response(
        "assessment/pdf/jury_record.html",
        services.jury_record_context(jury),
        f"pv-{unit.code}-session{session.number}-{session.year.code}.pdf",
    )


@staff_only
@require_POST
def session_jury_records(request, pk: int):
    """Every PV of the session in one PDF, made by the worker (one WeasyPrint render per
    UE: seconds for a whole session)."""
    session = get_object_or_404(ExamSession.objects.select_related("year"), pk=pk)
    start_and_tell(
        request,
        Job.Kind.JURY_RECORDS,
        key=f"jury_records:{session.pk}",
        title=f"Procès-verbaux — {session}",
        params={"session": session.pk},
        started="Assemblage des procès-verbaux lancé",
    )
    return redirect("assessment:sessions")


@staff_only
@require_POST
def generate_exam_timetable(request, pk: int):
    """The session's written papers in a centre, placed by the engine in the worker."""
    session = get_object_or_404(ExamSession.objects.select_related("year"), pk=pk)
    try:
        centre = Centre.objects.get(pk=int(request.POST.get("centre", "")))
    except (ValueError, Centre.DoesNotExist):
        messages.error(request, "Centre inconnu.")
        return redirect("assessment:sessions")
    start_and_tell(
        request,
        Job.Kind.EXAM_TIMETABLE,
        key=f"exam_timetable:{session.pk}:{centre.pk}",
        title=f"Calendrier des épreuves — {session}, {centre.name}",
        params={"session": session.pk, "centre": centre.pk},
        started="Calcul du calendrier des épreuves lancé",
    )
    return redirect("assessment:sessions")


@staff_only
@require_POST
def publish_exam_timetable(request, pk: int):
    timetable = get_object_or_404(ExamTimetable, pk=pk)
    attempt(
        request,
        lambda: exam_timetable.publish(timetable),
        "Calendrier des épreuves publié : les convocations donnent la date, l'heure et la "
        "salle de chaque épreuve.",
    )
    return redirect("assessment:sessions")


@staff_only
@require_GET
def exam_timetable_detail(request, pk: int):
    """A centre's exam timetable: papers with their rooms, orals, report deadlines, and
    a move form per paper (the engine's checks, R-EXA-1). Staff only."""
    timetable = get_object_or_404(
        ExamTimetable.objects.select_related("session__year", "centre"), pk=pk
    )
    choices = exam_timetable.slot_choices(timetable)
    papers = list(timetable.papers.select_related("unit"))
    for paper in papers:
        paper.slot = exam_timetable.slot_id(paper.starts_at)
    reports = list(
        Unit.objects.filter(
            pk__in=Convocation.objects.filter(
                session=timetable.session, dossier__centre=timetable.centre
            ).values("unit_id")
        ).order_by("code")
    )
    return render(
        request,
        "assessment/exam_timetable.html",
        {
            "timetable": timetable,
            "papers": papers,
            "orals": timetable.orals.select_related("unit", "learner"),
            "reports": [u for u in reports if exam_timetable.REPORT in (u.evaluation or [])],
            "report_due": exam_timetable.report_deadline(timetable.session),
            "choices": choices,
            "breadcrumb_data": _staff_crumbs(
                current=f"Épreuves — {timetable.session}, {timetable.centre.name}"
            ),
        },
    )


@staff_only
@require_POST
def move_exam_paper(request, pk: int):
    paper = get_object_or_404(ExamPaper.objects.select_related("timetable", "unit"), pk=pk)
    slot = request.POST.get("slot", "")
    if slot not in {value for value, _ in exam_timetable.slot_choices(paper.timetable)}:
        messages.error(request, f"{paper.unit.code} : choisissez un créneau de la session.")
    else:
        tell = " ; les candidats sont prévenus par courriel" if paper.timetable.is_published else ""
        attempt(
            request,
            lambda: exam_timetable.move_paper(paper, slot),
            f"Épreuve {paper.unit.code} déplacée{tell}.",
        )
    return redirect("assessment:exam_timetable", pk=paper.timetable_id)


# --- marks entry (teachers and staff) ---------------------------------------------------------


def _centres_for(user, session: ExamSession, unit: Unit) -> list[int] | None:
    """None for staff (every centre); a teacher: the centres of their groups of the UE."""
    if is_staff_member(user):
        return None
    centres = list(
        TeachingGroup.objects.filter(teachers=user, year=session.year, unit=unit).values_list(
            "centre_id", flat=True
        )
    )
    if not centres:
        raise Http404("Vous n'enseignez pas cette UE cette année.")
    return centres


def _parse_mark(raw: str) -> tuple[Decimal | None, str | None]:
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None, None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, "note illisible (exemple : 12,5)"
    if not value.is_finite():
        return None, "note illisible (exemple : 12,5)"
    return value, None


@teacher_or_staff_only
@require_http_methods(["GET", "POST"])
def marks_entry(request, pk: int, code: str):
    session, unit = _session_unit(pk, code)
    centres = _centres_for(request.user, session, unit)
    convocations = Convocation.objects.filter(session=session, unit=unit).select_related("dossier")
    if centres is not None:
        convocations = convocations.filter(dossier__centre_id__in=centres)
    convocations = list(convocations.order_by("dossier__last_name", "dossier__first_name"))
    marks = {
        m.learner_id: m
        for m in Mark.objects.filter(
            session=session, unit=unit, learner_id__in=[c.learner_id for c in convocations]
        )
    }
    jury = Jury.objects.filter(session=session, unit=unit).first()
    errors: dict[int, str] = {}
    if request.method == "POST":
        entries = []
        for c in convocations:
            prefix = f"l{c.learner_id}"
            value, error = _parse_mark(request.POST.get(f"{prefix}-value", ""))
            absence = request.POST.get(f"{prefix}-absence", "")
            if absence not in Mark.Absence.values:
                error = "absence inconnue"
            try:
                version = int(request.POST.get(f"{prefix}-version", "0"))
            except ValueError:
                version = -1
            if error:
                errors[c.learner_id] = error
                continue
            if value is None and not absence:
                continue  # left empty: nothing to save for this learner yet
            entries.append(services.MarkEntry(c.learner_id, value, absence, version))
        if errors:
            messages.error(request, "Des notes sont illisibles : rien n'a été enregistré.")
        elif attempt(
            request,
            lambda: services.save_marks(
                session, unit, entries, request.user, request.POST.get("reason", "")
            ),
            "Notes enregistrées.",
        ):
            return redirect("assessment:marks_entry", pk=pk, code=code)
    rows = [
        {
            "convocation": c,
            "mark": marks.get(c.learner_id),
            "posted_value": request.POST.get(f"l{c.learner_id}-value") if request.POST else None,
            "error": errors.get(c.learner_id, ""),
        }
        for c in convocations
    ]
    return render(
        request,
        "assessment/marks_entry.html",
        {
            "session": session,
            "unit": unit,
            "rows": rows,
            "jury": jury,
            "absences": Mark.Absence.choices,
            "staff": is_staff_member(request.user),
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("assessment:unit_exam", args=[pk, code]), "title": unit.code}
                ]
                if is_staff_member(request.user)
                else [{"url": reverse("teaching:groups"), "title": "Mes groupes"}],
                "current": f"Notes — {unit.code}, session {session.number}",
            },
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the learner --------------------------------------------------------------------------------


@learner_only
@require_GET
def my_exams(request):
    """Convocations, refusals with their reasons, and published results."""
    year = current_year()
    convocations = exam_timetable.attach_papers(services.visible_convocations(request.user))
    refusals, refusals_session = [], None
    if year:
        today = clock.today()
        upcoming = ExamSession.objects.filter(year=year, ends_on__gte=today).order_by("starts_on")
        # The next session, once its convocations are out: rights are final then (during
        # the semester, /espace/presences/ says how many attendances are still needed).
        for session in upcoming.filter(convocations__isnull=False).distinct()[:1]:
            # Nothing of a right that hangs on results not yet published (R-EXA-5).
            awaiting = services.units_awaiting_results(session, today)
            refusals = [
                c
                for c in services.exam_rights(session, learner_ids=[request.user.pk])
                if not c.right.allowed and c.unit_id not in awaiting
            ]
            refusals_session = session
    results = services.published_marks(request.user)
    earned = {}
    for mark in results:  # each mark judged by the pass mark of its own year (R-EXA-4)
        mark.validated = validates(mark.session.year.regulation, mark.value)
        if mark.validated and mark.unit_id not in earned:
            earned[mark.unit_id] = mark
    return render(
        request,
        "assessment/my_exams.html",
        {
            "convocations": convocations,
            "refusals": refusals,
            "refusals_session": refusals_session,
            "results": results,
            "earned": list(earned.values()),
            "earned_ects": sum(m.unit.ects for m in earned.values()),
            "breadcrumb_data": {
                "links": [{"url": reverse("admissions:space"), "title": "Mon espace"}],
                "current": "Mes examens et résultats",
            },
        },
    )


@learner_only
@require_GET
def convocation_pdf(request, pk: int):
    """The learner's convocation to a session: their UEs, dates and centre."""
    session = get_object_or_404(ExamSession.objects.select_related("year"), pk=pk)
    convocations = [
        c for c in services.visible_convocations(request.user) if c.session_id == session.pk
    ]
    if not convocations:
        raise Http404("Pas de convocation à cette session.")
    exam_timetable.attach_papers(convocations)
    dossier: Dossier = convocations[0].dossier
    return pdf_response(
        "assessment/pdf/convocation.html",
        {
            "session": session,
            "convocations": convocations,
            "dossier": dossier,
            "centre": dossier.centre,
        },
        f"convocation-session{session.number}-{session.year.code}.pdf",
    )


# --- import and export of marks ---------------------------------------------------------------

IMPORT_SALT = "assessment.marks-import"
IMPORT_MAX_AGE_S = 3600


def _convoked(session: ExamSession, unit: Unit, centres: list[int] | None):
    rows = Convocation.objects.filter(session=session, unit=unit).select_related("dossier")
    if centres is not None:
        rows = rows.filter(dossier__centre_id__in=centres)
    return rows


def _identifiers(session: ExamSession) -> dict[str, tuple[int, str]]:
    """E-mail and dossier number of every learner with a dossier this year."""
    out = {}
    for pk, learner_id, email, last, first in Dossier.objects.filter(
        year_id=session.year_id
    ).values_list("pk", "learner_id", "learner__email", "last_name", "first_name"):
        name = f"{last.upper()} {first}".strip() or email
        out[email.lower()] = (learner_id, name)
        out[f"{session.year.code}-{pk:05d}"] = (learner_id, name)
    return out


@teacher_or_staff_only
@require_http_methods(["GET", "POST"])
def marks_import(request, pk: int, code: str):
    """Preview every line of a marks file with its problems; write nothing until the
    whole file is clean, then everything in one transaction."""
    session, unit = _session_unit(pk, code)
    centres = _centres_for(request.user, session, unit)
    context = {
        "session": session,
        "unit": unit,
        "breadcrumb_data": {
            "links": [
                {"url": reverse("assessment:marks_entry", args=[pk, code]), "title": "Notes"}
            ],
            "current": f"Importer des notes — {unit.code}",
        },
    }
    status = 200
    if request.method == "POST" and request.POST.get("step") == "confirm":
        try:
            payload = signing.loads(
                request.POST.get("payload", ""), salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE_S
            )
        except signing.BadSignature:
            messages.error(request, "Aperçu expiré ou altéré : déposez le fichier à nouveau.")
            return redirect("assessment:marks_import", pk=pk, code=code)
        if payload["session"] != session.pk or payload["unit"] != unit.pk:
            raise Http404
        entries = [
            services.MarkEntry(
                row[0], Decimal(row[1]) if row[1] is not None else None, row[2], row[3]
            )
            for row in payload["entries"]
        ]
        if attempt(
            request,
            lambda: services.save_marks(session, unit, entries, request.user),
            f"{len(entries)} note(s) importée(s).",
        ):
            return redirect("assessment:marks_entry", pk=pk, code=code)
        status = 400
    elif request.method == "POST":
        upload = request.FILES.get("fichier")
        if upload is None:
            messages.error(request, "Fichier : choisissez un fichier .csv ou .xlsx.")
            status = 400
        else:
            try:
                lines, _ = imports.read_lines(upload.name, upload.read(imports.MAX_BYTES + 1))
            except imports.MarksFileError as error:
                messages.error(request, f"Fichier : {error}")
                status = 400
            else:
                convoked = _convoked(session, unit, centres)
                saved = {m.learner_id: m for m in Mark.objects.filter(session=session, unit=unit)}
                versions = {learner_id: m.version for learner_id, m in saved.items()}
                imports.check_lines(lines, _identifiers(session), {c.learner_id for c in convoked})
                for line in lines:  # the preview shows what each line replaces
                    line.current = saved.get(line.learner_id)
                context["replacing"] = sum(1 for line in lines if line.current is not None)
                bad = [line for line in lines if line.problems]
                context.update({"lines": lines, "bad": bad, "file_name": upload.name})
                if bad:
                    status = 400
                else:
                    context["payload"] = signing.dumps(
                        {
                            "session": session.pk,
                            "unit": unit.pk,
                            "entries": [
                                (
                                    line.learner_id,
                                    str(line.value) if line.value is not None else None,
                                    line.absence,
                                    versions.get(line.learner_id, 0),
                                )
                                for line in lines
                            ],
                        },
                        salt=IMPORT_SALT,
                    )
    return render(request, "assessment/marks_import.html", context, status=status)


@teacher_or_staff_only
@require_GET
def marks_export(request, pk: int, code: str, fmt: str):
    """The marks of the convoked learners (of the teacher's centres), as CSV or XLSX;
    every cell that could run as a formula is neutralised."""
    session, unit = _session_unit(pk, code)
    centres = _centres_for(request.user, session, unit)
    convoked = list(
        _convoked(session, unit, centres)
        .select_related("learner")
        .order_by("dossier__last_name", "dossier__first_name")
    )
    marks = {m.learner_id: m for m in Mark.objects.filter(session=session, unit=unit)}
    header = ["email", "dossier", "nom", "prenom", "note", "absence"]
    rows = []
    for c in convoked:
        mark = marks.get(c.learner_id)
        rows.append(
            [
                c.learner.email,
                c.dossier.reference,
                c.dossier.last_name,
                c.dossier.first_name,
                "" if mark is None or mark.value is None else str(mark.value).replace(".", ","),
                "" if mark is None else mark.get_absence_display() if mark.absence else "",
            ]
        )
    rows = [[imports.neutralised(cell) for cell in row] for row in rows]
    name = f"notes-{unit.code}-session{session.number}-{session.year.code}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = unit.code
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8"
        )
        fmt = "csv"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
