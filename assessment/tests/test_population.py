"""The synthetic population: reproducible from its seed, coherent with the rules (marks
only with the right attendance, no mark after a validation), and the bulk computations
and pages whose query counts do not grow with it."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from admissions.models import Dossier, DossierUnit
from assessment import population, services
from assessment.models import ExamSession, Jury, Mark
from catalogue.models import AcademicYear
from teaching.models import Attendance

POPULATION = "@population.example"


def digest() -> str:
    rows = Mark.objects.order_by("learner__email", "session__starts_on", "unit__code").values_list(
        "learner__email", "session__starts_on", "unit__code", "value", "absence"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def forget_population() -> None:
    Mark.objects.all().delete()
    Jury.objects.all().delete()
    Attendance.objects.all().delete()
    DossierUnit.objects.filter(dossier__learner__email__endswith=POPULATION).delete()
    Dossier.objects.filter(learner__email__endswith=POPULATION).delete()
    get_user_model().objects.filter(email__endswith=POPULATION).delete()


@pytest.fixture
def generated(planning, reception):
    report = population.generate(60, 3, seed=7, batch=25, log=lambda _: None)
    return report


def test_the_population_is_reproducible_from_its_seed(generated):
    assert generated.learners == 60 and generated.years == 3
    assert AcademicYear.objects.count() == 3
    assert Mark.objects.count() == generated.marks > 60
    first = digest()
    forget_population()
    population.generate(60, 3, seed=7, batch=25, log=lambda _: None)
    assert digest() == first
    forget_population()
    population.generate(60, 3, seed=8, batch=25, log=lambda _: None)
    assert digest() != first


def test_earlier_years_keep_their_weekdays(generated):
    base = AcademicYear.objects.get(code="2016-2017")
    for year in AcademicYear.objects.exclude(pk=base.pk):
        regulation = year.regulation  # parses: every week still starts on a Monday
        assert "synthétique" in year.label
        assert regulation.semesters[0].exam_session_1_week.isoweekday() == 1


def test_marks_follow_the_rules(generated):
    """A mark only with the right to sit (R-EXA-3); none after the UE is validated
    (R-EXA-4), so at most one validating mark per learner and UE."""
    for session in ExamSession.objects.filter(year__code="2016-2017"):
        allowed = {
            (c.learner_id, c.unit_id) for c in services.exam_rights(session) if c.right.allowed
        }
        marked = set(Mark.objects.filter(session=session).values_list("learner_id", "unit_id"))
        if session.number == 1:
            assert marked <= allowed
    validating = Counter(Mark.objects.filter(value__gte=10).values_list("learner_id", "unit_id"))
    assert max(validating.values()) == 1


def test_bulk_jury_results_agree_with_the_jury_page_figures(generated):
    for session in ExamSession.objects.all():
        results = services.jury_results(session)
        for unit_id, result in results.items():
            marks = list(Mark.objects.filter(session=session, unit_id=unit_id))
            assert result.statistics == services.statistics(marks, session.year.regulation)
            assert result.validated == {
                m.learner_id for m in marks if m.value is not None and m.value >= 10
            }


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_cost_the_same_queries_whatever_the_history(generated, client, reception):
    learners = get_user_model().objects.filter(email__endswith=POPULATION)
    by_marks = sorted(learners, key=lambda u: Mark.objects.filter(learner=u).count())
    few, many = by_marks[0], by_marks[-1]
    assert Mark.objects.filter(learner=many).count() > Mark.objects.filter(learner=few).count() + 3
    for user in (few, many):  # the same queries, whatever the learner's history
        client.force_login(user)
        assert count(client, "/espace/examens/") == 8  # no convocation out in this year
        assert count(client, "/espace/presences/") == 14  # + distance work, absence alerts
    client.force_login(reception)
    session = ExamSession.objects.get(year__code="2016-2017", number=2)
    busy = Counter(Mark.objects.filter(session=session).values_list("unit__code", flat=True))
    (top, _), *_, (low, _) = busy.most_common()
    # the jury page of the busiest and of the quietest UE
    assert count(client, f"/accueil/examens/{session.pk}/ue/{top}/") == 15
    assert count(client, f"/accueil/examens/{session.pk}/ue/{low}/") == 15
