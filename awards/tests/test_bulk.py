"""The award status of every learner in bulk (awards.bulk) against each learner's own
path, its fixed number of queries, and the backfill of the ledger (sync_credits)."""

import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.tests.conftest import make_user, pdf_file
from assessment.models import Jury, Mark
from assessment.services import ensure_exam_sessions
from awards import services
from awards.bulk import award_statuses
from awards.models import AwardRequest, Credit, ValidationCase
from catalogue.models import Programme, Unit
from timetable.tests.conftest import register

from .conftest import CP29_UNITS, TODAY, accepted_period, earn

PROGRAMMES = ("CP29", "CPN42")


def items(status):
    return [m.item for m in status.missing]


def test_bulk_statuses_are_each_learners_own_path(
    learner, other_learner, reception, year, le_port, django_user_model, settings
):
    """R-AWD-1, R-AWD-2, R-AWD-3, R-EXA-4, R-EXP-1, R-EXP-2, R-REG-5: the bulk pass
    decides every learner with a dossier exactly as the learner's own page does, in
    several situations, and only from published credits (R-EXA-5)."""
    # Léa: registered, nothing earned. The other learner: five of the six CP29 UEs.
    # (Not the `enrolled` fixture: its annual TET003 does not fit a dossier UE's
    # semester on PostgreSQL.)
    register(learner, year, le_port, {"AST004": False})
    register(other_learner, year, le_port, {})
    earn(other_learner, *CP29_UNITS[:5])
    # Credits of a user without a dossier sit between learners' ids: skipped, and they
    # do not shift anybody's credits.
    outsider = make_user(django_user_model, "sans.dossier@example.re", "learner")
    earn(outsider, *CP29_UNITS, "UA2322")
    # Every CP29 UE, experience in the field, the report (R-AWD-1 3.) and a VAP85
    # granted for CP29: access proven for CP29, not for CPN42.
    ready = make_user(django_user_model, "prete@example.re", "learner")
    register(ready, year, le_port, {})
    earn(ready, *CP29_UNITS)
    accepted_period(ready, reception, field="information")
    earn(ready, "UA2322", way=Credit.Way.REPORT)
    ValidationCase.objects.create(
        learner=ready,
        kind=ValidationCase.Kind.VAP85,
        programme=Programme.objects.get(code="CP29"),
        year=year,
        fee=Decimal("520.00"),
        status=ValidationCase.Status.DECIDED,
        decision=ValidationCase.Decision.GRANTED,
        created_by=reception,
    )
    # Experience outside the field, a pending period, access checked at a CPN42
    # request only.
    requester = make_user(django_user_model, "demande@example.re", "learner")
    register(requester, year, le_port, {})
    earn(requester, "AST004", "TET003")
    accepted_period(requester, reception, field="other")
    services.add_period(
        requester,
        {
            "kind": "internship",
            "field": "accompaniment",
            "organisation": "CCAS",
            "position": "Stagiaire",
            "starts_on": dt.date(2016, 4, 1),
            "ends_on": dt.date(2016, 6, 30),
        },
        pdf_file(),
        requester,
    )
    AwardRequest.objects.create(
        learner=requester,
        programme=Programme.objects.get(code="CPN42"),
        requested_on=TODAY,
        status=AwardRequest.Status.CHECKED,
        access=AwardRequest.Access.BAC,
    )
    # A UE whose result is published after today, and one published already.
    late = make_user(django_user_model, "tardive@example.re", "learner")
    register(late, year, le_port, {})
    earn(late, "TET003")
    earn(late, "AST004", on=dt.date(2017, 2, 25))
    Credit.objects.filter(learner=late, unit__code="AST004").update(
        published_on=dt.date(2017, 3, 12)
    )
    learners = [learner, other_learner, ready, requester, late]

    def compare(on):
        settings.PARCOURS_TODAY = on.isoformat()
        bulk = dict(award_statuses(on))
        assert list(bulk) == sorted(u.pk for u in learners)
        for user in learners:
            for code in PROGRAMMES:
                assert bulk[user.pk][code] == services.path_for(user, code, staff=False).status
        return bulk

    bulk = compare(TODAY)
    assert bulk[learner.pk]["CP29"].ects_earned == 0
    assert not bulk[learner.pk]["CP29"].eligible
    assert items(bulk[other_learner.pk]["CP29"]) == ["access", "TET099", "UA2322", "internship"]
    assert bulk[ready.pk]["CP29"].eligible and bulk[ready.pk]["CP29"].ects_earned == 54
    assert "access" in items(bulk[ready.pk]["CPN42"])
    assert "access" in items(bulk[requester.pk]["CP29"])
    assert "access" not in items(bulk[requester.pk]["CPN42"])
    assert "internship" in items(bulk[requester.pk]["CPN42"])  # the pending one is not counted
    assert bulk[requester.pk]["CP29"].ects_earned == bulk[requester.pk]["CPN42"].ects_earned == 14
    assert "AST004" in items(bulk[late.pk]["CP29"]) and "TET003" not in items(bulk[late.pk]["CP29"])
    # On its publication day the result counts.
    bulk = compare(dt.date(2017, 3, 12))
    assert "AST004" not in items(bulk[late.pk]["CP29"])


