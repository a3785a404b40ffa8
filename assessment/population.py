"""A synthetic population for benchmarks: learners over several academic years, their
final registrations, attendance, marks in both exam sessions and decided juries,
reproducible from a seed.

Earlier years are the brochure's year moved back by whole weeks (52 per year, so every
Monday stays a Monday), marked "(synthétique)"; their sessions copy the brochure year's
planning of each centre, moved the same way. Rows are written with bulk inserts, in
batches of learners, without history (a benchmark's data, not an institution's) and
without convocations. Users get an unusable password.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import ROLES
from admissions.models import Dossier, DossierUnit
from assessment.models import ExamSession, Jury, Mark
from assessment.services import ensure_exam_sessions, examines
from catalogue.models import AcademicYear, Centre, Programme, Unit
from catalogue.services import opened_unit_codes
from parcours import clock
from rules.ledger import validates
from teaching.models import Attendance
from timetable.models import Planning, Session

WEEK = dt.timedelta(weeks=1)
# A plausible mix of situations and funding (no source: the reports have every case to
# count — employees paid for or paying themselves, CIF, reconversion, job seekers,
# alternance, whose F-1 line the BPF's readings leave to the direction).
PROFILES = (
    ("employee", "employer"),
    ("employee", "individual"),
    ("cif", "employer"),
    ("career_change", "employer"),
    ("job_seeker", "job_seeker"),
    ("alternance", "employer"),
)
PROFILE_WEIGHTS = (40, 15, 8, 7, 20, 10)
_FIRST = (
    "Léa Noé Maëlys Enzo Jade Louis Inès Hugo Chloé Nathan Manon Lucas Emma Théo Sarah "
    "Mathis Zoé Tom Lina Adam Anaïs Kylian Océane Dylan Clara Ethan Maéva Yanis Eva Rayan"
)
_LAST = (
    "Payet Hoarau Grondin Fontaine Técher Boyer Robert Rivière Lauret Maillot Nativel "
    "Begue Dijoux Turpin Morel Picard Clain Ethève Cadet Baret Lebon Hoareau Mussard"
)
FIRST_NAMES, LAST_NAMES = _FIRST.split(), _LAST.split()


@dataclass(frozen=True)
class Report:
    years: int
    learners: int
    dossiers: int
    registrations: int
    attendances: int
    marks: int
    seconds: float


def _shifted_source(source: str, code: str, weeks: int) -> str:
    """The year's TOML with every date moved back by `weeks` weeks and its code."""

    def move(match: re.Match) -> str:
        return (dt.date.fromisoformat(match.group(0)) - weeks * WEEK).isoformat()

    base = source.split('code = "', 1)[1].split('"', 1)[0]
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", move, source)
    return text.replace(base, code)


def synthetic_years(base: AcademicYear, count: int) -> list[AcademicYear]:
    """`count` years ending with `base`, the earlier ones made from it."""
    years = []
    first, second = (int(part) for part in base.code.split("-"))
    for back in range(count - 1, 0, -1):
        code = f"{first - back}-{second - back}"
        source = _shifted_source(base.source, code, 52 * back)
        year, _ = AcademicYear.objects.get_or_create(
            code=code,
            defaults={
                "label": f"Année universitaire {code} (synthétique)",
                "first_day": base.first_day - 52 * back * WEEK,
                "last_day": base.last_day - 52 * back * WEEK,
                "source": source,
            },
        )
        years.append((year, back))
    return [*years, (base, 0)]


def _sessions_for(year: AcademicYear, back: int, base_plannings: list[Planning]) -> None:
    """Copy each centre's planning of the base year into `year`, moved back."""
    for planning in base_plannings:
        copy, created = Planning.objects.get_or_create(
            year=year,
            centre_id=planning.centre_id,
            defaults={"status": Planning.Status.PUBLISHED, "published_at": clock.now()},
        )
        if not created:
            continue
        Session.objects.bulk_create(
            [
                Session(
                    planning=copy,
                    unit_id=s.unit_id,
                    kind=s.kind,
                    number=s.number,
                    starts_at=s.starts_at - 52 * back * WEEK,
                    minutes=s.minutes,
                    room_id=s.room_id,
                )
                for s in planning.sessions.all()
            ],
            batch_size=2000,
        )


