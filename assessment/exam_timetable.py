"""The exam timetable of a session in a centre (R-EXA-1): the written papers ("2 examen
sur table") of the UEs whose convoked learners sit there, placed by the planning engine
(planning/exams.py) on the session's weekdays at the year's paper times
(`regulation.exam_papers`), in the centre's rooms and opening hours. Orals ("^
soutenance") get one slot per candidate; reports ("1 rapport") a hand-in deadline from
the year's data. Staff generate it (a job), move a paper with the engine's checks, and
publish it; the learner's exam page, convocation and calendar feed then give date, time
and rooms, and a move after publication is mailed to the candidates concerned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from assessment.models import Convocation, ExamOral, ExamPaper, ExamSession, ExamTimetable
from catalogue.models import Centre, Unit
from parcours import clock
from parcours.mail import queue_mail, render_text
from planning import exams as engine
from planning.exams import ExamProblem, ExamRoom, Paper, exam_slots, solve_exams
from rules.holidays import reunion_holidays
from timetable.models import Room
from timetable.services import LOCAL

REPORT = "1"  # the brochure's codes (R-CAT-3): "rapport ou dossier à rendre",
WRITTEN = "2"  # "examen sur table",
ORAL = "^"  # "soutenance orale"


def session_days(session: ExamSession) -> list[dt.date]:
    """The session's weekdays of the year's teaching pattern, public holidays apart."""
    regulation = session.year.regulation
    days = []
    day = session.starts_on
    off = reunion_holidays({session.starts_on.year, session.ends_on.year})
    while day <= session.ends_on:
        if day.isoweekday() in regulation.teaching.weekdays and day not in off:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _papers(
    session: ExamSession, centre: Centre, minutes: int, mode: str = WRITTEN
) -> tuple[Paper, ...]:
    """The UEs of the session's convocations in the centre examined by `mode`."""
    candidates: dict[str, set[str]] = defaultdict(set)
    for code, evaluation, learner in Convocation.objects.filter(
        session=session, dossier__centre=centre
    ).values_list("unit__code", "unit__evaluation", "learner_id"):
        if mode in (evaluation or []):
            candidates[code].add(str(learner))
    return tuple(
        Paper(code, minutes, frozenset(people)) for code, people in sorted(candidates.items())
    )


def within_hours(centre: Centre, slot: engine.ExamSlot) -> bool:
    """The slot fits one of the centre's opening hours of its weekday (R-CTR-1)."""
    ends = (dt.datetime.combine(slot.day, slot.start) + dt.timedelta(minutes=slot.minutes)).time()
    return any(
        slot.day.isoweekday() in hours["weekdays"]
        and dt.time.fromisoformat(str(hours["opens"])) <= slot.start
        and ends <= dt.time.fromisoformat(str(hours["closes"]))
        for hours in centre.hours
    )


def _problem(session: ExamSession, centre: Centre) -> ExamProblem:
    setup = session.year.regulation.exam_papers
    slots = exam_slots(session_days(session), list(setup.starts), setup.minutes)
    if centre.kind in setup.within_opening_hours_of:
        slots = tuple(slot for slot in slots if within_hours(centre, slot))
    rooms = tuple(ExamRoom(r.code, r.capacity) for r in Room.objects.filter(centre=centre))
    return ExamProblem(_papers(session, centre, setup.minutes), slots, rooms)


def generate(session: ExamSession, centre: Centre, time_limit_s: float = 10.0) -> ExamTimetable:
    """Place the session's written papers in the centre and replace the draft's."""
    existing = ExamTimetable.objects.filter(session=session, centre=centre).first()
    if existing is not None and existing.is_published:
        raise ValidationError(
            "Ce calendrier des épreuves est publié : les convocations le donnent déjà."
        )
    setup = session.year.regulation.exam_papers
    problem = _problem(session, centre)
    orals = _papers(session, centre, setup.oral_minutes, ORAL)
    if not problem.papers and not orals:
        raise ValidationError(
            f"Aucun convoqué à une épreuve écrite ou orale au {centre.name} pour cette "
            "session : émettez d'abord les convocations."
        )
    if not problem.rooms:
        raise ValidationError(f"Aucune salle n'est décrite pour le {centre.name}.")
    if not problem.slots:
        raise ValidationError(
            f"Aucun créneau d'épreuve de la session dans les horaires d'ouverture du {centre.name}."
        )
    result = solve_exams(problem, time_limit_s=time_limit_s)
    if not result.feasible:
        raise ValidationError(["Aucun calendrier des épreuves possible :", *result.conflicts])
    oral_slots, missing = engine.place_orals(orals, problem, result)
    if missing:
        raise ValidationError(["Les soutenances ne tiennent pas dans la session :", *missing])
    return _save(session, centre, problem, result, oral_slots)


