"""The PVs of a whole exam session in one PDF, as a background job (parcours/jobs.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from assessment import services
from assessment.models import ExamSession, Jury
from parcours.jobs import Outcome
from parcours.pdf import render_pdf_batch


def session_jury_records(job) -> Outcome:
    session = ExamSession.objects.select_related("year").get(pk=job.params["session"])
    juries = list(
        Jury.objects.filter(session=session, status=Jury.Status.DECIDED)
        .select_related("session__year", "unit")
        .order_by("unit__code")
    )
    if not juries:
        raise ValidationError("Aucun jury n'a encore statué dans cette session : pas de PV.")
    pdf = render_pdf_batch(
        "assessment/pdf/jury_record.html", [services.jury_record_context(j) for j in juries]
    )
    return Outcome(
        message=f"{len(juries)} procès-verbal{'aux' if len(juries) > 1 else ''} assemblé"
        f"{'s' if len(juries) > 1 else ''} en un PDF.",
        pdf=pdf,
        pdf_name=f"proces-verbaux-session{session.number}-{session.year.code}.pdf",
    )


def exam_timetable(job) -> Outcome:
    """The written papers of a session in a centre (R-EXA-1), by the planning engine."""
    from django.urls import reverse

    from assessment import exam_timetable as timetables
    from catalogue.models import Centre

    session = ExamSession.objects.select_related("year").get(pk=job.params["session"])
    centre = Centre.objects.get(pk=job.params["centre"])
    made = timetables.generate(session, centre)
    papers = made.papers.count()
    same_day = (
        f" ; {made.same_day} cas d'un candidat avec deux épreuves le même jour"
        if made.same_day
        else " ; aucun candidat n'a deux épreuves le même jour"
    )
    plural = "s" if papers > 1 else ""
    return Outcome(
        message=f"{papers} épreuve{plural} placée{plural}{same_day}. Vérifiez le "
        "calendrier, puis publiez-le.",
        url=reverse("assessment:sessions") + f"#epreuves-{session.pk}-{centre.pk}",
    )
