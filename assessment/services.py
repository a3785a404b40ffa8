"""Exam sessions, the right to sit, convocations, marks, juries and publication, one
function per change, each in a transaction.

The right to sit is decided by the rules core (`rules.exams.exam_right`, R-EXA-2,
R-EXA-3) for a whole session at once: registrations, attendance counts and earlier
marks come in three queries whatever the number of learners; the rules core is then
called per learner and UE, with no query inside the loop.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from admissions.models import Dossier, DossierUnit
from assessment import notifications, signals
from assessment.models import Convocation, ExamSession, Jury, Mark
from catalogue.bridge import rules_catalogue
from catalogue.models import AcademicYear, Unit
from parcours import clock
from parcours.access import is_direction
from rules.exams import ExamRequest, ExamRight, exam_right
from rules.explain import Reason
from rules.ledger import validates
from rules.regulation import Regulation
from teaching.services import attendance_counts

FOLLOWING = (Dossier.Status.VALIDATED,)
ANNUAL = "annual"


# --- sessions ---------------------------------------------------------------------------------


@transaction.atomic
def ensure_exam_sessions(year: AcademicYear) -> list[ExamSession]:
    """Session 1 of each semester (its exam week, Monday to Saturday) and the common
    session 2, from the year's calendar (R-CAL-1, R-EXA-1)."""
    regulation = year.regulation
    days = regulation.thresholds.results_publication_days
    wanted = [
        (1, s.code, s.exam_session_1_week, s.exam_session_1_week + dt.timedelta(days=5))
        for s in regulation.semesters
    ]
    second = regulation.exam_session_2
    wanted.append((2, "", second.starts_on, second.ends_on))
    sessions = []
    for number, semester, starts_on, ends_on in wanted:
        session, _ = ExamSession.objects.update_or_create(
            year=year,
            number=number,
            semester=semester,
            defaults={"starts_on": starts_on, "ends_on": ends_on, "publication_days": days},
        )
        for jury in session.juries.filter(status=Jury.Status.DECIDED):
            signals.jury_dates_changed.send(Jury, jury=jury)  # new dates: the ledger follows
        sessions.append(session)
    return sessions


def session_units(session: ExamSession):
    """The UEs examined at a session: session 1 of a semester examines its UEs, and the
    annual UEs at the end of the year (reading: an annual UE's session 1 is the last
    semester's); session 2 examines every taught UE. Activity units have no exam
    (R-EXA-2)."""
    units = Unit.objects.filter(kind=Unit.Kind.COURSE)
    if session.number == 2:
        return units
    codes = [s.code for s in session.year.regulation.semesters]
    periods = [session.semester] + ([ANNUAL] if session.semester == codes[-1] else [])
    return units.filter(period__in=periods)


def examines(session: ExamSession, unit: Unit, semester_codes: list[str]) -> bool:
    """The same rule as `session_units`, for one UE already loaded."""
    if unit.kind != Unit.Kind.COURSE:
        return False
    if session.number == 2:
        return True
    last = session.semester == semester_codes[-1]
    return unit.period == session.semester or (unit.period == ANNUAL and last)


def _earlier_sessions(session: ExamSession):
    return ExamSession.objects.filter(year_id=session.year_id, starts_on__lt=session.starts_on)


def _decided_jury() -> Exists:
    """A Mark filter: its jury (session × UE) has decided."""
    return Exists(
        Jury.objects.filter(
            session_id=OuterRef("session_id"),
            unit_id=OuterRef("unit_id"),
            status=Jury.Status.DECIDED,
        )
    )


def units_awaiting_results(session: ExamSession, today: dt.date | None = None) -> set[int]:
    """The UEs of `session` whose right to sit still depends on an earlier session's
    results not yet published (R-EXA-5): marks there, and a jury not decided or not
    yet published. A learner sees nothing of their right to sit those UEs (convocation,
    refusal, reason) before that day."""
    return {unit for _, unit in _awaiting_results([session], today or clock.today())}


