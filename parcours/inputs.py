"""What typed input may be: bounds and normal forms shared by forms and query strings.

A date outside [FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY] is a typing error (0001-01-01,
9999-12-31 overflow the planning's week arithmetic); free text is NFKC-normalised
(full-width digits become ASCII digits), stripped of invisible and bidirectional
controls (U+202E turns "fdp.exe" into "exe.pdf" on screen), and bounded.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

FIRST_PLAUSIBLE_DAY = dt.date(1900, 1, 1)
LAST_PLAUSIBLE_DAY = dt.date(2199, 12, 31)

# Controls (NUL…), format characters (bidi overrides, zero-width), separators, surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_KEPT_CONTROLS = frozenset("\n\t")


def plausible_day(text: str | None) -> dt.date | None:
    """The ISO date in `text`, or None if it is malformed or out of bounds."""
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if FIRST_PLAUSIBLE_DAY <= day <= LAST_PLAUSIBLE_DAY else None


def is_plausible(day: dt.date) -> bool:
    return FIRST_PLAUSIBLE_DAY <= day <= LAST_PLAUSIBLE_DAY


def normal_text(value: str, multiline: bool = False) -> str:
    """`value` in NFKC form, without invisible characters, spaces collapsed at the ends
    (and, on one line, inside)."""
    text = unicodedata.normalize("NFKC", value)
    kept = _KEPT_CONTROLS if multiline else frozenset()
    text = "".join(
        char
        for char in text
        if char in kept or unicodedata.category(char) not in _INVISIBLE_CATEGORIES
    )
    if multiline:
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
    return " ".join(text.split())
