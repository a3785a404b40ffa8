"""The exam timetable of a session in a centre (R-EXA-1): the written papers ("2 examen
sur table") of the UEs whose convoked learners sit there, placed by the planning engine
(planning/exams.py) on the session's weekdays at the year's paper times
(`regulation.exam_papers`), in the centre's rooms. Staff generate it (a job), then
publish it; the learner's exam page and convocation then give date, time and rooms.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from assessment.models import Convocation, ExamPaper, ExamSession, ExamTimetable
from catalogue.models import Centre, Unit
from parcours import clock
from planning.exams import ExamProblem, ExamRoom, Paper, exam_slots, solve_exams
from rules.holidays import reunion_holidays
from timetable.models import Room
from timetable.services import LOCAL

WRITTEN = "2"  # the brochure's code for "examen sur table" (R-CAT-3)


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


def _papers(session: ExamSession, centre: Centre, minutes: int) -> tuple[Paper, ...]:
    candidates: dict[str, set[str]] = defaultdict(set)
    for code, evaluation, learner in Convocation.objects.filter(
        session=session, dossier__centre=centre
    ).values_list("unit__code", "unit__evaluation", "learner_id"):
        if WRITTEN in (evaluation or []):
            candidates[code].add(str(learner))
    return tuple(
        Paper(code, minutes, frozenset(people)) for code, people in sorted(candidates.items())
    )


def generate(session: ExamSession, centre: Centre, time_limit_s: float = 10.0) -> ExamTimetable:
    """Place the session's written papers in the centre and replace the draft's."""
    existing = ExamTimetable.objects.filter(session=session, centre=centre).first()
    if existing is not None and existing.is_published:
        raise ValidationError(
            "Ce calendrier des épreuves est publié : les convocations le donnent déjà."
        )
    setup = session.year.regulation.exam_papers
    papers = _papers(session, centre, setup.minutes)
    if not papers:
        raise ValidationError(
            f"Aucun convoqué à une épreuve écrite au {centre.name} pour cette session : "
            "émettez d'abord les convocations."
        )
    rooms = tuple(ExamRoom(r.code, r.capacity) for r in Room.objects.filter(centre=centre))
    if not rooms:
        raise ValidationError(f"Aucune salle n'est décrite pour le {centre.name}.")
    problem = ExamProblem(
        papers, exam_slots(session_days(session), list(setup.starts), setup.minutes), rooms
    )
    result = solve_exams(problem, time_limit_s=time_limit_s)
    if not result.feasible:
        raise ValidationError(["Aucun calendrier des épreuves possible :", *result.conflicts])
    return _save(session, centre, problem, result)


@transaction.atomic
def _save(session, centre, problem, result) -> ExamTimetable:
    timetable, _ = ExamTimetable.objects.select_for_update().get_or_create(
        session=session, centre=centre
    )
    if timetable.is_published:
        raise ValidationError("Ce calendrier vient d'être publié : il n'est pas remplacé.")
    for paper in timetable.papers.all():  # one by one, so the history keeps each
        paper.delete()
    slots = {s.id: s for s in problem.slots}
    sizes = {p.id: len(p.candidates) for p in problem.papers}
    units = {u.code: u for u in Unit.objects.filter(code__in=sizes)}
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
    timetable.generated_at = clock.now()
    timetable.same_day = result.same_day
    timetable.save()
    return timetable


@transaction.atomic
def publish(timetable: ExamTimetable) -> ExamTimetable:
    timetable = ExamTimetable.objects.select_for_update().get(pk=timetable.pk)
    if not timetable.papers.exists():
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
    for c in convocations:
        c.paper = papers.get((c.session_id, c.dossier.centre_id, c.unit_id))
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
