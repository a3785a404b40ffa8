"""Quotes (devis): R-FEE-1 to R-FEE-5 and R-REG-4. Every price comes from the year's
`Regulation.tariffs`; this module holds no amount."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from rules.catalogue import Catalogue, Unit
from rules.explain import InputError, Reason, euros, money
from rules.regulation import Regulation

FUNDINGS = ("individual", "job_seeker", "employer")
VALIDATIONS = ("VAE", "VAP85", "VES")
PAYERS = {"learner": "l'élève", "employer": "l'employeur (ou l'OPCA)"}


@dataclass(frozen=True)
class QuoteRequest:
    """What a quote depends on.

    funding: "individual" (paying individual), "job_seeker" (on proof, with its category
    1 to 8 and whether the direction approved the rate when the tariff requires it) or
    "employer" (employer, OPCA, CIF, CSP, CRP…, at `employer_per_ects`, by default the
    year's `tariffs.employer_default_per_ects`).
    units: UE codes taught in the centre; foad_units: UE codes followed at a distance
    from another CNAM centre (charged per UE whatever the funding).
    first_registration: first registration at this regional centre (file fee only then).
    registration_right_paid: the DIB of this academic year is already paid.
    validation: "VAE", "VAP85" or "VES" for a validation application (R-FEE-4).
    employer_share: the FRACTION of the total the employer pays, from 0 to 1 (1: full
    funding); the learner owes the rest. Ignored unless funding is "employer".
    employer_certificate_signed: the employer signed its funding certificate; unsigned,
    cheques at the individual rate are required as a guarantee (R-REG-2 item 9).
    opened_locally: the UE codes a centre of La Réunion opens this year
    (rules.catalogue.opened_units); none of them is followed in FOAD (R-FEE-1).
    """

    funding: str = "individual"
    units: tuple[str, ...] = ()
    foad_units: tuple[str, ...] = ()
    first_registration: bool = True
    registration_right_paid: bool = False
    experience_report: bool = False
    validation: str = ""
    job_seeker_category: int | None = None
    direction_approved: bool = False
    employer_per_ects: Decimal | None = None
    employer_share: Decimal = Decimal(1)
    employer_certificate_signed: bool = True
    opened_locally: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QuoteLine:
    rule_id: str
    label: str  # the brochure's label, from the year's data
    detail: str
    amount: Decimal


@dataclass(frozen=True)
class Share:
    payer: str  # "learner" or "employer"
    amount: Decimal


@dataclass(frozen=True)
class Quote:
    year: str  # the academic year whose prices were used (R-FEE-5)
    year_label: str
    lines: tuple[QuoteLine, ...]
    total: Decimal
    due_at_registration: Decimal  # R-REG-4
    shares: tuple[Share, ...]
    reasons: tuple[Reason, ...]
    # Cheques the learner hands in while the employer's certificate is unsigned: the
    # individual rate of the same registration, returned once it is signed (R-REG-2).
    guarantee: Decimal = Decimal("0.00")


def quote(regulation: Regulation, catalogue: Catalogue, request: QuoteRequest) -> Quote:
    """The detailed quote of a registration (R-FEE-1 to R-FEE-5, R-REG-4).

    Lines carry the brochure's labels; the total is their sum; `shares` says what each
    payer owes and always sums exactly to the total.
    """
    for field in ("employer_per_ects", "employer_share"):
        value = getattr(request, field)
        if value is not None and (
            isinstance(value, float | bool) or not isinstance(value, int | Decimal)
        ):
            raise InputError(field, "un nombre décimal exact est attendu (jamais un flottant)")
    tariffs = regulation.tariffs
    units = _units(catalogue, request)
    per_ects, rate_label, reasons = _rate_per_ects(regulation, request)
    if not units:
        reasons = []  # no UE taught in the centre: its price per ECTS says nothing here
    lines: list[QuoteLine] = []

    registration_included = False
    registration: list[QuoteLine] = []
    if request.validation:
        if request.validation not in VALIDATIONS:
            raise InputError("validation", f"« {request.validation} » : VAE, VAP85 ou VES attendu")
        item = tariffs.validation[request.validation]
        lines.append(QuoteLine("R-FEE-4", item.label, request.validation, money(item.amount)))
        included = tariffs.validation_includes_registration_fees
        # Reading of R-FEE-4: "les frais d'inscription sont inclus" covers the validation's
        # own file; UEs taken beside it are a registration like any other (R-FEE-1), with
        # its file fee and DIB.
        with_units = bool(request.units or request.foad_units)
        registration_included = included and not with_units
        reasons.append(
            Reason(
                "R-FEE-4",
                f"Demande de {request.validation} : forfait de {euros(item.amount)}, quel que "
                "soit le public" + (", frais d'inscription inclus." if included else "."),
            )
        )
        if included and with_units:
            reasons.append(
                Reason(
                    "R-FEE-1",
                    f"Les UE suivies à côté de la {request.validation} sont une inscription "
                    "comme une autre : ses frais d'inscription sont dus (ils ne sont inclus "
                    "que pour la demande de validation seule).",
                )
            )

    if not registration_included:
        registration = _registration_lines(regulation, request, reasons)
        lines += registration

    complement_label = (
        tariffs.employer_label if request.funding == "employer" else tariffs.unit_complement_label
    )
    for unit in units:
        amount = money(per_ects * unit.ects)
        detail = f"{unit.code} — {unit.ects} ECTS × {euros(per_ects)}"
        if rate_label:
            detail += f" ({rate_label})"
        rule_id = "R-FEE-3" if request.funding == "employer" else "R-FEE-1"
        lines.append(QuoteLine(rule_id, complement_label, detail, amount))

    for code in request.foad_units:
        unit = catalogue.unit(code)
        lines.append(
            QuoteLine(
                "R-FEE-1", tariffs.foad_label, f"{unit.code} — FOAD", money(tariffs.foad_per_unit)
            )
        )
    if request.foad_units:
        reasons.append(
            Reason(
                "R-FEE-1",
                f"Chaque UE suivie à distance (FOAD) auprès d'un autre centre coûte "
                f"{euros(tariffs.foad_per_unit)}, quel que soit le financement.",
            )
        )

    if request.experience_report:
        item = tariffs.experience_report
        lines.append(QuoteLine("R-FEE-1", item.label, "", money(item.amount)))

    total = money(sum((line.amount for line in lines), Decimal(0)))
    due = money(sum((line.amount for line in registration), Decimal(0)))
    if due:
        reasons.append(
            Reason("R-REG-4", f"{regulation.registration.fees_due} Montant : {euros(due)}.")
        )
    shares = _shares(total, request)
    reasons.append(
        Reason(
            "R-FEE-5",
            f"Devis établi aux tarifs de l'{regulation.label.lower()} : total {euros(total)}"
            + "".join(f", dont {euros(s.amount)} à la charge de {PAYERS[s.payer]}" for s in shares)
            + ".",
        )
    )
    guarantee = money(0)
    if request.funding == "employer" and not request.employer_certificate_signed:
        individual = replace(
            request,
            funding="individual",
            employer_share=Decimal(1),
            employer_per_ects=None,
            employer_certificate_signed=True,
        )
        guarantee = quote(regulation, catalogue, individual).total
        reasons.append(
            Reason(
                "R-REG-2",
                "L'attestation de prise en charge n'est pas signée par l'employeur : des "
                f"chèques d'un montant équivalent au tarif individuel ({euros(guarantee)}) "
                "sont obligatoirement établis ; ils vous sont rendus à réception de "
                "l'attestation signée.",
            )
        )
    return Quote(
        year=regulation.code,
        year_label=regulation.label,
        lines=tuple(lines),
        total=total,
        due_at_registration=due,
        shares=shares,
        reasons=tuple(reasons),
        guarantee=guarantee,
    )


def _units(catalogue: Catalogue, request: QuoteRequest) -> tuple[Unit, ...]:
    """The UEs of the request, each known and chosen once."""
    seen: set[str] = set()
    units = []
    for field in ("units", "foad_units"):
        for index, code in enumerate(getattr(request, field)):
            try:
                unit = catalogue.unit(code)
            except KeyError:
                raise InputError(f"{field}[{index}]", f"UE inconnue « {code} »") from None
            if code in seen:
                raise InputError(f"{field}[{index}]", f"UE « {code} » choisie deux fois")
            if unit.is_activity:
                # R-FEE-1 prices taught UEs (per ECTS, or per UE in FOAD); an activity unit
                # has no such price: the experience report is its own line.
                raise InputError(
                    f"{field}[{index}]",
                    f"« {code} » est une unité d'activité, sans droit complémentaire par UE "
                    "(le rapport d'expérience professionnelle se demande avec experience_report)",
                )
            if field == "foad_units" and code in request.opened_locally:
                # R-FEE-1: the 200 € FOAD rate is for UEs "qui ne sont pas ouvertes ni
                # proposées à La Réunion"; an opened UE is followed at the centre.
                raise InputError(
                    f"{field}[{index}]",
                    f"UE « {code} » ouverte à La Réunion cette année : elle se suit au centre, "
                    "au tarif par ECTS (la FOAD est réservée aux UE qui n'y sont pas ouvertes)",
                )
            seen.add(code)
            if field == "units":
                units.append(unit)
    return tuple(units)


def _rate_per_ects(
    regulation: Regulation, request: QuoteRequest
) -> tuple[Decimal, str, list[Reason]]:
    """The price of one ECTS of a UE taught in the centre, its label and why."""
    tariffs = regulation.tariffs
    individual = tariffs.individual_per_ects
    if request.funding == "individual":
        return (
            individual,
            "",
            [Reason("R-FEE-1", f"Tarif individuel : {euros(individual)} par ECTS pour chaque UE.")],
        )
    if request.funding == "job_seeker":
        category = request.job_seeker_category
        rate = tariffs.job_seeker_rate(category) if isinstance(category, int) else None
        if rate is None:
            known = sorted(c for r in tariffs.job_seeker_rates for c in r.categories)
            raise InputError(
                "job_seeker_category",
                f"catégorie de demandeur d'emploi « {category} » inconnue "
                f"(de {known[0]} à {known[-1]})",
            )
        if rate.requires_direction_approval and not request.direction_approved:
            return (
                individual,
                "",
                [
                    Reason(
                        "R-FEE-2",
                        f"Demandeur d'emploi de catégorie {category} : le tarif « {rate.label} » "
                        f"({euros(rate.per_ects)} par ECTS) ne s'applique qu'après accord de la "
                        f"direction ; en attendant, le tarif individuel ({euros(individual)} par "
                        "ECTS) s'applique.",
                    )
                ],
            )
        reasons = [
            Reason(
                "R-FEE-1",
                f"Demandeur d'emploi de catégorie {category} : {euros(rate.per_ects)} par ECTS "
                f"({rate.label}).",
            )
        ]
        if rate.requires_direction_approval:
            reasons.append(Reason("R-FEE-2", "La direction a donné son accord pour ce tarif."))
        return rate.per_ects, rate.label, reasons
    if request.funding == "employer":
        per_ects = request.employer_per_ects
        if per_ects is None:
            per_ects = tariffs.employer_default_per_ects
        if per_ects < 0:
            raise InputError("employer_per_ects", "le tarif par ECTS ne peut être négatif")
        share = request.employer_share
        if not 0 <= share <= 1:
            raise InputError(
                "employer_share",
                f"part de l'employeur « {share} » : une fraction de 0 à 1 est attendue",
            )
        return (
            per_ects,
            "",
            [
                Reason(
                    "R-FEE-3",
                    f"Prise en charge par l'employeur ou l'OPCA : {euros(per_ects)} par ECTS, "
                    f"sur devis détaillé ; l'employeur paie {_percent(share)} du total.",
                )
            ],
        )
    raise InputError("funding", f"« {request.funding} » : {', '.join(FUNDINGS)} attendu")


def _registration_lines(
    regulation: Regulation, request: QuoteRequest, reasons: list[Reason]
) -> list[QuoteLine]:
    """File fee at the first registration at the centre only; DIB once a year (R-FEE-1)."""
    tariffs = regulation.tariffs
    lines = []
    if request.first_registration:
        fee = tariffs.file_fee
        lines.append(
            QuoteLine("R-FEE-1", fee.label, "première inscription au centre", money(fee.amount))
        )
    else:
        reasons.append(
            Reason(
                "R-FEE-1",
                "Vous êtes déjà inscrit(e) dans ce centre régional : pas de frais de dossier.",
            )
        )
    if request.registration_right_paid:
        reasons.append(
            Reason("R-FEE-1", "Le droit d'inscription forfaitaire de cette année est déjà payé.")
        )
    else:
        right = tariffs.registration_right
        lines.append(QuoteLine("R-FEE-1", right.label, regulation.label, money(right.amount)))
    return lines


def _shares(total: Decimal, request: QuoteRequest) -> tuple[Share, ...]:
    """Who owes what: the employer's fraction rounded to the cent, the learner the rest."""
    if request.funding != "employer":
        return (Share("learner", total),)
    employer = money(total * request.employer_share)
    return (Share("employer", employer), Share("learner", total - employer))


def _percent(fraction: Decimal) -> str:
    """French display of a fraction as a percentage: 0.3333 -> 33,33 %."""
    return f"{fraction:.2%}".replace(".", ",").replace(",00%", "%").replace("%", " %")
