"""VAE, VAP85 and VES (R-FEE-4, R-REG-5): the application, its fee, its dossier, the
appointment and the jury's decision (a VAE or VES writes the UEs it grants)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from awards.errors import AwardError
from awards.ledger import store_evidence
from catalogue.bridge import rules_catalogue
from catalogue.models import AcademicYear, Programme, Unit
from parcours import clock
from rules.explain import day
from rules.fees import QuoteRequest, quote

from .models import (
    Credit,
    ValidationCase,
)

# --- VAE, VAP85, VES ----------------------------------------------------------------------


def validation_fee(year: AcademicYear, kind: str) -> Decimal:
    """R-FEE-4: the validation's flat fee, registration fees included, from the year's
    tariffs through the rules core's quote."""
    result = quote(
        year.regulation,
        rules_catalogue(()),
        QuoteRequest(validation=kind, first_registration=False, registration_right_paid=True),
    )
    return result.total


@transaction.atomic
def open_validation(learner, kind: str, programme: Programme, year: AcademicYear, by):
    if kind not in ValidationCase.Kind.values:
        raise AwardError({"kind": "Choisissez VAE, VAP85 ou VES."})
    if not programme.vae:
        raise AwardError({"programme": f"{programme.code} n'est pas accessible par la VAE."})
    get_user_model().objects.select_for_update().filter(pk=learner.pk).first()  # one at a time
    if (
        ValidationCase.objects.filter(learner=learner, kind=kind, programme=programme)
        .exclude(status=ValidationCase.Status.DECIDED)
        .exists()
    ):
        raise AwardError({"kind": f"Une demande de {kind} pour {programme.code} est en cours."})
    return ValidationCase.objects.create(
        learner=learner,
        kind=kind,
        programme=programme,
        year=year,
        fee=validation_fee(year, kind),
        created_by=by,
    )


def open_from_registration(dossier, by) -> ValidationCase:
    """A pre-registration for a VAE, VAP85 or VES (R-FEE-4) becomes its application once
    the centre validates the dossier: the fee is the rules core's, and counts as paid
    when the dossier's payments cover it. Idempotent."""
    from admissions.services import dossier_quote, total_paid

    existing = ValidationCase.objects.filter(registration=dossier).first()
    if existing is not None or not dossier.programme.vae:
        return existing
    fee = validation_fee(dossier.year, dossier.validation)
    last_payment = dossier.payments.order_by("-received_on").first()
    settled = last_payment is not None and total_paid(dossier) >= dossier_quote(dossier).total
    return ValidationCase.objects.create(
        learner=dossier.learner,
        kind=dossier.validation,
        programme=dossier.programme,
        year=dossier.year,
        registration=dossier,
        fee=fee,
        fee_paid_on=last_payment.received_on if settled else None,
        created_by=by,
    )


def _locked_case(case: ValidationCase) -> ValidationCase:
    case = ValidationCase.objects.select_for_update().get(pk=case.pk)
    if case.status == ValidationCase.Status.DECIDED:
        raise AwardError("La décision est rendue : la demande ne change plus.")
    return case


def submit_validation_dossier(case: ValidationCase, uploaded, by) -> ValidationCase:
    with transaction.atomic():
        case = _locked_case(case)
        case.dossier = store_evidence(case.learner, uploaded, by)
        if case.status == ValidationCase.Status.OPEN:
            case.status = ValidationCase.Status.SUBMITTED
        case.save()
    return case


@transaction.atomic
def record_validation_fee(case: ValidationCase, paid_on: dt.date) -> ValidationCase:
    case = _locked_case(case)
    if paid_on > clock.today():
        raise AwardError({"paid_on": "La date de paiement est dans le futur."})
    case.fee_paid_on = paid_on
    case.save()
    return case


@transaction.atomic
def schedule_validation(case: ValidationCase, at: dt.datetime, place: str) -> ValidationCase:
    case = _locked_case(case)
    if case.dossier_id is None:
        raise AwardError("Le dossier de validation n'est pas encore déposé.")
    if not place.strip():
        raise AwardError({"place": "Indiquez le lieu de l'entretien."})
    case.appointment_at, case.appointment_place = at, place.strip()
    case.status = ValidationCase.Status.SCHEDULED
    case.save()
    return case


@transaction.atomic
def decide_validation(
    case: ValidationCase, decision: str, units: list[Unit], note: str, by
) -> ValidationCase:
    """The validation jury's decision (R-REG-5, R-FEE-4). A VAE or VES grants UEs: each
    is written into the ledger with the decision as its justification; a VAP85 grants
    access to the programme, no UE."""
    case = _locked_case(case)
    if case.status != ValidationCase.Status.SCHEDULED:
        raise AwardError("Le jury statue après l'entretien avec le conseiller.")
    if case.fee_paid_on is None:
        raise AwardError("Le forfait de la validation n'est pas réglé (R-FEE-4).")
    if decision not in ValidationCase.Decision.values:
        raise AwardError({"decision": "Choisissez une décision."})
    if not note.strip():
        raise AwardError({"note": "La motivation de la décision est obligatoire."})
    granted = decision != ValidationCase.Decision.REFUSED
    if case.kind == ValidationCase.Kind.VAP85 and units:
        raise AwardError(
            {"units": "Une VAP85 ouvre l'accès à la formation : elle n'accorde aucune UE."}
        )
    if case.kind != ValidationCase.Kind.VAP85 and granted and not units:
        raise AwardError({"units": "Indiquez les UE accordées."})
    if not granted and units:
        raise AwardError({"units": "Un refus n'accorde aucune UE."})
    outside = [u.code for u in units if not u.programmes.filter(pk=case.programme_id).exists()]
    if outside:
        raise AwardError(
            {"units": f"Ces UE ne font pas partie de {case.programme.code} : {', '.join(outside)}."}
        )
    today = clock.today()
    case.status, case.decision = ValidationCase.Status.DECIDED, decision
    case.decided_on, case.decided_by, case.decision_note = today, by, note.strip()
    case.save()
    way = Credit.Way.VAE if case.kind == ValidationCase.Kind.VAE else Credit.Way.VES
    already = set(
        Credit.objects.filter(learner=case.learner, unit__in=units).values_list(
            "unit__code", flat=True
        )
    )
    for unit in units:
        if unit.code in already:
            continue  # capitalised already (R-EXA-4): the first validation stands
        Credit.objects.create(
            learner=case.learner,
            unit=unit,
            way=way,
            earned_on=today,
            published_on=today,
            validation=case,
            justification=f"Décision du jury de {case.kind} du {day(today)} : {note.strip()}",
            document=case.dossier,
            recorded_by=by,
        )
    return case
