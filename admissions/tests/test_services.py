"""The dossier's life through its services: pieces, deposit, review, payments,
validation, withdrawal and termination, each citing the rule it proves."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core import mail

from admissions import contract, services
from admissions.forms import STEP_TITLES
from admissions.models import Cancellation, Dossier, DossierFile, DossierItem, Payment
from admissions.tests.conftest import TODAY, fill, pdf_file, upload_all


def accept_all(dossier, by):
    for item in dossier.items.exclude(status=DossierItem.Status.MISSING):
        services.review_item(item, True, "", by)


def terminate_5_of_20(dossier, by, reference="1A 1"):
    """A force-majeure termination received on 14/11/2016 (letter of 10/11) after 5 of
    20 sessions (R-REG-8)."""
    return services.terminate(
        dossier,
        by,
        requested_on=dt.date(2016, 11, 14),
        letter_date=dt.date(2016, 11, 10),
        letter_reference=reference,
        sessions_delivered=5,
        sessions_planned=20,
    )


def pay(dossier, by, amount="118.00", token=None, payer="learner"):
    return services.record_payment(
        dossier,
        token=token or uuid.uuid4(),
        payer=payer,
        method=Payment.Method.CHEQUE,
        amount=Decimal(amount),
        received_on=TODAY,
        cheque_number="0001234",
        by=by,
    )


@pytest.mark.django_db
def test_a_double_start_makes_one_dossier(learner, year):
    """Integrity: a double click on "start" creates one dossier."""
    first = services.start_dossier(learner, year)
    second = services.start_dossier(learner, year)
    assert first.pk == second.pk
    assert Dossier.objects.filter(learner=learner).count() == 1


def test_the_checklist_follows_the_situation(draft):
    """R-REG-2: an employee, French, paying herself: employment proofs, identity and
    payment are asked; the residence permit is not."""
    codes = set(draft.items.values_list("code", flat=True))
    assert {"cv", "cover_letter", "diplomas", "social_security", "photos", "identity"} <= codes
    assert {"employment_certificate", "payslip", "payment"} <= codes
    assert "residence_permit" not in codes
    services.save_step(draft, "nationalite", {"nationality": "foreign"})
    codes = set(draft.items.values_list("code", flat=True))
    assert "residence_permit" in codes and "identity" not in codes


def test_deposit_refuses_a_dossier_with_missing_pieces(draft):
    """R-REG-3: a dossier with a missing piece is not accepted; the list says which."""
    with pytest.raises(services.DossierError) as error:
        services.deposit(draft, STEP_TITLES, contract.digest(draft))
    assert any("Un CV détaillé à jour" in m for m in error.value.messages)
    draft.refresh_from_db()
    assert draft.status == Dossier.Status.DRAFT


def test_deposit_freezes_the_dossier(deposited):
    """R-REG-7: deposit dates the dossier (start of the withdrawal period); the
    sections can no longer change."""
    assert deposited.status == Dossier.Status.DEPOSITED
    assert deposited.deposited_on == TODAY
    with pytest.raises(services.DossierError):
        services.save_step(deposited, "identite", {"last_name": "Autre"})
    again = services.deposit(
        deposited, STEP_TITLES, contract.digest(deposited)
    )  # a second click changes nothing
    assert again.deposited_on == TODAY


def test_deposit_mail_is_sent_on_commit(draft, learner, django_capture_on_commit_callbacks):
    upload_all(draft, learner)
    with django_capture_on_commit_callbacks(execute=True):
        services.deposit(draft, STEP_TITLES, contract.digest(draft))
    assert len(mail.outbox) == 1
    assert "déposé" in mail.outbox[0].subject
    assert mail.outbox[0].to == [learner.email]


def test_a_late_unit_is_refused_at_deposit_with_the_date(draft, learner, settings):
    """R-REG-6: after the S1 deadline (31/10/2016) an S1 UE is refused, with the date."""
    upload_all(draft, learner)
    settings.PARCOURS_TODAY = "2016-11-02"
    with pytest.raises(services.DossierError) as error:
        services.deposit(draft, STEP_TITLES, contract.digest(draft))
    assert any("closes depuis le 31/10/2016" in m for m in error.value.messages)


def test_the_job_seeker_certificate_must_be_recent_at_deposit(learner, year):
    """R-REG-2: the Pôle emploi certificate is less than 15 days old at deposit."""
    dossier = fill(
        services.start_dossier(learner, year),
        situation="job_seeker",
        job_seeker_category=2,
        job_seeker_since=dt.date(2016, 1, 4),
        funding="job_seeker",
    )
    upload_all(dossier, learner)
    item = dossier.items.get(code="job_seeker_certificate")
    item.issued_on = TODAY - dt.timedelta(days=20)
    item.save()
    with pytest.raises(services.DossierError) as error:
        services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    assert any("moins de 15 jours" in m for m in error.value.messages)


def test_reception_rejects_then_the_learner_replaces(deposited, learner, reception):
    """R-REG-3: a rejected piece shows its reason; the applicant replaces it."""
    photos = deposited.items.get(code="photos")
    with pytest.raises(services.DossierError):
        services.review_item(photos, False, "  ", reception)  # a refusal needs a reason
    services.review_item(photos, False, "Photo floue", reception)
    photos.refresh_from_db()
    assert photos.status == DossierItem.Status.REJECTED
    assert "Pièce refusée : 2 photographies" in " ".join(services.what_is_missing(deposited))
    services.add_file(deposited, "photos", pdf_file("photo.pdf"), learner)
    photos.refresh_from_db()
    assert photos.status == DossierItem.Status.UPLOADED
    assert photos.rejection_reason == ""
    assert photos.files.count() == 1  # the refused file is gone
    assert photos.history.count() >= 3  # created, rejected, replaced: all in the history


def test_incomplete_notifies_the_list(deposited, reception, django_capture_on_commit_callbacks):
    """R-REG-3: the applicant is told what is missing."""
    services.review_item(deposited.items.get(code="cv"), False, "CV illisible", reception)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_incomplete(deposited, "Merci de compléter.", reception)
    assert deposited.__class__.objects.get(pk=deposited.pk).status == Dossier.Status.INCOMPLETE
    body = mail.outbox[-1].body
    assert "CV illisible" in body and "Merci de compléter." in body
    # Issue 14, item 12: the refused CV is listed once, with its reason, not also missing.
    cv = [line for line in body.splitlines() if "CV" in line]
    assert len(cv) == 1 and "Pièce refusée" in cv[0], cv


def test_validation_needs_accepted_pieces_and_the_registration_fees(deposited, reception):
    """R-REG-1 and R-REG-4: final once the dossier is validated, with 118 € paid."""
    with pytest.raises(services.DossierError) as error:
        services.validate(deposited, reception)
    assert any("Pièce non acceptée" in m for m in error.value.messages)
    accept_all(deposited, reception)
    with pytest.raises(services.DossierError) as error:
        services.validate(deposited, reception)
    assert any("118,00 €" in m for m in error.value.messages)
    pay(deposited, reception, "118.00")
    validated = services.validate(deposited, reception)
    assert validated.status == Dossier.Status.VALIDATED
    assert validated.validated_on == TODAY


def test_a_payment_posted_twice_is_recorded_once(deposited, reception):
    """Integrity: the same form token records one payment."""
    token = uuid.uuid4()
    first = pay(deposited, reception, token=token)
    second = pay(deposited, reception, token=token)
    assert first.pk == second.pk
    assert deposited.payments.count() == 1


def test_balances_per_payer_under_employer_funding(learner, year, reception):
    """R-FEE-3: a quote split between payers; each balance is due minus paid."""
    dossier = fill(
        services.start_dossier(learner, year),
        funding="employer",
        employer_funder="OPCA Réunion",
        employer_share_percent=Decimal("60"),
        employer_certificate_signed=True,
    )
    current = services.dossier_quote(dossier)
    shares = {s.payer: s.amount for s in current.shares}
    assert sum(shares.values()) == current.total
    upload_all(dossier, learner)
    services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    pay(dossier, reception, "100.00", payer="employer")
    rows = {b.payer: b for b in services.balances(dossier)}
    assert rows["employer"].paid == Decimal("100.00")
    assert rows["employer"].remaining == shares["employer"] - Decimal("100.00")


def test_job_seeker_5_to_8_rate_waits_for_the_direction(learner, year, direction):
    """R-FEE-2: until the direction approves, the individual rate stands."""
    dossier = fill(
        services.start_dossier(learner, year),
        situation="job_seeker",
        job_seeker_category=6,
        job_seeker_since=dt.date(2016, 1, 4),
        funding="job_seeker",
    )
    assert dossier.rate_decision == Dossier.RateDecision.PENDING
    individual = services.dossier_quote(dossier).total
    upload_all(dossier, learner)
    services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    services.decide_rate(dossier, True, direction)
    dossier.refresh_from_db()
    approved = services.dossier_quote(dossier).total
    assert approved < individual
    assert any(r.rule_id == "R-FEE-2" for r in services.dossier_quote(dossier).reasons)


def test_withdrawal_within_ten_days_refunds_everything(deposited, learner, reception, settings):
    """R-REG-7: within 10 calendar days of the deposit, full refund."""
    pay(deposited, reception, "118.00")
    settings.PARCOURS_TODAY = (TODAY + dt.timedelta(days=10)).isoformat()
    cancellation = services.withdraw(deposited, learner)
    assert cancellation.kind == Cancellation.Kind.WITHDRAWAL
    assert cancellation.refund == Decimal("118.00")
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.WITHDRAWN


def test_withdrawal_after_ten_days_is_refused(deposited, learner, settings):
    """R-REG-7: on day 11 the withdrawal period is over."""
    settings.PARCOURS_TODAY = (TODAY + dt.timedelta(days=11)).isoformat()
    with pytest.raises(services.DossierError) as error:
        services.withdraw(deposited, learner)
    assert any("délai de rétractation" in m for m in error.value.messages)
    assert not Cancellation.objects.exists()


def test_termination_is_settled_pro_rata(deposited, learner, reception, settings):
    """R-REG-8: after the period, force majeure by registered letter: the 118 € are
    kept, the rest is due pro rata of the sessions delivered."""
    accept_all(deposited, reception)
    total = services.dossier_quote(deposited).total
    pay(deposited, reception, str(total))
    services.validate(deposited, reception)
    settings.PARCOURS_TODAY = "2016-11-15"
    cancellation = terminate_5_of_20(deposited, reception, "1A 234 567 8901 2")
    expected_owed = Decimal("118.00") + (total - Decimal("118.00")) * Decimal(5) / Decimal(20)
    assert cancellation.owed == expected_owed.quantize(Decimal("0.01"))
    assert cancellation.refund == total - cancellation.owed
    assert cancellation.letter_reference == "1A 234 567 8901 2"
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.TERMINATED


def test_a_failure_after_a_write_leaves_nothing_half_written(deposited, reception, monkeypatch):
    """Transactions: the validation is saved, then its e-mail fails: the dossier, its
    history and its validation date are as they were."""
    accept_all(deposited, reception)
    pay(deposited, reception, "118.00")
    before = deposited.history.count()

    def broken(dossier):
        raise RuntimeError("serveur de courrier indisponible")

    monkeypatch.setattr(services.notifications, "validated", broken)
    with pytest.raises(RuntimeError):
        services.validate(deposited, reception)
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.DEPOSITED
    assert deposited.validated_on is None
    assert deposited.history.count() == before


def test_withdrawn_applicants_documents_are_purged_after_the_keeping_period(
    deposited, learner, settings
):
    """Security guide (RGPD): documents of withdrawn applicants go after a set period;
    the dossier and its history stay."""
    files = DossierFile.objects.filter(item__dossier=deposited).count()
    assert files >= 9
    services.withdraw(deposited, learner)
    assert services.purge_documents(TODAY + dt.timedelta(days=730), 730) == 0
    assert services.purge_documents(TODAY + dt.timedelta(days=731), 730) == files
    assert not deposited.items.filter(files__isnull=False).exists()
    assert Dossier.objects.filter(pk=deposited.pk, status=Dossier.Status.WITHDRAWN).exists()


def test_termination_when_only_the_registration_fees_were_paid(deposited, reception, settings):
    """R-REG-8: owed is computed on the contract's value; what was paid is compared
    with it: here the learner still owes the rest, and nothing is refunded."""
    accept_all(deposited, reception)
    pay(deposited, reception, "118.00")
    services.validate(deposited, reception)
    total = services.dossier_quote(deposited).total
    settings.PARCOURS_TODAY = "2016-11-15"
    cancellation = terminate_5_of_20(deposited, reception, "1A 1")
    owed = (Decimal("118.00") + (total - Decimal("118.00")) / 4).quantize(Decimal("0.01"))
    assert (cancellation.owed, cancellation.paid, cancellation.refund) == (
        owed,
        Decimal("118.00"),
        Decimal("0.00"),
    )
    assert cancellation.balance == owed - Decimal("118.00")
    text = " ".join(r["message"] for r in cancellation.explanation)
    assert "déjà payé : 118,00 €" in text and "reste à payer" in text


def test_withdrawal_refunds_what_was_paid_and_says_so(deposited, learner, reception):
    """R-REG-7: the refund is what was paid (118 €), not the quote's total."""
    pay(deposited, reception, "118.00")
    cancellation = services.withdraw(deposited, learner)
    assert cancellation.refund == Decimal("118.00")
    assert "tout est remboursé (118,00 €)" in cancellation.explanation[0]["message"]
    assert services.withdraw(deposited, learner).pk == cancellation.pk  # a second click