def _awaiting_results(sessions, today: dt.date) -> set[tuple[int, int]]:
    """(session, UE) pairs of `sessions` awaiting earlier results: three queries
    whatever the number of sessions."""
    years = {s.year_id for s in sessions}
    if not years:
        return set()
    year_sessions = list(ExamSession.objects.filter(year_id__in=years))
    earlier_of = {
        s.pk: {e.pk for e in year_sessions if e.year_id == s.year_id and e.starts_on < s.starts_on}
        for s in sessions
    }
    earlier_ids = set().union(*earlier_of.values())
    if not earlier_ids:
        return set()
    marked = set(
        Mark.objects.filter(session_id__in=earlier_ids)
        .values_list("session_id", "unit_id")
        .distinct()
    )
    published = {
        (j.session_id, j.unit_id)
        for j in Jury.objects.filter(session_id__in=earlier_ids).select_related("session")
        if j.is_published(today)
    }
    return {
        (session_id, unit_id)
        for session_id, earlier in earlier_of.items()
        for earlier_id, unit_id in marked - published
        if earlier_id in earlier
    }


def units_awaiting_jury(session: ExamSession) -> set[int]:
    """The UEs of `session` with marks at an earlier session whose jury has not decided:
    their right to sit is not known yet."""
    earlier = _earlier_sessions(session)
    return set(
        Mark.objects.filter(session__in=earlier)
        .exclude(_decided_jury())
        .values_list("unit_id", flat=True)
        .distinct()
    )


def visible_convocations(learner, today: dt.date | None = None) -> list[Convocation]:
    """The learner's convocations they may see today: none whose UE awaits the
    publication of an earlier session's results (R-EXA-5). The one gate of every
    channel showing a convocation (exams page, PDF, personal space); a fixed number of
    queries."""
    today = today or clock.today()
    convocations = list(
        Convocation.objects.filter(learner=learner)
        .select_related("session__year", "unit", "dossier__centre")
        .order_by("session__starts_on", "unit__code")
    )
    hidden = _awaiting_results({c.session for c in convocations}, today)
    return [c for c in convocations if (c.session_id, c.unit_id) not in hidden]


# --- the right to sit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    learner_id: int
    name: str
    unit_id: int
    unit_code: str
    dossier_id: int
    centre_id: int | None
    right: ExamRight


def exam_rights(
    session: ExamSession,
    unit_ids: Iterable[int] | None = None,
    learner_ids: Iterable[int] | None = None,
) -> list[Candidate]:
    """Every learner registered this year to a UE of the session, with their right to
    sit and its reasons (R-EXA-2, R-EXA-3; a UE validated at an earlier session of the
    year is not sat again, R-EXA-4). Bulk: three queries, then pure functions."""
    return list(iter_exam_rights(session, unit_ids, learner_ids))


