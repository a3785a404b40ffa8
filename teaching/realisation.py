"""Proof of delivery (R-ORG-1, R-ORG-2): the hours a learner followed, from the signed sheets and
the validated distance activity — one count for the certificat de réalisation, the
attestation de suivi (R-EXA-6) and, later, the BPF — and the documents a funder audits:
each session's signed sheet as PDF, a period's sheets as a ZIP, the certificat.

What counts: a session whose sheet the learner signed (their latest signature on it
present, a correction included; an attendance ticked without a sheet proves nothing to
a funder), for its planned length; a validated distance activity, for its reported or declared
minutes, unless it belongs to a session already counted from its sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from admissions.models import Dossier
from catalogue.models import AcademicYear
from parcours import clock
from parcours.pdf import render_pdf
from teaching.models import AttendanceSheet, DaySignature, DistanceActivity, Signature
from teaching.services import FOLLOWING, _group_of, members
from timetable.services import LOCAL

MAX_SHEETS_PER_ARCHIVE = 2000


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(first, dt.time.min, LOCAL),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, LOCAL),
    )


@dataclass
class Followed:
    """Minutes followed per UE id: in person (signed sheets) and at a distance."""

    in_person: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    distance: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    centre_days: int = 0  # signed alternance half-days at the centre (no UE)
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def _seen(self, day: dt.date) -> None:
        self.first_day = min(self.first_day or day, day)
        self.last_day = max(self.last_day or day, day)

    def minutes(self, unit_id: int | None = None) -> int:
        if unit_id is not None:
            return self.in_person.get(unit_id, 0) + self.distance.get(unit_id, 0)
        return sum(self.in_person.values()) + sum(self.distance.values()) + self.centre_days

    def hours(self, unit_id: int | None = None) -> Decimal:
        return _hours(self.minutes(unit_id))


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def followed(learner_id: int, first: dt.date, last: dt.date, unit_ids=None) -> Followed:
    """What the learner followed between two days (inclusive). Two queries."""
    start, end = _bounds(first, last)
    out = Followed()
    # The signatures themselves, the latest of each sheet standing (a correction after
    # closure included): a ticked box without a sheet proves nothing to a funder.
    signed = Signature.objects.filter(
        learner_id=learner_id,
        sheet__session__starts_at__gte=start,
        sheet__session__starts_at__lt=end,
    ).order_by("signed_at", "pk")
    activities = DistanceActivity.objects.filter(
        learner_id=learner_id,
        status=DistanceActivity.Status.VALIDATED,
        day__gte=first,
        day__lte=last,
    )
    if unit_ids is not None:
        signed = signed.filter(sheet__session__unit_id__in=list(unit_ids))
        activities = activities.filter(unit_id__in=list(unit_ids))
    latest = {}
    for session_id, unit_id, starts_at, minutes, present in signed.values_list(
        "sheet__session_id",
        "sheet__session__unit_id",
        "sheet__session__starts_at",
        "sheet__session__minutes",
        "present",
    ):
        latest[session_id] = (unit_id, starts_at, minutes, present)
    counted = set()
    for session_id, (unit_id, starts_at, minutes, present) in latest.items():
        if not present:
            continue
        counted.add(session_id)
        out.in_person[unit_id] += minutes
        out._seen(timezone.localtime(starts_at, LOCAL).date())
    for session_id, unit_id, day, minutes in activities.values_list(
        "session_id", "unit_id", "day", "minutes"
    ):
        if session_id in counted:
            continue  # the session's signed sheet already counts it
        out.distance[unit_id] += minutes
        out._seen(day)
    if unit_ids is None:
        _centre_days(out, learner_id, first, last)
    return out


def _centre_days(out: Followed, learner_id: int, first: dt.date, last: dt.date) -> None:
    """The alternance half-days the learner signed at the centre, for their windows."""
    from teaching import day_sheets

    halves = set(
        DaySignature.objects.filter(
            learner_id=learner_id, sheet__day__gte=first, sheet__day__lte=last
        ).values_list("sheet__day", "sheet__half")
    )
    years = {}
    for day, half in halves:
        year = years.get(day) or years.setdefault(day, day_sheets.year_of(day))
        starts, ends = day_sheets.window(year, day, half)
        out.centre_days += int((ends - starts).total_seconds()) // 60
        out._seen(day)


def followed_by_learner(first: dt.date, last: dt.date) -> dict[int, Followed]:
    """`followed` for every learner of a period at once (the BPF, R-ORG-4): the same
    counting, in three streamed queries whatever the number of learners."""
    start, end = _bounds(first, last)
    out: dict[int, Followed] = defaultdict(Followed)
    latest: dict[tuple[int, int], tuple] = {}
    signed = (
        Signature.objects.filter(
            sheet__session__starts_at__gte=start, sheet__session__starts_at__lt=end
        )
        .order_by("signed_at", "pk")
        .values_list(
            "learner_id",
            "sheet__session_id",
            "sheet__session__unit_id",
            "sheet__session__starts_at",
            "sheet__session__minutes",
            "present",
        )
    )
    for learner_id, session_id, unit_id, starts_at, minutes, present in signed.iterator(
        chunk_size=5000
    ):
        latest[learner_id, session_id] = (unit_id, starts_at, minutes, present)
    counted = set()
    for (learner_id, session_id), (unit_id, starts_at, minutes, present) in latest.items():
        if present:
            counted.add((learner_id, session_id))
            out[learner_id].in_person[unit_id] += minutes
            out[learner_id]._seen(timezone.localtime(starts_at, LOCAL).date())
    del latest
    activities = DistanceActivity.objects.filter(
        status=DistanceActivity.Status.VALIDATED, day__gte=first, day__lte=last
    ).values_list("learner_id", "session_id", "unit_id", "day", "minutes")
    for learner_id, session_id, unit_id, day, minutes in activities.iterator(chunk_size=5000):
        if (learner_id, session_id) not in counted:
            out[learner_id].distance[unit_id] += minutes
            out[learner_id]._seen(day)
    from teaching import day_sheets

    halves = (
        DaySignature.objects.filter(sheet__day__gte=first, sheet__day__lte=last)
        .values_list("learner_id", "sheet__day", "sheet__half")
        .distinct()
    )
    stored = list(AcademicYear.objects.order_by("-code"))  # the years once, not per day
    windows = {}
    for learner_id, day, half in halves.iterator(chunk_size=5000):
        if (day, half) not in windows:
            year = next((y for y in stored if y.regulation.contains(day)), None)
            if year is None:
                continue  # a sheet outside every stored year (its year was removed)
            starts, ends = day_sheets.window(year, day, half)
            windows[day, half] = int((ends - starts).total_seconds()) // 60
        out[learner_id].centre_days += windows[day, half]
        out[learner_id]._seen(day)
    return dict(out)


# --- the certificat de réalisation ----------------------------------------------------------


def funder_of(dossier: Dossier) -> str:
    """Who pays, as the certificate names it (the employer or OPCO the dossier gives,
    else the situation's usual funder)."""
    if dossier.employer_funder:
        return dossier.employer_funder
    return {
        Dossier.Situation.JOB_SEEKER: "France Travail",
        Dossier.Situation.CIF: "Transitions Pro",
        Dossier.Situation.ALTERNANCE: "OPCO de l'employeur",
        Dossier.Situation.CAREER_CHANGE: "OPCO de l'employeur",
    }.get(dossier.situation, dossier.employer_name or "")


def certificate_content(dossier: Dossier, first: dt.date, last: dt.date, funder: str) -> dict:
    chosen = list(dossier.units.select_related("unit").order_by("unit__code"))
    done = followed(dossier.learner_id, first, last, [c.unit_id for c in chosen])
    whole = followed(dossier.learner_id, first, last)  # with the alternance days
    done.centre_days = whole.centre_days
    return {
        "dossier": dossier.pk,
        "year": dossier.year.label,
        "action": f"{dossier.programme.code} « {dossier.programme.title} »",
        # A registration for a VAE is an "action de VAE" on the Ministry's model.
        "nature": "VAE" if dossier.validation == Dossier.Validation.VAE else "action de formation",
        "employer": dossier.employer_name,
        "funder": funder,
        "centre": dossier.centre.name if dossier.centre_id else "",
        "first": first.isoformat(),
        "last": last.isoformat(),
        "period": f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}",
        # The dates of the first and last session followed: when the action "s'est
        # déroulée" for this learner.
        "held": (
            f"du {done.first_day:%d/%m/%Y} au {done.last_day:%d/%m/%Y}" if done.first_day else ""
        ),
        "hours": str(done.hours()),
        "in_person_hours": str(_hours(sum(done.in_person.values()))),
        "distance_hours": str(_hours(sum(done.distance.values()))),
        "alternance_hours": str(_hours(whole.centre_days)),
        "units": [
            {
                "code": c.unit.code,
                "title": c.unit.title,
                "foad": c.foad,
                "hours": str(done.hours(c.unit_id)),
            }
            for c in chosen
        ],
    }