def test_a_new_situation_resets_the_job_seeker_funding(learner, year):
    """A job-seeker rate without the job-seeker situation cannot stay: the funding
    section is to be filled again, and the deposit says so."""
    dossier = fill(
        services.start_dossier(learner, year),
        situation="job_seeker",
        job_seeker_category=2,
        job_seeker_since=dt.date(2016, 1, 4),
        funding="job_seeker",
    )
    services.save_step(dossier, "situation", {"situation": "employee"})
    dossier.refresh_from_db()
    assert dossier.funding == "" and "financement" not in dossier.steps_done
    assert services.pieces(dossier) == ()
    problems = services.problems_before_deposit(dossier, STEP_TITLES, TODAY)
    assert "Rubrique « Financement » à compléter." in problems


def test_incomplete_then_corrected_then_sent_back_then_validated(
    deposited, learner, reception, settings
):
    """R-REG-3: the centre sends the dossier back; the applicant corrects a section and
    replaces a piece; the dossier returns to the queue and can be validated."""
    services.review_item(deposited.items.get(code="cv"), False, "CV de 2009", reception)
    services.mark_incomplete(deposited, "", reception)
    settings.PARCOURS_TODAY = (TODAY + dt.timedelta(days=20)).isoformat()
    services.save_step(deposited, "coordonnees", {"phone": "0262 00 00 00"})
    with pytest.raises(services.DossierError):
        services.send_back(deposited, STEP_TITLES)  # the CV is still refused
    services.add_file(deposited, "cv", pdf_file("cv-2016.pdf"), learner)
    services.send_back(deposited, STEP_TITLES)
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.DEPOSITED
    assert deposited.phone == "0262 00 00 00"
    accept_all(deposited, reception)
    pay(deposited, reception)
    assert services.validate(deposited, reception).status == Dossier.Status.VALIDATED


