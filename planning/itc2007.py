"""The ITC-2007 Track 3 benchmark (curriculum-based course timetabling): strict reading
of instances (`.ctt`) and solutions (`.sol`), writing solutions, and scoring them with
the competition's formulation UD2.

The scorer follows the competition's validator (Di Gaspero's `validator.cc`) count by
count, so its numbers can be compared with the published ones:

- hard `lectures`: per course, |scheduled lectures - required lectures|;
- hard conflicts: per period, one per pair of courses that share a curriculum or a
  teacher (a pair sharing both counts once; it is reported under `curriculum_conflicts`,
  `teacher_conflicts` holds the pairs that only share a teacher);
- hard `unavailability`: one per lecture in a period its course may not use;
- hard `room_occupancy`: per room and period, the lectures beyond the first;
- soft `room_capacity` (weight 1): per lecture, the students above the room's capacity;
- soft `min_working_days` (weight 5): per course, the days below its minimum;
- soft `isolated_lectures` (weight 2): per curriculum and period, the curriculum's
  lectures there when neither adjacent period of the same day has one of its lectures;
- soft `room_stability` (weight 1): per course, the distinct rooms beyond the first.

A course has at most one lecture per period: the solution reader refuses a repeated
(course, day, period), as the validator does.

User-facing messages are in French and name the file and line at fault.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

# The UD2 weights of the soft constraints.
WEIGHTS = {"room_capacity": 1, "min_working_days": 5, "isolated_lectures": 2, "room_stability": 1}

HEADER = ("Name", "Courses", "Rooms", "Days", "Periods_per_day", "Curricula", "Constraints")
SECTIONS = ("COURSES:", "ROOMS:", "CURRICULA:", "UNAVAILABILITY_CONSTRAINTS:")
END = "END."


class ItcError(ValueError):
    """A malformed instance or solution; the message names the file and the line."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source = source
        self.line = line
        self.detail = message
        where = f"{source}, ligne {line}" if line is not None else source
        super().__init__(f"{where} : {message}")


@dataclass(frozen=True)
class Course:
    id: str
    teacher: str
    lectures: int
    min_working_days: int
    students: int


@dataclass(frozen=True)
class Room:
    id: str
    capacity: int


@dataclass(frozen=True)
class Curriculum:
    id: str
    courses: tuple[str, ...]


@dataclass(frozen=True)
class Instance:
    name: str
    days: int
    periods_per_day: int
    courses: tuple[Course, ...]
    rooms: tuple[Room, ...]
    curricula: tuple[Curriculum, ...]
    unavailable: frozenset[tuple[str, int, int]]

    @property
    def periods(self) -> int:
        return self.days * self.periods_per_day

    def course(self, course_id: str) -> Course:
        return self._courses[course_id]

    def room(self, room_id: str) -> Room:
        return self._rooms[room_id]

    # cached_property writes the instance's __dict__ directly, which a frozen dataclass
    # allows; these are not fields, so equality and hashing ignore them.
    @cached_property
    def _courses(self) -> dict[str, Course]:
        return {c.id: c for c in self.courses}

    @cached_property
    def _rooms(self) -> dict[str, Room]:
        return {r.id: r for r in self.rooms}


@dataclass(frozen=True, order=True)
class Assignment:
    course: str
    room: str
    day: int
    period: int


# --- reading an instance --------------------------------------------------------------


