"""The ledger, experience, validations and awards through the services (rule ids cited)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from admissions.tests.conftest import pdf_file
from awards import services
from awards.models import AwardRequest, Credit, IssuedDocument
from catalogue.models import Programme, Unit
from timetable.services import LOCAL

from .conftest import CP29_UNITS, accepted_period, earn


def path(learner, code, staff=False):
    return services.path_for(learner, code, staff=staff)


def test_five_ues_earned_the_path_names_the_sixth_the_report_and_when_to_register(
    learner, enrolled, reception
):
    """R-AWD-1, R-AWD-3, R-REG-6: what remains, and the next registration deadline."""
    earn(learner, *CP29_UNITS[:5])
    cp29 = path(learner, "CP29")
    missing = [m.item for m in cp29.status.missing]
    assert missing == ["access", "TET099", "UA2322", "internship"]
    assert cp29.status.ects_earned == 30 and cp29.status.ects_required == 54
    tet099 = next(u for u in cp29.units_to_take if u.code == "TET099")
    assert tet099.offering.semester == "S2"
    assert tet099.offering.deadline == dt.date(2017, 3, 31)
    report = next(u for u in cp29.units_to_take if u.code == "UA2322")
    assert report.activity and report.offering is None
    assert not cp29.can_request
    # R-AWD-1: four years from the first UE's validation.
    assert cp29.status.request_deadline == dt.date(2021, 2, 10)


def test_a_ue_counts_in_every_programme_that_contains_it(learner, enrolled):
    """R-EXA-4: capitalised for life, counted in CP29 and CPN42."""
    earn(learner, "AST004")
    assert path(learner, "CP29").status.ects_earned == 6
    assert path(learner, "CPN42").status.ects_earned == 6


def test_experience_in_the_field_spares_the_internship_of_cp29(learner, enrolled, reception):
    """R-EXP-1: a learner who worked in information, reception, guidance needs no
    internship; months come from the dates."""
    earn(learner, *CP29_UNITS)
    accepted_period(learner, reception, field="information")
    cp29 = path(learner, "CP29")
    assert [m.item for m in cp29.status.missing] == ["access", "UA2322"]
    assert cp29.experience.experience_months == Decimal(24)


def test_cpn42_needs_18_months_and_an_internship_when_outside_the_field(learner, reception):
    """R-EXP-2."""
    accepted_period(learner, reception, field="other")
    cpn42 = path(learner, "CPN42")
    items = [m.item for m in cpn42.status.missing]
    assert "experience" not in items and "internship" in items
    accepted_period(
        learner,
        reception,
        kind="internship",
        field="accompaniment",
        start=dt.date(2016, 4, 1),
        end=dt.date(2016, 6, 30),
    )
    assert "internship" not in [m.item for m in path(learner, "CPN42").status.missing]


def test_a_rejected_or_pending_period_does_not_count(learner, reception):
    """R-EXP-1: only accepted periods count."""
    period = services.add_period(
        learner,
        {
            "kind": "experience",
            "field": "information",
            "organisation": "CCAS",
            "position": "Accueil",
            "starts_on": dt.date(2015, 1, 1),
            "ends_on": dt.date(2015, 6, 30),
        },
        pdf_file(),
        learner,
    )
    assert path(learner, "CP29").experience.experience_months == 0
    with pytest.raises(ValidationError, match="motif"):
        services.review_period(period, False, "", reception)
    services.review_period(period, False, "Attestation illisible", reception)
    assert path(learner, "CP29").experience.experience_months == 0


def test_period_dates_are_checked(learner):
    values = {
        "kind": "experience",
        "field": "information",
        "organisation": "CCAS",
        "position": "Accueil",
        "starts_on": dt.date(2016, 6, 1),
        "ends_on": dt.date(2016, 1, 1),
    }
    with pytest.raises(ValidationError, match="fin précède"):
        services.add_period(learner, values, pdf_file(), learner)


def test_equivalence_only_where_the_catalogue_provides_one(learner, reception):
    """R-CAT-5: TET006 has an equivalence, AST004 none; a justification is required."""
    ast004, tet006 = Unit.objects.get(code="AST004"), Unit.objects.get(code="TET006")
    with pytest.raises(ValidationError, match="Aucune équivalence"):
        services.record_credit(
            learner, ast004, "equivalence", dt.date(2017, 1, 5), "UE Cnam", reception
        )
    with pytest.raises(ValidationError, match="justification"):
        services.record_credit(learner, tet006, "equivalence", dt.date(2017, 1, 5), " ", reception)
    credit = services.record_credit(
        learner, tet006, "equivalence", dt.date(2017, 1, 5), "UE DRA101 obtenue (Paris)", reception
    )
    assert credit.way == "equivalence" and credit.recorded_by == reception
    assert credit.history.count() == 1


def test_a_ue_is_earned_once_for_life(learner, reception):
    """R-EXA-4: a second decision on an earned UE is refused and names it."""
    tet006 = Unit.objects.get(code="TET006")
    services.record_credit(learner, tet006, "equivalence", dt.date(2017, 1, 5), "Eq.", reception)
    with pytest.raises(ValidationError, match="déjà acquise"):
        services.record_credit(
            learner, tet006, "equivalence", dt.date(2017, 1, 6), "Eq.", reception
        )
    assert Credit.objects.filter(learner=learner).count() == 1


def test_another_centre_needs_its_certificate_and_a_report_is_an_activity_unit(learner, reception):
    """R-REG-2 item 8 (certificate of another centre); R-AWD-1 3. (report)."""
    ast004 = Unit.objects.get(code="AST004")
    with pytest.raises(ValidationError, match="attestation de réussite"):
        services.record_credit(
            learner, ast004, "other_centre", dt.date(2017, 1, 5), "Cnam Paris", reception
        )
    with pytest.raises(ValidationError, match="pas une unité d'activité"):
        services.record_credit(learner, ast004, "report", dt.date(2017, 1, 5), "Jury", reception)
    evidence = services.store_evidence(learner, pdf_file("attestation-paris.pdf"), reception)
    credit = services.record_credit(
        learner, ast004, "other_centre", dt.date(2017, 1, 5), "Cnam Paris", reception, evidence
    )
    assert credit.document == evidence


def test_vae_fee_appointment_and_decision_write_the_ledger(learner, reception, direction, year):
    """R-FEE-4 (1200 €), R-REG-5: the jury's decision grants UEs into the ledger."""
    cp29 = Programme.objects.get(code="CP29")
    case = services.open_validation(learner, "VAE", cp29, year, reception)
    assert case.fee == Decimal("1200.00")
    with pytest.raises(ValidationError, match="en cours"):
        services.open_validation(learner, "VAE", cp29, year, reception)
    units = list(Unit.objects.filter(code__in=["AST004", "TET003"]))
    with pytest.raises(ValidationError, match="après l'entretien"):
        services.decide_validation(case, "partial", units, "Acquis démontrés", direction)
    with pytest.raises(ValidationError, match="pas encore déposé"):
        services.schedule_validation(case, dt.datetime(2017, 3, 10, 9, 0, tzinfo=LOCAL), "Le Port")
    services.submit_validation_dossier(case, pdf_file("livret-2.pdf"), reception)
    services.schedule_validation(
        case, dt.datetime(2017, 3, 10, 9, 0, tzinfo=LOCAL), "Le Port, salle 1"
    )
    with pytest.raises(ValidationError, match="forfait"):
        services.decide_validation(case, "partial", units, "Acquis démontrés", direction)
    services.record_validation_fee(case, dt.date(2017, 2, 20))
    case = services.decide_validation(case, "partial", units, "Acquis démontrés", direction)
    assert case.grants_access
    credits = Credit.objects.filter(learner=learner).order_by("unit__code")
    assert [(c.unit_id and c.unit.code, c.way) for c in credits] == [
        ("AST004", "vae"),
        ("TET003", "vae"),
    ]
    assert credits[0].validation == case and "Acquis démontrés" in credits[0].justification
    assert "access" not in [m.item for m in path(learner, "CP29").status.missing]