@transaction.atomic
def _save(session, centre, problem, result, oral_slots=()) -> ExamTimetable:
    timetable, _ = ExamTimetable.objects.select_for_update().get_or_create(
        session=session, centre=centre
    )
    if timetable.is_published:
        raise ValidationError("Ce calendrier vient d'être publié : il n'est pas remplacé.")
    for paper in [*timetable.papers.all(), *timetable.orals.all()]:
        paper.delete()  # one by one, so the history keeps each
    slots = {s.id: s for s in problem.slots}
    sizes = {p.id: len(p.candidates) for p in problem.papers}
    units = {
        u.code: u for u in Unit.objects.filter(code__in={*sizes, *(o.paper for o in oral_slots)})
    }
    for placement in result.placements:
        slot = slots[placement.slot]
        ExamPaper.objects.create(
            timetable=timetable,
            unit=units[placement.paper],
            starts_at=dt.datetime.combine(slot.day, slot.start, tzinfo=LOCAL),
            minutes=slot.minutes,
            candidates=sizes[placement.paper],
            seats=[list(seat) for seat in placement.seats],
        )
    minutes = session.year.regulation.exam_papers.oral_minutes
    for oral in oral_slots:
        ExamOral.objects.create(
            timetable=timetable,
            unit=units[oral.paper],
            learner_id=int(oral.candidate),
            starts_at=dt.datetime.combine(oral.day, oral.start, tzinfo=LOCAL),
            minutes=minutes,
            room=oral.room,
        )
    timetable.generated_at = clock.now()
    timetable.same_day = result.same_day
    timetable.save()
    return timetable


def slot_id(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL)
    return f"{local:%Y%m%d}-{local:%H%M}"


def slot_choices(timetable: ExamTimetable) -> list[tuple[str, str]]:
    """The session's paper slots in the centre, for moving a paper by hand."""
    problem = _problem(timetable.session, timetable.centre)
    return [(s.id, f"{s.day:%d/%m/%Y} à {s.start:%H:%M}") for s in problem.slots]


def move_paper(paper: ExamPaper, new_slot: str) -> ExamPaper:
    """Move one written paper to another slot of the session (R-EXA-1), held to the
    engine's hard rules; the rooms of the slots are given again. After publication,
    every candidate of the paper is told by mail, with the change."""
    with transaction.atomic():
        timetable = ExamTimetable.objects.select_for_update().get(pk=paper.timetable_id)
        problem = _problem(timetable.session, timetable.centre)
        placed = {p.unit.code: p for p in timetable.papers.select_related("unit")}
        moved = placed.get(paper.unit.code)
        if moved is None:
            raise ValidationError("Cette épreuve n'est plus au calendrier : rechargez la page.")
        chosen = {code: slot_id(p.starts_at) for code, p in placed.items()}
        before = moved.starts_at
        chosen[moved.unit.code] = new_slot
        known = {p.id for p in problem.papers}
        if set(chosen) != known:
            raise ValidationError(
                "Les convocations ont changé depuis le calcul : recalculez le calendrier."
            )
        problems = engine.check_exams(problem, chosen)
        slot = next((s for s in problem.slots if s.id == new_slot), None)
        if slot is not None:
            problems += _oral_clashes(timetable, moved, problem, slot)
        if problems:
            raise ValidationError(problems)
        seats = {pl.paper: pl.seats for pl in engine.seat_exams(problem, chosen)}
        for code, p in placed.items():
            if code == moved.unit.code:
                p.starts_at = dt.datetime.combine(slot.day, slot.start, tzinfo=LOCAL)
                p.sequence += 1
            if p.seats != [list(seat) for seat in seats[code]] or code == moved.unit.code:
                p.seats = [list(seat) for seat in seats[code]]
                p.save()
        if timetable.is_published and before != placed[moved.unit.code].starts_at:
            _tell_candidates(timetable, placed[moved.unit.code], before)
    return placed[moved.unit.code]


