"""Every change of the awards app, one function each, in a transaction: the ledger of
earned UEs, experience and internships, VAE/VAP85/VES, award requests and issued
documents. Decisions are the rules core's (rules.awards, rules.experience, rules.fees)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from assessment.models import Jury, Mark
from catalogue.bridge import full_catalogue, rules_catalogue
from catalogue.models import AcademicYear, Programme, Unit
from parcours import clock, uploads
from parcours.access import is_direction
from rules import catalogue as rc
from rules.awards import AwardRequest as RulesAwardRequest
from rules.awards import AwardStatus, award_status
from rules.experience import Experience, Period, experience_for
from rules.explain import InputError, day
from rules.fees import QuoteRequest, quote
from rules.ledger import validates
from rules.registration import Offering, next_offering

from .codes import new_code
from .models import (
    AwardRequest,
    Credit,
    Evidence,
    ExperiencePeriod,
    IssuedDocument,
    ValidationCase,
)

AWARD_PROGRAMMES = ("CP29", "CPN42")


class AwardError(ValidationError):
    """A refused change, in French, naming what is at fault."""


# --- evidence -----------------------------------------------------------------------------


def store_evidence(learner, uploaded, by) -> Evidence:
    """Check and store an uploaded document (same rules as a dossier's pieces); the file
    lands on disk only if the surrounding transaction commits."""
    clean = uploads.clean_upload(uploaded)  # raises UploadRefused, in French
    return Evidence.objects.create(
        learner=learner,
        stored_name=uploads.store(clean),
        display_name=clean.display_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=by,
    )


# --- the ledger: credits from juries ------------------------------------------------------


def sync_jury_credits(jury: Jury) -> int:
    """Make the ledger agree with a decided jury (R-EXA-4): each of its learners holds
    the exam credit of their earliest validating mark at a decided jury of the UE, or
    none; a UE earned otherwise stays as it was earned. Returns the changes."""
    if jury.status != Jury.Status.DECIDED:
        return 0
    learners = list(
        Mark.objects.filter(session_id=jury.session_id, unit_id=jury.unit_id).values_list(
            "learner_id", flat=True
        )
    )
    return reconcile_exam_credits(jury.unit_id, learners)


def reconcile_exam_credits(unit_id: int, learner_ids: list[int]) -> int:
    """For one UE and some learners, in four queries whatever their number: the first
    validating mark at a decided jury earns the UE (capitalised for life from that
    exam, R-EXA-4); a correction below the pass mark takes the credit back, or moves it
    to another session's validating mark; a UE earned by a staff decision is left as it
    is. A credit behind a granted diploma is never taken back silently."""
    juries = {
        j.session_id: j
        for j in Jury.objects.filter(unit_id=unit_id, status=Jury.Status.DECIDED).select_related(
            "session__year"
        )
    }
    best: dict[int, tuple[Jury, Mark]] = {}
    marks = Mark.objects.filter(
        unit_id=unit_id, learner_id__in=learner_ids, session_id__in=list(juries)
    ).exclude(value__isnull=True)
    for mark in marks:
        jury = juries[mark.session_id]
        if not validates(jury.session.year.regulation, mark.value):
            continue
        held = best.get(mark.learner_id)
        if held is None or jury.session.ends_on < held[0].session.ends_on:
            best[mark.learner_id] = (jury, mark)
    credits = {
        c.learner_id: c
        for c in Credit.objects.select_for_update().filter(
            unit_id=unit_id, learner_id__in=learner_ids
        )
    }
    changes = 0
    for learner_id in learner_ids:
        credit, candidate = credits.get(learner_id), best.get(learner_id)
        if credit is not None and credit.way != Credit.Way.EXAM:
            continue
        if candidate is None:
            if credit is not None:
                guard_granted(credit)
                credit._change_reason = "Note corrigée sous la note de validation"
                credit.delete()
                changes += 1
            continue
        jury, mark = candidate
        values = {
            "jury": jury,
            "session": jury.session,
            "mark": mark.value,
            "earned_on": jury.credits_earned_on(),
            "published_on": jury.published_on(),
        }
        if credit is None:
            Credit.objects.create(
                learner_id=learner_id,
                unit_id=unit_id,
                way=Credit.Way.EXAM,
                justification=f"Jury de l'UE, {jury.session}",
                recorded_by=jury.decided_by,
                **values,
            )
            changes += 1
        elif any(getattr(credit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(credit, name, value)
            credit.justification = f"Jury de l'UE, {jury.session}"
            credit._change_reason = "Note corrigée après le jury"
            credit.save()
            changes += 1
    return changes


def refresh_jury_credits(jury: Jury) -> None:
    """An early publication (R-EXA-5), or new session dates, move the jury's credits:
    visible from its publication day, earned on its last exam day or, when published
    before it, on the publication day."""
    if jury.status == Jury.Status.DECIDED:
        Credit.objects.filter(jury=jury).update(
            published_on=jury.published_on(), earned_on=jury.credits_earned_on()
        )


def guard_granted(credit: Credit) -> None:
    """A UE behind a diploma granted and not revoked cannot leave the ledger: the
    direction revokes the diploma first (its verification page then says so)."""
    granted = (
        AwardRequest.objects.filter(
            learner_id=credit.learner_id,
            status=AwardRequest.Status.GRANTED,
            programme__units=credit.unit_id,
            documents__kind=IssuedDocument.Kind.CREDENTIAL,
            documents__revoked_on__isnull=True,
        )
        .select_related("programme")
        .first()
    )
    if granted is not None:
        raise AwardError(
            f"Cette UE fonde le {granted.programme.get_kind_display().lower()} "
            f"{granted.programme.code} n° {granted.number} délivré le "
            f"{day(granted.decided_on)} : la direction doit d'abord révoquer ce diplôme."
        )


UNIT_BITS = 20  # unit ids below 2**20: a catalogue has a few dozen units


def sync_all_credits(batch_size: int = 5000) -> int:
    """Write the credits of every decided jury in bulk (the synthetic population, or a
    database from before the ledger): marks are read in exam order, so the first
    validating mark of a learner and UE is the one written; a UE already earned, by any
    way, stays (the unique constraint guards a concurrent writer too). Streamed;
    idempotent; returns the credits written."""
    juries = {
        (j.session_id, j.unit_id): j
        for j in Jury.objects.filter(status=Jury.Status.DECIDED).select_related("session__year")
    }
    before = Credit.objects.count()
    # UEs already earned, packed as one int each (a rerun skips them without building
    # a row; a tuple per pair would weigh several times more).
    earned = {
        learner_id << UNIT_BITS | unit_id
        for learner_id, unit_id in Credit.objects.values_list("learner_id", "unit_id").iterator(
            chunk_size=20000
        )
    }
    pending: list[Credit] = []
    rows = (
        Mark.objects.filter(value__isnull=False)
        .order_by("session__ends_on", "pk")
        .values_list("learner_id", "unit_id", "session_id", "value")
        .iterator(chunk_size=20000)
    )
    for learner_id, unit_id, session_id, value in rows:
        jury = juries.get((session_id, unit_id))
        if jury is None or not validates(jury.session.year.regulation, value):
            continue
        pair = learner_id << UNIT_BITS | unit_id
        if pair in earned:
            continue
        earned.add(pair)
        pending.append(
            Credit(
                learner_id=learner_id,
                unit_id=unit_id,
                way=Credit.Way.EXAM,
                earned_on=jury.credits_earned_on(),
                published_on=jury.published_on(),
                mark=value,
                session_id=session_id,
                jury=jury,
                justification=f"Jury de l'UE, {jury.session}",
                recorded_by_id=jury.decided_by_id,
            )
        )
        if len(pending) >= batch_size:
            _flush(pending)
    _flush(pending)
    return Credit.objects.count() - before


def _flush(pending: list[Credit]) -> None:
    if pending:
        with transaction.atomic():
            Credit.objects.bulk_create(pending, ignore_conflicts=True)
        pending.clear()


# --- the ledger: staff decisions ----------------------------------------------------------


STAFF_WAYS = {
    Credit.Way.EQUIVALENCE: "R-CAT-5",
    Credit.Way.OTHER_CENTRE: "R-REG-2",
    Credit.Way.REPORT: "R-AWD-1",
}


def record_credit(
    learner,
    unit: Unit,
    way: str,
    earned_on: dt.date,
    justification: str,
    by,
    document: Evidence | None = None,
    mark: Decimal | None = None,
) -> Credit:
    """A UE earned by a staff decision with its justification: an equivalence (R-CAT-5,
    only where the catalogue provides one), another regional centre's certificate
    (R-REG-2 item 8) or an activity unit's report validated by the jury (R-AWD-1 3.,
    R-AWD-2 4.). VAE and VES credits come from `decide_validation`."""
    if way not in STAFF_WAYS:
        raise AwardError({"way": "Voie d'obtention inconnue."})
    if not justification.strip():
        raise AwardError({"justification": "La justification de la décision est obligatoire."})
    if earned_on > clock.today():
        raise AwardError({"earned_on": f"La date ({day(earned_on)}) est dans le futur."})
    if way == Credit.Way.EQUIVALENCE and not unit.equivalence:
        raise AwardError({"unit": f"Aucune équivalence n'est prévue pour {unit.code} (R-CAT-5)."})
    if way == Credit.Way.REPORT and unit.kind != Unit.Kind.ACTIVITY:
        raise AwardError(
            {"unit": f"{unit.code} n'est pas une unité d'activité : elle s'obtient par examen."}
        )
    if way == Credit.Way.REPORT and not is_direction(by):
        raise AwardError("La validation d'un rapport est une décision du jury (direction).")
    if way == Credit.Way.OTHER_CENTRE and document is None:
        raise AwardError({"document": "L'attestation de réussite de l'autre centre est à joindre."})
    with transaction.atomic():
        try:
            with transaction.atomic():
                return Credit.objects.create(
                    learner=learner,
                    unit=unit,
                    way=way,
                    earned_on=earned_on,
                    published_on=clock.today(),
                    mark=mark,
                    justification=justification.strip(),
                    document=document,
                    recorded_by=by,
                )
        except IntegrityError:
            raise AwardError(
                {"unit": f"{unit.code} est déjà acquise : elle est capitalisée à vie (R-EXA-4)."}
            ) from None


JURY_WAYS = (Credit.Way.REPORT, Credit.Way.VAE, Credit.Way.VES)


@transaction.atomic
def withdraw_credit(credit: Credit, reason: str, by) -> None:
    """Take back a credit recorded by mistake (an exam credit follows its marks; a
    jury's decision — report, VAE, VES — is the direction's to take back). The history
    keeps it, with who and why; a decided exam of the UE then earns it, if any."""
    credit = Credit.objects.select_for_update().select_related("unit").get(pk=credit.pk)
    if credit.way == Credit.Way.EXAM:
        raise AwardError("Une UE obtenue par examen suit ses notes : corrigez la note.")
    if credit.way in JURY_WAYS and not is_direction(by):
        raise AwardError("Cette UE vient d'une décision de jury : seule la direction la retire.")
    if not reason.strip():
        raise AwardError({"reason": "Le motif est obligatoire."})
    guard_granted(credit)
    credit._change_reason = reason.strip()
    credit.history_user = by  # simple_history reads it for the deletion row
    credit.delete()
    reconcile_exam_credits(credit.unit_id, [credit.learner_id])


# --- experience and internships -----------------------------------------------------------


def add_period(learner, values: dict, uploaded, by) -> ExperiencePeriod:
    """A period declared by the learner with its attestation or internship agreement
    (same upload rules as the dossier); to be accepted by staff."""
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if ends_on < starts_on:
        raise AwardError({"ends_on": "La date de fin précède la date de début."})
    if ends_on > clock.today():
        raise AwardError(
            {"ends_on": "Une période ne s'atteste qu'une fois finie : la date de fin est à venir."}
        )
    with transaction.atomic():
        document = store_evidence(learner, uploaded, by)
        return ExperiencePeriod.objects.create(learner=learner, document=document, **values)


@transaction.atomic
def review_period(period: ExperiencePeriod, accepted: bool, reason: str, by) -> ExperiencePeriod:
    period = ExperiencePeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != ExperiencePeriod.Status.PENDING:
        raise AwardError(f"Cette période est déjà « {period.get_status_display().lower()} ».")
    if not accepted and not reason.strip():
        raise AwardError({"reason": "Indiquez le motif du refus : l'apprenant le lira."})
    period.status = (
        ExperiencePeriod.Status.ACCEPTED if accepted else ExperiencePeriod.Status.REJECTED
    )
    period.rejection_reason = "" if accepted else reason.strip()
    period.reviewed_by, period.reviewed_at = by, clock.now()
    period.save()
    return period


@transaction.atomic
def remove_period(period: ExperiencePeriod) -> None:
    period = ExperiencePeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == ExperiencePeriod.Status.ACCEPTED:
        raise AwardError("Une période acceptée ne peut plus être retirée.")
    document = period.document
    period.delete()
    document.delete()
    uploads.delete_stored(document.stored_name)  # once the removal is committed


def periods_of(rows: Iterable[ExperiencePeriod]) -> list[Period]:
    return [
        Period(p.kind, p.field, p.starts_on, p.ends_on)
        for p in rows
        if p.status == ExperiencePeriod.Status.ACCEPTED
    ]


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


# --- the path to the diploma --------------------------------------------------------------


@dataclass(frozen=True)
class UnitToTake:
    code: str
    title: str
    ects: int
    activity: bool
    offering: Offering | None


@dataclass(frozen=True)
class ProgrammePath:
    programme: rc.Programme
    status: AwardStatus
    access_to_check: bool  # the only missing thing is access, checked at the request
    can_request: bool
    units_to_take: tuple[UnitToTake, ...]
    experience: Experience
    open_request: AwardRequest | None
    granted: AwardRequest | None


@dataclass(frozen=True)
class LearnerRecord:
    credits: list[Credit]
    periods: list[ExperiencePeriod]
    cases: list[ValidationCase]
    requests: list[AwardRequest]
    paths: list[ProgrammePath]


def access_of(
    cases: Iterable[ValidationCase], requests: Iterable[AwardRequest], programme: str
) -> str:
    """How the access conditions to `programme` are proven (R-REG-5): a VAP85 or VAE
    granted for it, or what staff checked at a request for it; "none" otherwise."""
    for case in cases:
        if case.grants_access and case.programme.code == programme:
            return case.kind.lower()
    for request in requests:
        if request.programme.code == programme and request.access != AwardRequest.Access.NONE:
            return request.access
    return "none"


def learner_record(learner, staff: bool = False, today: dt.date | None = None) -> LearnerRecord:
    """Everything of the learner's path, in a fixed number of queries: the ledger (a
    learner sees an exam credit from its publication day, R-EXA-5; staff see it at
    once), periods, validations, requests, and the award status of each programme."""
    today = today or clock.today()
    credits = (
        Credit.objects.filter(learner=learner)
        .select_related("unit", "session__year", "document")
        .prefetch_related("unit__programmes")
    )
    if not staff:
        credits = credits.filter(published_on__lte=today)
    credits = sorted(credits, key=lambda c: (c.earned_on, c.unit.code))
    periods = list(ExperiencePeriod.objects.filter(learner=learner).select_related("document"))
    cases = list(ValidationCase.objects.filter(learner=learner).select_related("programme"))
    requests = list(AwardRequest.objects.filter(learner=learner).select_related("programme"))
    catalogue = full_catalogue()
    paths = [
        programme_path(catalogue, code, credits, periods, cases, requests, today)
        for code in AWARD_PROGRAMMES
        if any(p.code == code for p in catalogue.programmes)
    ]
    return LearnerRecord(credits, periods, cases, requests, paths)


def programme_path(
    catalogue: rc.Catalogue,
    code: str,
    credits: list[Credit],
    periods: list[ExperiencePeriod],
    cases: list[ValidationCase],
    requests: list[AwardRequest],
    today: dt.date,
    access: str | None = None,
) -> ProgrammePath:
    """One programme's path; `access` overrides what is proven so far (staff checking
    a request decide it on the pieces)."""
    programme = catalogue.programme(code)
    regulation = regulation_on(catalogue, today)
    experience = experience_for(regulation, programme, periods_of(periods))
    validated = {c.unit.code: c.earned_on for c in credits}
    if access is None:
        access = access_of(cases, requests, code)
    status = decide_award(regulation, catalogue, code, today, validated, access, experience)
    others = [m for m in status.missing if m.item != "access"]
    units = {u.code: u for u in catalogue.units}
    to_take = tuple(
        UnitToTake(
            m.item,
            units[m.item].title,
            units[m.item].ects,
            units[m.item].is_activity,
            next_offering(catalogue.years, units[m.item].period, today),
        )
        for m in status.missing
        if m.item in units
    )
    mine = [r for r in requests if r.programme.code == code]
    open_request = next(
        (
            r
            for r in mine
            if r.status in (AwardRequest.Status.REQUESTED, AwardRequest.Status.CHECKED)
        ),
        None,
    )
    granted = next((r for r in mine if r.status == AwardRequest.Status.GRANTED), None)
    return ProgrammePath(
        programme=programme,
        status=status,
        access_to_check=bool(status.missing) and not others,
        can_request=not others and open_request is None and granted is None,
        units_to_take=to_take,
        experience=experience,
        open_request=open_request,
        granted=granted,
    )


def decide_award(
    regulation,
    catalogue: rc.Catalogue,
    code: str,
    on: dt.date,
    validated: dict[str, dt.date],
    access: str,
    experience: Experience,
) -> AwardStatus:
    """The rules core's award status from the ledger's figures: the one call the path
    pages and the bulk pass share (R-AWD-1..3)."""
    return award_status(
        regulation,
        catalogue,
        RulesAwardRequest(
            programme=code,
            on=on,
            validated=validated,
            access=access,
            experience_months=experience.experience_months,
            experience_in_field=experience.experience_in_field,
            internship_months=experience.internship_months,
        ),
    )


def regulation_on(catalogue: rc.Catalogue, on: dt.date):
    """The year whose regulation applies on `on`: the one containing it, else the latest
    that started before it, else the first."""
    years = sorted(catalogue.years, key=lambda r: r.first_day)
    if not years:
        raise AwardError("Aucune année universitaire n'est chargée.")
    started = [r for r in years if r.first_day <= on]
    for regulation in started:
        if regulation.contains(on):
            return regulation
    return started[-1] if started else years[0]


# --- award requests -----------------------------------------------------------------------


def path_for(learner, code: str, staff: bool = True, access: str | None = None):
    """The learner's path in one programme, decided on today's date."""
    today = clock.today()
    credits = Credit.objects.filter(learner=learner).select_related("unit")
    if not staff:
        credits = credits.filter(published_on__lte=today)
    return programme_path(
        full_catalogue(),
        code,
        list(credits),
        list(ExperiencePeriod.objects.filter(learner=learner)),
        list(ValidationCase.objects.filter(learner=learner).select_related("programme")),
        list(AwardRequest.objects.filter(learner=learner).select_related("programme")),
        today,
        access=access,
    )


def request_award(learner, programme: Programme) -> AwardRequest:
    """The learner asks for the certificate or the title (R-AWD-1, R-AWD-2). Refused,
    with every missing condition (R-AWD-3), unless only the access conditions are left:
    they are checked now, on the pieces (R-REG-5)."""
    with transaction.atomic():
        # One request at a time per learner: two clicks make one request.
        get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
        path = path_for(learner, programme.code, staff=False)
        if path.granted is not None:
            raise AwardError(f"{programme.code} vous a déjà été délivré.")
        if path.open_request is not None:
            raise AwardError(f"Votre demande de {programme.code} est déjà en cours.")
        missing = [m for m in path.status.missing if m.item != "access"]
        if missing:
            raise AwardError([m.message for m in missing])
        return AwardRequest.objects.create(
            learner=learner,
            programme=programme,
            requested_on=clock.today(),
            missing_at_request=[
                {"rule": m.rule_id, "item": m.item, "message": m.message}
                for m in path.status.missing
            ],
        )


def _locked_request(request: AwardRequest, *statuses: str) -> AwardRequest:
    request = (
        AwardRequest.objects.select_for_update()
        .select_related("programme", "learner")
        .get(pk=request.pk)
    )
    if request.status not in statuses:
        raise AwardError(
            f"Cette demande ne le permet pas dans son état actuel : "
            f"« {request.get_status_display()} »."
        )
    return request


def check_request(
    request: AwardRequest, access: str, note: str, by, document: Evidence | None = None
) -> AwardRequest:
    """Staff check the pieces: how the access conditions are proven (R-REG-5) — a
    diploma seen (its copy attached or named in the note), or a VAE / VAP85 decided for
    this programme — and that every other condition still holds. Refused while one is
    missing, each named; the request period is judged on the day of the request."""
    with transaction.atomic():
        request = _locked_request(request, AwardRequest.Status.REQUESTED)
        code = request.programme.code
        if access not in AwardRequest.Access.values:
            raise AwardError({"access": "Choisissez comment l'accès est justifié."})
        decided = access_of(
            ValidationCase.objects.filter(learner=request.learner).select_related("programme"),
            (),
            code,
        )
        if access == AwardRequest.Access.NONE:
            access = decided
        if access == AwardRequest.Access.NONE:
            raise AwardError(
                {
                    "access": "Les conditions d'accès ne sont pas justifiées : le diplôme ne "
                    "peut être délivré (R-REG-5)."
                }
            )
        if access in (AwardRequest.Access.VAE, AwardRequest.Access.VAP85) and access != decided:
            raise AwardError(
                {"access": f"Aucune {access.upper()} n'a été accordée pour {code} à cet apprenant."}
            )
        diploma = access in (
            AwardRequest.Access.BAC,
            AwardRequest.Access.BAC_LEVEL,
            AwardRequest.Access.EQUIVALENT,
        )
        if diploma and document is None and not note.strip():
            raise AwardError(
                {
                    "note": "Joignez la copie du diplôme ou indiquez dans les observations "
                    "la pièce vue (par exemple : copie du bac du dossier d'inscription)."
                }
            )
        status = path_for(request.learner, code, access=access).status
        missing = _missing_for(request, status)
        if missing:
            raise AwardError(missing)
        request.access = access
        request.access_document = document
        request.check_note = note.strip()
        request.checked_by, request.checked_on = by, clock.today()
        request.status = AwardRequest.Status.CHECKED
        request.save()
    return request


def _missing_for(request: AwardRequest, status: AwardStatus) -> list[str]:
    """What is missing, for staff: the learner's path in the rules core's words, the
    request period judged on the day the request was made (R-AWD-1)."""
    in_time = status.request_deadline is None or request.requested_on <= status.request_deadline
    return [
        f"Pour l'apprenant : {m.message}"
        for m in status.missing
        if not (m.item == "request_period" and in_time)
    ]


@transaction.atomic
def refuse_request(request: AwardRequest, reason: str, by) -> AwardRequest:
    """Staff refuse a request whose pieces fall short; once checked, refusing is the
    award jury's decision (direction)."""
    request = _locked_request(request, AwardRequest.Status.REQUESTED, AwardRequest.Status.CHECKED)
    if request.status == AwardRequest.Status.CHECKED and not is_direction(by):
        raise AwardError("Les pièces sont vérifiées : seul le jury de délivrance peut refuser.")
    if not reason.strip():
        raise AwardError({"reason": "Le motif du refus est obligatoire : l'apprenant le lira."})
    request.status, request.decision_note = AwardRequest.Status.REFUSED, reason.strip()
    request.decided_by, request.decided_on = by, clock.today()
    request.save()
    return request


