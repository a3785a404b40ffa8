"""Every state change of a dossier, each a named function inside a transaction.

Views and the admin call these; they call the rules core for every decision (pieces,
deadlines, quotes, withdrawal) and save its result. The dossier row is locked
(`select_for_update`) while it changes, so two clicks or two officers cannot interleave.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from admissions import notifications, signals
from admissions.models import (
    Cancellation,
    ContractAcceptance,
    Dossier,
    DossierFile,
    DossierItem,
    DossierUnit,
    Payment,
)
from catalogue.bridge import rules_catalogue
from catalogue.models import AcademicYear, Unit
from catalogue.services import ForeignUnit, foreign_unit, opened_unit_codes
from parcours import clock, uploads
from rules import dossier as rd
from rules.explain import InputError, Reason, euros, money
from rules.fees import Quote, QuoteRequest, quote
from rules.registration import RegistrationWindow, registration_open
from rules.withdrawal import CancellationRequest, cancel

Status = Dossier.Status
ItemStatus = DossierItem.Status


class DossierError(ValidationError):
    """A refused action, in French; `messages` lists every reason."""


class DuplicatePayment(DossierError):
    """The payment looks like one already recorded; recorded only once confirmed."""


# --- reading ---------------------------------------------------------------------------


def open_years(on: dt.date) -> list[AcademicYear]:
    """The years whose pre-registration is open on `on` for at least one semester."""
    years = []
    for year in AcademicYear.objects.order_by("code"):
        regulation = year.regulation
        if any(registration_open(regulation, s.code, on).open for s in regulation.semesters):
            years.append(year)
    return years


def windows(dossier: Dossier, on: dt.date | None = None) -> list[RegistrationWindow]:
    """Each semester's registration window on `on` (R-REG-6)."""
    regulation = dossier.year.regulation
    on = on or clock.today()
    return [registration_open(regulation, s.code, on) for s in regulation.semesters]


def semester_of(unit: Unit, semester_codes: list[str]) -> str:
    """The semester a UE is registered in: its own, or the first for an annual UE
    (which starts with the first semester)."""
    return unit.period if unit.period in semester_codes else semester_codes[0]


def situation(dossier: Dossier) -> rd.Situation:
    return rd.Situation(
        situation=dossier.situation,
        nationality=dossier.nationality,
        funding=dossier.funding,
        declares_units_from_other_centres=dossier.declares_units_from_other_centres,
        employer_certificate_signed=dossier.employer_certificate_signed,
    )


def pieces(dossier: Dossier) -> tuple[rd.Piece, ...]:
    """The year's pieces with their status for this applicant (R-REG-2), or () while
    the situation, nationality or funding is not yet given. `save_step` keeps the
    sections coherent, so the rules core's InputError cannot happen here."""
    if not (dossier.situation and dossier.nationality and dossier.funding):
        return ()
    return rd.checklist(dossier.year.regulation, situation(dossier))


# Registrations that took place: their file fee was due (a withdrawal refunds it).
REGISTERED = (Status.VALIDATED, Status.TERMINATED)


def is_first_registration(dossier: Dossier) -> bool:
    """The file fee is due "pour la première inscription au centre régional du Cnam
    uniquement" (R-FEE-1): true unless the learner has a registration that took place
    before this one (validated earlier, or — this one not validated yet — at all). What
    the centre set, with its reason, wins (a learner registered before Parcours)."""
    if dossier.first_registration_override is not None:
        return dossier.first_registration_override
    if "_first_registration" not in dossier.__dict__:  # asked once per loaded dossier
        earlier = Dossier.objects.filter(
            learner_id=dossier.learner_id, status__in=REGISTERED
        ).exclude(pk=dossier.pk)
        if dossier.validated_on is not None:
            earlier = earlier.filter(
                Q(validated_on__lt=dossier.validated_on)
                | Q(validated_on=dossier.validated_on, pk__lt=dossier.pk)
            )
        dossier._first_registration = not earlier.exists()
    return dossier._first_registration


def note_first_registrations(dossiers: list[Dossier]) -> None:
    """`is_first_registration` and the registration right already paid (R-FEE-1) for a
    list of dossiers in one query (a learner's space, the direction's dashboard)."""
    learners = {d.learner_id for d in dossiers}
    registered: dict[int, list[tuple[int, dt.date | None, int, str]]] = {}
    query = Dossier.objects.filter(status__in=REGISTERED)
    if len(learners) <= 500:  # else every registration: an IN list of 100 000 is slower
        query = query.filter(learner_id__in=learners)
    for pk, learner_id, validated_on, year_id, status in query.values_list(
        "pk", "learner_id", "validated_on", "year_id", "status"
    ).iterator(chunk_size=20000):
        if learner_id in learners:
            registered.setdefault(learner_id, []).append((pk, validated_on, year_id, status))
    for dossier in dossiers:
        others = [row for row in registered.get(dossier.learner_id, ()) if row[0] != dossier.pk]
        earlier = others
        if dossier.validated_on is not None:
            earlier = [
                (pk, on, year_id, status)
                for pk, on, year_id, status in others
                if on is not None
                and (on < dossier.validated_on or (on == dossier.validated_on and pk < dossier.pk))
            ]
        dossier._first_registration = not earlier
        dossier._right_paid = any(
            year_id == dossier.year_id and status == Status.TERMINATED
            for _, _, year_id, status in others
        )