class _Lines:
    """The numbered non-blank lines of a file, split into tokens."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.items = [
            (number, line.split())
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
        self.position = 0
        self.last_line = len(text.splitlines()) or 1

    def peek(self) -> tuple[int, list[str]] | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def next(self, expected: str) -> tuple[int, list[str]]:
        item = self.peek()
        if item is None:
            raise ItcError(self.source, self.last_line, f"fin de fichier inattendue : {expected}")
        self.position += 1
        return item

    def error(self, line: int, message: str) -> ItcError:
        return ItcError(self.source, line, message)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ItcError(str(path), None, "fichier introuvable") from error
    except UnicodeDecodeError as error:
        raise ItcError(str(path), None, "le fichier n'est pas du texte UTF-8") from error
    except OSError as error:
        raise ItcError(str(path), None, f"lecture impossible ({error.strerror})") from error


def _integer(lines: _Lines, line: int, token: str, what: str, minimum: int = 0) -> int:
    if not (token.isascii() and token.isdigit()):
        raise lines.error(line, f"{what} : « {token} » n'est pas un entier positif ou nul")
    value = int(token)
    if value < minimum:
        raise lines.error(line, f"{what} : {value} est inférieur au minimum {minimum}")
    return value


def read_instance(path: str | Path) -> Instance:
    """Read a `.ctt` file; any deviation from the format raises `ItcError`."""
    path = Path(path)
    return parse_instance(_read_text(path), path.name)


def parse_instance(text: str, source: str = "<texte>") -> Instance:
    """Parse the text of a `.ctt` instance; `source` names it in error messages."""
    lines = _Lines(text, source)
    header: dict[str, int | str] = {}
    header_lines: dict[str, int] = {}
    for key in HEADER:
        number, tokens = lines.next(f"la ligne « {key}: » est attendue")
        found, colon, value = " ".join(tokens).partition(":")
        if found != key or not colon:
            raise lines.error(number, f"la ligne « {key}: … » est attendue ici")
        value = value.strip()
        if not value:
            raise lines.error(number, f"« {key}: » sans valeur")
        if key == "Name":
            header[key] = value
        else:
            if len(value.split()) != 1:
                raise lines.error(number, f"« {key}: » attend un seul nombre")
            minimum = 1 if key in ("Days", "Periods_per_day") else 0
            header[key] = _integer(lines, number, value, key, minimum)
        header_lines[key] = number
    days, per_day = int(header["Days"]), int(header["Periods_per_day"])

    def section(title: str, count_key: str, width: int | None, noun: str) -> list:
        number, tokens = lines.next(f"la section « {title} » est attendue")
        if tokens != [title]:
            raise lines.error(number, f"la section « {title} » est attendue ici")
        rows = []
        following = (*SECTIONS, END)[SECTIONS.index(title) + 1]
        while (item := lines.peek()) is not None and item[1][0] not in (*SECTIONS, END):
            lines.next(noun)
            if len(item[1]) == 1 and item[1][0].endswith(":"):
                raise lines.error(
                    item[0], f"« {item[1][0]} » inattendu : « {following} » est attendu"
                )
            if width is not None and len(item[1]) != width:
                raise lines.error(
                    item[0], f"{width} champs attendus dans la section {title}, {len(item[1])} lus"
                )
            rows.append(item)
        expected = int(header[count_key])
        if len(rows) != expected:
            at = item[0] if item is not None else lines.last_line
            raise lines.error(
                at,
                f"la section {title} compte {len(rows)} {noun}, l'en-tête en annonce "
                f"{expected} (ligne {header_lines[count_key]})",
            )
        return rows

    courses: dict[str, Course] = {}
    for number, (cid, teacher, lectures, mwd, students) in section(
        "COURSES:", "Courses", 5, "cours"
    ):
        if cid in courses:
            raise lines.error(number, f"cours « {cid} » déclaré deux fois")
        courses[cid] = Course(
            cid,
            teacher,
            _integer(lines, number, lectures, f"nombre de séances du cours {cid}", 1),
            _integer(lines, number, mwd, f"nombre minimum de jours du cours {cid}"),
            _integer(lines, number, students, f"nombre d'étudiants du cours {cid}"),
        )

    rooms: dict[str, Room] = {}
    for number, (rid, capacity) in section("ROOMS:", "Rooms", 2, "salles"):
        if rid in rooms:
            raise lines.error(number, f"salle « {rid} » déclarée deux fois")
        rooms[rid] = Room(rid, _integer(lines, number, capacity, f"capacité de la salle {rid}"))

    def known_course(number: int, cid: str, where: str) -> str:
        if cid not in courses:
            raise lines.error(number, f"cours inconnu « {cid} » {where}")
        return cid

    curricula: dict[str, Curriculum] = {}
    for number, tokens in section("CURRICULA:", "Curricula", None, "cursus"):
        if len(tokens) < 2:
            raise lines.error(number, "un cursus attend son identifiant et son nombre de cours")
        qid, count, members = tokens[0], tokens[1], tokens[2:]
        if qid in curricula:
            raise lines.error(number, f"cursus « {qid} » déclaré deux fois")
        announced = _integer(lines, number, count, f"nombre de cours du cursus {qid}", 1)
        if announced != len(members):
            raise lines.error(
                number, f"le cursus {qid} annonce {announced} cours et en liste {len(members)}"
            )
        for cid in members:
            known_course(number, cid, f"dans le cursus {qid}")
        if len(set(members)) != len(members):
            twice = next(c for c, n in Counter(members).items() if n > 1)
            raise lines.error(number, f"cours « {twice} » cité deux fois dans le cursus {qid}")
        curricula[qid] = Curriculum(qid, tuple(members))

    unavailable: dict[tuple[str, int, int], int] = {}
    for number, (cid, day, period) in section(
        "UNAVAILABILITY_CONSTRAINTS:", "Constraints", 3, "contraintes"
    ):
        known_course(number, cid, "dans une contrainte d'indisponibilité")
        d = _integer(lines, number, day, "jour")
        p = _integer(lines, number, period, "période")
        _check_slot(lines, number, d, p, days, per_day)
        if (cid, d, p) in unavailable:
            raise lines.error(
                number, f"contrainte « {cid} {d} {p} » déjà donnée ligne {unavailable[cid, d, p]}"
            )
        unavailable[cid, d, p] = number

    number, tokens = lines.next(f"« {END} » est attendu")
    if tokens != [END]:
        raise lines.error(number, f"« {END} » est attendu ici")
    if (extra := lines.peek()) is not None:
        raise lines.error(extra[0], f"texte après « {END} »")
    return Instance(
        name=str(header["Name"]),
        days=days,
        periods_per_day=per_day,
        courses=tuple(courses.values()),
        rooms=tuple(rooms.values()),
        curricula=tuple(curricula.values()),
        unavailable=frozenset(unavailable),
    )


def _check_slot(lines: _Lines, number: int, day: int, period: int, days: int, per_day: int):
    if day >= days:
        raise lines.error(number, f"jour {day} hors limites (0 à {days - 1})")
    if period >= per_day:
        raise lines.error(number, f"période {period} hors limites (0 à {per_day - 1})")


# --- solutions ------------------------------------------------------------------------


def read_solution(
    path_or_text: str | Path, instance: Instance, source: str | None = None
) -> list[Assignment]:
    """Read a solution, one `<CourseID> <RoomID> <Day> <DayPeriod>` line per lecture.

    A `Path`, or a one-line string naming an existing file, is read from disk; any other
    string is the solution's text. An unknown course or room, a day or period out of
    range, or a course given twice the same period raises `ItcError`."""
    is_file = isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and path_or_text.strip() != "" and Path(path_or_text).is_file()
    )
    if is_file:
        path = Path(path_or_text)
        text = _read_text(path)
        source = source or path.name
    else:
        text = str(path_or_text)
        source = source or "<texte>"
    lines = _Lines(text, source)
    courses = {c.id for c in instance.courses}
    rooms = {r.id for r in instance.rooms}
    seen: dict[tuple[str, int, int], int] = {}
    assignments = []
    for number, tokens in lines.items:
        if len(tokens) != 4:
            raise lines.error(
                number, f"4 champs attendus (cours salle jour période), {len(tokens)} lus"
            )
        cid, rid, day, period = tokens
        if cid not in courses:
            raise lines.error(number, f"cours inconnu « {cid} »")
        if rid not in rooms:
            raise lines.error(number, f"salle inconnue « {rid} »")
        d = _integer(lines, number, day, "jour")
        p = _integer(lines, number, period, "période")
        _check_slot(lines, number, d, p, instance.days, instance.periods_per_day)
        if (cid, d, p) in seen:
            raise lines.error(
                number,
                f"le cours {cid} a déjà une séance le jour {d}, période {p} "
                f"(ligne {seen[cid, d, p]})",
            )
        seen[cid, d, p] = number
        assignments.append(Assignment(cid, rid, d, p))
    return assignments


def write_solution(assignments: Iterable[Assignment]) -> str:
    """The competition's solution format, one lecture per line."""
    return "".join(f"{a.course} {a.room} {a.day} {a.period}\n" for a in assignments)