def iter_exam_rights(
    session: ExamSession,
    unit_ids: Iterable[int] | None = None,
    learner_ids: Iterable[int] | None = None,
) -> Iterator[Candidate]:
    """`exam_rights` one candidate at a time: registrations are streamed from the
    database, so a whole session's candidates never sit in memory together."""
    regulation = session.year.regulation
    units = {u.pk: u for u in session_units(session).prefetch_related("programmes")}
    if unit_ids is not None:
        units = {pk: u for pk, u in units.items() if pk in set(unit_ids)}
    catalogue = rules_catalogue(units.values())
    registered = DossierUnit.objects.filter(
        dossier__year_id=session.year_id,
        dossier__status__in=FOLLOWING,
        unit_id__in=list(units),
    )
    if learner_ids is not None:
        learner_ids = list(learner_ids)
        registered = registered.filter(dossier__learner_id__in=learner_ids)
    counts = attendance_counts(session.year, learner_ids, list(units))
    # Only marks a jury has decided on count (R-EXA-5): a mark still open to correction
    # decides nothing, and would tell the learner their result before its day.
    marks = Mark.objects.filter(
        session__in=_earlier_sessions(session), unit_id__in=list(units)
    ).filter(_decided_jury())
    if learner_ids is not None:
        marks = marks.filter(learner_id__in=learner_ids)
    earlier: dict[tuple[int, int], list[tuple[Decimal | None, str]]] = defaultdict(list)
    for learner, unit, value, absence in marks.values_list(
        "learner_id", "unit_id", "value", "absence"
    ):
        earlier[learner, unit].append((value, absence))

    registrations = (
        registered.order_by(
            "dossier__last_name", "dossier__first_name", "dossier__learner_id", "unit_id"
        )
        .values_list(
            "dossier__learner_id",
            "dossier__last_name",
            "dossier__first_name",
            "unit_id",
            "dossier_id",
            "dossier__centre_id",
        )
        .iterator(chunk_size=5000)
    )
    for learner, last, first, unit_id, dossier_id, centre_id in registrations:
        unit = units[unit_id]
        previous = earlier.get((learner, unit_id), [])
        right = exam_right(
            regulation,
            catalogue,
            ExamRequest(
                unit=unit.code,
                registered=True,
                attendances=counts.get((learner, unit_id), {}),
                sessions_sat=min(
                    len(previous), regulation.thresholds.exam_sessions_per_registration
                ),
            ),
        )
        if any(validates(regulation, value) for value, _ in previous):
            right = replace(
                right,
                allowed=False,
                reasons=(
                    *right.reasons,
                    Reason(
                        "R-EXA-4",
                        f"{unit.code} est déjà validée cette année : elle est capitalisée, "
                        "pas de nouvel examen.",
                    ),
                ),
            )
        name = f"{last.upper()} {first}".strip()
        yield Candidate(learner, name, unit_id, unit.code, dossier_id, centre_id, right)


# --- convocations -----------------------------------------------------------------------------


@transaction.atomic
def issue_convocations(session: ExamSession, unit_ids: Iterable[int] | None = None) -> int:
    """A convocation for every learner with the right to sit; returns how many are
    new (issuing again adds only the missing ones). A UE whose earlier session's jury
    has not decided is left out: its rights are not known yet (R-EXA-5)."""
    existing = set(Convocation.objects.filter(session=session).values_list("learner_id", "unit_id"))
    # once a UE's marks are closed, its list of candidates is final
    closed = set(
        Jury.objects.filter(session=session)
        .exclude(status=Jury.Status.OPEN)
        .values_list("unit_id", flat=True)
    ) | units_awaiting_jury(session)
    new = [
        Convocation(
            session=session, unit_id=c.unit_id, learner_id=c.learner_id, dossier_id=c.dossier_id
        )
        for c in iter_exam_rights(session, unit_ids)
        if c.right.allowed and (c.learner_id, c.unit_id) not in existing and c.unit_id not in closed
    ]
    Convocation.objects.bulk_create(new, batch_size=2000)
    return len(new)


def issue_convocations_of(session: ExamSession, unit: Unit) -> int:
    """The convocations of one UE, refused while an earlier jury of it has not decided."""
    if unit.pk in units_awaiting_jury(session):
        raise ValidationError(
            f"Le jury de {unit.code} à la session précédente n'a pas encore statué : "
            "les droits à composer ne sont pas connus, les convocations attendront."
        )
    return issue_convocations(session, [unit.pk])


# --- marks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkEntry:
    learner_id: int
    value: Decimal | None
    absence: str  # "", "absent", "excused"
    version: int  # the version the user saw (0: none yet)


def jury_of(session: ExamSession, unit: Unit) -> Jury:
    jury, _ = Jury.objects.get_or_create(session=session, unit=unit)
    return jury