def issue_certificate(dossier: Dossier, first: dt.date, last: dt.date, funder: str = ""):
    """The certificat de réalisation of a final registration for a period (Ministry's
    model; R-ORG-2), with a verification code; the hours are frozen at issue."""
    from awards.models import IssuedDocument
    from awards.services import issue_document

    if dossier.status not in FOLLOWING:
        raise ValidationError("Un certificat de réalisation suppose une inscription définitive.")
    if last < first:
        raise ValidationError({"last": "La fin de la période précède son début."})
    if first > clock.today():
        raise ValidationError({"first": "Cette période n'a pas commencé."})
    content = certificate_content(dossier, first, last, funder.strip() or funder_of(dossier))
    return issue_document(
        dossier.learner,
        IssuedDocument.Kind.REALISATION,
        f"Certificat de réalisation — du {first:%d/%m/%Y} au {last:%d/%m/%Y}",
        content,
    )


def issue_semester_certificates(today: dt.date | None = None) -> int:
    """At the end of each semester, a certificate for every final registration whose
    funder wants one (the year's `semester_certificates_for`), once. Returns how many."""
    from awards.models import IssuedDocument
    from catalogue.models import AcademicYear

    today = today or clock.today()
    issued = 0
    for year in AcademicYear.objects.all():
        regulation = year.regulation
        proof = regulation.attendance_proof
        for semester in regulation.semesters:
            if not semester.courses_end < today <= semester.courses_end + dt.timedelta(days=31):
                continue
            first, last = semester.courses_start, semester.courses_end
            done = {
                (d["learner_id"], d["content__dossier"], d["content__first"])
                for d in IssuedDocument.objects.filter(
                    kind=IssuedDocument.Kind.REALISATION, content__first=first.isoformat()
                ).values("learner_id", "content__dossier", "content__first")
            }
            dossiers = Dossier.objects.filter(
                year=year, status__in=FOLLOWING, situation__in=proof.semester_certificates_for
            ).select_related("year", "programme", "centre", "learner")
            for dossier in dossiers:
                if (dossier.learner_id, dossier.pk, first.isoformat()) in done:
                    continue
                issue_certificate(dossier, first, last)
                issued += 1
    return issued