# What a quote reads of a dossier (quote_request, is_first_registration): a bulk pass
# loads these fields only — the year's 10 kB source text is read once per year.
QUOTED_FIELDS = (
    "pk",
    "learner_id",
    "year_id",
    "status",
    "validated_on",
    "funding",
    "employer_share_percent",
    "first_registration_override",
    "experience_report",
    "validation",
    "job_seeker_category",
    "rate_decision",
    "employer_certificate_signed",
)


def dues_by_payer(registered) -> tuple[dict[str, Decimal], list[int]]:
    """What the quotes of a queryset of dossiers ask of each payer (R-FEE-1..5), in a
    fixed number of queries whatever their number (no list of ids is sent back); a quote
    is computed once per distinct request (most learners ask the same). Also the
    dossiers whose quote cannot be computed (their choices break a fee rule), left out."""
    dossiers = list(registered.only(*QUOTED_FIELDS).order_by())
    years = AcademicYear.objects.in_bulk({d.year_id for d in dossiers})
    chosen: dict[int, list[tuple[str, bool]]] = {}
    for dossier_id, code, foad in DossierUnit.objects.filter(dossier__in=registered).values_list(
        "dossier_id", "unit__code", "foad"
    ):
        chosen.setdefault(dossier_id, []).append((code, foad))
    note_first_registrations(dossiers)
    catalogue = rules_catalogue(
        Unit.objects.filter(
            code__in={code for rows in chosen.values() for code, _ in rows}
        ).prefetch_related("programmes")
    )
    memo: dict[tuple, Quote | None] = {}
    due: dict[str, Decimal] = {}
    unquotable: list[int] = []
    for dossier in dossiers:
        # one year object per year: its opened UEs are kept on it (opened_unit_codes)
        dossier.year = years[dossier.year_id]
        # The UEs' order changes the quote's lines, not what each payer owes: sorted,
        # far more learners share a request (the memo's hits).
        request = quote_request(dossier, sorted(chosen.get(dossier.pk, [])))
        key = (dossier.year_id, request)
        if key not in memo:
            try:
                memo[key] = quote(dossier.year.regulation, catalogue, request)
            except InputError:
                memo[key] = None
        if memo[key] is None:
            unquotable.append(dossier.pk)
            continue
        for share in memo[key].shares:
            due[share.payer] = due.get(share.payer, Decimal(0)) + share.amount
    return {payer: money(amount) for payer, amount in due.items()}, unquotable


def set_first_registration(dossier: Dossier, value: bool | None, reason: str, by) -> Dossier:
    """The centre fixes whether this is a first registration (None: derived again),
    with its reason, before the dossier is validated (the quote follows)."""
    reason = " ".join((reason or "").split())
    if value is not None and not reason:
        raise DossierError({"reason": "Indiquez le motif : il est gardé dans l'historique."})
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status not in (Status.DRAFT, Status.DEPOSITED, Status.INCOMPLETE):
            raise DossierError(
                "Le dossier est clos ou l'inscription définitive : son devis ne change plus."
            )
        locked.first_registration_override = value
        locked.first_registration_reason = reason if value is not None else ""
        locked._change_reason = reason or "première inscription : calcul automatique"
        locked.save()
    return locked


def quote_request(dossier: Dossier, chosen: list[tuple[str, bool]] | None = None) -> QuoteRequest:
    """The dossier's quote request; `chosen`, its UEs as (code, FOAD) when the caller
    read them."""
    if chosen is None:
        chosen = [(c.unit.code, c.foad) for c in dossier.units.all()]
    share = Decimal(1)
    if dossier.funding == Dossier.Funding.EMPLOYER and dossier.employer_share_percent is not None:
        share = dossier.employer_share_percent / 100  # a percentage, as a fraction
    # The DIB is paid once per academic year (R-FEE-1): a registration of the same
    # year that was terminated kept it (R-REG-8).
    if "_right_paid" not in dossier.__dict__:  # asked once per loaded dossier
        dossier._right_paid = (
            Dossier.objects.filter(learner_id=dossier.learner_id, year_id=dossier.year_id)
            .filter(status=Status.TERMINATED)
            .exclude(pk=dossier.pk)
            .exists()
        )
    right_paid = dossier._right_paid
    return QuoteRequest(
        funding=dossier.funding or "individual",
        registration_right_paid=right_paid,
        units=tuple(code for code, foad in chosen if not foad),
        foad_units=tuple(code for code, foad in chosen if foad),
        first_registration=is_first_registration(dossier),
        experience_report=dossier.experience_report,
        validation=dossier.validation,
        job_seeker_category=dossier.job_seeker_category,
        direction_approved=dossier.rate_decision == Dossier.RateDecision.APPROVED,
        employer_share=share,
        employer_certificate_signed=dossier.employer_certificate_signed,
        opened_locally=opened_unit_codes(dossier.year),
    )