def test_a_replaced_job_seeker_certificate_is_judged_on_the_day_it_arrives(
    learner, year, reception, settings
):
    """R-REG-2: a certificate replaced after the deposit must be recent on that day
    (a certificate dated after the deposit is not "in the future")."""
    dossier = fill(
        services.start_dossier(learner, year),
        situation="job_seeker",
        job_seeker_category=2,
        job_seeker_since=dt.date(2016, 1, 4),
        funding="job_seeker",
    )
    upload_all(dossier, learner)
    services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    item = dossier.items.get(code="job_seeker_certificate")
    services.review_item(item, False, "Illisible", reception)
    services.mark_incomplete(dossier, "", reception)
    later = TODAY + dt.timedelta(days=30)
    settings.PARCOURS_TODAY = later.isoformat()
    services.add_file(dossier, item.code, pdf_file(), learner, issued_on=later)
    assert services.send_back(dossier, STEP_TITLES).status == Dossier.Status.DEPOSITED


def test_incomplete_without_anything_missing_needs_a_message(deposited, reception):
    with pytest.raises(services.DossierError) as error:
        services.mark_incomplete(deposited, "  ", reception)
    assert "note" in error.value.message_dict


def test_a_refused_dossier_is_closed_and_its_documents_purged_later(deposited, reception):
    """Security guide (RGPD): refused applicants' documents go too, after the period."""
    with pytest.raises(services.DossierError):
        services.refuse(deposited, "", reception)
    services.refuse(deposited, "Dossier jamais complété", reception)
    deposited.refresh_from_db()
    assert deposited.status == Dossier.Status.REFUSED and deposited.closed_on == TODAY
    assert services.purge_documents(TODAY + dt.timedelta(days=731), 730) > 0


