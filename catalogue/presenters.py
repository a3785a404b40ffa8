"""Shaping loaded data for the public pages (no rule is decided here: the rules core
decides, these helpers only arrange what it and the catalogue say)."""

from __future__ import annotations

from dataclasses import dataclass

from rules.regulation import Regulation

WEEKDAY_NAMES = {
    1: "lundi",
    2: "mardi",
    3: "mercredi",
    4: "jeudi",
    5: "vendredi",
    6: "samedi",
    7: "dimanche",
}

PERIOD_SECTIONS = (
    ("annual", "Enseignements annuels"),
    ("S1", "Semestre 1"),
    ("S2", "Semestre 2"),
)


@dataclass
class UnitRow:
    unit: object
    evaluation: list[str]
    in_common_core: bool


@dataclass
class UnitGroup:
    title: str
    rows: list[UnitRow]

    @property
    def ects(self) -> int:
        return sum(row.unit.ects for row in self.rows)


def group_units(units, evaluation_labels: dict[str, str], common_core) -> list[UnitGroup]:
    """Taught UEs by period (R-CAT-3), then the activity units."""

    def row(unit) -> UnitRow:
        in_core = common_core is not None and any(
            p.pk == common_core.pk for p in unit.programmes.all()
        )
        return UnitRow(unit, [evaluation_labels.get(c, c) for c in unit.evaluation], in_core)

    groups = []
    for period, title in PERIOD_SECTIONS:
        rows = [row(u) for u in units if not u.is_activity and u.period == period]
        if rows:
            groups.append(UnitGroup(title, rows))
    activities = [row(u) for u in units if u.is_activity]
    if activities:
        groups.append(UnitGroup("Unités d'activité", activities))
    return groups


def _days(weekdays: list[int]) -> str:
    names = [WEEKDAY_NAMES[d] for d in weekdays]
    if len(names) == 1:
        return f"le {names[0]}"
    if weekdays == list(range(weekdays[0], weekdays[-1] + 1)):
        return f"du {names[0]} au {names[-1]}"
    return "les " + ", ".join(names)


def _hour(text: str) -> str:
    hours, minutes = text.split(":")
    return f"{int(hours)}h{minutes if minutes != '00' else ''}"


def opening_hours(hours: list[dict]) -> list[str]:
    """Stored opening hours as French phrases: « du lundi au jeudi de 8h15 à 12h30 »."""
    return [f"{_days(h['weekdays'])} de {_hour(h['opens'])} à {_hour(h['closes'])}" for h in hours]


@dataclass
class FrequencyRow:
    label: str
    class_meetings: int
    chats: int
    web_conferences: int


def teaching_summary(regulation: Regulation) -> dict:
    teaching = regulation.teaching
    rows = [
        FrequencyRow(
            f"UE {'annuelle' if f.period == 'annual' else 'semestrielle'}, {f.ects} ECTS",
            f.class_meetings,
            f.chats,
            f.web_conferences,
        )
        for f in teaching.frequencies
    ]
    return {
        "days": _days(list(teaching.weekdays)),
        "starts": teaching.day_starts.strftime("%H:%M").replace(":", "h"),
        "ends": teaching.day_ends.strftime("%H:%M").replace(":", "h"),
        "frequencies": rows,
        "class_meeting": _duration(teaching.class_meeting_minutes),
        "web_conference": _duration(teaching.web_conference_minutes),
        "chat": _duration(teaching.chat_minutes),
    }


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def fee_examples(regulation: Regulation, source: str, units) -> list[tuple[str, object]]:
    """The year's worked examples (data) with the quote the rules core computes."""
    from catalogue.bridge import fee_example_tables, quote_from_table, rules_catalogue

    catalogue = rules_catalogue(units)
    return [
        (table.get("title", ""), quote_from_table(regulation, catalogue, table))
        for table in fee_example_tables(source)
    ]
