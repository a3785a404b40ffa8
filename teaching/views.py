"""Pages of teaching: the teacher's groups and attendance sheets (phone-friendly), the
staff's groups (teachers, corrections with a reason, alternance days) and the learner's
own attendance with what they still need to sit the exams (R-EXA-3).

Access: a teacher reaches a group, a session or a sheet only through
`TeachingGroup.objects.filter(teachers=user)` — another teacher's group is a 404 and
nothing is written; staff reach every group; a learner sees only their own counts.
GET never writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.models import ExamSession
from assessment.services import examines
from catalogue.models import Centre
from parcours import clock
from parcours.access import (
    attempt,
    is_staff_member,
    learner_only,
    staff_only,
    teacher_or_staff_only,
)
from teaching import services, signing
from teaching.forms import AlternanceDayForm, CorrectionForm, PresenceForm, TeachersForm
from teaching.models import Attendance, AttendanceSheet, DaySheet, TeachingGroup
from teaching.services import current_year
from timetable.models import Session


def _groups_for(user):
    """Every group for staff; a teacher's own groups only."""
    groups = TeachingGroup.objects.select_related("year", "centre", "unit")
    return groups if is_staff_member(user) else groups.filter(teachers=user)


def _crumbs(request, *links, current: str) -> dict:
    title = "Groupes" if is_staff_member(request.user) else "Mes groupes"
    root = {"url": reverse("teaching:groups"), "title": title}
    return {"links": [root, *links], "current": current}


@teacher_or_staff_only
@require_GET
def groups(request):
    """The teacher's groups (staff: every group of the current year)."""
    year = current_year()
    rows = list(
        _groups_for(request.user)
        .filter(year=year)
        .prefetch_related("teachers")
        .order_by("centre__position", "unit__code")
    )
    return render(
        request,
        "teaching/groups.html",
        {
            "year": year,
            "groups": rows,
            "staff": is_staff_member(request.user),
            "breadcrumb_data": {
                "links": [],
                "current": "Groupes" if is_staff_member(request.user) else "Mes groupes",
            },
        },
    )


@teacher_or_staff_only
@require_http_methods(["GET", "POST"])
def group(request, pk: int):
    group = get_object_or_404(_groups_for(request.user), pk=pk)
    staff = is_staff_member(request.user)
    if request.method == "POST" and not staff:
        raise PermissionDenied  # only staff choose a group's teachers
    teachers_form = (
        TeachersForm(request.POST or None, initial={"teachers": group.teachers.all()})
        if staff
        else None
    )
    if request.method == "POST" and teachers_form.is_valid():
        services.assign_teachers(group, teachers_form.cleaned_data["teachers"])
        messages.success(request, "Enseignants du groupe enregistrés.")
        return redirect("teaching:group", pk=pk)
    members = services.members(group)
    sessions = list(
        services.group_sessions(group)
        .annotate(
            present=Count("attendances", filter=Q(attendances__present=True)),
            marked=Count("attendances"),
        )
        .order_by("starts_at")
    )
    counts = services.attendance_counts(
        group.year, [m.learner_id for m in members], [group.unit_id]
    )
    regulation = group.year.regulation
    semesters = [
        s for s in regulation.semesters if group.unit.period in (s.code, "annual")
    ] or list(regulation.semesters)
    needed = regulation.thresholds.attendances_to_sit
    rows = [
        {
            "member": m,
            "counts": [
                (s.code, counts.get((m.learner_id, group.unit_id), {}).get(s.code, 0))
                for s in semesters
            ],
        }
        for m in members
    ]
    today = clock.today()
    codes = [s.code for s in regulation.semesters]
    exams = [
        e
        for e in ExamSession.objects.filter(year_id=group.year_id)
        if examines(e, group.unit, codes)
    ]
    return render(
        request,
        "teaching/group.html",
        {
            "group": group,
            "rows": rows,
            "semesters": semesters,
            "needed": needed,
            "sessions": sessions,
            "exams": exams,
            "today": today,
            "staff": staff,
            "teachers_form": teachers_form,
            "breadcrumb_data": _crumbs(request, current=str(group)),
        },
    )


def _session_and_group(request, pk: int) -> tuple[Session, TeachingGroup]:
    session = get_object_or_404(
        Session.objects.published().select_related("planning__year", "planning__centre", "unit"),
        pk=pk,
    )
    group = get_object_or_404(
        _groups_for(request.user),
        year_id=session.planning.year_id,
        centre_id=session.planning.centre_id,
        unit_id=session.unit_id,
    )
    return session, group


