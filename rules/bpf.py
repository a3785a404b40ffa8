"""The Bilan pédagogique et financier (R-ORG-4; L6352-11, R6352-22 to R6352-24; cerfa
10443*17) of one fiscal year, computed from rows the apps gather — never typed.

The sections are the form's: C (income excluding VAT by origin), E (the people who gave
training hours, the organisation's own and subcontracted), F-1 (learners by category and
their hours, of which at a distance), F-3 (the aim of the training) and F-4 (the main
specialties, NSF codes). The lines and their labels are the form's; how a row is counted
is a reading of the year's data (`BpfReadings`, `[bpf]`), shown with its source.

Every figure keeps the references of the rows behind it, so the direction's page lists
them; a row that cannot be classified is listed in `unclassified` with why, never put in
a line by guess. A decision recorded by the direction (`choices`) settles a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

RULE = "R-ORG-4"
MINUTES_PER_HOUR = 60  # a unit conversion, not a brochure value
TOP_SPECIALTIES = 5  # the form lists the five main specialties, then "autres"

# --- the form's lines (cerfa 10443*17) -------------------------------------------------------

INCOME_LINES: dict[str, str] = {
    "C1": "Entreprises pour la formation de leurs salariés",
    "C2a": "OPCO — contrats d'apprentissage",
    "C2b": "OPCO — contrats de professionnalisation",
    "C2c": "OPCO — promotion ou reconversion par alternance (Pro-A)",
    "C2d": "Projets de transition professionnelle (ex-CIF, Transitions Pro)",
    "C2e": "Compte personnel de formation (CPF)",
    "C2f": "Dispositifs spécifiques pour les personnes en recherche d'emploi",
    "C2g": "Dispositifs spécifiques pour les travailleurs non-salariés",
    "C2h": "Plan de développement des compétences ou autres dispositifs",
    "C3": "Pouvoirs publics, pour la formation de leurs agents",
    "C4": "Instances européennes",
    "C5": "État",
    "C6": "Conseils régionaux",
    "C7": "France Travail (ex-Pôle emploi)",
    "C8": "Autres ressources publiques",
    "C9": "Personnes à titre individuel et à leurs frais",
    "C10": "Autres organismes de formation",
    "C11": "Autres produits au titre de la formation professionnelle",
}

TRAINER_LINES: dict[str, str] = {
    "internal": "Personnes de l'organisme dispensant des heures de formation",
    "external": "Personnes extérieures à l'organisme (contrats de sous-traitance)",
}

LEARNER_LINES: dict[str, str] = {
    "a": "Salariés d'employeurs privés hors apprentis",
    "b": "Apprentis",
    "c": "Personnes en recherche d'emploi",
    "d": "Particuliers à leurs propres frais",
    "e": "Autres stagiaires",
}

AIM_LINES: dict[str, str] = {
    "a6": "Diplôme ou titre inscrit au RNCP — niveaux 6 à 8",
    "a5": "Diplôme ou titre inscrit au RNCP — niveau 5",
    "a4": "Diplôme ou titre inscrit au RNCP — niveau 4",
    "a3": "Diplôme ou titre inscrit au RNCP — niveau 3",
    "a2": "Diplôme ou titre inscrit au RNCP — niveau 2",
    "b": "Certification ou habilitation inscrite au répertoire spécifique",
    "c": "CQP non enregistré au RNCP ni au répertoire spécifique",
    "d": "Autres formations professionnelles",
    "e": "Bilans de compétences",
    "f": "Actions d'accompagnement à la VAE",
}

LINES = {"C": INCOME_LINES, "E": TRAINER_LINES, "F1": LEARNER_LINES, "F3": AIM_LINES}


def aim_of_level(level: int) -> str:
    """The F-3 line of an RNCP level (2019 nomenclature): 6, 7 and 8 share a line, and
    the form's lowest line is level 2 (level 1 has no diploma registered)."""
    return f"a{min(max(level, 2), 6)}"


