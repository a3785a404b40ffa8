"""Pages of the proof of delivery (R-ORG-1): a session's signed sheet as PDF (its
teachers and staff), the reception's page of proofs (a period's sheets as a ZIP for a
funder, the distance platform's connection report, the learners' declared activities
to validate), the learners at risk of losing the right to sit (R-EXA-3), the
certificat de réalisation of a registration (staff), and a learner's own declaration
of a distance activity. GET never writes; every form error is named in French.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions.models import Dossier, DossierUnit
from catalogue.models import Centre, Unit
from parcours.access import attempt, learner_only, staff_only, teacher_or_staff_only
from parcours.job_views import panel_context, start_and_tell
from parcours.models import Job
from teaching import alerts, day_sheets, distance, realisation
from teaching.forms import (
    ArchiveForm,
    CertificateForm,
    DecisionForm,
    DeclareForm,
    PresenceForm,
    ReportForm,
)
from teaching.models import AttendanceSheet, DaySheet, DistanceActivity
from teaching.services import FOLLOWING, Member, current_year
from teaching.views import _session_and_group, signing_page


def _form_messages(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)


@teacher_or_staff_only
@require_GET
def sheet_pdf(request, pk: int):
    """The signed sheet of a session as a document (its group's teachers, staff)."""
    session, _ = _session_and_group(request, pk)
    sheet = get_object_or_404(
        AttendanceSheet.objects.select_related(
            "opened_by", "session__unit", "session__room", "session__planning__centre"
        ),
        session=session,
    )
    response = HttpResponse(realisation.sheet_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="emargement-{session.unit.code}-seance-{session.number}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_only
@require_http_methods(["GET", "POST"])
def proofs(request):
    """The reception's page of proofs: the archive of a period's sheets, the connection
    report import, and the declared activities waiting for a decision."""
    year = current_year()
    archive_form = ArchiveForm(prefix="archive")
    report_form = ReportForm(prefix="report")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "archive":
            archive_form = ArchiveForm(request.POST, prefix="archive")
            if archive_form.is_valid():
                data = archive_form.cleaned_data
                centre = data["centre"]
                start_and_tell(
                    request,
                    Job.Kind.ATTENDANCE_ARCHIVE,
                    key=f"emargements:{data['first']}:{data['last']}:{centre.pk if centre else ''}",
                    title=f"Feuilles d'émargement du {data['first']:%d/%m/%Y} au "
                    f"{data['last']:%d/%m/%Y}" + (f", {centre.name}" if centre else ""),
                    params={
                        "first": data["first"].isoformat(),
                        "last": data["last"].isoformat(),
                        "centre": centre.pk if centre else None,
                    },
                    started="Archive des feuilles demandée",
                )
                return redirect("teaching:proofs")
            status = 400
        elif action == "import" and year is not None:
            report_form = ReportForm(request.POST, request.FILES, prefix="report")
            if report_form.is_valid():
                upload = report_form.cleaned_data["report"]
                data = upload.read(distance.MAX_BYTES + 1)
                try:
                    created = distance.import_report(year, data, upload.name, request.user)
                except ValidationError as refusal:
                    for message in refusal.messages:
                        report_form.add_error("report", message)
                    status = 400
                else:
                    messages.success(
                        request,
                        f"Rapport importé : {created} activité{'s' if created > 1 else ''} "
                        "à distance enregistrée(s).",
                    )
                    return redirect("teaching:proofs")
            else:
                status = 400
        else:
            messages.error(request, "Action inconnue.")
            return redirect("teaching:proofs")
    pending = [(a, DecisionForm(prefix=f"decide-{a.pk}")) for a in distance.pending()[:200]]
    return render(
        request,
        "teaching/proofs.html",
        {
            "year": year,
            "archive_form": archive_form,
            "report_form": report_form,
            "pending": pending,
            **panel_context(Job.Kind.ATTENDANCE_ARCHIVE),
            "breadcrumb_data": {"links": [], "current": "Preuves de réalisation"},
        },
        status=status,
    )


@staff_only
@require_POST
def decide(request, pk: int):
    activity = get_object_or_404(DistanceActivity, pk=pk)
    form = DecisionForm(request.POST, prefix=f"decide-{pk}")
    if form.is_valid():
        validated = form.cleaned_data["decision"] == "validate"
        attempt(
            request,
            lambda: distance.decide(activity, validated, form.cleaned_data["reason"], request.user),
            "Activité validée : elle compte dans les heures suivies."
            if validated
            else "Activité refusée ; le motif est gardé.",
        )
    else:
        _form_messages(request, form)
    return redirect("teaching:proofs")


@staff_only
@require_GET
def at_risk(request):
    """Learners whose right to sit a UE is at risk or lost this semester (R-EXA-3), and
    the alternance learners whose last week had no day at the centre (R-CAL-4)."""
    year = current_year()
    code = (request.GET.get("ue") or "").strip().upper()[:20]
    unit = Unit.objects.filter(code=code).first() if code else None
    rows = alerts.risks(year, unit_id=unit.pk if unit else None) if year else []
    missing = alerts.missing_alternance_weeks(year) if year else []
    units = sorted({r.unit.code for r in rows})
    return render(
        request,
        "teaching/at_risk.html",
        {
            "year": year,
            "rows": rows,
            "missing": missing,
            "unit": unit,
            "code": code,
            "unknown": bool(code) and unit is None,
            "units": units,
            "breadcrumb_data": {"links": [], "current": "Apprenants à risque"},
        },
    )


def _dossiers_of(learner_pk: int):
    return list(
        Dossier.objects.filter(learner_id=learner_pk, status__in=FOLLOWING)
        .select_related("year", "programme", "centre", "learner")
        .order_by("-year__code")
    )


@staff_only
@require_POST
def certificate(request, pk: int):
    """A certificat de réalisation of one of the learner's final registrations."""
    dossiers = _dossiers_of(pk)
    if not dossiers:
        raise Http404("Aucune inscription définitive pour cet apprenant.")
    form = CertificateForm(request.POST, prefix="certificate", dossiers=dossiers)
    if form.is_valid():
        data = form.cleaned_data
        dossier = next(d for d in dossiers if str(d.pk) == data["dossier"])
        attempt(
            request,
            lambda: realisation.issue_certificate(
                dossier, data["first"], data["last"], data["funder"]
            ),
            "Certificat de réalisation délivré (liste « Documents délivrés »).",
        )
    else:
        _form_messages(request, form)
    return redirect(reverse("awards:learner", args=[pk]) + "#documents")


def certificate_form(learner_pk: int) -> CertificateForm | None:
    """The form the staff learner page shows, if the learner has a final registration."""
    dossiers = _dossiers_of(learner_pk)
    if not dossiers:
        return None
    latest = dossiers[0].year.regulation
    return CertificateForm(
        prefix="certificate",
        dossiers=dossiers,
        initial={"first": latest.first_day, "last": latest.last_day},
    )


@learner_only
@require_POST
def declare(request):
    """A learner declares a distance activity of one of their UEs."""
    year = current_year()
    units = _my_units(request.user, year)
    form = DeclareForm(request.POST, prefix="declare", units=units)
    if year is None:
        messages.error(request, "Aucune année universitaire en cours.")
    elif form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if str(u.pk) == data["unit"])
        attempt(
            request,
            lambda: distance.declare(
                request.user,
                year,
                unit,
                data["kind"],
                data["day"],
                data["minutes"],
                data["description"],
            ),
            "Activité déclarée : le service accueil la valide avant qu'elle compte.",
        )
    else:
        _form_messages(request, form)
    return redirect(reverse("teaching:mine") + "#distance")


def _my_units(learner, year) -> list[Unit]:
    if year is None:
        return []
    return list(
        Unit.objects.filter(
            Q(
                pk__in=DossierUnit.objects.filter(
                    dossier__learner=learner, dossier__year=year, dossier__status__in=FOLLOWING
                ).values("unit_id")
            )
        )
        .exclude(kind=Unit.Kind.ACTIVITY)
        .order_by("code")
    )


def my_distance_context(learner, year) -> dict:
    """The learner's page part: the declaration form and their activities so far."""
    units = _my_units(learner, year)
    return {
        # What the absence alerts said, where the learner looks (R-EXA-3).
        "risks": alerts.risks(year, learner_id=learner.pk) if year else [],
        "declare_form": DeclareForm(prefix="declare", units=units) if units else None,
        "activities": list(
            DistanceActivity.objects.filter(learner=learner, year=year).select_related("unit")[:100]
        )
        if year
        else [],
    }


# --- the alternance half-days (R-ORG-1, R-CAL-4) -----------------------------------------


@staff_only
@require_POST
def day_sheet_open(request):
    """The reception opens today's half-day sheet of a centre for its alternance learners."""
    chosen = request.POST.get("centre", "")
    wellformed = chosen.isascii() and chosen.isdecimal() and len(chosen) <= 9
    centre = Centre.objects.filter(pk=int(chosen)).first() if wellformed else None
    half = request.POST.get("half", "")
    if centre is None:
        messages.error(request, "Centre : choisissez un centre.")
        return redirect("teaching:alternance")
    try:
        sheet = day_sheets.open_day_sheet(centre, half, request.user)
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
        return redirect("teaching:alternance")
    return redirect("teaching:day_sheet", pk=sheet.pk)


def _day_sheet_context(request, sheet) -> dict:
    import segno

    year = day_sheets.year_of(sheet.day)
    dossiers = day_sheets.learners(year, sheet.centre)
    signed = {s.learner_id for s in sheet.signatures.all() if s.learner_id}
    qr = None
    if not sheet.is_closed:
        address = request.build_absolute_uri(
            reverse("teaching:day_sign", args=[day_sheets.qr_token(sheet)])
        )
        qr = {
            "svg": segno.make(address, error="m").svg_inline(scale=6, title="QR code d'émargement"),
            "seconds": year.regulation.attendance_proof.qr_seconds,
        }
    return {
        "sheet": sheet,
        "signatures": list(sheet.signatures.select_related("learner", "signed_by")),
        "presence_form": PresenceForm(
            members=[
                Member(d.learner_id, d.full_name, d.learner.email, False)
                for d in dossiers
                if d.learner_id not in signed
            ]
        ),
        "qr": qr,
        "breadcrumb_data": {
            "links": [{"url": reverse("teaching:alternance"), "title": "Alternance"}],
            "current": f"Émargement du {sheet.day:%d/%m/%Y}, {sheet.get_half_display().lower()}",
        },
    }


@staff_only
@require_GET
def day_sheet(request, pk: int):
    sheet = get_object_or_404(DaySheet.objects.select_related("centre"), pk=pk)
    template = (
        "teaching/_day_sheet.html"
        if request.headers.get("HX-Request")
        else "teaching/day_sheet.html"
    )
    return render(request, template, _day_sheet_context(request, sheet))


@staff_only
@require_POST
def day_sheet_action(request, pk: int):
    sheet = get_object_or_404(DaySheet, pk=pk)
    action = request.POST.get("action", "")
    if action == "record":
        year = day_sheets.year_of(sheet.day)
        members = [
            Member(d.learner_id, d.full_name, d.learner.email, False)
            for d in day_sheets.learners(year, sheet.centre)
        ]
        form = PresenceForm(request.POST, members=members)
        if form.is_valid():
            attempt(
                request,
                lambda: day_sheets.record(
                    sheet,
                    int(form.cleaned_data["learner"]),
                    form.cleaned_data["reason"],
                    request.user,
                ),
                "Présence enregistrée, avec son motif.",
            )
        else:
            _form_messages(request, form)
    elif action == "close":
        attempt(
            request,
            lambda: day_sheets.close(sheet, request.user),
            "Feuille close et signée.",
        )
    else:
        messages.error(request, "Action inconnue.")
    return redirect("teaching:day_sheet", pk=pk)


@staff_only
@require_GET
def day_sheet_pdf(request, pk: int):
    from parcours.pdf import pdf_response

    sheet = get_object_or_404(DaySheet.objects.select_related("centre", "opened_by"), pk=pk)
    return pdf_response(
        "teaching/pdf/day_sheet.html",
        day_sheets.pdf_context(sheet),
        f"emargement-alternance-{sheet.day:%Y%m%d}-{sheet.half}.pdf",
    )


@learner_only
@require_http_methods(["GET", "POST"])
def day_sign(request, token: str):
    """An alternance learner signs the half-day from the QR code at the centre: GET
    shows the half-day and a button (GET never writes); POST signs."""
    return signing_page(
        request, token, day_sheets.sheet_of_token, day_sheets.sign_by_qr, "teaching/day_sign.html"
    )