def test_employer_certificate_covers_the_fees_only_up_to_its_share(learner, year, reception):
    """R-REG-4: a signed employer certificate covers the 118 € only if the employer's
    share reaches them."""
    dossier = fill(
        services.start_dossier(learner, year),
        funding="employer",
        employer_funder="Petite association",
        employer_share_percent=Decimal("5"),
    )
    upload_all(dossier, learner)
    services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    accept_all(dossier, reception)
    problems = services.problems_before_validation(dossier)
    assert any("118,00 €" in p for p in problems)


def test_the_dib_is_charged_once_per_year(deposited, learner, reception, year, settings):
    """R-FEE-1: after a termination (which keeps the DIB, R-REG-8), a new dossier of
    the same year is quoted without the DIB again."""
    accept_all(deposited, reception)
    pay(deposited, reception)
    services.validate(deposited, reception)
    settings.PARCOURS_TODAY = "2016-11-15"
    terminate_5_of_20(deposited, reception, "1A 1")
    again = fill(services.start_dossier(learner, year), units=("TET007",))
    labels = [line.label for line in services.dossier_quote(again).lines]
    assert not any("Droit d'inscription" in label for label in labels)


def test_deposited_pieces_under_review_are_frozen(deposited, learner, reception):
    """R-REG-7: depositing freezes the dossier: a piece being examined can be neither
    removed nor added to; a refused one can be replaced."""
    cv = deposited.items.get(code="cv")
    with pytest.raises(services.DossierError):
        services.add_file(deposited, "cv", pdf_file(), learner)
    with pytest.raises(services.DossierError):
        services.remove_file(deposited, cv.files.get().pk, learner)
    services.review_item(cv, False, "Illisible", reception)
    services.add_file(deposited, "cv", pdf_file("cv-net.pdf"), learner)
    assert cv.files.get().display_name == "cv-net.pdf"