@teacher_or_staff_only
@require_http_methods(["GET", "POST"])
def sheet(request, pk: int):
    """The attendance sheet of a session: one checkbox per learner of the group."""
    session, group = _session_and_group(request, pk)
    members = services.members(group)
    if request.method == "POST":
        try:
            present = {int(v) for v in request.POST.getlist("present")}
        except ValueError:
            present = None
        if present is None:
            messages.error(request, "Liste de présence illisible : recommencez.")
        elif attempt(
            request,
            lambda: services.record_attendance(session, present, request.user),
            f"Émargement enregistré : {len(present)} présent(s) sur {len(members)}.",
        ):
            return redirect("teaching:group", pk=group.pk)
    recorded = {a.learner_id: a for a in Attendance.objects.filter(session=session)}
    history = (
        Attendance.history.filter(session_id=session.pk)
        .select_related("history_user")
        .order_by("-history_date")[:50]
        if is_staff_member(request.user)
        else []
    )
    names = {m.learner_id: m.name for m in members}
    signed_sheet = AttendanceSheet.objects.filter(session=session).first()
    return render(
        request,
        "teaching/sheet.html",
        {
            "session": session,
            "group": group,
            "signed_sheet": signed_sheet,
            **(_signed_context(request, signed_sheet, members) if signed_sheet else {}),
            "rows": [{"member": m, "attendance": recorded.get(m.learner_id)} for m in members],
            "recorded": bool(recorded),
            # A future or cancelled session shows its list, without boxes to tick.
            "closed": services.sheet_closed(session),
            "staff": is_staff_member(request.user),
            "correction_form": CorrectionForm(members=members),
            "history": [{"row": h, "name": names.get(h.learner_id, "")} for h in history],
            "breadcrumb_data": _crumbs(
                request,
                {"url": reverse("teaching:group", args=[group.pk]), "title": str(group)},
                current=f"Émargement — {session}",
            ),
        },
    )


def _signed_context(request, sheet: AttendanceSheet, members) -> dict:
    """The signed sheet's part of the page: signatures so far, the form to record a
    learner without a phone, and (while open) the QR code."""
    signatures = list(sheet.signatures.select_related("learner", "signed_by"))
    names = {m.learner_id: m.name for m in members}
    signed = {s.learner_id for s in signatures if s.learner_id and s.present}
    return {
        "signatures": [{"row": s, "name": names.get(s.learner_id, "")} for s in signatures],
        "presence_form": PresenceForm(members=[m for m in members if m.learner_id not in signed]),
        "qr": _qr(request, sheet) if not sheet.is_closed else None,
    }


def _qr(request, sheet: AttendanceSheet) -> dict:
    import segno

    address = request.build_absolute_uri(reverse("teaching:sign", args=[signing.qr_token(sheet)]))
    return {
        "svg": segno.make(address, error="m").svg_inline(scale=6, title="QR code d'émargement"),
        "seconds": sheet.session.planning.year.regulation.attendance_proof.qr_seconds,
    }


@teacher_or_staff_only
@require_GET
def sheet_qr(request, pk: int):
    """The rotating QR code of an open sheet (htmx refreshes it); reading only."""
    session, group = _session_and_group(request, pk)
    sheet = get_object_or_404(AttendanceSheet, session=session)
    members = services.members(group)
    return render(
        request,
        "teaching/_signed_sheet.html",
        {"session": session, "signed_sheet": sheet, **_signed_context(request, sheet, members)},
    )


@teacher_or_staff_only
@require_POST
def sheet_action(request, pk: int):
    """Open the signed sheet, record a learner without a phone, or close and sign it."""
    session, group = _session_and_group(request, pk)
    action = request.POST.get("action", "")
    sheet = AttendanceSheet.objects.filter(session=session).first()
    if action == "open":
        attempt(
            request,
            lambda: signing.open_sheet(session, request.user),
            "Émargement ouvert : les apprenants scannent le QR code affiché.",
        )
    elif sheet is None:
        messages.error(request, "Ouvrez d'abord l'émargement de cette séance.")
    elif action == "record":
        form = PresenceForm(request.POST, members=services.members(group))
        if form.is_valid():
            attempt(
                request,
                lambda: signing.record_by_trainer(
                    sheet,
                    int(form.cleaned_data["learner"]),
                    form.cleaned_data["reason"],
                    request.user,
                ),
                "Présence enregistrée, avec son motif.",
            )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    elif action == "close":
        attempt(
            request,
            lambda: signing.close_sheet(sheet, request.user),
            "Feuille close et signée : les apprenants qui n'ont pas signé sont absents.",
        )
    else:
        messages.error(request, "Action inconnue.")
    return redirect("teaching:sheet", pk=session.pk)


