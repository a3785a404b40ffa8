"""The accessibility statement's data and its compliance status (RGAA 4.1 model).

The RGAA's three levels (their thresholds in data/accessibility.toml): "totalement
conforme" when an audit finds every applicable criterion met, "partiellement conforme"
from half of them, "non conforme" below, or when no audit was made. Automated tests do
not make an audit: they are listed, not counted.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Statement:
    referential: str
    established_on: dt.date
    audit_rate: Decimal | None
    audit_on: dt.date | None
    automated: tuple[str, ...]
    not_accessible: tuple[str, ...]
    partial_from: Decimal
    total_from: Decimal

    @property
    def status(self) -> str:
        return compliance_status(self.audit_rate, self.partial_from, self.total_from)


def compliance_status(
    audit_rate: Decimal | None, partial_from: Decimal, total_from: Decimal
) -> str:
    """The RGAA level of an audit's rate; without an audit, "non conforme"."""
    if audit_rate is None or audit_rate < partial_from:
        return "non conforme"
    if audit_rate < total_from:
        return "partiellement conforme"
    return "totalement conforme"


def statement() -> Statement:
    return _read(Path(settings.PARCOURS_DATA_DIR) / "accessibility.toml")


@lru_cache(maxsize=4)
def _read(path: Path) -> Statement:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rate = data.get("audit_rate")
    if rate is not None and not 0 <= rate <= 100:
        raise ValueError(f"{path.name} : audit_rate « {rate} » hors de 0 à 100")
    return Statement(
        referential=data["referential"],
        established_on=data["established_on"],
        audit_rate=Decimal(str(rate)) if rate is not None else None,
        audit_on=data.get("audit_on"),
        automated=tuple(data.get("automated", ())),
        not_accessible=tuple(data.get("not_accessible", ())),
        partial_from=Decimal(str(data["levels"]["partial_from"])),
        total_from=Decimal(str(data["levels"]["total_from"])),
    )
