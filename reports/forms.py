from django import forms

from catalogue.models import AcademicYear, Centre
from reports.models import Classification
from rules import bpf as core

ALL_LINES = [
    *((code, f"{code} — {label}") for code, label in core.INCOME_LINES.items()),
    *((code, f"F-1 {code} — {label}") for code, label in core.LEARNER_LINES.items()),
    *((code, label) for code, label in core.TRAINER_LINES.items()),
]


class ClassifyForm(forms.Form):
    """One unclassified row's line; the service checks the line fits the row's kind."""

    kind = forms.ChoiceField(
        label="Objet", choices=Classification.Kind.choices, widget=forms.HiddenInput
    )
    object_id = forms.IntegerField(label="Référence", min_value=1, widget=forms.HiddenInput)
    line = forms.ChoiceField(label="Ligne du BPF", choices=ALL_LINES)


def line_choices(kind: str) -> list[tuple[str, str]]:
    lines = {
        Classification.Kind.PAYMENT: core.INCOME_LINES,
        Classification.Kind.LEARNER: core.LEARNER_LINES,
        Classification.Kind.TRAINER: core.TRAINER_LINES,
    }[kind]
    return list(lines.items())


class DashboardFilter(forms.Form):
    """The dashboard's year and centre (every centre when none is chosen)."""

    annee = forms.ModelChoiceField(
        label="Année",
        queryset=AcademicYear.objects.order_by("-code"),
        to_field_name="code",
        required=False,
        empty_label=None,
    )
    centre = forms.ModelChoiceField(
        label="Centre",
        queryset=Centre.objects.order_by("position"),
        to_field_name="code",
        required=False,
        empty_label="Tous les centres",
    )
