"""Every change of the timetable, one function each, inside a transaction: generate a
centre's year with the planning engine, publish it, move, cancel or restore a session
(checked against the same hard rules as the engine), and the learners' calendar links.

The planning engine (planning/, no Django) decides the timetable; this module turns
database rows into its problem and its solution back into rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from admissions.models import Dossier, DossierUnit
from catalogue.bridge import rules_unit
from catalogue.models import AcademicYear, Centre, Programme, Unit
from parcours import clock
from planning.brochure import PlanningRequest, brochure_problem, reunion_holidays, teaching_days
from planning.engine import solve
from planning.setup import PlanningSetup, parse_setup
from rules.data_reader import DataError, DataProblem, read_toml
from rules.regulation import Regulation
from timetable.models import CalendarFeed, Planning, Room, Session, SessionQuerySet

LOCAL = ZoneInfo(settings.TIME_ZONE)
# Dossiers whose learners follow the UEs: final registrations (R-REG-1).
FOLLOWING = (Dossier.Status.VALIDATED,)
# Dossiers counted to size the rooms before the registrations are final.
EXPECTED = (Dossier.Status.DEPOSITED, Dossier.Status.INCOMPLETE, Dossier.Status.VALIDATED)
# The longest session (R-CAL-3: 1 h 20): how far back an overlapping session can start.
LONGEST_SESSION = dt.timedelta(hours=4)


# --- the setup file ------------------------------------------------------------------------


def planning_setup() -> PlanningSetup:
    """data/planning.toml, checked against the catalogue in the database."""
    problems: list[DataProblem] = []
    data = read_toml(settings.PARCOURS_DATA_DIR / "planning.toml", problems, "planning.toml")
    if data is None:
        raise DataError(problems)
    units = [rules_unit(u) for u in Unit.objects.prefetch_related("programmes")]
    return parse_setup(
        data,
        "planning.toml",
        units,
        Programme.objects.values_list("code", flat=True),
        Centre.objects.values_list("code", flat=True),
    )


@transaction.atomic
def sync_rooms(setup: PlanningSetup) -> int:
    """Create or update the rooms the setup lists; returns how many changed. Rooms no
    longer listed stay (sessions may refer to them)."""
    centres = {c.code: c for c in Centre.objects.all()}
    changed = 0
    for centre_setup in setup.centres:
        for room in centre_setup.rooms:
            row, created = Room.objects.get_or_create(
                centre=centres[centre_setup.code],
                code=room.code,
                defaults={"name": room.name, "capacity": room.capacity},
            )
            if not created and (row.name, row.capacity) != (room.name, room.capacity):
                row.name, row.capacity = room.name, room.capacity
                row.save()
                changed += 1
            changed += created
    return changed


# --- generation ------------------------------------------------------------------------------


def local(day: dt.date, start: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, start, tzinfo=LOCAL)


def holidays_of(regulation: Regulation) -> dict[dt.date, str]:
    return reunion_holidays({regulation.first_day.year, regulation.last_day.year})


def _group_sizes(year: AcademicYear, centre: Centre) -> dict[str, int]:
    """Learners expected in the centre per UE (those following it at a distance need no
    seat), to size the rooms."""
    rows = (
        DossierUnit.objects.filter(
            dossier__year=year, dossier__centre=centre, dossier__status__in=EXPECTED, foad=False
        )
        .values("unit__code")
        .annotate(n=Count("id"))
    )
    return {row["unit__code"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Generated:
    planning: Planning
    sessions: int
    seconds: float


def generate(
    year: AcademicYear,
    centre: Centre,
    setup: PlanningSetup | None = None,
    time_limit_s: float | None = None,
) -> Generated:
    """Place every session of every UE the centre teaches this year (R-CAL-1..3) and
    replace the draft planning's sessions. A published planning is not regenerated:
    its sessions are in learners' calendars (move or cancel them, or withdraw the
    publication first)."""
    setup = setup or planning_setup()
    centre_setup = setup.centre(centre.code)
    if centre_setup is None:
        raise ValidationError(
            f"planning.toml ne décrit pas le centre {centre.code} (salles, formations)."
        )
    existing = Planning.objects.filter(year=year, centre=centre).first()
    if existing is not None and existing.is_published:
        raise ValidationError(
            "Ce planning est publié : déplacez ou annulez des séances, ou retirez d'abord "
            "la publication pour le générer à nouveau."
        )
    sync_rooms(setup)
    regulation = year.regulation
    units = list(
        Unit.objects.filter(programmes__code__in=centre_setup.programmes)
        .distinct()
        .prefetch_related("programmes")
    )
    programmes = {
        code: tuple(u.code for u in units if code in {p.code for p in u.programmes.all()})
        for code in centre_setup.programmes
    }
    request = PlanningRequest(
        centre=centre.code,
        rooms=centre_setup.engine_rooms(),
        programmes=programmes,
        online=setup.online,
        holidays=holidays_of(regulation),
        group_sizes=_group_sizes(year, centre),
    )
    try:
        problem = brochure_problem(regulation, [rules_unit(u) for u in units], request)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    solution = solve(problem, time_limit_s=time_limit_s or setup.time_limit_seconds)
    if not solution.feasible:
        reasons = list(solution.conflicts) or [
            "Le solveur n'a trouvé aucun planning dans le temps imparti ; "
            "augmentez time_limit_seconds dans planning.toml."
        ]
        raise ValidationError(["Aucun planning possible :", *reasons])
    return _save_generated(year, centre, problem, solution)


@transaction.atomic
def _save_generated(year, centre, problem, solution) -> Generated:
    planning, _ = Planning.objects.select_for_update().get_or_create(year=year, centre=centre)
    if planning.is_published:  # published meanwhile by someone else
        raise ValidationError("Ce planning vient d'être publié : il n'est pas remplacé.")
    for session in planning.sessions.all():  # one by one, so the history keeps each
        session.delete()
    slots = {s.id: s for s in problem.slots}
    events = {e.id: e for e in problem.events}
    units = {u.code: u for u in Unit.objects.filter(code__in={e.unit for e in problem.events})}
    rooms = {r.code: r for r in Room.objects.filter(centre=centre)}
    sessions = []
    for placement in solution.placements:
        event, slot = events[placement.event], slots[placement.slot]
        sessions.append(
            Session(
                planning=planning,
                unit=units[event.unit],
                kind=event.kind,
                starts_at=local(slot.day, slot.start),
                minutes=event.minutes,
                room=rooms.get(placement.room) if placement.room else None,
            )
        )
    # The engine's events are interchangeable: number each UE's sessions of a kind in
    # the order they happen, so "class meeting n° 3" comes after n° 2.
    sessions.sort(key=lambda s: (s.unit.code, s.kind, s.starts_at))
    for _, same in groupby(sessions, key=lambda s: (s.unit.code, s.kind)):
        for number, session in enumerate(same, start=1):
            session.number = number
    bulk_create_with_history(sessions, Session, batch_size=500)
    planning.generated_at = clock.now()
    planning.solver_status = solution.status
    planning.solver_seconds = Decimal(f"{solution.seconds:.2f}")
    planning.soft_costs = dict(solution.soft)
    planning.save()
    return Generated(planning, len(sessions), solution.seconds)


@transaction.atomic
def publish(planning: Planning) -> Planning:
    planning = Planning.objects.select_for_update().get(pk=planning.pk)
    if not planning.sessions.exists():
        raise ValidationError("Un planning sans séance ne peut pas être publié : générez-le.")
    planning.status = Planning.Status.PUBLISHED
    planning.published_at = clock.now()
    planning.save()
    return planning


@transaction.atomic
def unpublish(planning: Planning) -> Planning:
    planning = Planning.objects.select_for_update().get(pk=planning.pk)
    planning.status = Planning.Status.DRAFT
    planning.save()
    return planning


# --- moving, cancelling, restoring a session ---------------------------------------------------


def _semesters_of(unit: Unit, regulation: Regulation):
    """An annual UE runs in both semesters; a semester UE in its own."""
    own = [s for s in regulation.semesters if s.code == unit.period]
    return own or list(regulation.semesters)


def clashes(session: Session, starts_at: dt.datetime, minutes: int, room: Room | None) -> list[str]:
    """Why a session cannot take this time and room, in French (empty: it can). The
    engine's hard rules (R-CAL-1..3): a teaching day of the UE's semester, outside a
    break or public holiday, between the evening's start and end; no overlap with a UE
    of the same programme in the centre; the room free, in the centre."""
    planning = session.planning
    regulation = planning.year.regulation
    teaching = regulation.teaching
    local_start = timezone.localtime(starts_at, LOCAL)
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    local_end = timezone.localtime(ends_at, LOCAL)
    problems = []
    day = local_start.date()
    holidays = holidays_of(regulation)
    days = {
        d
        for semester in _semesters_of(session.unit, regulation)
        for d in teaching_days(regulation, semester, holidays)
    }
    if day not in days:
        if day in holidays:
            why = f"est férié ({holidays[day]})"
        elif day.isoweekday() not in teaching.weekdays:
            why = "n'est pas un jour de cours (du lundi au vendredi)"
        else:
            why = "est hors des semaines de cours de l'UE (semestre, interruption)"
        problems.append(f"Le {day:%d/%m/%Y} {why} (R-CAL-1, R-CAL-2).")
    if (
        local_start.time() < teaching.day_starts
        or local_end.date() != day
        or (local_end.time() > teaching.day_ends)
    ):
        problems.append(
            f"Les cours ont lieu de {teaching.day_starts:%H:%M} à {teaching.day_ends:%H:%M} : "
            f"une séance de {local_start:%H:%M} à {local_end:%H:%M} en sort (R-CAL-2)."
        )
    if session.kind == Session.Kind.CLASS_MEETING and room is None:
        problems.append("Un regroupement a lieu dans une salle : choisissez-en une.")
    if room is not None and room.centre_id != planning.centre_id:
        problems.append(f"La salle {room.name} n'est pas dans ce centre.")

    nearby = (
        Session.objects.filter(
            planning=planning,
            cancelled=False,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - LONGEST_SESSION,
        )
        .exclude(pk=session.pk)
        .select_related("unit", "room")
        .prefetch_related("unit__programmes")
    )
    own_programmes = {p.code for p in session.unit.programmes.all()}
    for other in nearby:
        if other.ends_at <= starts_at:
            continue
        shared = own_programmes & {p.code for p in other.unit.programmes.all()}
        when = f"{timezone.localtime(other.starts_at, LOCAL):%d/%m/%Y à %H:%M}"
        if shared:
            problems.append(
                f"Chevauche {other.unit.code} ({other.get_kind_display().lower()} du {when}), "
                f"suivie par les mêmes apprenants ({', '.join(sorted(shared))})."
            )
        elif room is not None and other.room_id == room.pk:
            problems.append(f"La salle {room.name} est prise par {other.unit.code} le {when}.")
    return problems


def _locked(session: Session) -> Session:
    """The session, its planning row locked: changes of one planning are serialised, so
    two people cannot move two sessions into the same evening unseen."""
    Planning.objects.select_for_update().get(pk=session.planning_id)
    return Session.objects.select_related("planning__year", "unit", "room").get(pk=session.pk)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez le motif : il est gardé dans l'historique.")
    return reason


@transaction.atomic
def move(session: Session, starts_at: dt.datetime, room: Room | None, reason: str) -> Session:
    reason = _reason(reason)
    session = _locked(session)
    if session.cancelled:
        raise ValidationError("Cette séance est annulée : rétablissez-la avant de la déplacer.")
    if session.online:
        room = None
    problems = clashes(session, starts_at, session.minutes, room)
    if problems:
        raise ValidationError(problems)
    session.starts_at, session.room, session.reason = starts_at, room, reason
    saved = _saved(session, reason)
    _renumber(saved)
    saved.refresh_from_db(fields=["number"])
    return saved


def _renumber(session: Session) -> None:
    """Keep a UE's sessions of a kind numbered in the order they happen after a move.
    The number is a label derived from the dates: changing it is not a change of the
    session (no history row, no new SEQUENCE)."""
    same = list(
        Session.objects.filter(
            planning_id=session.planning_id, unit_id=session.unit_id, kind=session.kind
        ).order_by("starts_at", "pk")
    )
    wanted = {s.pk: number for number, s in enumerate(same, start=1)}
    if all(s.number == wanted[s.pk] for s in same):
        return
    offset = len(same) + 1  # out of the way first: (unit, kind, number) is unique
    for s in same:
        s.number = wanted[s.pk] + offset
    Session.objects.bulk_update(same, ["number"])
    for s in same:
        s.number = wanted[s.pk]
    Session.objects.bulk_update(same, ["number"])


@transaction.atomic
def cancel(session: Session, reason: str) -> Session:
    reason = _reason(reason)
    session = _locked(session)
    if session.cancelled:
        raise ValidationError("Cette séance est déjà annulée.")
    session.cancelled, session.reason = True, reason
    return _saved(session, reason)


@transaction.atomic
def restore(session: Session, reason: str) -> Session:
    reason = _reason(reason)
    session = _locked(session)
    if not session.cancelled:
        raise ValidationError("Cette séance n'est pas annulée.")
    problems = clashes(session, session.starts_at, session.minutes, session.room)
    if problems:
        raise ValidationError(["Elle ne peut pas reprendre sa place :", *problems])
    session.cancelled, session.reason = False, reason
    return _saved(session, reason)


def _saved(session: Session, reason: str) -> Session:
    session.sequence += 1  # calendars take the change (RFC 5545, SEQUENCE)
    session._change_reason = reason
    session.save()
    return session


# --- who sees which sessions -----------------------------------------------------------------


def learner_sessions(learner):
    """The published sessions of the UEs a learner follows (final registrations), in
    the centre of each dossier; a UE followed at a distance shows its online sessions
    only (R-CAL-2). Two queries, whatever the number of dossiers."""
    units = DossierUnit.objects.filter(
        dossier__learner=learner, dossier__status__in=FOLLOWING
    ).values_list("dossier__year_id", "dossier__centre_id", "unit_id", "foad")
    return sessions_followed(units)


def sessions_followed(units) -> SessionQuerySet:
    """The published sessions of (year id, centre id, unit id, FOAD) choices: a UE
    followed at a distance counts its online sessions only (R-CAL-2). One query."""
    wanted = Q(pk__in=[])
    by_place: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    for year_id, centre_id, unit_id, foad in units:
        if centre_id is not None:
            by_place[year_id, centre_id, foad].append(unit_id)
    for (year_id, centre_id, foad), unit_ids in by_place.items():
        one = Q(planning__year_id=year_id, planning__centre_id=centre_id, unit_id__in=unit_ids)
        if foad:
            one &= ~Q(kind=Session.Kind.CLASS_MEETING)
        wanted |= one
    return Session.objects.published().filter(wanted)


# --- private calendar links ------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def new_feed(learner) -> str:
    """Revoke the learner's link and make a new one; returns the token (shown once)."""
    revoke_feeds(learner)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(learner=learner, token_hash=_digest(token))
    return token


@transaction.atomic
def revoke_feeds(learner) -> int:
    feeds = CalendarFeed.objects.select_for_update().filter(
        learner=learner, revoked_at__isnull=True
    )
    count = 0
    for feed in feeds:  # one by one, so the history keeps each
        feed.revoked_at = clock.now()
        feed.save()
        count += 1
    return count


def feed_learner(token: str):
    """The learner of a live link, or None (unknown or revoked token)."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("learner")
        .filter(token_hash=_digest(token), revoked_at__isnull=True, learner__is_active=True)
        .first()
    )
    return feed.learner if feed else None