def test_queries_do_not_grow_with_learners_or_credits(year, le_port, reception, django_user_model):
    """R-AWD-1, R-AWD-2, R-AWD-3, R-EXA-4: a fixed number of queries, the ledger
    streamed (small chunks here) whatever the population."""

    def population(first, count):
        for index in range(first, first + count):
            user = make_user(django_user_model, f"apprenant{index}@example.re", "learner")
            register(user, year, le_port, {})
            earn(user, *CP29_UNITS[: 1 + index % len(CP29_UNITS)])
            if index % 2:
                accepted_period(user, reception, field="other")
            if index % 3 == 0:
                AwardRequest.objects.create(
                    learner=user,
                    programme=Programme.objects.get(code="CP29"),
                    requested_on=TODAY,
                    access=AwardRequest.Access.BAC_LEVEL,
                )

    def measured():
        with CaptureQueriesContext(connection) as context:
            statuses = [s for _, s in award_statuses(TODAY, chunk_size=2)]
        return statuses, len(context.captured_queries)

    population(0, 2)
    two, two_queries = measured()
    population(2, 4)
    six, six_queries = measured()
    assert len(two) == 2 and len(six) == 6
    assert sum(s["CP29"].ects_earned for s in six) > sum(s["CP29"].ects_earned for s in two)
    assert two_queries == six_queries
    assert six_queries <= 12


def test_sync_credits_writes_decided_juries_validating_marks_once(
    learner, other_learner, reception, year, le_port, django_user_model
):
    """R-EXA-4: the first validating mark of a decided jury earns its UE for life, once;
    a closed (not decided) jury, a mark below the pass mark and a UE already earned
    write nothing; a second run writes nothing. R-AWD-1, R-AWD-3: the bulk status counts
    the exam credit from its publication day (R-EXA-5)."""
    s1, _s1_s2, s2 = ensure_exam_sessions(year)
    ast004, tet003 = Unit.objects.get(code="AST004"), Unit.objects.get(code="TET003")
    third = make_user(django_user_model, "troisieme@example.re", "learner")
    dossiers = {
        user.pk: register(user, year, le_port, {"AST004": False})
        for user in (learner, other_learner, third)
    }
    earn(third, "AST004")  # by equivalence, before any jury

    def mark(session, unit, user, value):
        Mark.objects.create(
            session=session,
            unit=unit,
            learner=user,
            dossier=dossiers[user.pk],
            value=Decimal(value),
            entered_by=reception,
        )

    mark(s1, ast004, learner, "12")
    mark(s1, ast004, other_learner, "8")
    mark(s2, ast004, other_learner, "14")
    mark(s1, ast004, third, "16")
    mark(s1, tet003, learner, "15")

    def jury(session, unit, status):
        decided = status == Jury.Status.DECIDED
        Jury.objects.create(
            session=session,
            unit=unit,
            status=status,
            closed_at=timezone.now(),
            decided_at=timezone.now() if decided else None,
            decided_by=reception if decided else None,
        )

    jury(s1, ast004, Jury.Status.DECIDED)
    jury(s2, ast004, Jury.Status.DECIDED)
    jury(s1, tet003, Jury.Status.CLOSED)

    out = io.StringIO()
    call_command("sync_credits", stdout=out)
    assert out.getvalue().startswith("2 UE acquise(s) inscrite(s) au registre en ")
    exam = {
        (c.learner_id, c.unit.code): c
        for c in Credit.objects.filter(way=Credit.Way.EXAM).select_related("unit")
    }
    assert set(exam) == {(learner.pk, "AST004"), (other_learner.pk, "AST004")}
    first = exam[learner.pk, "AST004"]
    assert first.mark == Decimal("12") and first.session == s1
    assert first.earned_on == s1.ends_on and first.published_on == s1.publication_on
    assert exam[other_learner.pk, "AST004"].mark == Decimal("14")
    assert Credit.objects.get(learner=third).way == Credit.Way.EQUIVALENCE

    out = io.StringIO()
    call_command("sync_credits", stdout=out)
    assert out.getvalue().startswith("0 UE acquise(s)")
    assert Credit.objects.count() == 3

    day_before = s1.publication_on - dt.timedelta(days=1)
    before = dict(award_statuses(day_before))[learner.pk]["CP29"]
    after = dict(award_statuses(s1.publication_on))[learner.pk]["CP29"]
    assert "AST004" in items(before) and "AST004" not in items(after)
    assert after.ects_earned == before.ects_earned + ast004.ects