def test_a_validated_vae_registration_opens_its_application(learner, year, reception):
    """R-FEE-4: the VAE's 1 200 € paid with the dossier; once the centre validates it, the
    application (awards.ValidationCase) opens with its fee marked as paid."""
    from awards.models import ValidationCase

    dossier = fill(services.start_dossier(learner, year), validation="VAE")
    upload_all(dossier, learner)
    services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    accept_all(dossier, reception)
    pay(dossier, reception, amount=str(services.dossier_quote(dossier).total))
    services.validate(dossier, reception)
    case = ValidationCase.objects.get(learner=learner)
    assert (case.kind, case.fee, case.registration) == ("VAE", Decimal("1200.00"), dossier)
    assert case.fee_paid_on == TODAY and case.programme.code == "CP29"
    services.validate(dossier, reception)  # validating twice opens nothing more
    assert ValidationCase.objects.count() == 1


def test_a_file_that_could_not_be_kept_is_never_decoded(draft, learner, settings, monkeypatch):
    """The dossier's state and the piece's count are checked before the file (an image
    costs seconds and memory to decode)."""
    from parcours import uploads

    settings.UPLOAD_MAX_FILES_PER_ITEM = 1
    services.add_file(draft, "cv", pdf_file(), learner)
    checked = []
    monkeypatch.setattr(uploads, "clean_upload", lambda uploaded: checked.append(uploaded))

    with pytest.raises(services.DossierError, match="Au plus 1 fichiers par pièce"):
        services.add_file(draft, "cv", pdf_file("deuxieme.pdf"), learner)
    with pytest.raises(services.DossierError, match="pas demandée"):
        services.add_file(draft, "inconnue", pdf_file(), learner)
    assert checked == []


def test_a_file_removed_twice_says_so_and_writes_nothing(draft, learner):
    """Six parallel "Retirer" of one file gave five server errors (DoesNotExist)."""
    item = services.add_file(draft, "cv", pdf_file(), learner)
    file_pk = item.files.get().pk
    services.remove_file(draft, file_pk, learner)

    with pytest.raises(services.DossierError, match="déjà été retiré"):
        services.remove_file(draft, file_pk, learner)
    assert DossierItem.objects.get(pk=item.pk).status == DossierItem.Status.MISSING