# --- the readings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BpfReadings:
    """How the year's rows are counted (`[bpf]` of the year's data, with its source).

    learner_hours: "signed" — the hours the signed sheets, the validated distance
    activity and the signed alternance half-days prove (the certificat de réalisation's
    count); "planned" — the sessions of the learner's UEs in the period.
    trainer_hours: "signed" — a session counts once its sheet is closed by its trainer;
    "planned" — every session not cancelled.
    income_by_payer / income_by_situation: the C line of a payment whose origin the
    direction has not recorded: by who paid, then by the learner's situation ("" when
    the situation does not tell the scheme).
    learner_by_situation / own_expense: the F-1 line by situation, and for a learner
    who pays themselves (the job seeker's tariff stays with the job seekers).
    default_trainer: E's line of a trainer whose status is not recorded.
    validation_aim: the F-3 line of a learner whose dossier asks for that validation.
    """

    source: str
    learner_hours: str
    trainer_hours: str
    income_by_payer: Mapping[str, str]
    income_by_situation: Mapping[str, str]
    learner_by_situation: Mapping[str, str]
    own_expense: str
    default_trainer: str
    validation_aim: Mapping[str, str]


HOURS_READINGS = ("signed", "planned")
UNKNOWN_SCHEME = (
    "payé par l'employeur ou un organisme financeur sans que le dispositif soit connu : "
    "la situation du dossier ne dit pas de quelle ligne il relève"
)


# --- the rows the apps gather ----------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    ref: int
    amount: Decimal
    payer: str  # "learner" or "employer"
    situation: str
    choice: str = ""  # the C line the direction recorded


@dataclass(frozen=True)
class TrainerRow:
    ref: int
    minutes: int
    choice: str = ""  # "internal" or "external", as recorded


@dataclass(frozen=True)
class LearnerRow:
    """One learner of the fiscal year, with the dossier that classifies them (their
    latest in the period) and every minute they followed in it."""

    ref: int  # the dossier's reference
    situation: str
    funding: str
    validation: str
    aim: str  # the programme's F-3 line ("a5", "d"…)
    specialty: str  # the programme's NSF code
    minutes: int
    distance_minutes: int
    choice: str = ""  # the F-1 line the direction recorded


@dataclass
class Figure:
    key: str  # "C9", "E-internal", "F1-a", "F3-a5", "F4-332"
    label: str
    amount: Decimal | None = None
    count: int = 0
    minutes: int = 0
    refs: list[int] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Unclassified:
    kind: str  # "payment", "trainer" or "learner"
    ref: int
    reason: str


@dataclass
class Bpf:
    income: list[Figure]
    income_total: Figure
    trainers: list[Figure]
    trainers_total: Figure
    learners: list[Figure]
    learners_total: Figure
    distance: Figure
    aims: list[Figure]
    specialties: list[Figure]
    unclassified: list[Unclassified]

    def figure(self, key: str) -> Figure | None:
        for figures in (
            self.income,
            self.trainers,
            self.learners,
            self.aims,
            self.specialties,
        ):
            for figure in figures:
                if figure.key == key:
                    return figure
        for total in (
            self.income_total,
            self.trainers_total,
            self.learners_total,
            self.distance,
        ):
            if total.key == key:
                return total
        return None


# --- the computation -------------------------------------------------------------------------


def compute(
    readings: BpfReadings,
    payments: Iterable[PaymentRow],
    trainers: Iterable[TrainerRow],
    learners: Iterable[LearnerRow],
    specialty_labels: Mapping[str, str],
) -> Bpf:
    unclassified: list[Unclassified] = []
    income = _income(readings, payments, unclassified)
    staff = _trainers(readings, trainers, unclassified)
    people, distance, aims, specialties = _learners(
        readings, learners, specialty_labels, unclassified
    )
    return Bpf(
        income=income,
        income_total=_total("C-total", "Total des produits", income, money=True),
        trainers=staff,
        trainers_total=_total("E-total", "Total", staff),
        learners=people,
        learners_total=_total("F1-total", "Total", people),
        distance=distance,
        aims=aims,
        specialties=specialties,
        unclassified=unclassified,
    )


def _total(key: str, label: str, figures: list[Figure], money: bool = False) -> Figure:
    total = Figure(key, label, amount=Decimal("0.00") if money else None)
    for figure in figures:
        total.count += figure.count
        total.minutes += figure.minutes
        total.refs.extend(figure.refs)
        if money:
            total.amount += figure.amount
    return total


def _income(
    readings: BpfReadings, payments: Iterable[PaymentRow], unclassified: list[Unclassified]
) -> list[Figure]:
    lines = {
        code: Figure(code, label, amount=Decimal("0.00")) for code, label in INCOME_LINES.items()
    }
    for row in payments:
        line = row.choice or readings.income_by_payer.get(row.payer, "")
        if not line:
            line = readings.income_by_situation.get(row.situation, "")
        if line not in lines:
            unclassified.append(Unclassified("payment", row.ref, UNKNOWN_SCHEME))
            continue
        figure = lines[line]
        figure.amount += row.amount
        figure.count += 1
        figure.refs.append(row.ref)
    return list(lines.values())