def _check_entry(entry: MarkEntry, name: str) -> None:
    if entry.value is None and entry.absence not in (Mark.Absence.ABSENT, Mark.Absence.EXCUSED):
        raise ValidationError(f"{name} : une note ou une absence est attendue.")
    if entry.value is not None and entry.absence:
        raise ValidationError(f"{name} : une note et une absence ne vont pas ensemble.")
    if entry.value is None:
        return
    # NaN and sNaN are Decimals too (and sNaN raises on any comparison).
    if not entry.value.is_finite() or not Decimal(0) <= entry.value <= Decimal(20):
        raise ValidationError(f"{name} : la note doit être comprise entre 0 et 20.")
    places = Mark._meta.get_field("value").decimal_places
    if entry.value.as_tuple().exponent < -places:
        # Never rounded silently (12,555 is not 12,56).
        raise ValidationError(f"{name} : {places} décimales au plus (exemple : 12,25).")


@transaction.atomic
def save_marks(
    session: ExamSession, unit: Unit, entries: list[MarkEntry], by, reason: str = ""
) -> int:
    """Save marks of convoked learners. Each entry carries the version its author saw:
    if someone saved that mark meanwhile, the whole save is refused and names the
    learner (optimistic locking). After the jury has decided, a change is a correction
    and needs a reason. Returns how many marks changed."""
    jury = Jury.objects.select_for_update().get(pk=jury_of(session, unit).pk)
    if jury.status == Jury.Status.CLOSED:
        raise ValidationError("Les notes sont closes pour le jury : plus de saisie.")
    reason = (reason or "").strip()
    if jury.status == Jury.Status.DECIDED and not reason:
        raise ValidationError(
            "Le jury a statué : une modification est une correction, indiquez-en le motif."
        )
    convoked = dict(
        Convocation.objects.filter(session=session, unit=unit).values_list(
            "learner_id", "dossier_id"
        )
    )
    names = dict(
        Dossier.objects.filter(pk__in=convoked.values()).values_list("learner_id", "last_name")
    )
    current = {m.learner_id: m for m in Mark.objects.filter(session=session, unit=unit)}
    changed = 0
    for entry in entries:
        name = names.get(entry.learner_id, f"apprenant n° {entry.learner_id}")
        if entry.learner_id not in convoked:
            raise ValidationError(f"{name} : pas de convocation à cet examen, pas de note.")
        _check_entry(entry, name)
        mark = current.get(entry.learner_id)
        if mark is None:
            if entry.version != 0:
                raise ValidationError(f"{name} : cette note a été supprimée entre-temps.")
            mark = Mark(
                session=session,
                unit=unit,
                learner_id=entry.learner_id,
                dossier_id=convoked[entry.learner_id],
                value=entry.value,
                absence=entry.absence,
                entered_by=by,
                version=1,
            )
            if reason:
                mark._change_reason = reason
            mark.save()
            changed += 1
            continue
        if (mark.value, mark.absence) == (entry.value, entry.absence):
            continue
        if mark.version != entry.version:
            raise ValidationError(
                f"{name} : cette note a été modifiée par quelqu'un d'autre pendant votre "
                "saisie. Rechargez la page pour voir la nouvelle valeur ; rien n'a été "
                "enregistré."
            )
        mark.value, mark.absence, mark.entered_by = entry.value, entry.absence, by
        mark.version += 1
        if reason:
            mark._change_reason = reason
        mark.save()
        changed += 1
    if changed and jury.status == Jury.Status.DECIDED:
        signals.jury_marks_changed.send(Jury, jury=jury)  # a correction moves the ledger too
    return changed


# --- juries -----------------------------------------------------------------------------------


@transaction.atomic
def close_marks(jury: Jury) -> Jury:
    jury = Jury.objects.select_for_update().get(pk=jury.pk)
    if jury.status != Jury.Status.OPEN:
        raise ValidationError("Les notes sont déjà closes.")
    convoked = Convocation.objects.filter(session=jury.session, unit=jury.unit).count()
    marked = Mark.objects.filter(session=jury.session, unit=jury.unit).count()
    if marked < convoked:
        raise ValidationError(
            f"{convoked - marked} convoqué(s) sans note ni absence : complétez la saisie."
        )
    jury.status, jury.closed_at = Jury.Status.CLOSED, clock.now()
    jury.save()
    return jury