@learner_only
@require_http_methods(["GET", "POST"])
def sign(request, token: str):
    """A learner's own signature, from the QR code scanned in the room: GET shows the
    session and a button (GET never writes); POST signs, as the signed-in account."""
    return signing_page(
        request, token, signing.sheet_of_token, signing.sign_by_qr, "teaching/sign.html"
    )


def signing_page(request, token: str, read, sign, template: str):
    """A learner's signing page from a scanned code: GET shows the sheet and a button,
    POST signs as the signed-in account; a refusal is said in French (400 on POST)."""
    error, signature, sheet = "", None, None
    try:
        sheet = read(token)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if sheet is not None and request.method == "POST":
        try:
            signature = sign(token, request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    return render(
        request,
        template,
        {"sheet": sheet, "error": error, "signature": signature, "token": token},
        status=400 if error and request.method == "POST" else 200,
    )


@staff_only
@require_POST
def correct(request, pk: int):
    session, group = _session_and_group(request, pk)
    form = CorrectionForm(request.POST, members=services.members(group))
    if form.is_valid():
        data = form.cleaned_data
        sheet = AttendanceSheet.objects.filter(session=session, closed_at__isnull=False).first()
        # A closed signed sheet is frozen: its correction is a new signature (R-ORG-1).
        correct = signing.correct_sheet if sheet else services.correct_attendance
        attempt(
            request,
            lambda: correct(
                sheet or session,
                int(data["learner"]),
                data["present"] == "1",
                data["reason"],
                request.user,
            ),
            "Présence corrigée ; la correction et son motif sont dans l'historique.",
        )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
    return redirect("teaching:sheet", pk=pk)


@learner_only
@require_GET
def my_attendance(request):
    from teaching.proof_views import my_distance_context

    year = current_year()
    units = services.learner_attendance(request.user, year) if year else []
    return render(
        request,
        "teaching/my_attendance.html",
        {
            "year": year,
            "units": units,
            **my_distance_context(request.user, year),
            "needed": year.regulation.thresholds.attendances_to_sit if year else 0,
            # What the year counts as a presence (R-EXA-3, a reading of its data).
            "presence_labels": ", ".join(
                str(dict(Session.Kind.choices)[kind]).lower()
                for kind in year.regulation.attendance_proof.presence_kinds
            )
            if year
            else "",
            "breadcrumb_data": {
                "links": [{"url": reverse("admissions:space"), "title": "Mon espace"}],
                "current": "Mes présences",
            },
        },
    )


@staff_only
@require_http_methods(["GET", "POST"])
def alternance(request):
    """Alternance learners and their weekly day in the centre (R-CAL-4)."""
    year = current_year()
    dossiers = list(services.alternance_learners(year)) if year else []
    form = AlternanceDayForm(request.POST or None, dossiers=dossiers)
    if request.method == "POST" and form.is_valid():
        dossier = form.cleaned_data["dossier"]
        if attempt(
            request,
            lambda: services.record_alternance_day(
                dossier.learner,
                dossier.centre,
                form.cleaned_data["day"],
                form.cleaned_data["hours"],
                request.user,
            ),
            "Journée en centre enregistrée.",
        ):
            return redirect("teaching:alternance")
    rows = [{"dossier": d, "judged": services.alternance_weeks(d)} for d in dossiers]
    teaching = year.regulation.teaching if year else None
    return render(
        request,
        "teaching/alternance.html",
        {
            "rows": rows,
            "form": form,
            "teaching": teaching,
            "centres": Centre.objects.order_by("position"),
            "day_sheets": DaySheet.objects.select_related("centre")[:10],
            "breadcrumb_data": {"links": [], "current": "Alternance : journées en centre"},
        },
        status=400 if request.method == "POST" else 200,
    )