def grant(request: AwardRequest, by, note: str = "") -> AwardRequest:
    """The award jury grants the certificate or title: the conditions are decided once
    more by the rules core on the day, then the credential gets its number (programme,
    year, order of award) and its date, and a verifiable document."""
    with transaction.atomic():
        request = _locked_request(request, AwardRequest.Status.CHECKED)
        Programme.objects.select_for_update().get(pk=request.programme.pk)  # numbers in order
        status = path_for(request.learner, request.programme.code, access=request.access).status
        missing = _missing_for(request, status)
        if missing:
            raise AwardError(missing)
        today = clock.today()
        prefix = f"{request.programme.code}-{today.year}-"
        order = AwardRequest.objects.filter(number__startswith=prefix).count() + 1
        request.number = f"{prefix}{order:05d}"
        request.status = AwardRequest.Status.GRANTED
        request.decided_by, request.decided_on = by, today
        request.decision_note = note.strip()
        request.save()
        issue_document(
            request.learner,
            IssuedDocument.Kind.CREDENTIAL,
            f"{request.programme.get_kind_display()} {request.programme.code} « "
            f"{request.programme.title} » n° {request.number}",
            {
                "kind": request.programme.get_kind_display(),
                "programme": request.programme.code,
                "title": request.programme.title,
                "number": request.number,
                "ects": status.ects_earned,
                "declared_ects": status.ects_required,
            },
            award=request,
        )
    return request