def dossier_quote(dossier: Dossier) -> Quote:
    """The quote of the dossier (R-FEE-1..5), at its year's prices; computed once per
    request and per answer (a page asks several times)."""
    request = quote_request(dossier)
    memo = dossier.__dict__.setdefault("_quotes", {})
    if request not in memo:
        units = Unit.objects.filter(code__in=request.units + request.foad_units).prefetch_related(
            "programmes"
        )
        memo[request] = quote(dossier.year.regulation, rules_catalogue(units), request)
    return memo[request]


@dataclass(frozen=True)
class Balance:
    payer: str
    label: str
    due: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.due - self.paid


def balances(dossier: Dossier, current: Quote | None = None) -> list[Balance]:
    """What each payer owes under the quote, has paid, and still owes."""
    current = current or dossier_quote(dossier)
    paid: dict[str, Decimal] = {}
    for payment in dossier.payments.all():
        if payment.is_guarantee:
            continue  # held, not paid (R-REG-2)
        paid[payment.payer] = paid.get(payment.payer, Decimal(0)) + payment.amount
    labels = dict(Payment.Payer.choices)
    rows = [
        Balance(s.payer, labels[s.payer], s.amount, money(paid.pop(s.payer, 0)))
        for s in current.shares
    ]
    rows += [Balance(p, labels[p], money(0), money(v)) for p, v in paid.items()]
    return rows


def total_paid(dossier: Dossier) -> Decimal:
    """What was paid towards the quote: guarantee cheques are held, not paid."""
    return money(sum((p.amount for p in dossier.payments.all() if not p.is_guarantee), Decimal(0)))


def guarantee_held(dossier: Dossier) -> Decimal:
    """The guarantee cheques the centre holds, not yet handed back (R-REG-2 item 9)."""
    return money(
        sum(
            (p.amount for p in dossier.payments.all() if p.is_guarantee and not p.returned_on),
            Decimal(0),
        )
    )


@transaction.atomic
def signed_certificate_received(dossier: Dossier, by) -> int:
    """The employer's signed funding certificate arrived: the dossier says so, and the
    guarantee cheques are handed back (R-REG-2 item 9). Returns how many."""
    locked = _locked(dossier)
    if locked.funding != Dossier.Funding.EMPLOYER:
        raise DossierError("Ce dossier n'est pas financé par un employeur.")
    locked.employer_certificate_signed = True
    locked._change_reason = "attestation de prise en charge signée reçue"
    locked.save()
    returned = 0
    for payment in Payment.objects.select_for_update().filter(
        dossier=locked, is_guarantee=True, returned_on__isnull=True
    ):
        payment.returned_on = clock.today()
        payment._change_reason = "chèque de garantie rendu : attestation signée reçue"
        payment.save()
        returned += 1
    return returned


def registration_fees_settled(dossier: Dossier, current: Quote) -> Reason | None:
    """None when the file fee and DIB are paid or covered (R-REG-4); otherwise why not.

    Covered: the employer's signed funding certificate was accepted (R-REG-2 item 9).
    """
    due = current.due_at_registration
    if dossier.funding == Dossier.Funding.EMPLOYER and dossier.employer_certificate_signed:
        accepted = any(
            item.code == "employer_funding_certificate" and item.status == ItemStatus.ACCEPTED
            for item in dossier.items.all()
        )
        employer_share = sum(
            (s.amount for s in current.shares if s.payer == "employer"), Decimal(0)
        )
        if accepted and employer_share >= due:
            return None
    paid = total_paid(dossier)
    if paid >= due:
        return None
    return Reason(
        "R-REG-4",
        f"Les frais d'inscription ({euros(due)}) sont exigibles dès l'inscription : "
        f"{euros(paid)} reçus à ce jour.",
    )


def missing_pieces(dossier: Dossier) -> tuple[rd.Piece, ...]:
    """Applicable pieces with no file, or whose file was refused (R-REG-3)."""
    provided = {
        item.code
        for item in dossier.items.all()
        if item.status in (ItemStatus.UPLOADED, ItemStatus.ACCEPTED)
    }
    return rd.missing_for_deposit(pieces(dossier), provided)


def problems_before_deposit(
    dossier: Dossier, steps: list[str], on: dt.date, check_deadlines: bool = True
) -> list[str]:
    """Everything that stops the deposit, in French (R-REG-1, R-REG-3, R-REG-6, R-REG-2)."""
    problems = [
        f"Rubrique « {title} » à compléter."
        for slug, title in steps
        if slug not in dossier.steps_done
    ]
    chosen = list(dossier.units.all())
    if not chosen and not dossier.validation:
        problems.append("Aucune UE choisie (rubrique « Formation et UE »).")
    open_semesters = {w.semester: w for w in windows(dossier, on)} if check_deadlines else {}
    for choice in chosen:
        window = open_semesters.get(choice.semester)
        if window is not None and not window.open:
            problems.append(f"{choice.unit.code} : {window.reasons[0].message}")
    for piece in missing_pieces(dossier):
        problems.append(f"Pièce manquante : {piece.label}.")
    problems += _stale(dossier, on)
    return problems