@transaction.atomic
def reopen_marks(jury: Jury) -> Jury:
    jury = Jury.objects.select_for_update().get(pk=jury.pk)
    if jury.status != Jury.Status.CLOSED:
        raise ValidationError("Seules des notes closes, avant le jury, peuvent être rouvertes.")
    jury.status = Jury.Status.OPEN
    jury.save()
    return jury


def _direction_decides(by, what: str) -> None:
    """The brochure's jury is the direction's: deciding and publishing (R-EXA-5) are
    theirs, checked here whatever the page."""
    if by is None or not is_direction(by):
        raise ValidationError(f"{what} revient à la direction (jury).")


@transaction.atomic
def decide(jury: Jury, by, minutes: str = "") -> Jury:
    _direction_decides(by, "La décision du jury")
    jury = Jury.objects.select_for_update().get(pk=jury.pk)
    if jury.status != Jury.Status.CLOSED:
        raise ValidationError("Le jury statue sur des notes closes.")
    jury.status, jury.decided_at, jury.decided_by = Jury.Status.DECIDED, clock.now(), by
    jury.minutes = minutes.strip()
    jury.save()
    signals.jury_marks_changed.send(Jury, jury=jury)  # R-EXA-4: into the ledger
    return jury


@transaction.atomic
def publish_early(jury: Jury, by) -> Jury:
    """Publish before the default date (R-EXA-5), once the jury has decided."""
    _direction_decides(by, "La publication anticipée des résultats")
    jury = Jury.objects.select_for_update().select_related("session").get(pk=jury.pk)
    if jury.status != Jury.Status.DECIDED:
        raise ValidationError("Les résultats ne sont publiés qu'une fois le jury tenu.")
    today = clock.today()
    if jury.is_published(today):
        raise ValidationError("Les résultats sont déjà publiés.")
    jury.published_early_on = today
    jury.save()
    signals.jury_dates_changed.send(Jury, jury=jury)  # R-EXA-5: the ledger follows
    send_result_notices(today)
    return jury


def send_result_notices(today: dt.date | None = None) -> int:
    """E-mail "vos résultats sont disponibles" to the learners of every jury whose
    results are published by `today` and not yet announced (run daily, and at an early
    publication). The e-mail carries no mark, only where to read it (R-EXA-5). Returns
    the number of e-mails."""
    today = today or clock.today()
    due = [
        jury
        for jury in Jury.objects.filter(status=Jury.Status.DECIDED, notice_sent_on__isnull=True)
        .select_related("session", "unit")
        .select_for_update()
        if jury.is_published(today)
    ]
    sent = 0
    for jury in due:
        emails = list(
            Mark.objects.filter(session=jury.session, unit=jury.unit).values_list(
                "learner__email", flat=True
            )
        )
        for email in emails:
            notifications.results_available(email, jury)
        jury.notice_sent_on = today
        jury.save(update_fields=["notice_sent_on"])
        sent += len(emails)
    return sent


@dataclass(frozen=True)
class Statistics:
    count: int  # marks (absences excluded)
    absent: int
    validated: int
    pass_rate: Decimal | None  # validated / count, in %
    mean: Decimal | None
    distribution: tuple[tuple[str, int], ...]  # bands of 5 points


BANDS = ((0, 5), (5, 10), (10, 15), (15, 20))


def jury_record_context(jury: Jury) -> dict:
    """What the procès-verbal of a decided jury shows: every mark, validated or not
    against the year's pass mark (R-EXA-4), and the statistics."""
    session, unit = jury.session, jury.unit
    marks = list(
        Mark.objects.filter(session=session, unit=unit)
        .select_related("dossier")
        .order_by("dossier__last_name", "dossier__first_name")
    )
    regulation = session.year.regulation
    for mark in marks:
        mark.validated = validates(regulation, mark.value)
    return {
        "session": session,
        "unit": unit,
        "jury": jury,
        "marks": marks,
        "pass_mark": regulation.thresholds.pass_mark,
        "stats": statistics(marks, regulation),
    }


