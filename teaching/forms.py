"""Forms of teaching pages; each lists its fields."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model

from accounts.roles import ROLES
from admissions.forms import DateInput
from parcours.forms import BoundedForm


class TeachersForm(BoundedForm):
    teachers = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        label="Enseignants du groupe",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = (
            get_user_model()
            .objects.filter(groups__name=ROLES["teacher"].group, is_active=True)
            .order_by("last_name", "email")
        )
        self.fields["teachers"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.email})" if u.get_full_name() else u.email
        )


class CorrectionForm(BoundedForm):
    learner = forms.ChoiceField(label="Apprenant")
    present = forms.ChoiceField(
        label="Présence",
        choices=(("1", "Présent(e)"), ("0", "Absent(e)")),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Motif de la correction",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].choices = [(str(m.learner_id), m.name) for m in members]


class PresenceForm(BoundedForm):
    """The trainer records a learner present who cannot sign (R-ORG-1), with why."""

    learner = forms.ChoiceField(label="Apprenant présent")
    reason = forms.CharField(
        label="Pourquoi il ne signe pas lui-même",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "pas de téléphone"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].choices = [(str(m.learner_id), m.name) for m in members]


class AlternanceDayForm(BoundedForm):
    dossier = forms.ModelChoiceField(queryset=None, label="Apprenant en alternance")
    day = forms.DateField(
        label="Jour passé au centre", widget=DateInput(attrs={"autocomplete": "off"})
    )
    hours = forms.DecimalField(
        label="Heures",
        min_value=Decimal("0.25"),
        max_value=Decimal(24),
        decimal_places=2,
        localize=True,
        initial=Decimal(7),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        from admissions.models import Dossier

        self.fields["dossier"].queryset = Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
        self.fields["dossier"].label_from_instance = lambda d: d.full_name
