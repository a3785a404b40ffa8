"""Arranging a dossier for its pages (no rule decided here: the rules core did)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from admissions import services
from admissions.models import Dossier, DossierItem
from parcours import clock
from rules.dossier import Piece
from rules.explain import InputError
from rules.fees import Quote

BADGES = {
    Dossier.Status.DRAFT: "info",
    Dossier.Status.DEPOSITED: "new",
    Dossier.Status.INCOMPLETE: "warning",
    Dossier.Status.VALIDATED: "success",
    Dossier.Status.WITHDRAWN: "error",
    Dossier.Status.TERMINATED: "error",
    Dossier.Status.REFUSED: "error",
}
ITEM_BADGES = {
    DossierItem.Status.MISSING: "warning",
    DossierItem.Status.UPLOADED: "info",
    DossierItem.Status.ACCEPTED: "success",
    DossierItem.Status.REJECTED: "error",
}


@dataclass
class PieceRow:
    piece: Piece
    item: DossierItem | None
    form: object = None
    # Another piece of its group (e.g. payslip for employment certificate) was given.
    alternative_given: bool = False
    replaceable: bool = False  # the applicant may add or remove its files now

    @property
    def code(self) -> str:
        return self.piece.code

    @property
    def _missing(self) -> bool:
        return self.item is None or self.item.status == DossierItem.Status.MISSING

    @property
    def status_label(self) -> str:
        if self._missing and self.alternative_given:
            return "Inutile : une autre pièce du groupe est fournie"
        return self.item.get_status_display() if self.item else "Manquante"

    @property
    def badge(self) -> str:
        if self._missing and self.alternative_given:
            return "info"
        return ITEM_BADGES[self.item.status if self.item else DossierItem.Status.MISSING]


def piece_rows(dossier: Dossier, include_not_applicable: bool = False) -> list[PieceRow]:
    items = {item.code: item for item in dossier.items.all()}
    pieces = services.pieces(dossier)
    given = {DossierItem.Status.UPLOADED, DossierItem.Status.ACCEPTED}
    groups_given = {
        p.group for p in pieces if p.group and p.code in items and items[p.code].status in given
    }
    rows = [
        PieceRow(piece, items.get(piece.code), alternative_given=piece.group in groups_given)
        for piece in pieces
        if include_not_applicable or piece.status != "not_applicable"
    ]
    for row in rows:
        row.replaceable = dossier.piece_open(row.item)
    return rows


@dataclass
class Summary:
    dossier: Dossier
    badge: str
    quote: Quote | None
    quote_problem: str
    balances: list
    rows: list[PieceRow]
    not_applicable: list[Piece]
    missing: list[str]
    semesters: list[tuple[str, list]]
    withdrawal_until: dt.date | None
    can_withdraw: bool
    payments: list = field(default_factory=list)
    registration_state: str = ""  # what the semesters' registrations are now


def registration_state(dossier: Dossier) -> str:
    """The state of the dossier's semester registrations, in words (issue 14, item 5:
    a withdrawn dossier no longer reads "en attente de validation")."""
    closed_on = f" le {dossier.closed_on:%d/%m/%Y}" if dossier.closed_on else ""
    return {
        Dossier.Status.DRAFT: "préinscription non déposée",
        Dossier.Status.VALIDATED: "inscription définitive",
        Dossier.Status.WITHDRAWN: f"inscription annulée (rétractation{closed_on})",
        Dossier.Status.TERMINATED: f"inscription résiliée{closed_on}",
        Dossier.Status.REFUSED: f"inscription refusée{closed_on}",
    }.get(dossier.status, "en attente de validation")


def space_summary(dossier: Dossier) -> Summary:
    current, problem = None, ""
    if dossier.funding:
        try:
            current = services.dossier_quote(dossier)
        except InputError as error:
            problem = error.message
    rows = piece_rows(dossier, include_not_applicable=True)
    days = dossier.year.regulation.thresholds.withdrawal_days
    until = dossier.deposited_on + dt.timedelta(days=days) if dossier.deposited_on else None
    semesters: dict[str, list] = {}
    for choice in dossier.units.all():
        semesters.setdefault(choice.semester, []).append(choice)
    labels = {s.code: s.label for s in dossier.year.regulation.semesters}
    return Summary(
        dossier=dossier,
        badge=BADGES[dossier.status],
        quote=current,
        quote_problem=problem,
        balances=services.balances(dossier, current) if current else [],
        rows=[r for r in rows if r.piece.status != "not_applicable"],
        not_applicable=[r.piece for r in rows if r.piece.status == "not_applicable"],
        missing=services.what_is_missing(dossier)
        if dossier.status != "draft"
        else [p.label for p in services.missing_pieces(dossier)],
        semesters=[(labels.get(code, code), semesters[code]) for code in sorted(semesters)],
        withdrawal_until=until,
        can_withdraw=bool(
            until
            and clock.today() <= until
            and dossier.status
            in (Dossier.Status.DEPOSITED, Dossier.Status.INCOMPLETE, Dossier.Status.VALIDATED)
        ),
        payments=list(dossier.payments.all()),
        registration_state=registration_state(dossier),
    )