def statistics(marks: list[Mark], regulation: Regulation) -> Statistics:
    return statistics_of([m.value for m in marks], regulation)


def statistics_of(results: list[Decimal | None], regulation: Regulation) -> Statistics:
    """Count, absences (None), UEs validated (R-EXA-4), pass rate, mean, distribution."""
    values = [v for v in results if v is not None]
    validated = sum(1 for v in values if validates(regulation, v))
    bands = Counter()
    for value in values:
        for low, high in BANDS:
            if low <= value < high or (high == 20 and value == 20):
                bands[f"{low} à {high}"] += 1
                break
    return Statistics(
        count=len(values),
        absent=len(results) - len(values),
        validated=validated,
        pass_rate=(Decimal(validated) * 100 / len(values)).quantize(Decimal("0.1"))
        if values
        else None,
        mean=(sum(values) / len(values)).quantize(Decimal("0.01")) if values else None,
        distribution=tuple((f"{low} à {high}", bands[f"{low} à {high}"]) for low, high in BANDS),
    )


# --- what a learner may see -------------------------------------------------------------------


def published_marks(learner, today: dt.date | None = None) -> list[Mark]:
    """The learner's marks whose jury has decided and whose publication day has come
    (R-EXA-5). The one gate every channel (page, PDF, export) goes through."""
    today = today or clock.today()
    marks = list(
        Mark.objects.filter(learner=learner)
        .select_related("session__year", "unit")
        .order_by("session__starts_on", "unit__code")
    )
    juries = {
        (j.session_id, j.unit_id): j
        for j in Jury.objects.filter(
            session_id__in={m.session_id for m in marks}, unit_id__in={m.unit_id for m in marks}
        ).select_related("session")
    }
    return [
        m
        for m in marks
        if (jury := juries.get((m.session_id, m.unit_id))) is not None and jury.is_published(today)
    ]


def exam_notices(learner, today: dt.date | None = None) -> list[str]:
    """The personal space's notices: convocations to come, results available (never a
    mark: the learner reads it on the results page)."""
    today = today or clock.today()
    notices = []
    upcoming = sorted(
        {
            (c.session.number, c.session.starts_on)
            for c in visible_convocations(learner, today)
            if c.session.ends_on >= today
        },
        key=lambda pair: pair[1],
    )
    for number, starts_on in upcoming:
        notices.append(
            f"Vous êtes convoqué(e) à la session {number} d'examens, à partir du "
            f"{starts_on:%d/%m/%Y}."
        )
    if published_marks(learner, today):
        notices.append("Vos résultats sont disponibles.")
    return notices


@dataclass(frozen=True)
class UnitJury:
    unit_id: int
    statistics: Statistics
    validated: frozenset[int]  # learners whose mark validates the UE (R-EXA-4)


def jury_results(session: ExamSession) -> dict[int, UnitJury]:
    """Every UE's jury figures and results at a session, in bulk: one query over the
    session's marks (grouped in memory), whatever the number of UEs and learners."""
    regulation = session.year.regulation
    by_unit: dict[int, tuple[list[int], list[Decimal | None]]] = defaultdict(lambda: ([], []))
    rows = (
        Mark.objects.filter(session=session)
        .values_list("unit_id", "learner_id", "value")
        .iterator(chunk_size=20000)
    )
    for unit_id, learner_id, value in rows:
        learners, values = by_unit[unit_id]
        learners.append(learner_id)
        values.append(value)
    return {
        unit_id: UnitJury(
            unit_id,
            statistics_of(values, regulation),
            frozenset(
                learner
                for learner, value in zip(learners, values, strict=True)
                if validates(regulation, value)
            ),
        )
        for unit_id, (learners, values) in by_unit.items()
    }