# --- the applicant -------------------------------------------------------------------------


def start_dossier(learner, year: AcademicYear) -> Dossier:
    """The learner's live dossier for the year, made once (a double click makes one)."""
    existing = _live(learner, year)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Dossier.objects.create(
                learner=learner,
                year=year,
                last_name=learner.last_name,
                first_name=learner.first_name,
            )
    except IntegrityError:
        # A concurrent request made it first: that one is the dossier.
        return _live(learner, year)


def _live(learner, year) -> Dossier | None:
    return (
        Dossier.objects.filter(learner=learner, year=year)
        .exclude(status__in=[Status.WITHDRAWN, Status.TERMINATED])
        .first()
    )


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().select_related("year").get(pk=dossier.pk)


def save_step(
    dossier: Dossier,
    step: str,
    values: dict,
    units: list[tuple] | None = None,
    seen_version: int | None = None,
):
    """Save one section of a draft (R-REG-1); `units` replaces the chosen UEs
    (unit, semester, foad) when the section is "Formation et UE". `seen_version` is the
    dossier's version the page showed: if the dossier was saved since (another tab),
    nothing is written and the applicant is told."""
    with transaction.atomic():
        locked = _locked(dossier)
        if not locked.is_editable:
            raise DossierError("Le dossier est déposé : ses rubriques ne peuvent plus changer.")
        if seen_version is not None and seen_version != locked.version:
            raise DossierError(
                "Votre dossier a été modifié entre-temps (dans un autre onglet ?) : rien n'a "
                "été enregistré. Rechargez la page, vérifiez la rubrique, puis enregistrez-la."
            )
        locked.version += 1
        for name, value in values.items():
            setattr(locked, name, value)
        if step not in locked.steps_done:
            locked.steps_done = [*locked.steps_done, step]
        if (
            locked.funding == Dossier.Funding.JOB_SEEKER
            and locked.situation != Dossier.Situation.JOB_SEEKER
        ):
            # The job-seeker rate needs the job-seeker situation: a changed situation
            # sends the applicant back to the funding section.
            locked.funding = ""
            locked.steps_done = [s for s in locked.steps_done if s != "financement"]
        if locked.funding == Dossier.Funding.JOB_SEEKER and locked.job_seeker_category:
            category = locked.job_seeker_category
            rate = locked.year.regulation.tariffs.job_seeker_rate(category)
            needs = rate is not None and rate.requires_direction_approval
            if needs and locked.rate_decision == Dossier.RateDecision.NOT_NEEDED:
                locked.rate_decision = Dossier.RateDecision.PENDING
            elif not needs:
                locked.rate_decision = Dossier.RateDecision.NOT_NEEDED
        elif locked.funding:
            locked.rate_decision = Dossier.RateDecision.NOT_NEEDED
        locked.save()
        if units is not None:
            _replace_units(locked, units)
        _sync_items(locked)
    return locked


def _replace_units(dossier: Dossier, units: list[tuple]) -> None:
    """`units`: (unit, semester, foad); a unit may be another centre's UE as the
    applicant gave it (catalogue.services.ForeignUnit), stored here the first time."""
    units = [
        (foreign_unit(unit) if isinstance(unit, ForeignUnit) else unit, semester, foad)
        for unit, semester, foad in units
    ]
    wanted = {unit.pk: (semester, foad) for unit, semester, foad in units}
    for choice in list(dossier.units.all()):
        if choice.unit_id not in wanted:
            choice.delete()
        else:
            semester, foad = wanted.pop(choice.unit_id)
            if (choice.semester, choice.foad) != (semester, foad):
                choice.semester, choice.foad = semester, foad
                choice.save()
    for unit_id, (semester, foad) in wanted.items():
        DossierUnit.objects.create(dossier=dossier, unit_id=unit_id, semester=semester, foad=foad)


def _sync_items(dossier: Dossier) -> None:
    """One item per applicable piece; an item of a piece that no longer applies goes
    away unless it holds files (then staff still see them)."""
    applicable = {p.code for p in pieces(dossier) if p.status != "not_applicable"}
    existing = {item.code: item for item in dossier.items.prefetch_related("files")}
    for code in applicable - set(existing):
        DossierItem.objects.create(dossier=dossier, code=code)
    for code, item in existing.items():
        if code not in applicable and not item.files.all():
            item.delete()


def add_file(dossier: Dossier, code: str, uploaded, by, issued_on: dt.date | None = None):
    """Attach a checked file to a piece (R-REG-2); a rejected piece is replaced: its
    refused files are removed and it goes back to "to check"."""
    # The dossier's state and the piece's count first: a file that could not be kept is
    # never decoded (an image costs seconds and memory to check).
    _piece_accepting(dossier, code)
    clean = uploads.clean_upload(uploaded)  # raises UploadRefused (French, names the file)
    with transaction.atomic():
        locked = _locked(dossier)
        item = _piece_accepting(locked, code, for_update=True)
        if item.status == ItemStatus.REJECTED:
            for old in item.files.all():
                uploads.delete_stored(old.stored_name)
                old.delete()
        stored = uploads.store(clean)
        DossierFile.objects.create(
            item=item,
            stored_name=stored,
            display_name=clean.display_name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            uploaded_by=by,
        )
        item.status = ItemStatus.UPLOADED
        item.provided_on = clock.today()
        item.rejection_reason = ""
        item.reviewed_by = None
        item.reviewed_at = None
        if issued_on is not None:
            item.issued_on = issued_on
        item.save()
    return item


