"""Forms of the awards pages: explicit fields, French messages naming the field."""

from __future__ import annotations

import datetime as dt

from django import forms

from admissions.forms import DateInput
from catalogue.models import Programme, Unit
from parcours.forms import BoundedForm, DocumentField

from .models import AwardRequest, Credit, ExperiencePeriod, ValidationCase


class PeriodForm(BoundedForm, forms.ModelForm):
    document = DocumentField(
        label="Attestation de l'employeur ou convention de stage",
        help_text="PDF, JPEG ou PNG. Pour un stage : la convention signée.",
    )

    class Meta:
        model = ExperiencePeriod
        fields = ("kind", "field", "organisation", "position", "starts_on", "ends_on")
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "kind": forms.RadioSelect,
            "field": forms.RadioSelect,
        }

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ReviewForm(BoundedForm):
    accepted = forms.TypedChoiceField(
        label="Décision",
        choices=(("1", "Accepter"), ("0", "Refuser")),
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Motif du refus", required=False, widget=forms.Textarea)


class CreditForm(BoundedForm):
    unit = forms.ModelChoiceField(
        label="UE", queryset=Unit.objects.order_by("code"), to_field_name="code"
    )
    way = forms.ChoiceField(
        label="Obtenue par",
        choices=[
            (Credit.Way.EQUIVALENCE, "Équivalence (R-CAT-5)"),
            (Credit.Way.OTHER_CENTRE, "Attestation de réussite d'un autre centre régional"),
            (Credit.Way.REPORT, "Rapport validé par le jury (unité d'activité)"),
        ],
    )
    earned_on = forms.DateField(label="Date de la décision", widget=DateInput())
    mark = forms.DecimalField(
        label="Note (facultative)", required=False, min_value=0, max_value=20, decimal_places=2
    )
    justification = forms.CharField(
        label="Justification", widget=forms.Textarea, help_text="Lue par l'apprenant."
    )
    document = DocumentField(label="Justificatif", required=False)


class WithdrawForm(BoundedForm):
    reason = forms.CharField(label="Motif", widget=forms.Textarea)


class OpenValidationForm(BoundedForm):
    kind = forms.ChoiceField(label="Nature", choices=ValidationCase.Kind.choices)
    programme = forms.ModelChoiceField(
        label="Formation", queryset=Programme.objects.filter(vae=True), to_field_name="code"
    )


class ValidationDossierForm(BoundedForm):
    document = DocumentField(label="Dossier de validation (PDF)")


class FeeForm(BoundedForm):
    paid_on = forms.DateField(label="Forfait réglé le", widget=DateInput())


class AppointmentForm(BoundedForm):
    day = forms.DateField(label="Date de l'entretien", widget=DateInput())
    time = forms.TimeField(label="Heure", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label="Lieu", max_length=200)

    def at(self) -> dt.datetime:
        from timetable.services import LOCAL

        return dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], LOCAL)


class DecisionForm(BoundedForm):
    decision = forms.ChoiceField(label="Décision", choices=ValidationCase.Decision.choices)
    units = forms.ModelMultipleChoiceField(
        label="UE accordées",
        queryset=Unit.objects.order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="Motivation", widget=forms.Textarea)


class CheckForm(BoundedForm):
    access = forms.ChoiceField(
        label="Conditions d'accès (R-REG-5)",
        choices=AwardRequest.Access.choices,
        help_text="Au vu du diplôme ou de la décision de validation.",
    )
    note = forms.CharField(label="Observations", required=False, widget=forms.Textarea)
    document = DocumentField(label="Justificatif des conditions d'accès", required=False)


class GrantForm(BoundedForm):
    note = forms.CharField(label="Observations du jury", required=False, widget=forms.Textarea)


class RevokeForm(BoundedForm):
    reason = forms.CharField(label="Motif de la révocation", widget=forms.Textarea)


class VerifyForm(BoundedForm):
    code = forms.CharField(label="Code de vérification", max_length=40)
