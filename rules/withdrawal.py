"""Withdrawal (rétractation, R-REG-7) and termination for force majeure (résiliation,
R-REG-8). The period, the registration fees and the pro rata basis come from the year's
`Regulation`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from rules.explain import InputError, Reason, day, euros, money
from rules.holidays import working_days_between
from rules.regulation import Regulation


@dataclass(frozen=True)
class CancellationRequest:
    """A learner asks to leave.

    paid: what the learner (and payers) actually paid; contract_value: the contract's
    value (the quote's total), by default equal to `paid`; first_registration: the file
    fee was part of it; registration_right_charged: the DIB was part of it (not when it was
    paid earlier in the year, nor in a validation fee that includes it). For a termination
    (force_majeure), the registered letter's date and reference, and what was delivered:
    sessions_delivered / sessions_planned when the year's `termination_basis` is
    "sessions", training_starts / training_ends (days delivered before `requested_on`)
    when it is "days".
    """

    deposited_on: dt.date
    requested_on: dt.date
    paid: Decimal
    first_registration: bool = True
    force_majeure: bool = False
    letter_date: dt.date | None = None
    letter_reference: str = ""
    sessions_delivered: int | None = None
    sessions_planned: int | None = None
    training_starts: dt.date | None = None
    training_ends: dt.date | None = None
    registration_right_charged: bool = True  # False when the DIB was paid earlier this year
    contract_value: Decimal | None = None  # None: the contract is what was paid


@dataclass(frozen=True)
class Cancellation:
    outcome: str  # "withdrawal", "termination" or "refused"
    days_after_deposit: int
    refund: Decimal  # to give back: what was paid beyond what is owed
    owed: Decimal  # what the contract costs in the end
    still_due: Decimal  # what is owed beyond what was paid
    registration_fees_kept: Decimal
    delivered: Decimal | None  # fraction of the training delivered, shown to 4 places
    letter_required: bool
    letter_date: dt.date | None
    letter_reference: str
    reasons: tuple[Reason, ...]


def cancel(regulation: Regulation, request: CancellationRequest) -> Cancellation:
    """Withdrawal or termination of a registration (R-REG-7, R-REG-8).

    Within `withdrawal_days` days of the deposit (the last day included; calendar or
    working days, by the year's `counted_in` reading),
    everything is refunded. After that the file fee and the DIB are kept; a termination
    for force majeure, asked by registered letter, owes the training delivered pro rata
    temporis; otherwise nothing is refunded.
    """
    if request.paid < 0:
        raise InputError("paid", "le montant payé ne peut être négatif")
    if request.contract_value is not None and request.contract_value < 0:
        raise InputError("contract_value", "la valeur du contrat ne peut être négative")
    if request.requested_on < request.deposited_on:
        raise InputError("requested_on", "la demande ne peut précéder le dépôt du dossier")
    paid = money(request.paid)
    contract = paid if request.contract_value is None else money(request.contract_value)
    # R-REG-7 reading: calendar days (the brochure's "10 jours"), or working days.
    thresholds = regulation.thresholds
    if thresholds.withdrawal_counted_in == "working_days":
        elapsed = working_days_between(request.deposited_on, request.requested_on)
        unit, plural = "jour(s) ouvré(s)", "jours ouvrés"
    else:
        elapsed = (request.requested_on - request.deposited_on).days
        unit, plural = "jour(s)", "jours"
    period = thresholds.withdrawal_days
    common = {
        "days_after_deposit": elapsed,
        "letter_date": request.letter_date,
        "letter_reference": request.letter_reference,
    }
    if elapsed <= period:
        return Cancellation(
            outcome="withdrawal",
            refund=paid,
            owed=money(0),
            still_due=money(0),
            registration_fees_kept=money(0),
            delivered=None,
            letter_required=False,
            reasons=(
                Reason(
                    "R-REG-7",
                    f"Demande faite {elapsed} {unit} après le dépôt du dossier "
                    f"({day(request.deposited_on)}), dans le délai de rétractation de "
                    f"{period} {plural} : tout est remboursé ({euros(paid)}).",
                ),
            ),
            **common,
        )

    tariffs = regulation.tariffs
    kept_items = [
        item
        for item, charged in (
            (tariffs.file_fee, request.first_registration),
            (tariffs.registration_right, request.registration_right_charged),
        )
        if charged
    ]
    kept = min(money(sum((item.amount for item in kept_items), Decimal(0))), contract)
    after_period = Reason(
        "R-REG-7",
        f"Demande faite {elapsed} {plural} après le dépôt du dossier "
        f"({day(request.deposited_on)}) : le délai de rétractation de {period} {plural} est "
        "dépassé.",
    )
    fees_reason = Reason(
        "R-REG-8",
        f"Passé ce délai, les frais d'inscription ({euros(kept)} : "
        + (" et ".join(lowered(item.label) for item in kept_items) or "aucun dans ce contrat")
        + ") ne sont jamais remboursés.",
    )

    def refused(letter_required: bool, *reasons: Reason) -> Cancellation:
        """Nothing refunded: no force majeure, or no registered letter yet (R-REG-8)."""
        return Cancellation(
            outcome="refused",
            refund=money(0),
            owed=contract,
            still_due=max(contract - paid, money(0)),
            registration_fees_kept=kept,
            delivered=None,
            letter_required=letter_required,
            reasons=(after_period, *reasons),
            **common,
        )

    if not request.force_majeure:
        return refused(
            False,
            fees_reason,
            Reason(
                "R-REG-8",
                "Seule une résiliation pour cas de force majeure dûment reconnue permet "
                "de ne payer que la formation effectivement dispensée : rien n'est remboursé.",
            ),
        )
    if request.letter_date is None or not request.letter_reference.strip():
        return refused(True, Reason("R-REG-8", regulation.registration.termination))
    delivered, basis_message = _delivered(regulation, request)
    owed = kept + money((contract - kept) * delivered)
    refund = max(paid - owed, money(0))
    still_due = max(owed - paid, money(0))
    settlement = (
        f"remboursement : {euros(refund)}" if refund else f"reste à payer : {euros(still_due)}"
    )
    return Cancellation(
        outcome="termination",
        refund=refund,
        owed=owed,
        still_due=still_due,
        registration_fees_kept=kept,
        delivered=delivered.quantize(Decimal("0.0001")),
        letter_required=True,
        reasons=(
            after_period,
            fees_reason,
            Reason(
                "R-REG-8",
                f"Résiliation pour force majeure, demandée par courrier recommandé du "
                f"{day(request.letter_date)} (réf. {request.letter_reference}) : seule la "
                f"formation dispensée est due, au prorata temporis ({basis_message}). "
                f"Montant dû : {euros(owed)} ; déjà payé : {euros(paid)} ; {settlement}.",
            ),
        ),
        **common,
    )


def _delivered(regulation: Regulation, request: CancellationRequest) -> tuple[Decimal, str]:
    """The fraction of the training delivered, by the year's basis (R-REG-8 reading)."""
    if regulation.thresholds.termination_basis == "sessions":
        done, planned = request.sessions_delivered, request.sessions_planned
        if planned is None or planned <= 0:
            raise InputError("sessions_planned", "nombre de séances prévues manquant ou nul")
        if done is None or not 0 <= done <= planned:
            raise InputError(
                "sessions_delivered", f"nombre de séances dispensées attendu, de 0 à {planned}"
            )
        return Decimal(done) / Decimal(planned), f"{done} séances dispensées sur {planned}"
    starts, ends = request.training_starts, request.training_ends
    if starts is None:
        raise InputError("training_starts", "date de début de la formation manquante")
    if ends is None or ends < starts:
        raise InputError("training_ends", "date de fin de la formation manquante ou avant le début")
    planned = (ends - starts).days + 1
    done = min(max((request.requested_on - starts).days, 0), planned)
    return Decimal(done) / Decimal(planned), f"{done} jours écoulés sur {planned}"


def lowered(label: str) -> str:
    """A label inside a sentence: its first letter lowered, acronyms kept (DIB)."""
    return label[:1].lower() + label[1:]