def _piece_accepting(dossier: Dossier, code: str, for_update: bool = False) -> DossierItem:
    """The piece `code` of the dossier, if it may take one more file; else DossierError."""
    if not dossier.accepts_pieces:
        raise DossierError("Ce dossier n'accepte plus de pièces.")
    items = dossier.items.select_for_update() if for_update else dossier.items
    item = items.filter(code=code).first()
    if item is None:
        raise DossierError("Cette pièce n'est pas demandée pour ce dossier.")
    if not dossier.piece_open(item):
        raise DossierError(
            "Cette pièce est en cours d'examen ou acceptée : elle ne peut plus changer."
        )
    if item.status != ItemStatus.REJECTED and (
        item.files.count() >= settings.UPLOAD_MAX_FILES_PER_ITEM
    ):
        raise DossierError(
            f"Au plus {settings.UPLOAD_MAX_FILES_PER_ITEM} fichiers par pièce : "
            "supprimez-en un avant d'en ajouter."
        )
    return item


def remove_file(dossier: Dossier, file_pk: int, by) -> None:
    with transaction.atomic():
        locked = _locked(dossier)
        stored = (
            DossierFile.objects.select_related("item")
            .filter(pk=file_pk, item__dossier=locked)
            .first()
        )
        if stored is None:  # removed meanwhile (another tab, a double click)
            raise DossierError("Ce fichier a déjà été retiré.")
        item = stored.item
        if not locked.piece_open(item):
            raise DossierError("Ce fichier ne peut plus être retiré.")
        uploads.delete_stored(stored.stored_name)
        stored.delete()
        if not item.files.exists():
            item.status = ItemStatus.MISSING
            item.save()


def deposit(dossier: Dossier, steps: list[str], accepted: str = "", by=None) -> Dossier:
    """Deposit the dossier: it freezes and the withdrawal period starts (R-REG-7).
    `accepted` is the SHA-256 of the training contract the applicant read and accepted
    with the deposit (R-ORG-3): it must be the document as it stands, and is kept.
    Depositing twice is harmless: the second time changes nothing."""
    from admissions import contract

    today = clock.today()
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status != Status.DRAFT:
            return locked
        problems = problems_before_deposit(locked, steps, today)
        current = contract.digest(locked)
        if not accepted:
            problems.append(
                f"Lisez le {contract.TITLES[contract.kind_of(locked)].lower()} et cochez "
                "« J'accepte » avant de déposer."
            )
        elif accepted != current:
            problems.append(
                "Le contrat a changé depuis que vous l'avez lu (dossier modifié) : "
                "relisez-le et acceptez-le à nouveau."
            )
        if problems:
            raise DossierError(problems)
        ContractAcceptance.objects.create(
            dossier=locked,
            kind=contract.kind_of(locked),
            version=locked.year.regulation.contract.version,
            sha256=current,
            accepted_by=by or locked.learner,
        )
        locked.status = Status.DEPOSITED
        locked.deposited_on = today
        locked.save()
        notifications.deposited(locked)
    return locked


def send_back(dossier: Dossier, steps: list[str]) -> Dossier:
    """After "incomplete", the applicant sends the completed dossier back (R-REG-3)."""
    today = clock.today()
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status != Status.INCOMPLETE:
            return locked
        problems = problems_before_deposit(locked, steps, today, check_deadlines=False)
        if problems:
            raise DossierError(problems)
        locked.status = Status.DEPOSITED
        locked.save()
    return locked


def _stale(dossier: Dossier, on: dt.date) -> list[str]:
    """Dated pieces too old on the day they reach the centre (R-REG-2): the deposit
    day, or the day a replacement was added after it."""
    items = {item.code: item for item in dossier.items.all()}
    regulation = dossier.year.regulation
    out = []
    for piece in pieces(dossier):
        item = items.get(piece.code)
        if piece.status == "not_applicable" or item is None:
            continue
        if item.status in (ItemStatus.MISSING, ItemStatus.ACCEPTED):
            continue
        reached = max(filter(None, (dossier.deposited_on or on, item.provided_on)))
        reason = rd.recent_enough(regulation, piece, item.issued_on, reached)
        if reason:
            out.append(reason.message)
    return out


def _withdrawal_request(dossier: Dossier, current: Quote, on: dt.date) -> CancellationRequest:
    return CancellationRequest(
        deposited_on=dossier.deposited_on or on,
        requested_on=on,
        paid=total_paid(dossier),
        contract_value=current.total,
        first_registration=is_first_registration(dossier),
        registration_right_charged=_charges_registration_right(current),
    )