def _trainers(
    readings: BpfReadings, trainers: Iterable[TrainerRow], unclassified: list[Unclassified]
) -> list[Figure]:
    lines = {code: Figure(f"E-{code}", label) for code, label in TRAINER_LINES.items()}
    for row in trainers:
        status = row.choice or readings.default_trainer
        if status not in TRAINER_LINES:
            unclassified.append(
                Unclassified("trainer", row.ref, "statut (interne ou sous-traitant) inconnu")
            )
            continue
        figure = lines[status]
        figure.count += 1
        figure.minutes += row.minutes
        figure.refs.append(row.ref)
    return list(lines.values())


def learner_line(readings: BpfReadings, row: LearnerRow) -> str:
    """F-1's line of a learner: the direction's choice, else the readings ("" if none)."""
    if row.choice:
        return row.choice
    if row.situation != "job_seeker" and row.funding == "individual":
        return readings.own_expense
    return readings.learner_by_situation.get(row.situation, "")


def _learners(
    readings: BpfReadings,
    learners: Iterable[LearnerRow],
    specialty_labels: Mapping[str, str],
    unclassified: list[Unclassified],
):
    lines = {code: Figure(f"F1-{code}", label) for code, label in LEARNER_LINES.items()}
    aims = {code: Figure(f"F3-{code}", label) for code, label in AIM_LINES.items()}
    distance = Figure("F1-distance", "dont stagiaires ayant suivi tout ou partie à distance")
    by_specialty: dict[str, Figure] = {}
    for row in learners:
        line = learner_line(readings, row)
        if line not in LEARNER_LINES:
            unclassified.append(
                Unclassified(
                    "learner",
                    row.ref,
                    "catégorie inconnue : la situation ne dit pas s'il s'agit d'un "
                    "contrat d'apprentissage ou de professionnalisation",
                )
            )
            continue
        for figure in (lines[line], aims[readings.validation_aim.get(row.validation) or row.aim]):
            figure.count += 1
            figure.minutes += row.minutes
            figure.refs.append(row.ref)
        specialty = by_specialty.setdefault(
            row.specialty,
            Figure(f"F4-{row.specialty}", specialty_labels.get(row.specialty, row.specialty)),
        )
        specialty.count += 1
        specialty.minutes += row.minutes
        specialty.refs.append(row.ref)
        if row.distance_minutes:
            distance.count += 1
            distance.minutes += row.distance_minutes
            distance.refs.append(row.ref)
    return list(lines.values()), distance, list(aims.values()), _main_specialties(by_specialty)


def _main_specialties(by_specialty: dict[str, Figure]) -> list[Figure]:
    """The five specialties with the most hours (then learners, then code), the rest in
    one line "autres" — as the form asks."""
    ranked = sorted(by_specialty.values(), key=lambda f: (-f.minutes, -f.count, f.key))
    main, rest = ranked[:TOP_SPECIALTIES], ranked[TOP_SPECIALTIES:]
    if rest:
        others = Figure("F4-autres", "Autres spécialités")
        for figure in rest:
            others.count += figure.count
            others.minutes += figure.minutes
            others.refs.extend(figure.refs)
        main.append(others)
    return main


def check_readings(readings: BpfReadings) -> list[str]:
    """What is wrong in the readings, in French (empty when they hold together)."""
    problems = []
    for name in ("learner_hours", "trainer_hours"):
        if getattr(readings, name) not in HOURS_READINGS:
            problems.append(f"{name} : « signed » ou « planned » attendu")
    for name, mapping, allowed in (
        ("income_by_payer", readings.income_by_payer, INCOME_LINES),
        ("income_by_situation", readings.income_by_situation, INCOME_LINES),
        ("learner_by_situation", readings.learner_by_situation, LEARNER_LINES),
        ("validation_aim", readings.validation_aim, AIM_LINES),
    ):
        for key, line in mapping.items():
            if line and line not in allowed:
                problems.append(f"{name}.{key} : ligne « {line} » inconnue")
    if readings.own_expense not in LEARNER_LINES:
        problems.append(f"own_expense : ligne « {readings.own_expense} » inconnue")
    if readings.default_trainer and readings.default_trainer not in TRAINER_LINES:
        problems.append("default_trainer : « internal » ou « external » attendu")
    return problems