def _oral_clashes(timetable, paper, problem, slot) -> list[str]:
    candidates = next(p.candidates for p in problem.papers if p.id == paper.unit.code)
    starts = dt.datetime.combine(slot.day, slot.start, tzinfo=LOCAL)
    ends = starts + dt.timedelta(minutes=slot.minutes)
    clashes = [
        oral
        for oral in timetable.orals.select_related("unit")
        if str(oral.learner_id) in candidates
        and oral.starts_at < ends
        and starts < oral.starts_at + dt.timedelta(minutes=oral.minutes)
    ]
    return (
        [
            f"{paper.unit.code} : {len(clashes)} candidat(s) ont une soutenance à ce moment "
            f"({', '.join(sorted({o.unit.code for o in clashes}))})."
        ]
        if clashes
        else []
    )


def _tell_candidates(timetable: ExamTimetable, paper: ExamPaper, before: dt.datetime) -> None:
    """Mail the candidates of a moved paper (in the move's transaction: a refused move
    sends nothing)."""
    learners = Convocation.objects.filter(
        session=timetable.session, dossier__centre=timetable.centre, unit=paper.unit
    ).select_related("learner")
    for convocation in learners:
        if not convocation.learner.email:
            continue
        body = render_text(
            "assessment/emails/paper_moved.txt",
            {
                "paper": paper,
                "before": before,
                "centre": timetable.centre,
                "session": timetable.session,
            },
        )
        queue_mail(
            f"Épreuve {paper.unit.code} déplacée au {paper.starts_at.astimezone(LOCAL):%d/%m/%Y}",
            body,
            convocation.learner.email,
        )


@dataclass(frozen=True)
class ReportDue:
    """The hand-in deadline of a UE's report ("1 rapport") in an exam session."""

    unit: Unit
    due_at: dt.datetime
    centre: Centre
    session_id: int


def report_deadline(session: ExamSession) -> dt.datetime:
    """Reports are due `report_days_before` days before the session's first day, at
    `report_due_at` (the year's reading, R-EXA-1)."""
    setup = session.year.regulation.exam_papers
    day = session.starts_on - dt.timedelta(days=setup.report_days_before)
    return dt.datetime.combine(day, setup.report_due_at, tzinfo=LOCAL)


@transaction.atomic
def publish(timetable: ExamTimetable) -> ExamTimetable:
    timetable = ExamTimetable.objects.select_for_update().get(pk=timetable.pk)
    if not timetable.papers.exists() and not timetable.orals.exists():
        raise ValidationError("Un calendrier sans épreuve ne se publie pas : générez-le.")
    timetable.status = ExamTimetable.Status.PUBLISHED
    timetable.published_at = clock.now()
    timetable.save()
    return timetable


def attach_papers(convocations: list[Convocation]) -> list[Convocation]:
    """Each convocation's written paper (`c.paper`: date, time, rooms) once its
    centre's timetable is published, else None; one query for them all."""
    sessions = {c.session_id for c in convocations}
    centres = {c.dossier.centre_id for c in convocations}
    papers = (
        {
            (p.timetable.session_id, p.timetable.centre_id, p.unit_id): p
            for p in ExamPaper.objects.filter(
                timetable__session_id__in=sessions,
                timetable__centre_id__in=centres,
                timetable__status=ExamTimetable.Status.PUBLISHED,
            ).select_related("timetable")
        }
        if convocations
        else {}
    )
    orals = (
        {
            (o.timetable.session_id, o.learner_id, o.unit_id): o
            for o in ExamOral.objects.filter(
                timetable__session_id__in=sessions,
                learner_id__in={c.learner_id for c in convocations},
                timetable__status=ExamTimetable.Status.PUBLISHED,
            ).select_related("timetable__centre")
        }
        if convocations
        else {}
    )
    for c in convocations:
        c.paper = papers.get((c.session_id, c.dossier.centre_id, c.unit_id))
        c.oral = orals.get((c.session_id, c.learner_id, c.unit_id))
        c.report_due = (
            ReportDue(c.unit, report_deadline(c.session), c.dossier.centre, c.session_id)
            if REPORT in (c.unit.evaluation or [])
            else None
        )
    return convocations


def published_papers(learner, session: ExamSession) -> dict[int, ExamPaper]:
    """The learner's written papers of the session, by UE id, once the timetable of
    their centre is published (nothing before)."""
    centres = set(
        Convocation.objects.filter(session=session, learner=learner).values_list(
            "dossier__centre_id", flat=True
        )
    )
    return {
        paper.unit_id: paper
        for paper in ExamPaper.objects.filter(
            timetable__session=session,
            timetable__centre_id__in=centres,
            timetable__status=ExamTimetable.Status.PUBLISHED,
        ).select_related("timetable__centre")
    }