def withdrawal_preview(dossier: Dossier):
    """What a withdrawal today would give, without saving (R-REG-7)."""
    current = dossier_quote(dossier)
    return cancel(dossier.year.regulation, _withdrawal_request(dossier, current, clock.today()))


def withdraw(dossier: Dossier, by) -> Cancellation:
    """Withdrawal within the period after deposit: everything paid is refunded (R-REG-7).
    A second click finds the withdrawal already recorded and changes nothing."""
    today = clock.today()
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status == Status.WITHDRAWN:
            return locked.cancellation
        if locked.status not in (Status.DEPOSITED, Status.INCOMPLETE, Status.VALIDATED):
            raise DossierError("Seul un dossier déposé peut faire l'objet d'une rétractation.")
        current = dossier_quote(locked)
        result = cancel(locked.year.regulation, _withdrawal_request(locked, current, today))
        if result.outcome != "withdrawal":
            raise DossierError([r.message for r in result.reasons[:1]])
        cancellation = _record_end(locked, Cancellation.Kind.WITHDRAWAL, today, current, result, by)
        _close(locked, Status.WITHDRAWN, today)
        notifications.ended(locked, cancellation)
    return cancellation


def _termination_request(
    dossier: Dossier,
    current: Quote,
    *,
    requested_on: dt.date,
    letter_date: dt.date | None,
    letter_reference: str,
    sessions_delivered: int | None,
    sessions_planned: int | None,
) -> CancellationRequest:
    regulation = dossier.year.regulation
    chosen_semesters = sorted({c.semester for c in dossier.units.all()}) or [
        regulation.semesters[0].code
    ]
    return CancellationRequest(
        deposited_on=dossier.deposited_on,
        requested_on=requested_on,
        paid=total_paid(dossier),
        contract_value=current.total,
        first_registration=is_first_registration(dossier),
        registration_right_charged=_charges_registration_right(current),
        force_majeure=True,
        letter_date=letter_date,
        letter_reference=letter_reference,
        sessions_delivered=sessions_delivered,
        sessions_planned=sessions_planned,
        training_starts=regulation.semester(chosen_semesters[0]).courses_start,
        training_ends=regulation.semester(chosen_semesters[-1]).courses_end,
    )


def settlement_preview(dossier: Dossier, **termination):
    """The rules core's answer to a termination, without saving (for the form)."""
    if dossier.status != Status.VALIDATED:
        raise DossierError("Seule une inscription définitive peut être résiliée.")
    current = dossier_quote(dossier)
    try:
        return cancel(
            dossier.year.regulation, _termination_request(dossier, current, **termination)
        )
    except InputError as error:
        raise DossierError({error.field: error.message}) from None


def terminate(dossier: Dossier, by, **termination) -> Cancellation:
    """Termination for force majeure, recorded by staff with the registered letter's
    date and reference: only the training delivered is due, pro rata (R-REG-8)."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status == Status.TERMINATED:
            return locked.cancellation
        result = settlement_preview(locked, **termination)
        if result.outcome == "withdrawal":
            raise DossierError(
                "La demande est dans le délai de rétractation : l'apprenant se rétracte "
                "depuis son espace (remboursement intégral)."
            )
        if result.outcome != "termination":
            raise DossierError([r.message for r in result.reasons])
        cancellation = _record_end(
            locked,
            Cancellation.Kind.TERMINATION,
            termination["requested_on"],
            dossier_quote(locked),
            result,
            by,
            letter_date=termination["letter_date"],
            letter_reference=termination["letter_reference"],
            sessions_delivered=termination["sessions_delivered"],
            sessions_planned=termination["sessions_planned"],
        )
        _close(locked, Status.TERMINATED, clock.today())
        notifications.ended(locked, cancellation)
    return cancellation


def _charges_registration_right(current: Quote) -> bool:
    """The DIB is in this contract unless a validation fee includes it (R-FEE-4): the
    quote then has nothing due at registration (a dossier never starts with it paid)."""
    return current.due_at_registration > 0


def _record_end(dossier, kind, requested_on, current, result, by, **extra):
    return Cancellation.objects.create(
        dossier=dossier,
        kind=kind,
        requested_on=requested_on,
        contract_value=current.total,
        paid=total_paid(dossier),
        owed=money(result.owed),
        refund=money(result.refund),
        explanation=[{"rule_id": r.rule_id, "message": r.message} for r in result.reasons],
        recorded_by=by,
        **extra,
    )


def _close(dossier: Dossier, status: str, on: dt.date) -> None:
    dossier.status = status
    dossier.closed_on = on
    dossier.save()


# --- the reception and the direction ---------------------------------------------------------


def review_item(item: DossierItem, accepted: bool, reason: str, by) -> DossierItem:
    """Accept or reject a piece; a rejection says why (R-REG-3)."""
    reason = reason.strip()
    if not accepted and not reason:
        raise DossierError({"reason": "Indiquez le motif du refus : l'apprenant le verra."})
    with transaction.atomic():
        locked = _locked(item.dossier)
        item = locked.items.select_for_update().get(pk=item.pk)
        if locked.status not in (Status.DEPOSITED, Status.INCOMPLETE):
            raise DossierError("Les pièces s'examinent sur un dossier déposé.")
        if item.status == ItemStatus.MISSING:
            raise DossierError("Aucun fichier n'a été déposé pour cette pièce.")
        item.status = ItemStatus.ACCEPTED if accepted else ItemStatus.REJECTED
        item.rejection_reason = "" if accepted else reason
        item.reviewed_by = by
        item.reviewed_at = clock.now()
        item.save()
    return item


def mark_incomplete(dossier: Dossier, note: str, by) -> Dossier:
    """The dossier is not accepted as it is: the applicant is told what is missing
    (R-REG-3), by e-mail and in their space."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status != Status.DEPOSITED:
            raise DossierError("Seul un dossier déposé peut être déclaré incomplet.")
        locked.incomplete_note = note.strip()
        missing = what_is_missing(locked)
        if not missing:
            raise DossierError(
                {"note": "Aucune pièce ne manque : dites à l'apprenant ce qui est à corriger."}
            )
        locked.status = Status.INCOMPLETE
        locked.save()
        notifications.incomplete(locked, missing)
    return locked