def generate(
    learners: int,
    years: int,
    seed: int,
    batch: int = 2000,
    log=print,
    with_base_year: bool = True,
) -> Report:
    """`with_base_year=False`: only the synthetic earlier years (the demo's past year,
    whose juries are out: its published results show on the catalogue)."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    base = AcademicYear.objects.order_by("-code").first()
    base_plannings = list(Planning.objects.filter(year=base))
    if not base_plannings:
        raise ValueError(
            f"Aucun planning pour {base.code} : lancez d'abord generate_planning --publish."
        )
    year_rows = synthetic_years(base, years)
    if not with_base_year:
        year_rows = year_rows[:-1]
    for year, back in year_rows:
        _sessions_for(year, back, base_plannings)
        ensure_exam_sessions(year)
    staff = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    if staff is None:
        staff = get_user_model().objects.create_user(
            "population.bench@example.re", None, is_staff=True
        )
    learner_group = Group.objects.get(name=ROLES["learner"].group)
    centres = list(Centre.objects.filter(planning__year=base).distinct())
    programmes = list(Programme.objects.filter(code__in=("CP29", "CPN42")))
    units_of = {
        p.pk: list(p.units.filter(kind=Unit.Kind.COURSE).order_by("code")) for p in programmes
    }
    # Per year: sessions by (centre, unit, semester), exam sessions, pass mark.
    context = []
    for year, _ in year_rows:
        regulation = year.regulation
        semesters = regulation.semesters
        by_place: dict[tuple[int, int, str], list[int]] = {}
        for pk, centre_id, unit_id, starts_at in Session.objects.filter(
            planning__year=year
        ).values_list("pk", "planning__centre_id", "unit_id", "starts_at"):
            day = timezone.localtime(starts_at).date()
            code = next((s.code for s in semesters if day <= s.courses_end), semesters[-1].code)
            by_place.setdefault((centre_id, unit_id, code), []).append(pk)
        exams = list(ExamSession.objects.filter(year=year).order_by("starts_on"))
        context.append((year, regulation, by_place, exams))

    counts = {"dossiers": 0, "registrations": 0, "attendances": 0, "marks": 0}
    for start in range(0, learners, batch):
        size = min(batch, learners - start)
        with transaction.atomic():
            _batch(
                rng,
                start,
                size,
                seed,
                context,
                centres,
                programmes,
                units_of,
                staff,
                learner_group,
                counts,
            )
        log(f"  {start + size} apprenants…")
    for _year, _regulation, _places, exams in context:
        for session in exams:
            decided = [
                Jury(
                    session=session,
                    unit_id=unit_id,
                    status=Jury.Status.DECIDED,
                    closed_at=clock.now(),
                    decided_at=clock.now(),
                    decided_by=staff,
                )
                for unit_id in Mark.objects.filter(session=session)
                .values_list("unit_id", flat=True)
                .distinct()
            ]
            Jury.objects.bulk_create(decided, ignore_conflicts=True)
    seconds = time.monotonic() - started
    return Report(len(year_rows), learners, seconds=seconds, **counts)


def _profile(profiles: random.Random) -> dict:
    situation, funding = profiles.choices(PROFILES, weights=PROFILE_WEIGHTS)[0]
    category = profiles.randint(1, 8) if funding == "job_seeker" else None  # R-FEE-2's 1..8
    return {"situation": situation, "funding": funding, "job_seeker_category": category}


def _batch(rng, start, size, seed, context, centres, programmes, units_of, staff, group, counts):
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(
                email=f"apprenant{seed}-{start + i:06d}@population.example",
                password="!",  # noqa: S106 (an unusable password, as Django makes)
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
            )
            for i in range(size)
        ]
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
    )
    plans = []  # (user, year index, programme, centre): one final registration a year
    for user in users:
        first_year = min(rng.randrange(len(context) + 1), len(context) - 1)
        # the title (CPN42, 12 taught UEs) draws more learners than the certificate
        programme = rng.choices(
            programmes, weights=[3 if p.code == "CPN42" else 1 for p in programmes]
        )[0]
        centre = rng.choice(centres)
        for index in range(first_year, len(context)):
            if index > first_year and rng.random() < 0.1:
                break  # a pause, or the end of the path
            plans.append((user, index, programme, centre))
    # Situations and funding from a generator of their own: the other draws (and so
    # the benchmarks' marks and statuses) are those of the same seed before they existed.
    profiles = random.Random(seed * 7919 + start)  # noqa: S311 (synthetic data)
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                learner=user,
                year=context[index][0],
                programme=programme,
                centre=centre,
                status=Dossier.Status.VALIDATED,
                last_name=user.last_name,
                first_name=user.first_name,
                **_profile(profiles),
            )
            for user, index, programme, centre in plans
        ],
        batch_size=2000,
    )
    registrations, attendances, marks = [], [], []
    validated: dict[int, set[int]] = {}  # learner → UEs validated: a failed UE is retaken
    for dossier, (user, index, programme, centre) in zip(dossiers, plans, strict=True):
        year, regulation, by_place, exams = context[index]
        opened = opened_unit_codes(year)
        done = validated.setdefault(user.pk, set())
        left = [u for u in units_of[programme.pk] if u.pk not in done]
        chosen = rng.sample(left, min(len(left), rng.randint(5, 9)))
        codes = [s.code for s in regulation.semesters]
        needed = regulation.thresholds.attendances_to_sit
        for unit in chosen:
            # FOAD only for a UE no centre of La Réunion opens (R-FEE-1): the draw stays,
            # so that the other draws of a seed do not move.
            foad = rng.random() < 0.1 and unit.code not in opened
            semester = unit.period if unit.period in codes else codes[0]
            registrations.append(
                DossierUnit(dossier=dossier, unit=unit, semester=semester, foad=foad)
            )
            periods = codes if unit.period not in codes else [unit.period]
            enough = True
            for code in periods:
                held = by_place.get((centre.pk, unit.pk, code), [])
                attended = min(len(held), max(0, int(rng.gauss(needed + 2, 1.6))))
                enough = enough and attended >= needed
                attendances.extend(
                    Attendance(session_id=pk, learner=user, present=True, recorded_by=staff)
                    for pk in rng.sample(held, attended)
                )
            if not enough:
                continue
            sitting = [e for e in exams if examines(e, unit, codes)]
            for session in sitting:  # session 1, then session 2 if not validated
                if rng.random() < 0.08:
                    value, absence = None, rng.choice(("absent", "excused"))
                else:
                    raw = min(20.0, max(0.0, rng.gauss(11.0, 4.0)))
                    value, absence = Decimal(round(raw * 4) / 4).quantize(Decimal("0.01")), ""
                marks.append(
                    Mark(
                        session=session,
                        unit=unit,
                        learner=user,
                        dossier=dossier,
                        value=value,
                        absence=absence,
                        entered_by=staff,
                    )
                )
                if validates(regulation, value):
                    done.add(unit.pk)
                    break
                if rng.random() < 0.2:
                    break  # did not come back for session 2
    DossierUnit.objects.bulk_create(registrations, batch_size=5000)
    Attendance.objects.bulk_create(attendances, batch_size=5000)
    Mark.objects.bulk_create(marks, batch_size=5000)
    counts["dossiers"] += len(dossiers)
    counts["registrations"] += len(registrations)
    counts["attendances"] += len(attendances)
    counts["marks"] += len(marks)