def test_vap85_opens_access_and_grants_no_ue(learner, reception, direction, year):
    """R-FEE-4 (520 €), R-REG-5."""
    case = services.open_validation(
        learner, "VAP85", Programme.objects.get(code="CPN42"), year, reception
    )
    assert case.fee == Decimal("520.00")
    services.submit_validation_dossier(case, pdf_file(), reception)
    services.schedule_validation(case, dt.datetime(2017, 3, 10, 9, 0, tzinfo=LOCAL), "Le Port")
    services.record_validation_fee(case, dt.date(2017, 2, 20))
    with pytest.raises(ValidationError, match="aucune UE"):
        services.decide_validation(
            case, "granted", [Unit.objects.get(code="AST004")], "Accès", direction
        )
    services.decide_validation(case, "granted", [], "Accès accordé", direction)
    assert not Credit.objects.filter(learner=learner).exists()
    assert services.path_for(learner, "CPN42").status.missing[0].item != "access"


def test_ves_fee(learner, reception, year):
    case = services.open_validation(
        learner, "VES", Programme.objects.get(code="CP29"), year, reception
    )
    assert case.fee == Decimal("300.00")


def _ready_for_cp29(learner, reception):
    earn(learner, *CP29_UNITS)
    accepted_period(learner, reception, field="information")
    earn(learner, "UA2322", way=Credit.Way.REPORT)


