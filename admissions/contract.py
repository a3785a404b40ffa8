"""The training contract of a dossier (R-ORG-3): the *contrat de formation
professionnelle* when the learner pays for themselves (L6353-3 to L6353-7), the
*convention de formation* when an employer or OPCO pays (L6353-1, D6353-1). One
document with every mention the law requires, from the dossier, its quote, the
catalogue, the planning and the year's regulation.

The applicant accepts it online before the deposit; what was accepted is kept by its
SHA-256 (the document as shown for acceptance, without the acceptance block), the wording's
version, who and when. A change of the dossier changes the document, so the deposit
then asks for a new acceptance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.template.loader import render_to_string

from admissions.models import Dossier
from catalogue.models import Centre, EvaluationMode
from rules.contract import first_payment_cap
from timetable.services import sessions_followed

CONTRACT = "contrat"
CONVENTION = "convention"
TITLES = {
    CONTRACT: "Contrat de formation professionnelle",
    CONVENTION: "Convention de formation professionnelle",
}


def kind_of(dossier: Dossier) -> str:
    return CONVENTION if dossier.funding == Dossier.Funding.EMPLOYER else CONTRACT


@dataclass(frozen=True)
class UnitLine:
    code: str
    title: str
    ects: int
    foad: bool
    evaluation: str
    hours: Decimal | None


def context(dossier: Dossier) -> dict:
    """Everything the document says, in the order of L6353-4 (and D6353-1)."""
    from admissions.services import dossier_quote

    regulation = dossier.year.regulation
    terms = regulation.contract
    if terms is None:
        raise ValidationError(
            f"Les conditions du contrat de formation de l'{dossier.year.label.lower()} ne "
            "sont pas dans ses données : le service accueil doit recharger le catalogue."
        )
    chosen = list(dossier.units.select_related("unit").order_by("unit__code"))
    minutes = dict(
        sessions_followed((dossier.year_id, dossier.centre_id, c.unit_id, c.foad) for c in chosen)
        .filter(planning__year=dossier.year, cancelled=False)
        .values_list("unit_id")
        .annotate(m=Sum("minutes"))
        .order_by()
    )
    modes = dict(EvaluationMode.objects.values_list("code", "label"))
    units = [
        UnitLine(
            c.unit.code,
            c.unit.title,
            c.unit.ects,
            c.foad,
            ", ".join(modes.get(code, code) for code in c.unit.evaluation) or "—",
            (Decimal(minutes[c.unit_id]) / 60).quantize(Decimal("0.5"))
            if c.unit_id in minutes
            else None,
        )
        for c in chosen
    ]
    quote = dossier_quote(dossier)
    kind = kind_of(dossier)
    # What the learner pays themselves: the whole price, or their share of it.
    own = next((s.amount for s in quote.shares if s.payer == "learner"), quote.total)
    first, balance = first_payment_cap(regulation, own)
    return {
        "dossier": dossier,
        "kind": kind,
        "title": TITLES[kind],
        "programme": dossier.programme,
        "units": units,
        "hours": sum((u.hours for u in units if u.hours), Decimal(0)),
        "unplanned": [u.code for u in units if u.hours is None],
        "foad": any(u.foad for u in units),
        "quote": quote,
        "terms": terms,
        "withdrawal_days": regulation.thresholds.withdrawal_days,
        "withdrawal_in_working_days": regulation.thresholds.withdrawal_counted_in == "working_days",
        "own_share": own,
        "first_payment_max": first,
        "balance": balance,
        "first_payment_max_percent": terms.first_payment_max_percent,
        "year": dossier.year,
        "centre": Centre.objects.regional(),
        "acceptance": None,  # the document as shown for acceptance; the PDF adds it
    }


def render_html(dossier: Dossier) -> str:
    return render_to_string("admissions/pdf/contract.html", context(dossier))


def digest(dossier: Dossier) -> str:
    """The SHA-256 of the document the applicant reads now."""
    return hashlib.sha256(render_html(dossier).encode()).hexdigest()
