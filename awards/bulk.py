"""The award status of every learner in bulk (R-AWD-1, R-AWD-2, R-AWD-3, R-EXP-1,
R-EXP-2, R-REG-5), decided by the rules core exactly as a learner's own path is
(`awards.services.programme_path`), in a fixed number of queries whatever the
population.

The catalogue and the regulation are read once; the learners (every user with a
dossier) and their published credits are streamed in learner order and merge-joined,
so the ledger is never held in memory; accepted periods, validations granting access
and award requests' checked access are few, read in one query each and grouped by
learner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from admissions.models import Dossier
from catalogue.bridge import full_catalogue
from catalogue.models import Unit
from rules.awards import AwardStatus
from rules.experience import Period, experience_for

from .models import AwardRequest, Credit, ExperiencePeriod, ValidationCase
from .services import AWARD_PROGRAMMES, AwardError, decide_award, regulation_on

CHUNK_SIZE = 5000
NO_ACCESS = AwardRequest.Access.NONE.value


def award_statuses(
    today: dt.date,
    programmes: Iterable[str] = AWARD_PROGRAMMES,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[tuple[int, dict[str, AwardStatus]]]:
    """(learner id, {programme code: AwardStatus}) for every user who has a dossier, in
    id order, as the learner reads it on `today`: a credit counts from its publication
    day (R-EXA-5), in every programme that contains its UE (R-EXA-4)."""
    catalogue = full_catalogue()
    regulation = regulation_on(catalogue, today)
    rules_programmes = {}
    for code in programmes:
        try:
            rules_programmes[code] = catalogue.programme(code)
        except KeyError:
            raise AwardError(f"Formation inconnue : « {code} ».") from None
    # A learner without an accepted period has the experience of no period: the same
    # for everyone, decided once per programme.
    no_experience = {
        code: experience_for(regulation, programme, ())
        for code, programme in rules_programmes.items()
    }
    code_of = dict(Unit.objects.values_list("pk", "code"))
    periods = _accepted_periods()
    case_access = _case_access()
    request_access = _request_access()

    learners = (
        Dossier.objects.order_by("learner_id")
        .values_list("learner_id", flat=True)
        .distinct()
        .iterator(chunk_size=chunk_size)
    )
    credits = (
        Credit.objects.filter(published_on__lte=today)
        .order_by("learner_id")
        .values_list("learner_id", "unit_id", "earned_on")
        .iterator(chunk_size=chunk_size)
    )
    # Merge-join on the learner id: the credits of users without a dossier are skipped.
    groups = groupby(credits, key=itemgetter(0))
    group = next(groups, None)
    for learner_id in learners:
        while group is not None and group[0] < learner_id:
            group = next(groups, None)
        validated: dict[str, dt.date] = {}
        if group is not None and group[0] == learner_id:
            validated = {code_of[unit_id]: earned_on for _, unit_id, earned_on in group[1]}
            group = next(groups, None)
        mine = periods.get(learner_id)
        statuses = {}
        for code, programme in rules_programmes.items():
            experience = (
                experience_for(regulation, programme, mine) if mine else no_experience[code]
            )
            key = (learner_id, code)
            access = case_access.get(key) or request_access.get(key, NO_ACCESS)
            statuses[code] = decide_award(
                regulation, catalogue, code, today, validated, access, experience
            )
        yield learner_id, statuses


def _accepted_periods() -> dict[int, list[Period]]:
    """Accepted periods of experience and internships, by learner (R-EXP-1, R-EXP-2)."""
    periods: dict[int, list[Period]] = {}
    rows = (
        ExperiencePeriod.objects.filter(status=ExperiencePeriod.Status.ACCEPTED)
        .order_by("learner_id", "starts_on", "pk")
        .values_list("learner_id", "kind", "field", "starts_on", "ends_on")
    )
    for learner_id, kind, field, starts_on, ends_on in rows:
        periods.setdefault(learner_id, []).append(Period(kind, field, starts_on, ends_on))
    return periods


def _case_access() -> dict[tuple[int, str], str]:
    """R-REG-5: a VAE or VAP85 granted (even partly) for a programme proves access to
    it; the latest one names it, as `awards.services.access_of` reads a learner's
    cases (`ValidationCase.grants_access`)."""
    access: dict[tuple[int, str], str] = {}
    rows = (
        ValidationCase.objects.filter(
            status=ValidationCase.Status.DECIDED,
            decision__in=(ValidationCase.Decision.GRANTED, ValidationCase.Decision.PARTIAL),
            kind__in=(ValidationCase.Kind.VAP85, ValidationCase.Kind.VAE),
        )
        .order_by("-created_at", "-pk")
        .values_list("learner_id", "programme__code", "kind")
    )
    for learner_id, code, kind in rows:
        access.setdefault((learner_id, code), kind.lower())
    return access


def _request_access() -> dict[tuple[int, str], str]:
    """R-REG-5: else what staff checked at the latest request for the programme."""
    access: dict[tuple[int, str], str] = {}
    rows = (
        AwardRequest.objects.exclude(access=NO_ACCESS)
        .order_by("-requested_on", "-pk")
        .values_list("learner_id", "programme__code", "access")
    )
    for learner_id, code, value in rows:
        access.setdefault((learner_id, code), value)
    return access
