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


class _Period(BoundedForm):
    """A form with a period `first`–`last`, in order."""

    first = forms.DateField(label="Du", widget=DateInput())
    last = forms.DateField(label="Au", widget=DateInput())

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last and last < first:
            self.add_error("last", "La fin de la période précède son début.")
        return data


class ArchiveForm(_Period):
    """A period's closed sheets, for a funder's audit (ZIP of PDFs)."""

    centre = forms.ModelChoiceField(
        queryset=None, label="Centre", required=False, empty_label="Tous les centres"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from catalogue.models import Centre

        self.fields["centre"].queryset = Centre.objects.order_by("position")


class ReportForm(BoundedForm):
    """The distance platform's connection report (CSV)."""

    report = forms.FileField(
        label="Rapport de connexion (CSV)",
        help_text="Colonnes : email ; ue ; date ; minutes ; activite ; heure (facultative). "
        "Rien n'est enregistré si une ligne est en erreur.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class DecisionForm(BoundedForm):
    """Staff validate or refuse a learner's declared distance activity."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=(("validate", "Valider"), ("refuse", "Refuser")),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Motif du refus", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Indiquez le motif du refus : il est dit à l'apprenant.")
        return data


class DeclareForm(BoundedForm):
    """A learner declares a distance activity (validated by staff before it counts)."""

    unit = forms.ChoiceField(label="UE")
    kind = forms.ChoiceField(label="Activité", choices=())
    day = forms.DateField(label="Jour", widget=DateInput())
    minutes = forms.IntegerField(label="Durée estimée (minutes)", min_value=1, max_value=12 * 60)
    description = forms.CharField(
        label="Ce que vous avez suivi",
        max_length=300,
        required=False,
        help_text="Par exemple : enregistrement de la web-conférence du 12/10.",
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        from teaching.models import DistanceActivity

        self.fields["unit"].choices = [(str(u.pk), f"{u.code} — {u.title}") for u in units]
        self.fields["kind"].choices = DistanceActivity.Kind.choices


class CertificateForm(_Period):
    """Staff issue a certificat de réalisation for a final registration and a period."""

    field_order = ["dossier", "first", "last", "funder"]
    dossier = forms.ChoiceField(label="Inscription")
    funder = forms.CharField(
        label="Financeur destinataire",
        max_length=200,
        required=False,
        help_text="Laissez vide pour celui du dossier.",
    )

    def __init__(self, *args, dossiers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].choices = [
            (
                str(d.pk),
                f"{d.year.label} — {d.programme.code}, {d.centre.name if d.centre_id else ''}",
            )
            for d in dossiers
        ]