# --- issued documents ---------------------------------------------------------------------


def holder_name(learner) -> str:
    """The name as on the learner's latest dossier, else the account's."""
    from admissions.models import Dossier

    dossier = (
        Dossier.objects.filter(learner=learner)
        .exclude(last_name="")
        .order_by("-created_at")
        .only("first_name", "last_name")
        .first()
    )
    if dossier:
        return f"{dossier.first_name} {dossier.last_name.upper()}".strip()
    return learner.get_full_name() or learner.email


def issue_document(
    learner, kind: str, title: str, content: dict, award: AwardRequest | None = None
) -> IssuedDocument:
    """A document with a fresh verification code (retried on the rare collision)."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return IssuedDocument.objects.create(
                    code=new_code(),
                    kind=kind,
                    learner=learner,
                    award=award,
                    holder_name=holder_name(learner),
                    title=title,
                    issued_on=clock.today(),
                    content=content,
                )
        except IntegrityError:
            continue
    raise AwardError("Impossible d'attribuer un code de vérification : réessayez.")


@transaction.atomic
def revoke_document(document: IssuedDocument, reason: str, by) -> IssuedDocument:
    document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if document.revoked_on:
        raise AwardError("Ce document est déjà révoqué.")
    if not reason.strip():
        raise AwardError({"reason": "Le motif de la révocation est obligatoire."})
    document.revoked_on, document.revocation_reason = clock.today(), reason.strip()
    document._change_reason = reason.strip()
    document.save()
    return document


def find_document(code: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(code=code).first()


@dataclass(frozen=True)
class TranscriptRow:
    code: str
    title: str
    ects: int
    mark: Decimal | None
    absence: str
    session: str  # "Session 1 (semestre 1)" or the way it was earned
    year: str
    validated: bool


def transcript_rows(learner, today: dt.date | None = None) -> list[TranscriptRow]:
    """The relevé de notes: every published result (R-EXA-5) with its mark, session,
    year and ECTS when it validated the UE, and every UE earned otherwise, in date
    order. Two queries."""
    from assessment.services import published_marks

    today = today or clock.today()
    credits = {
        c.unit_id: c
        for c in Credit.objects.filter(learner=learner, published_on__lte=today).select_related(
            "unit"
        )
    }
    rows: list[tuple[dt.date, TranscriptRow]] = []
    for mark in published_marks(learner, today):
        credit = credits.get(mark.unit_id)
        earned_here = credit is not None and credit.session_id == mark.session_id
        regulation = mark.session.year.regulation
        rows.append(
            (
                mark.session.ends_on,
                TranscriptRow(
                    mark.unit.code,
                    mark.unit.title,
                    mark.unit.ects if earned_here else 0,
                    mark.value,
                    mark.get_absence_display() if mark.absence else "",
                    str(mark.session).split(",")[0],
                    mark.session.year.code,
                    validates(regulation, mark.value),
                ),
            )
        )
    for credit in credits.values():
        if credit.way == Credit.Way.EXAM:
            continue
        rows.append(
            (
                credit.earned_on,
                TranscriptRow(
                    credit.unit.code,
                    credit.unit.title,
                    credit.unit.ects,
                    credit.mark,
                    "",
                    credit.get_way_display(),
                    _year_code(credit.earned_on),
                    True,
                ),
            )
        )
    rows.sort(key=lambda row: (row[0], row[1].code))
    return [row for _, row in rows]


def _year_code(on: dt.date) -> str:
    """The academic year of a date, written as its code (2016-2017)."""
    for year in AcademicYear.objects.only("code", "source"):
        if year.regulation.contains(on):
            return year.code
    return str(on.year)


def issue_transcript(learner) -> IssuedDocument:
    """The relevé de notes as of today, frozen in the document (R-EXA-4, R-EXA-5)."""
    rows = transcript_rows(learner)
    if not rows:
        raise AwardError("Aucun résultat publié : le relevé de notes serait vide.")
    content = {
        "rows": [
            {
                "code": r.code,
                "title": r.title,
                "ects": r.ects,
                "mark": None if r.mark is None else str(r.mark),
                "absence": r.absence,
                "session": r.session,
                "year": r.year,
                "validated": r.validated,
            }
            for r in rows
        ],
        "ects": sum(r.ects for r in rows),  # each UE counted once, on the row that earned it
    }
    return issue_document(learner, IssuedDocument.Kind.TRANSCRIPT, "Relevé de notes", content)


def issue_attendance(learner, dossier_pk: int) -> IssuedDocument:
    """The attestation de suivi of a final registration (R-EXA-6, R-REG-9): the UEs
    followed, with the sessions attended, whether or not exams were sat."""
    from admissions.models import Dossier
    from teaching.realisation import followed
    from teaching.services import FOLLOWING, attendance_counts

    dossier = (
        Dossier.objects.filter(learner=learner, pk=dossier_pk, status__in=FOLLOWING)
        .select_related("year", "programme", "centre")
        .first()
    )
    if dossier is None:
        raise AwardError("Une attestation de suivi suppose une inscription définitive.")
    chosen = list(dossier.units.select_related("unit").order_by("unit__code"))
    counts = attendance_counts(dossier.year, [learner.pk], [c.unit_id for c in chosen])
    # The hours are the certificat de réalisation's (R-ORG-1, R-ORG-2): signed sheets and
    # validated distance activity, over the year.
    regulation = dossier.year.regulation
    done = followed(learner.pk, regulation.first_day, regulation.last_day)
    content = {
        "year": dossier.year.label,
        "programme": f"{dossier.programme.code} « {dossier.programme.title} »",
        "centre": dossier.centre.name if dossier.centre_id else "",
        "units": [
            {
                "code": c.unit.code,
                "title": c.unit.title,
                "foad": c.foad,
                "attended": sum(counts.get((learner.pk, c.unit_id), {}).values()),
                "hours": str(done.hours(c.unit_id)),
            }
            for c in chosen
        ],
    }
    return issue_document(
        learner,
        IssuedDocument.Kind.ATTENDANCE,
        f"Attestation de suivi — {dossier.year.label}",
        content,
    )


def learners_like(query: str):
    """Staff search: by e-mail or by a dossier's name."""
    from accounts.roles import ROLES

    query = query.strip()
    users = get_user_model().objects.filter(groups__name=ROLES["learner"].group)
    if not query:
        return users.none()
    return (
        users.filter(
            Q(email__icontains=query)
            | Q(dossiers__last_name__icontains=query)
            | Q(dossiers__first_name__icontains=query)
        )
        .distinct()
        .order_by("email")[:50]
    )


def unit_or_error(code: str) -> Unit:
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise InputError("unit", f"UE inconnue « {code} »") from None
