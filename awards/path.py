"""The path to the diploma (R-AWD-1..3): what a learner holds, what remains, and the
award decision the page and the bulk pass share (decide_award)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from awards.errors import AwardError
from awards.experience import periods_of
from catalogue.bridge import full_catalogue
from parcours import clock
from rules import catalogue as rc
from rules.awards import AwardRequest as RulesAwardRequest
from rules.awards import AwardStatus, award_status
from rules.experience import Experience, experience_for
from rules.registration import Offering, next_offering

from .models import (
    AwardRequest,
    Credit,
    ExperiencePeriod,
    ValidationCase,
)

AWARD_PROGRAMMES = ("CP29", "CPN42")


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
