"""Use cases that write the catalogue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from catalogue.models import AcademicYear, Centre, EvaluationMode, Programme, Unit
from rules.catalogue import Catalogue, EctsReport, load_catalogue, opened_units

MODEL_LABELS = {
    Programme: "formations",
    Unit: "unités",
    EvaluationMode: "modalités d'évaluation",
    Centre: "centres",
    AcademicYear: "années",
}


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    ects: tuple[EctsReport, ...] = ()

    def count(self, model, outcome: str) -> None:
        getattr(self, outcome)[MODEL_LABELS[model]] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def lines(self) -> list[str]:
        lines = []
        for label in MODEL_LABELS.values():
            lines.append(
                f"{label} : {self.created[label]} créé(s), {self.updated[label]} modifié(s), "
                f"{self.unchanged[label]} inchangé(s)"
            )
        lines.extend(str(report) for report in self.ects)
        return lines


def load_catalogue_folder(folder: Path) -> LoadReport:
    """R-CAT-6: validate the whole folder, then write it all-or-nothing.

    Raises rules.data_reader.DataError, listing every problem with its file and key,
    before anything is written. A second load of the same files changes nothing; an
    edited value updates its row, and the change shows in the history.
    """
    known = frozenset(Programme.objects.values_list("code", flat=True))
    catalogue = load_catalogue(Path(folder), known_programmes=known)
    report = LoadReport()
    with transaction.atomic():
        _write(catalogue, Path(folder), report)
        report.ects = tuple(
            EctsReport(p.code, p.declared_ects, p.units_sum or 0)
            for p in Programme.objects.annotate(units_sum=Sum("units__ects")).order_by(
                "position", "code"
            )
        )
    return report


def _upsert(model, code: str, values: dict, report: LoadReport):
    """Create the row, or update only the fields that differ (so history stays quiet
    when nothing changed)."""
    row = model.objects.filter(code=code).first()
    if row is None:
        row = model.objects.create(code=code, **values)
        report.count(model, "created")
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save()
        report.count(model, "updated")
    else:
        report.count(model, "unchanged")
    return row


def _core_depth(catalogue: Catalogue, code: str) -> int:
    """How many common cores stand under a programme within this folder."""
    in_folder = {p.code: p.common_core for p in catalogue.programmes}
    depth, seen = 0, {code}
    while in_folder.get(code) in in_folder and in_folder[code] not in seen:
        code = in_folder[code]
        seen.add(code)
        depth += 1
    return depth


def _write(catalogue: Catalogue, folder: Path, report: LoadReport) -> None:
    # A common core is written before the programmes built on it (R-CAT-2).
    positions = {p.code: index for index, p in enumerate(catalogue.programmes)}
    for p in sorted(catalogue.programmes, key=lambda p: _core_depth(catalogue, p.code)):
        _upsert(
            Programme,
            p.code,
            {
                "kind": p.kind,
                "title": p.title,
                "declared_ects": p.declared_ects,
                "summary": p.summary,
                "summary_by_centre": p.summary_by_centre,
                "entry_level": p.entry_level,
                "exit_level": p.exit_level,
                "cpf_eligible": p.cpf_eligible,
                "alternance": p.alternance,
                "vae": p.vae,
                "common_core": Programme.objects.get(code=p.common_core) if p.common_core else None,
                "rncp_registration_years": p.rncp_registration_years,
                "rncp_decree": p.rncp_decree,
                "rncp_level": p.rncp_level,
                "nsf_code": p.nsf_code,
                "nsf_label": p.nsf_label,
                "rome": [{"code": code, "label": label} for code, label in p.rome],
                "objectives": p.objectives,
                "competences": list(p.competences),
                "public": list(p.public),
                "careers": list(p.careers),
                "employers": list(p.employers),
                "access_conditions": list(p.access_conditions),
                "prerequisites": p.prerequisites,
                "access_checked_when": p.access_checked_when,
                "award": {
                    "required_units": list(p.award.required_units),
                    "report_unit": p.award.report_unit,
                    "experience_unit": p.award.experience_unit,
                    "conditions": list(p.award.conditions),
                    "rule": p.award.rule,
                    # What the rules core needs to decide the award (rules.awards).
                    "experience_key": p.award.experience_key,
                    "internship_if_no_field_experience_key": (
                        p.award.internship_if_no_field_experience_key
                    ),
                    "internship_if_experience_outside_field_key": (
                        p.award.internship_if_experience_outside_field_key
                    ),
                    "request_period_key": p.award.request_period_key,
                    "experience_fields": list(p.award.experience_fields),
                },
                "rule": p.rule,
                "position": positions[p.code],
            },
            report,
        )

    for code, label in catalogue.evaluation_codes:
        _upsert(EvaluationMode, code, {"label": label}, report)

    programme_ids = dict(Programme.objects.values_list("code", "pk"))
    for position, u in enumerate(catalogue.units):
        row = _upsert(
            Unit,
            u.code,
            {
                "title": u.title,
                "other_title": u.other_title,
                "ects": u.ects,
                "kind": u.kind,
                "evaluation": list(u.evaluation),
                "coefficient": u.coefficient,
                "period": u.period,
                "description": u.description,
                "description_by_centre": u.description_by_centre,
                "note": u.note,
                "equivalence": u.equivalence,
                "rule": u.rule,
                "position": position,
            },
            report,
        )
        wanted = {programme_ids[code] for code in u.programmes}
        if set(row.programmes.values_list("pk", flat=True)) != wanted:
            row.programmes.set(wanted)

    for position, c in enumerate(catalogue.centres):
        _upsert(
            Centre,
            c.code,
            {
                "name": c.name,
                "kind": c.kind,
                "address": c.address,
                "city": c.city,
                "phone": c.phone,
                "fax": c.fax,
                "email": c.email,
                "contact_role": c.contact_role,
                "hours": [
                    {
                        "weekdays": list(h.weekdays),
                        "opens": h.opens.strftime("%H:%M"),
                        "closes": h.closes.strftime("%H:%M"),
                    }
                    for h in c.hours
                ],
                "rule": c.rule,
                "position": position,
            },
            report,
        )

    for year in catalogue.years:
        _upsert(
            AcademicYear,
            year.code,
            {
                "label": year.label,
                "first_day": year.first_day,
                "last_day": year.last_day,
                "source": (folder / "years" / f"{year.code}.toml").read_text(encoding="utf-8"),
            },
            report,
        )


# --- R-FEE-1: what La Réunion opens, and the UEs of other centres followed in FOAD ----


def opened_unit_codes(year: AcademicYear, centre: Centre | None = None) -> frozenset[str]:
    """The UE codes `centre` (or any centre of La Réunion) opens in the year, read from
    the year's [[opening]] tables (rules.catalogue.opened_units); kept on the year
    object, as pages ask several times."""
    memo = year.__dict__.setdefault("_opened_units", {})
    key = centre.code if centre else None
    if key in memo:
        return memo[key]
    programmes_of: dict[str, list[str]] = {}
    for code, programme in Unit.objects.filter(taught_by="").values_list(
        "code", "programmes__code"
    ):
        programmes_of.setdefault(code, [])
        if programme:
            programmes_of[code].append(programme)
    memo[key] = opened_units(
        year.regulation, {code: tuple(codes) for code, codes in programmes_of.items()}, key
    )
    return memo[key]


@dataclass(frozen=True)
class ForeignUnit:
    """A UE of another Cnam centre's catalogue, as the applicant gives it."""

    code: str
    title: str
    ects: int
    taught_by: str


def foreign_unit_problem(spec: ForeignUnit) -> str:
    """Why the UE cannot be recorded as another centre's, or "" (read only)."""
    known = Unit.objects.filter(code=spec.code).first()
    if known is None:
        return ""
    if not known.is_foreign:
        return (
            f"{spec.code} est une UE de la brochure de La Réunion : choisissez-la dans la "
            "liste des UE."
        )
    if known.ects != spec.ects:
        return (
            f"{spec.code} est déjà enregistrée avec {known.ects} ECTS (« {known.title} », "
            f"{known.taught_by}) : vérifiez le code et les ECTS."
        )
    return ""


def foreign_unit(spec: ForeignUnit) -> Unit:
    """The stored UE of another centre (created the first time it is chosen)."""
    problem = foreign_unit_problem(spec)
    if problem:
        raise ValidationError(problem)
    unit, _ = Unit.objects.get_or_create(
        code=spec.code,
        defaults={
            "title": spec.title,
            "ects": spec.ects,
            "kind": Unit.Kind.COURSE,
            "taught_by": spec.taught_by,
            "rule": "R-FEE-1",
            "position": 9999,
        },
    )
    return unit