# --- the signed sheet as a document -----------------------------------------------------------


def sheet_context(sheet: AttendanceSheet) -> dict:
    session = sheet.session
    group = _group_of(session)
    latest: dict[int | None, Signature] = {}
    for signature in sheet.signatures.select_related("signed_by"):
        latest[signature.learner_id] = signature  # ordered by time: the last one stands
    corrections = [s for s in sheet.signatures.all() if s.method == Signature.Method.CORRECTION]
    rows = [{"member": m, "signature": latest.get(m.learner_id)} for m in members(group)]
    return {
        "sheet": sheet,
        "session": session,
        "starts": timezone.localtime(session.starts_at, LOCAL),
        "ends": timezone.localtime(session.ends_at, LOCAL),
        "group": group,
        "programmes": sorted({p.code for p in session.unit.programmes.all()}),
        "rows": rows,
        "present": sum(1 for r in rows if r["signature"] and r["signature"].present),
        "trainer": latest.get(None),
        "corrections": corrections,
        "centre": session.planning.centre,
    }


def sheet_pdf(sheet: AttendanceSheet) -> bytes:
    return render_pdf("teaching/pdf/sheet.html", sheet_context(sheet))


def sheets_of_period(first: dt.date, last: dt.date, centre_id: int | None = None):
    start, end = _bounds(first, last)
    sheets = AttendanceSheet.objects.filter(
        session__starts_at__gte=start, session__starts_at__lt=end, closed_at__isnull=False
    )
    if centre_id:
        sheets = sheets.filter(session__planning__centre_id=centre_id)
    return sheets.select_related(
        "session__unit", "session__room", "session__planning__centre", "session__planning__year"
    ).order_by("session__starts_at", "session__unit__code")


def archive(first: dt.date, last: dt.date, centre_id: int | None = None) -> bytes:
    """A ZIP of the period's closed sheets, one PDF each, named by day and UE, for a
    funder's audit."""
    sheets = list(sheets_of_period(first, last, centre_id)[: MAX_SHEETS_PER_ARCHIVE + 1])
    if not sheets:
        raise ValidationError("Aucune feuille d'émargement close sur cette période.")
    if len(sheets) > MAX_SHEETS_PER_ARCHIVE:
        raise ValidationError(
            f"Plus de {MAX_SHEETS_PER_ARCHIVE} feuilles sur cette période : choisissez une "
            "période plus courte ou un centre."
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for sheet in sheets:
            starts = timezone.localtime(sheet.session.starts_at, LOCAL)
            name = (
                f"{starts:%Y-%m-%d_%Hh%M}_{sheet.session.unit.code}_"
                f"seance-{sheet.session.number}.pdf"
            )
            bundle.writestr(name, sheet_pdf(sheet))
    return buffer.getvalue()