def test_request_refused_with_every_missing_condition(learner, enrolled):
    """R-AWD-3: the request names what is missing."""
    earn(learner, *CP29_UNITS[:5])
    with pytest.raises(ValidationError) as refused:
        services.request_award(learner, Programme.objects.get(code="CP29"))
    text = " ".join(refused.value.messages)
    assert "TET099" in text and "UA2322" in text and "stage" in text
    assert not AwardRequest.objects.exists()


def test_request_check_grant_number_and_credential(learner, enrolled, reception, direction):
    """R-AWD-1, R-REG-5: access checked at the request; the jury grants; a number."""
    _ready_for_cp29(learner, reception)
    cp29 = Programme.objects.get(code="CP29")
    request = services.request_award(learner, cp29)
    assert [m["item"] for m in request.missing_at_request] == ["access"]
    with pytest.raises(ValidationError, match="déjà en cours"):
        services.request_award(learner, cp29)
    with pytest.raises(ValidationError, match="Les conditions d'accès ne sont pas justifiées"):
        services.check_request(request, "none", "", reception)
    with pytest.raises(ValidationError, match="Demande reçue"):
        services.grant(request, direction)
    services.check_request(request, "bac", "Copie du bac vue", reception)
    granted = services.grant(request, direction, "Délivré")
    assert granted.number == "CP29-2017-00001" and granted.decided_on == dt.date(2017, 3, 1)
    document = IssuedDocument.objects.get(award=granted)
    assert document.kind == "credential" and document.holder_name == "Léa PAYET"
    assert document.content["ects"] == 54
    path_now = services.path_for(learner, "CP29", staff=False)
    assert path_now.granted == granted and not path_now.can_request
    with pytest.raises(ValidationError, match="déjà été délivré"):
        services.request_award(learner, cp29)


def test_the_jury_decides_again_on_the_day(learner, enrolled, reception, direction):
    """R-AWD-1: a credit withdrawn after the check makes the grant fail, naming it."""
    _ready_for_cp29(learner, reception)
    request = services.request_award(learner, Programme.objects.get(code="CP29"))
    services.check_request(request, "bac", "Copie du bac vue", reception)
    credit = Credit.objects.get(learner=learner, unit__code="TET099")
    services.withdraw_credit(credit, "Saisie erronée", reception)
    with pytest.raises(ValidationError, match="TET099"):
        services.grant(request, direction)
    assert AwardRequest.objects.get().number is None


def test_revoked_document(learner, reception, direction):
    document = services.issue_document(learner, "transcript", "Relevé de notes", {"rows": []})
    with pytest.raises(ValidationError, match="motif"):
        services.revoke_document(document, "", direction)
    services.revoke_document(document, "Erreur de note", direction)
    assert IssuedDocument.objects.get().revoked_on == dt.date(2017, 3, 1)


def test_attendance_attestation_needs_a_final_registration(learner, enrolled, other_learner):
    """R-EXA-6, R-REG-9."""
    document = services.issue_attendance(learner, enrolled.pk)
    assert [u["code"] for u in document.content["units"]] == ["AST004", "TET003"]
    with pytest.raises(ValidationError, match="inscription définitive"):
        services.issue_attendance(other_learner, enrolled.pk)


def test_a_pending_period_is_removed_with_its_file(learner, django_capture_on_commit_callbacks):
    from parcours import uploads

    with django_capture_on_commit_callbacks(execute=True):
        period = services.add_period(
            learner,
            {
                "kind": "internship",
                "field": "information",
                "organisation": "CCAS",
                "position": "Stagiaire",
                "starts_on": dt.date(2016, 5, 2),
                "ends_on": dt.date(2016, 6, 16),
            },
            pdf_file(),
            learner,
        )
    stored = uploads.stored_path(period.document.stored_name)
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_period(period)
    assert not stored.exists()


# --- after review: roles, periods, access per programme, the request period -------------