def refuse(dossier: Dossier, reason: str, by) -> Dossier:
    """The centre refuses a deposited dossier (e.g. never completed): it is closed, the
    applicant is told why, and its documents are purged later like a withdrawal's."""
    reason = reason.strip()
    if not reason:
        raise DossierError({"reason": "Indiquez le motif du refus : l'apprenant le recevra."})
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status not in (Status.DEPOSITED, Status.INCOMPLETE):
            raise DossierError("Seul un dossier déposé, non encore validé, peut être refusé.")
        locked.refusal_reason = reason
        _close(locked, Status.REFUSED, clock.today())
        notifications.refused(locked)
    return locked


def what_is_missing(dossier: Dossier) -> list[str]:
    """The list the applicant receives (R-REG-3): missing and refused pieces."""
    labels = {p.code: p.label for p in pieces(dossier)}
    refused = {i.code for i in dossier.items.all() if i.status == ItemStatus.REJECTED}
    # A refused piece is listed once, with its reason, not also as missing.
    lines = [
        f"Pièce manquante : {p.label}" for p in missing_pieces(dossier) if p.code not in refused
    ]
    rows = pieces(dossier)
    given = {ItemStatus.UPLOADED, ItemStatus.ACCEPTED}
    statuses = {item.code: item.status for item in dossier.items.all()}
    groups_given = {p.group for p in rows if p.group and statuses.get(p.code) in given}
    alternative_given = {p.code for p in rows if p.group in groups_given}
    rejected = [
        i
        for i in dossier.items.all()
        if i.status == ItemStatus.REJECTED and i.code not in alternative_given
    ]
    for item in rejected:
        lines.append(
            f"Pièce refusée : {labels.get(item.code, item.code)} — {item.rejection_reason}"
        )
    if dossier.incomplete_note:
        lines.append(dossier.incomplete_note)
    return lines


def decide_rate(dossier: Dossier, approved: bool, by) -> Dossier:
    """The direction approves or refuses the job-seeker category 5–8 rate (R-FEE-2)."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.rate_decision == Dossier.RateDecision.NOT_NEEDED:
            raise DossierError("Ce dossier ne demande pas de décision sur le tarif.")
        if locked.status not in (Status.DEPOSITED, Status.INCOMPLETE):
            raise DossierError("La décision se prend sur un dossier déposé.")
        locked.rate_decision = (
            Dossier.RateDecision.APPROVED if approved else Dossier.RateDecision.REFUSED
        )
        locked.save()
    return locked


def problems_before_validation(dossier: Dossier) -> list[str]:
    problems = []
    items = {item.code: item for item in dossier.items.all()}
    satisfied_groups = set()
    for piece in pieces(dossier):
        item = items.get(piece.code)
        if piece.group and item is not None and item.status == ItemStatus.ACCEPTED:
            satisfied_groups.add(piece.group)
    reported = set()
    for piece in pieces(dossier):
        if piece.status == "not_applicable":
            continue
        item = items.get(piece.code)
        if item is not None and item.status == ItemStatus.ACCEPTED:
            continue
        if piece.group:
            if piece.group in satisfied_groups or piece.group in reported:
                continue
            reported.add(piece.group)
        problems.append(f"Pièce non acceptée : {piece.label}.")
    if dossier.rate_decision == Dossier.RateDecision.PENDING:
        problems.append("Le tarif demandeur d'emploi attend la décision de la direction (R-FEE-2).")
    try:
        current = dossier_quote(dossier)
    except InputError as error:
        return [*problems, f"Devis impossible : {error.message}"]
    unpaid = registration_fees_settled(dossier, current)
    if unpaid is not None:
        problems.append(unpaid.message)
    held = guarantee_held(dossier)
    if current.guarantee and held < current.guarantee:
        problems.append(
            "L'attestation de l'employeur n'est pas signée : des chèques de garantie au tarif "
            f"individuel ({euros(current.guarantee)}) sont obligatoires ; {euros(held)} reçus "
            "(R-REG-2)."
        )
    return problems


def validate(dossier: Dossier, by) -> Dossier:
    """The centre validates the dossier: the registration becomes final (R-REG-1),
    once every piece is accepted and the registration fees are paid or covered (R-REG-4)."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status == Status.VALIDATED:
            return locked
        if locked.status != Status.DEPOSITED:
            raise DossierError("Seul un dossier déposé (et complet) peut être validé.")
        problems = problems_before_validation(locked)
        if problems:
            raise DossierError(problems)
        locked.status = Status.VALIDATED
        locked.validated_on = clock.today()
        locked.save()
        # The ledger opens a VAE, VAP85 or VES application (R-FEE-4), in this transaction.
        signals.registration_validated.send(Dossier, dossier=locked, by=by)
        notifications.validated(locked)
    return locked