# --- scoring --------------------------------------------------------------------------


@dataclass(frozen=True)
class HardViolations:
    # (course, required, scheduled) for each course whose count is wrong
    lecture_mismatches: tuple[tuple[str, int, int], ...]
    curriculum_conflicts: int
    teacher_conflicts: int
    unavailability: int
    room_occupancy: int

    @property
    def lectures(self) -> int:
        return sum(abs(required - got) for _, required, got in self.lecture_mismatches)

    @property
    def missing_lectures(self) -> int:
        return sum(max(0, required - got) for _, required, got in self.lecture_mismatches)

    @property
    def extra_lectures(self) -> int:
        return sum(max(0, got - required) for _, required, got in self.lecture_mismatches)

    @property
    def conflicts(self) -> int:
        return self.curriculum_conflicts + self.teacher_conflicts

    @property
    def total(self) -> int:
        return self.lectures + self.conflicts + self.unavailability + self.room_occupancy


@dataclass(frozen=True)
class SoftCost:
    """The weighted soft costs (the validator's `Cost of …` lines)."""

    room_capacity: int
    min_working_days: int
    isolated_lectures: int
    room_stability: int

    @property
    def total(self) -> int:
        return (
            self.room_capacity
            + self.min_working_days
            + self.isolated_lectures
            + self.room_stability
        )

    def violations(self) -> dict[str, int]:
        """The unweighted counts: students over capacity, missing days, isolated
        lectures, extra rooms."""
        return {name: getattr(self, name) // weight for name, weight in WEIGHTS.items()}


@dataclass(frozen=True)
class Score:
    hard: HardViolations
    soft: SoftCost

    @property
    def feasible(self) -> bool:
        return self.hard.total == 0

    def summary(self) -> str:
        h, s = self.hard, self.soft
        return (
            f"violations dures {h.total} (séances {h.lectures}, conflits cursus "
            f"{h.curriculum_conflicts}, conflits enseignant {h.teacher_conflicts}, "
            f"indisponibilités {h.unavailability}, salles occupées {h.room_occupancy}) ; "
            f"coût {s.total} (capacité {s.room_capacity}, jours {s.min_working_days}, "
            f"isolées {s.isolated_lectures}, stabilité {s.room_stability})"
        )


def score(instance: Instance, assignments: Iterable[Assignment]) -> Score:
    """Hard violations and UD2 soft costs of a solution, counted as the validator does.

    The assignments must name known courses and rooms, valid days and periods, and at
    most one lecture of a course per period (what `read_solution` guarantees); otherwise
    `ValueError`."""
    courses = {c.id: c for c in instance.courses}
    rooms = {r.id: r for r in instance.rooms}
    per_day = instance.periods_per_day
    # course -> period index -> room
    timetable: dict[str, dict[int, str]] = defaultdict(dict)
    for a in assignments:
        if a.course not in courses:
            raise ValueError(f"cours inconnu « {a.course} »")
        if a.room not in rooms:
            raise ValueError(f"salle inconnue « {a.room} »")
        if not (0 <= a.day < instance.days and 0 <= a.period < per_day):
            raise ValueError(f"créneau hors limites : jour {a.day}, période {a.period}")
        p = a.day * per_day + a.period
        if p in timetable[a.course]:
            raise ValueError(f"le cours {a.course} a deux séances jour {a.day}, période {a.period}")
        timetable[a.course][p] = a.room

    mismatches = tuple(
        (c.id, c.lectures, len(timetable[c.id]))
        for c in instance.courses
        if len(timetable[c.id]) != c.lectures
    )

    curricula_of: dict[str, set[str]] = defaultdict(set)
    for q in instance.curricula:
        for cid in q.courses:
            curricula_of[cid].add(q.id)
    by_period: dict[int, list[str]] = defaultdict(list)
    for cid, slots in timetable.items():
        for p in slots:
            by_period[p].append(cid)
    curriculum_conflicts = teacher_conflicts = 0
    for present in by_period.values():
        for c1, c2 in itertools.combinations(sorted(present), 2):
            if curricula_of[c1] & curricula_of[c2]:
                curriculum_conflicts += 1
            elif courses[c1].teacher == courses[c2].teacher:
                teacher_conflicts += 1

    unavailability = sum(
        1
        for cid, slots in timetable.items()
        for p in slots
        if (cid, p // per_day, p % per_day) in instance.unavailable
    )
    occupancy = Counter((room, p) for slots in timetable.values() for p, room in slots.items())
    room_occupancy = sum(n - 1 for n in occupancy.values() if n > 1)

    students_over = sum(
        max(0, courses[cid].students - rooms[room].capacity)
        for cid, slots in timetable.items()
        for room in slots.values()
    )
    missing_days = sum(
        max(0, c.min_working_days - len({p // per_day for p in timetable[c.id]}))
        for c in instance.courses
    )
    isolated = 0
    for q in instance.curricula:
        count = Counter(p for cid in q.courses for p in timetable[cid])
        for p, n in count.items():
            before = count[p - 1] if p % per_day > 0 else 0
            after = count[p + 1] if p % per_day < per_day - 1 else 0
            if before == 0 and after == 0:
                isolated += n
    extra_rooms = sum(max(0, len(set(slots.values())) - 1) for slots in timetable.values() if slots)
    hard = HardViolations(
        lecture_mismatches=mismatches,
        curriculum_conflicts=curriculum_conflicts,
        teacher_conflicts=teacher_conflicts,
        unavailability=unavailability,
        room_occupancy=room_occupancy,
    )
    soft = SoftCost(
        room_capacity=WEIGHTS["room_capacity"] * students_over,
        min_working_days=WEIGHTS["min_working_days"] * missing_days,
        isolated_lectures=WEIGHTS["isolated_lectures"] * isolated,
        room_stability=WEIGHTS["room_stability"] * extra_rooms,
    )
    return Score(hard, soft)
