"""Exam sessions, the right to sit, convocations, marks with optimistic locking, juries
and publication (R-EXA-1..5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.models import Convocation, ExamSession, Jury, Mark
from assessment.services import MarkEntry
from assessment.tests.conftest import END_OF_S1
from catalogue.models import Unit


def test_sessions_come_from_the_calendar(sessions, year):
    """R-CAL-1: session 1 in the week of 20/02/2017 (S1) and 03/07/2017 (S2), session 2
    from 28/08 to 09/09/2017; results 15 days after the last exam (R-EXA-5)."""
    assert sessions[1, "S1"].starts_on == dt.date(2017, 2, 20)
    assert sessions[1, "S1"].ends_on == dt.date(2017, 2, 25)
    assert sessions[1, "S2"].starts_on == dt.date(2017, 7, 3)
    assert (sessions[2, ""].starts_on, sessions[2, ""].ends_on) == (
        dt.date(2017, 8, 28),
        dt.date(2017, 9, 9),
    )
    assert sessions[1, "S1"].publication_on == dt.date(2017, 3, 12)
    assert len(services.ensure_exam_sessions(year)) == 3
    assert ExamSession.objects.count() == 3


def test_which_ues_each_session_examines(sessions):
    s1 = set(services.session_units(sessions[1, "S1"]).values_list("code", flat=True))
    s2 = set(services.session_units(sessions[1, "S2"]).values_list("code", flat=True))
    assert "AST004" in s1 and "TET007" in s2
    assert "TET003" in s2 and "TET003" not in s1  # annual: end of the year (reading)
    assert not any(code.startswith("UA") for code in s1 | s2)  # R-EXA-2
    second = set(services.session_units(sessions[2, ""]).values_list("code", flat=True))
    assert second == set(Unit.objects.filter(kind="course").values_list("code", flat=True))


def test_the_right_to_sit_follows_attendance_with_its_reasons(s1, cohort):
    learner, other = cohort
    rights = {c.learner_id: c.right for c in services.exam_rights(s1) if c.unit_code == "AST004"}
    assert rights[learner.pk].allowed
    assert not rights[other.pk].allowed
    refusal = next(r for r in rights[other.pk].reasons if r.rule_id == "R-EXA-3")
    assert "(S1 : 1)" in refusal.message and "examen refusé" in refusal.message


def test_convocations_then_marks_then_jury_then_publication(s1, cohort, reception, direction):
    learner, other = cohort
    assert services.issue_convocations(s1) == 1
    assert services.issue_convocations(s1) == 0  # idempotent
    unit = Unit.objects.get(code="AST004")
    with pytest.raises(ValidationError, match="pas de convocation"):
        services.save_marks(s1, unit, [MarkEntry(other.pk, Decimal(12), "", 0)], reception)

    services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal("12.5"), "", 0)], reception)
    jury = Jury.objects.get(session=s1, unit=unit)
    services.close_marks(jury)
    with pytest.raises(ValidationError, match="closes"):
        services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal(13), "", 1)], reception)
    services.decide(jury, direction, "Rien à signaler.")

    # R-EXA-5: nothing visible before the publication day (20/02 + 5 + 15 = 12/03/2017)
    assert services.published_marks(learner, dt.date(2017, 3, 11)) == []
    assert [m.value for m in services.published_marks(learner, dt.date(2017, 3, 12))] == [
        Decimal("12.50")
    ]
    # staff may publish earlier, once the jury has decided
    services.publish_early(jury, direction)
    assert services.published_marks(learner, END_OF_S1)

    # after the jury, a change is a correction with a reason, kept in the history
    with pytest.raises(ValidationError, match="motif"):
        services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal(13), "", 1)], direction)
    services.save_marks(
        s1, unit, [MarkEntry(learner.pk, Decimal(13), "", 1)], direction, "Erreur de report"
    )
    record = Mark.history.filter(learner=learner).first()
    assert record.value == Decimal(13) and record.history_change_reason == "Erreur de report"


def test_two_people_saving_the_same_mark_one_wins_the_other_is_told(
    s1, cohort, reception, direction
):
    learner, _ = cohort
    services.issue_convocations(s1)
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal(8), "", 0)], reception)
    # both loaded version 1; the first save wins…
    services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal(9), "", 1)], reception)
    # …the second is refused, says so, and changes nothing
    with pytest.raises(ValidationError, match="modifiée par quelqu'un d'autre"):
        services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal(15), "", 1)], direction)
    mark = Mark.objects.get(learner=learner)
    assert (mark.value, mark.version) == (Decimal(9), 2)
    assert Mark.history.filter(learner=learner).count() == 2


def test_a_mark_is_a_value_from_0_to_20_or_an_absence(s1, cohort, reception):
    learner, _ = cohort
    services.issue_convocations(s1)
    unit = Unit.objects.get(code="AST004")
    for entry, message in [
        (MarkEntry(learner.pk, Decimal("20.5"), "", 0), "entre 0 et 20"),
        (MarkEntry(learner.pk, None, "", 0), "une note ou une absence"),
        (MarkEntry(learner.pk, Decimal(10), "absent", 0), "ne vont pas ensemble"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.save_marks(s1, unit, [entry], reception)
    services.save_marks(s1, unit, [MarkEntry(learner.pk, None, "excused", 0)], reception)
    assert Mark.objects.get().absence == "excused"


def test_a_ue_validated_at_session_1_is_not_sat_again(sessions, cohort, reception, direction):
    learner, _ = cohort
    s1 = sessions[1, "S1"]
    services.issue_convocations(s1)
    unit = Unit.objects.get(code="AST004")
    services.save_marks(s1, unit, [MarkEntry(learner.pk, Decimal(11), "", 0)], reception)
    services.decide(services.close_marks(services.jury_of(s1, unit)), direction)
    second = {
        c.learner_id: c.right
        for c in services.exam_rights(sessions[2, ""])
        if c.unit_code == "AST004"
    }
    assert not second[learner.pk].allowed
    assert any("déjà validée" in r.message for r in second[learner.pk].reasons)


def test_statistics_of_a_jury(year):
    marks = [Mark(value=Decimal(v)) for v in ("4", "9.5", "10", "15", "20")] + [
        Mark(value=None, absence="absent")
    ]
    stats = services.statistics(marks, year.regulation)  # pass mark 10/20 (R-EXA-4)
    assert (stats.count, stats.absent, stats.validated) == (5, 1, 3)
    assert stats.pass_rate == Decimal("60.0") and stats.mean == Decimal("11.70")
    assert stats.distribution == (("0 à 5", 1), ("5 à 10", 1), ("10 à 15", 1), ("15 à 20", 2))


def test_closing_needs_every_convoked_learner_marked(s1, cohort, reception):
    services.issue_convocations(s1)
    jury = services.jury_of(s1, Unit.objects.get(code="AST004"))
    with pytest.raises(ValidationError, match="sans note ni absence"):
        services.close_marks(jury)
    assert Convocation.objects.count() == 1