def record_payment(
    dossier: Dossier,
    *,
    token: uuid.UUID,
    payer: str,
    method: str,
    amount: Decimal,
    received_on: dt.date,
    by,
    cheque_number: str = "",
    reference: str = "",
    confirmed_second: bool = False,
    is_guarantee: bool = False,
    scheme: str = "",
) -> Payment:
    """Record money received; the same form token records one payment only. A cheque
    (or reference) already recorded with the same amount and payer is refused with
    `DuplicatePayment` unless the reception confirms it is a second one. A guarantee
    (R-REG-2 item 9) is the learner's cheques, held until the employer signs."""
    if isinstance(amount, float) or amount <= 0:
        raise DossierError({"amount": "Le montant doit être un nombre positif (en euros)."})
    if method == Payment.Method.CHEQUE and not cheque_number.strip():
        raise DossierError({"cheque_number": "Indiquez le numéro du chèque."})
    if scheme and scheme not in dict(Payment._meta.get_field("scheme").choices):
        raise DossierError({"scheme": "Choisissez une ligne du bilan dans la liste."})
    if is_guarantee and (method != Payment.Method.CHEQUE or payer != Payment.Payer.LEARNER):
        raise DossierError(
            {"is_guarantee": "Une garantie se remet en chèques de l'élève (R-REG-2)."}
        )
    with transaction.atomic():
        locked = _locked(dossier)
        existing = Payment.objects.filter(token=token).first()
        if existing is not None:
            if existing.dossier_id != locked.pk:
                raise DossierError("Ce formulaire a déjà servi pour un autre dossier.")
            return existing
        if not locked.is_live or locked.status == Status.DRAFT:
            raise DossierError("Les paiements s'enregistrent sur un dossier déposé.")
        if not confirmed_second:
            _refuse_a_same_payment(locked, payer, method, money(amount), cheque_number, reference)
        return Payment.objects.create(
            dossier=locked,
            token=token,
            payer=payer,
            method=method,
            amount=money(amount),
            received_on=received_on,
            cheque_number=cheque_number.strip(),
            reference=reference.strip(),
            recorded_by=by,
            is_guarantee=is_guarantee,
            scheme=scheme,
        )


def _refuse_a_same_payment(dossier, payer, method, amount, cheque_number, reference) -> None:
    """The same cheque number (or transfer reference), amount and payer already
    recorded, on this dossier or another: most likely the same money typed twice."""
    number = cheque_number.strip() if method == Payment.Method.CHEQUE else reference.strip()
    if not number:
        return
    field = "cheque_number" if method == Payment.Method.CHEQUE else "reference"
    same = (
        Payment.objects.filter(
            payer=payer, method=method, amount=amount, **{f"{field}__iexact": number}
        )
        .select_related("dossier__learner")
        .order_by("received_on")
        .first()
    )
    if same is None:
        return
    payer_name = same.get_payer_display()
    payer_name = payer_name[0].lower() + payer_name[1:]
    what = f"Le chèque n° {number}" if field == "cheque_number" else f"Le paiement « {number} »"
    where = (
        "sur ce dossier"
        if same.dossier_id == dossier.pk
        else f"sur le dossier n° {same.dossier_id} ({same.dossier.learner.email})"
    )
    raise DuplicatePayment(
        {
            field: (
                f"{what} de {euros(amount)}, payé par {payer_name}, est déjà "
                f"enregistré {where}, reçu le {same.received_on:%d/%m/%Y}. S'il s'agit bien "
                "d'un second paiement, cochez « C'est un second paiement » et enregistrez "
                "à nouveau."
            )
        }
    )


# --- personal data (RGPD) ----------------------------------------------------------------


def purge_documents(on: dt.date, keep_days: int) -> int:
    """Delete the files of withdrawn or refused dossiers closed more than `keep_days`
    ago (CNIL: at most two years for applicants not registered); the dossier row, its
    decisions and its history stay. Returns the number of files removed."""
    limit = on - dt.timedelta(days=keep_days)
    files = DossierFile.objects.filter(
        item__dossier__status__in=[Status.WITHDRAWN, Status.REFUSED],
        item__dossier__closed_on__lt=limit,
    )
    count = 0
    with transaction.atomic():
        for stored in files.select_for_update():
            uploads.delete_stored(stored.stored_name)
            stored.delete()
            count += 1
    return count
