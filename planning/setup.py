"""The planning's own data file (`data/planning.toml`): rooms per centre, the
programmes each centre teaches, the online kind of each UE (R-CAL-3) and the solver's
time limit. The brochure gives none of these, so the file is a reading the centre
replaces with its own; every code is checked against the catalogue and every problem
is reported with its file and key before anything is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from planning.brochure import ONLINE_KINDS
from planning.engine import Room
from rules.catalogue import Catalogue, Unit
from rules.data_reader import DataError, DataProblem, Reader, read_toml

FILE_NAME = "planning.toml"


@dataclass(frozen=True)
class RoomSetup:
    code: str
    name: str
    capacity: int


@dataclass(frozen=True)
class CentreSetup:
    code: str
    programmes: tuple[str, ...]
    rooms: tuple[RoomSetup, ...]

    def engine_rooms(self) -> tuple[Room, ...]:
        return tuple(Room(r.code, self.code, r.capacity) for r in self.rooms)


@dataclass(frozen=True)
class PlanningSetup:
    centres: tuple[CentreSetup, ...]
    online: dict[str, str]  # UE code → "web_conferences" or "chats"
    time_limit_seconds: int
    reading: str

    def centre(self, code: str) -> CentreSetup | None:
        return next((c for c in self.centres if c.code == code), None)


def _unknown_keys(reader: Reader, allowed: set[str]) -> None:
    for name in sorted(set(reader.table) - allowed):
        reader.problem(name, "clé inconnue")


def parse_setup(
    data: dict,
    label: str,
    units: Iterable[Unit],
    programmes: Iterable[str],
    centres: Iterable[str],
) -> PlanningSetup:
    """The setup, checked against the catalogue's units, programme and centre codes."""
    problems: list[DataProblem] = []
    root = Reader(data, label, "", problems)
    _unknown_keys(root, {"rule", "reading", "time_limit_seconds", "online", "centre"})
    root.rule()
    reading = root.str("reading", required=False)
    time_limit = root.int("time_limit_seconds", minimum=1)

    units = {u.code: u for u in units}
    online_table = root.sub("online", required=False)
    _unknown_keys(online_table, {"default", "chats"})
    default = online_table.choice("default", ONLINE_KINDS, required=False) or ONLINE_KINDS[0]
    online = {code: default for code, unit in units.items() if not unit.is_activity}
    for code in online_table.strs("chats", required=False):
        if code not in units:
            online_table.problem("chats", f"UE « {code} » inconnue du catalogue")
        else:
            online[code] = "chats"

    programmes = set(programmes)
    centres_known = set(centres)
    centres = []
    for table in root.subs("centre"):
        _unknown_keys(table, {"code", "programmes", "room"})
        code = table.str("code")
        if code and code not in centres_known:
            table.problem("code", f"centre « {code} » inconnu du catalogue")
        if any(c.code == code for c in centres):
            table.problem("code", f"centre « {code} » décrit deux fois")
        taught = table.strs("programmes")
        for programme in taught:
            if programme not in programmes:
                table.problem("programmes", f"formation « {programme} » inconnue du catalogue")
        rooms = []
        for room in table.subs("room", required=False):
            _unknown_keys(room, {"code", "name", "capacity"})
            setup = RoomSetup(room.str("code"), room.str("name"), room.int("capacity", minimum=1))
            if any(r.code == setup.code for r in rooms):
                room.problem("code", f"salle « {setup.code} » décrite deux fois")
            rooms.append(setup)
        centres.append(CentreSetup(code, taught, tuple(rooms)))
    if problems:
        raise DataError(problems)
    return PlanningSetup(tuple(centres), online, time_limit, reading)


def load_setup(folder: Path, catalogue: Catalogue) -> PlanningSetup:
    """Read `planning.toml` of a data folder; raise DataError with every problem."""
    problems: list[DataProblem] = []
    data = read_toml(Path(folder) / FILE_NAME, problems, FILE_NAME)
    if data is None:
        raise DataError(problems)
    return parse_setup(
        data,
        FILE_NAME,
        catalogue.units,
        [p.code for p in catalogue.programmes],
        [c.code for c in catalogue.centres],
    )