# --- first registration, derived (issue 16, item 6; R-FEE-1) ---------------------------------


def file_fee_lines(dossier):
    return [
        line
        for line in services.dossier_quote(dossier).lines
        if line.rule_id == "R-FEE-1" and "dossier" in line.label.lower()
    ]


def test_the_file_fee_is_due_at_the_first_registration_only_derived_from_earlier_ones(
    deposited, learner, reception, year
):
    """R-FEE-1: "frais de dossier, pour la première inscription au centre uniquement" —
    nobody declares it: an earlier registration that took place decides."""
    assert services.is_first_registration(deposited)
    assert file_fee_lines(deposited)
    # a registration that took place (validated, then ended), the same year for brevity
    Dossier.objects.filter(pk=deposited.pk).update(
        status=Dossier.Status.TERMINATED, validated_on=TODAY
    )
    second = fill(services.start_dossier(learner, year))
    assert not services.is_first_registration(second)
    assert not file_fee_lines(second)
    # the earlier one's quote does not change once a later one exists
    Dossier.objects.filter(pk=second.pk).update(
        status=Dossier.Status.VALIDATED, validated_on=TODAY + dt.timedelta(days=30)
    )
    assert services.is_first_registration(Dossier.objects.get(pk=deposited.pk))


def test_a_withdrawn_registration_does_not_count(deposited, learner, year):
    services.withdraw(deposited, learner)
    again = fill(services.start_dossier(learner, year))
    assert services.is_first_registration(again)


def test_the_centre_fixes_it_with_a_reason_before_validation(deposited, reception):
    with pytest.raises(Exception, match="motif"):
        services.set_first_registration(deposited, False, "  ", reception)
    services.set_first_registration(deposited, False, "Inscrit en 2012, avant Parcours", reception)
    deposited.refresh_from_db()
    assert not services.is_first_registration(deposited) and not file_fee_lines(deposited)
    assert deposited.history.first().history_change_reason == "Inscrit en 2012, avant Parcours"
    services.set_first_registration(deposited, None, "", reception)
    deposited.refresh_from_db()
    assert services.is_first_registration(deposited) and deposited.first_registration_reason == ""


# --- the employer's certificate not signed (issue 16, item 2; R-REG-2 item 9) -----------


def test_an_unsigned_employer_certificate_asks_guarantee_cheques_returned_once_signed(
    learner, year, reception
):
    dossier = fill(
        services.start_dossier(learner, year),
        funding="employer",
        employer_funder="OPCA Réunion",
        employer_share_percent=Decimal("100"),
        employer_certificate_signed=False,
    )
    current = services.dossier_quote(dossier)
    # the individual rate of the same registration: 18 + 100 + its 3 UEs at 60 € per ECTS
    ects = sum(c.unit.ects for c in dossier.units.all())
    assert current.guarantee == Decimal("118.00") + 60 * ects
    upload_all(dossier, learner)
    services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    accept_all(dossier, reception)
    pay(dossier, reception, "118.00")
    problems = services.problems_before_validation(dossier)
    assert any("chèques de garantie" in p for p in problems)

    with pytest.raises(Exception, match="chèques de l'élève"):
        services.record_payment(
            dossier,
            token=uuid.uuid4(),
            payer="learner",
            method="transfer",
            amount=current.guarantee,
            received_on=TODAY,
            by=reception,
            is_guarantee=True,
        )
    services.record_payment(
        dossier,
        token=uuid.uuid4(),
        payer="learner",
        method="cheque",
        cheque_number="778",
        amount=current.guarantee,
        received_on=TODAY,
        by=reception,
        is_guarantee=True,
    )
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert not any("chèques de garantie" in p for p in services.problems_before_validation(dossier))
    assert services.total_paid(dossier) == Decimal("118.00")  # held, not paid
    assert services.guarantee_held(dossier) == current.guarantee

    assert services.signed_certificate_received(dossier, reception) == 1
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.employer_certificate_signed and services.guarantee_held(dossier) == 0
    assert services.dossier_quote(dossier).guarantee == 0
    assert Payment.objects.get(is_guarantee=True).returned_on == TODAY
