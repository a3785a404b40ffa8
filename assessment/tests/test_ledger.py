"""The jury writes the ledger (R-EXA-4): a validating mark earns its UE when the jury
decides; the learner sees it from the publication day (R-EXA-5); a correction after the
jury moves the ledger too; a UE already earned stays as first earned (for life)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.models import Jury
from assessment.services import MarkEntry
from awards import presenters
from awards import services as awards
from awards.models import Credit
from catalogue.models import Unit


def _decided(s1, learner, mark, reception, direction):
    services.issue_convocations(s1)
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [MarkEntry(learner.pk, mark, "", 0)], reception)
    jury = Jury.objects.get(session=s1, unit=unit)
    services.close_marks(jury)
    return services.decide(jury, direction, "")


def test_the_jury_decision_writes_the_credit_visible_at_publication(
    s1, cohort, reception, direction
):
    learner, _ = cohort
    jury = _decided(s1, learner, Decimal("12.5"), reception, direction)
    credit = Credit.objects.get(learner=learner)
    assert (credit.unit.code, credit.way, credit.mark) == ("AST004", "exam", Decimal("12.5"))
    assert credit.earned_on == s1.ends_on and credit.session == s1 and credit.jury == jury
    assert credit.published_on == dt.date(2017, 3, 12)  # R-EXA-5: 25/02 + 15 days
    before = awards.learner_record(learner, today=dt.date(2017, 3, 11))
    assert before.credits == []
    after = awards.learner_record(learner, today=dt.date(2017, 3, 12))
    assert [c.unit.code for c in after.credits] == ["AST004"]
    # the staff see it at once
    assert awards.learner_record(learner, staff=True, today=dt.date(2017, 3, 1)).credits
    services.publish_early(jury, direction)
    credit.refresh_from_db()
    assert credit.published_on == dt.date(2017, 2, 13)


def test_results_published_before_the_session_ends_count_from_that_day(
    s1, cohort, reception, direction
):
    """Issue 14, item 2 (R-EXA-4, R-EXA-5): published on 13/02, before the session's
    last exam day (25/02), the credit is earned on 13/02 — the ledger, the counters, the
    conditions and the transcript all say so on that day."""
    learner, _ = cohort
    jury = _decided(s1, learner, Decimal("12.5"), reception, direction)
    services.publish_early(jury, direction)
    day = dt.date(2017, 2, 13)
    assert s1.ends_on > day
    credit = Credit.objects.get(learner=learner)
    assert credit.earned_on == credit.published_on == day
    record = awards.learner_record(learner, today=day)
    cp29 = next(p for p in record.paths if p.programme.code == "CP29")
    assert cp29.status.ects_earned == credit.unit.ects
    rows = presenters.conditions(cp29, record.credits)
    assert [r.met for r in rows if "AST004" in r.label] == [True]
    assert [(r.code, r.validated) for r in awards.transcript_rows(learner, today=day)] == [
        ("AST004", True)
    ]


def test_a_mark_below_the_pass_mark_earns_nothing(s1, cohort, reception, direction):
    learner, _ = cohort
    _decided(s1, learner, Decimal("9.99"), reception, direction)
    assert not Credit.objects.exists()


def test_a_correction_after_the_jury_moves_the_ledger(s1, cohort, reception, direction):
    learner, _ = cohort
    jury = _decided(s1, learner, Decimal(12), reception, direction)
    unit = jury.unit
    services.save_marks(
        s1, unit, [MarkEntry(learner.pk, Decimal(8), "", 1)], direction, "Erreur de report"
    )
    assert not Credit.objects.exists()
    deleted = Credit.history.filter(history_type="-").get()
    assert deleted.history_change_reason == "Note corrigée sous la note de validation"
    services.save_marks(
        s1, unit, [MarkEntry(learner.pk, Decimal(14), "", 2)], direction, "Copie retrouvée"
    )
    assert Credit.objects.get().mark == Decimal(14)


def test_a_ue_earned_earlier_stays_as_first_earned(s1, cohort, reception, direction):
    """R-EXA-4: capitalised for life; a later exam changes nothing."""
    learner, _ = cohort
    Credit.objects.create(
        learner=learner,
        unit=Unit.objects.get(code="AST004"),
        way="other_centre",
        earned_on=dt.date(2015, 6, 30),
        published_on=dt.date(2015, 6, 30),
        justification="Cnam Paris",
    )
    _decided(s1, learner, Decimal(15), reception, direction)
    credit = Credit.objects.get()
    assert credit.way == "other_centre" and credit.earned_on == dt.date(2015, 6, 30)


def test_a_withdrawn_equivalence_gives_way_to_the_exam(s1, cohort, reception, direction):
    """R-EXA-4: the ledger always agrees with the marks of decided juries."""
    learner, _ = cohort
    Credit.objects.create(
        learner=learner,
        unit=Unit.objects.get(code="AST004"),
        way="equivalence",
        earned_on=dt.date(2017, 1, 5),
        published_on=dt.date(2017, 1, 5),
        justification="Saisie par erreur",
    )
    _decided(s1, learner, Decimal(15), reception, direction)
    awards.withdraw_credit(Credit.objects.get(), "Pas d'équivalence pour AST004", reception)
    credit = Credit.objects.get()
    assert (credit.way, credit.mark, credit.session) == ("exam", Decimal(15), s1)


def test_a_mark_behind_a_granted_diploma_cannot_fall_silently(s1, cohort, reception, direction):
    from awards.models import AwardRequest, IssuedDocument
    from catalogue.models import Programme

    learner, _ = cohort
    jury = _decided(s1, learner, Decimal(12), reception, direction)
    request = AwardRequest.objects.create(
        learner=learner,
        programme=Programme.objects.get(code="CP29"),
        requested_on=dt.date(2017, 3, 1),
        status="granted",
        number="CP29-2017-00001",
        decided_on=dt.date(2017, 3, 2),
    )
    IssuedDocument.objects.create(
        code="X",
        kind="credential",
        learner=learner,
        award=request,
        holder_name="L",
        title="CP29",
        issued_on=dt.date(2017, 3, 2),
    )
    with pytest.raises(ValidationError, match="révoquer ce diplôme"):
        services.save_marks(
            s1, jury.unit, [MarkEntry(learner.pk, Decimal(8), "", 1)], direction, "Erreur"
        )
    assert Credit.objects.get().mark == Decimal(12)