def test_a_request_in_time_is_judged_on_its_day(learner, enrolled, reception, direction, settings):
    """R-AWD-1: asked on the last day of the 4 years, checked and granted later."""
    _ready_for_cp29(learner, reception)
    Credit.objects.filter(learner=learner).update(earned_on=dt.date(2013, 3, 1))
    request = services.request_award(learner, Programme.objects.get(code="CP29"))
    settings.PARCOURS_TODAY = "2017-03-02"
    services.check_request(request, "bac", "Copie du bac vue", reception)
    assert services.grant(request, direction).number == "CP29-2017-00001"


def test_the_jurys_credits_and_a_checked_request_are_the_directions(
    learner, enrolled, reception, direction
):
    earn(learner, "UA2322", way=Credit.Way.REPORT)
    report = Credit.objects.get(unit__code="UA2322")
    with pytest.raises(ValidationError, match="seule la direction"):
        services.withdraw_credit(report, "Erreur", reception)
    earn(learner, *CP29_UNITS)
    accepted_period(learner, reception)
    request = services.request_award(learner, Programme.objects.get(code="CP29"))
    services.check_request(request, "bac", "Copie du bac vue", reception)
    with pytest.raises(ValidationError, match="seul le jury de délivrance"):
        services.refuse_request(request, "Non", reception)
    assert services.refuse_request(request, "Pièce fausse", direction).status == "refused"


def test_access_is_proven_for_the_programme_asked(learner, enrolled, reception, direction, year):
    """R-REG-5: a VAP85 for CPN42 does not open CP29; "VAE accordée" needs a VAE decided
    for this programme; a diploma needs its copy or a note naming the piece seen."""
    _ready_for_cp29(learner, reception)
    case = services.open_validation(
        learner, "VAP85", Programme.objects.get(code="CPN42"), year, reception
    )
    services.submit_validation_dossier(case, pdf_file(), reception)
    services.schedule_validation(case, dt.datetime(2017, 3, 1, 9, tzinfo=LOCAL), "Le Port")
    services.record_validation_fee(case, dt.date(2017, 2, 20))
    services.decide_validation(case, "granted", [], "Accès", direction)
    cp29 = path(learner, "CP29")
    assert cp29.status.missing[0].item == "access"
    request = services.request_award(learner, Programme.objects.get(code="CP29"))
    with pytest.raises(ValidationError, match="Aucune VAP85 n'a été accordée pour CP29"):
        services.check_request(request, "vap85", "", reception)
    with pytest.raises(ValidationError, match="copie du diplôme"):
        services.check_request(request, "bac", " ", reception)
    evidence = services.store_evidence(learner, pdf_file("bac.pdf"), reception)
    assert services.check_request(request, "bac", "", reception, evidence).status == "checked"


def test_a_decided_period_does_not_change_and_a_future_one_is_refused(learner, reception):
    period = accepted_period(learner, reception)
    with pytest.raises(ValidationError, match="déjà « acceptée »"):
        services.review_period(period, False, "Finalement non", reception)
    with pytest.raises(ValidationError, match="une fois finie"):
        services.add_period(
            learner,
            {
                "kind": "experience",
                "field": "information",
                "organisation": "CCAS",
                "position": "Accueil",
                "starts_on": dt.date(2016, 9, 1),
                "ends_on": dt.date(2030, 8, 31),
            },
            pdf_file(),
            learner,
        )


def test_an_internship_counts_in_the_programmes_field_only(learner, reception):
    """R-EXP-2: "a 3-month internship in accompaniment activities"."""
    accepted_period(learner, reception, field="other")
    accepted_period(
        learner,
        reception,
        kind="internship",
        field="other",
        start=dt.date(2016, 4, 1),
        end=dt.date(2016, 6, 30),
    )
    assert "internship" in [m.item for m in path(learner, "CPN42").status.missing]


def test_a_diploma_granted_holds_its_credits(learner, enrolled, reception, direction):
    """Nothing behind a granted diploma leaves the ledger until the direction revokes it."""
    _ready_for_cp29(learner, reception)
    request = services.request_award(learner, Programme.objects.get(code="CP29"))
    services.check_request(request, "bac", "Copie du bac vue", reception)
    services.grant(request, direction)
    credit = Credit.objects.get(unit__code="TET099")
    with pytest.raises(ValidationError, match="CP29 n° CP29-2017-00001"):
        services.withdraw_credit(credit, "Erreur", reception)
    services.revoke_document(IssuedDocument.objects.get(kind="credential"), "Erreur", direction)
    services.withdraw_credit(credit, "Erreur de saisie", reception)
    assert not Credit.objects.filter(unit__code="TET099").exists()
