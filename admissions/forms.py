"""The forms of the pre-registration steps, the pieces and the back-office actions.

Each form lists its fields explicitly (posted extras such as `status` are ignored) and
says what is wrong in French, naming the field. Decisions stay in the rules core: the
forms only check that an answer is complete and coherent.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from admissions.models import Dossier, Payment
from admissions.services import semester_of
from catalogue.models import Centre, Programme, Unit
from catalogue.services import ForeignUnit, foreign_unit_problem, opened_unit_codes
from parcours import clock
from parcours.forms import BoundedForm, DocumentField
from rules.explain import add_years, euros, number


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StepForm(BoundedForm, forms.ModelForm):
    """A section of the dossier. `required` lists the fields the section needs."""

    required: tuple[str, ...] = ()
    # The dossier's version this page showed (optimistic locking, services.save_step).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, dossier: Dossier, **kwargs):
        self.dossier = dossier
        super().__init__(*args, instance=dossier, **kwargs)
        self.fields["version"].initial = dossier.version
        for name in self.required:
            self.fields[name].required = True

    def seen_version(self) -> int | None:
        return self.cleaned_data.get("version")

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def chosen_units(self):
        return None


class IdentityForm(StepForm):
    required = ("last_name", "first_name", "birth_date", "birth_place")

    class Meta:
        model = Dossier
        fields = ("last_name", "first_name", "birth_date", "birth_place")
        widgets = {"birth_date": DateInput()}

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        today = clock.today()
        if born and not add_years(today, -100) < born <= add_years(today, -15):
            raise forms.ValidationError("Date de naissance invraisemblable (15 à 100 ans).")
        return born


class ContactForm(StepForm):
    required = ("address", "postcode", "city", "phone")

    class Meta:
        model = Dossier
        fields = ("address", "postcode", "city", "phone")
        widgets = {
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def clean_postcode(self):
        code = self.cleaned_data["postcode"].strip()
        if not (code.isdigit() and len(code) == 5):
            raise forms.ValidationError("5 chiffres, par exemple 97420.")
        return code

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace(" ", "").replace(".", "").replace("+", "")
        if not digits.isdigit() or not 9 <= len(digits) <= 15:
            raise forms.ValidationError("un numéro de 10 chiffres, par exemple 0262 12 34 56.")
        return phone


class SituationForm(StepForm):
    required = ("situation",)
    conditional = {
        "job_seeker_category": "À remplir si vous êtes demandeur(se) d'emploi.",
        "job_seeker_since": "À remplir si vous êtes demandeur(se) d'emploi.",
    }

    class Meta:
        model = Dossier
        fields = ("situation", "employer_name", "job_seeker_category", "job_seeker_since")
        widgets = {"situation": forms.RadioSelect, "job_seeker_since": DateInput()}
        help_texts = {
            "job_seeker_category": "De 1 à 8, comme sur votre attestation Pôle emploi.",
            "employer_name": "Si vous êtes salarié(e).",
        }

    def clean(self):
        data = super().clean()
        if data.get("situation") == Dossier.Situation.JOB_SEEKER:
            for name in ("job_seeker_category", "job_seeker_since"):
                self.require(name, "À renseigner pour un(e) demandeur(se) d'emploi.")
            since = data.get("job_seeker_since")
            if since and since > clock.today():
                self.add_error("job_seeker_since", "La date d'inscription ne peut être future.")
        else:
            data["job_seeker_category"] = None
            data["job_seeker_since"] = None
        return data


class NationalityForm(StepForm):
    required = ("nationality",)

    class Meta:
        model = Dossier
        fields = ("nationality",)
        widgets = {"nationality": forms.RadioSelect}
        help_texts = {
            "nationality": "Elle décide de la pièce d'identité demandée : carte d'identité ou "
            "passeport, ou titre de séjour pour les ressortissants hors Union européenne."
        }


class DiplomaForm(StepForm):
    required = ("highest_diploma",)
    conditional = {"diploma_title": "À remplir si vous avez le baccalauréat ou un équivalent."}

    class Meta:
        model = Dossier
        fields = ("highest_diploma", "diploma_title", "access_route")
        widgets = {"highest_diploma": forms.RadioSelect}
        help_texts = {
            "access_route": "Sans le bac ni le niveau bac, l'accès se fait par la VAE ou la "
            "VAP85 ; les conditions d'accès sont vérifiées à la demande du diplôme."
        }

    def clean(self):
        data = super().clean()
        if data.get("highest_diploma") == Dossier.Diploma.NONE:
            if not data.get("access_route"):
                self.add_error("access_route", "Sans bac ni niveau bac : choisissez VAE ou VAP85.")
        else:
            data["access_route"] = ""
        if data.get("highest_diploma") == Dossier.Diploma.BAC:
            self.require("diploma_title", "Indiquez l'intitulé de votre diplôme.")
        return data


class ExperienceForm(StepForm):
    required = ("months_information", "months_accompaniment", "months_other")

    class Meta:
        model = Dossier
        fields = ("months_information", "months_accompaniment", "months_other")
        help_texts = {
            "months_other": "Toute autre expérience professionnelle, hors de ces domaines.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The durations are the year's (R-EXP-1, R-EXP-2), never written here.
        thresholds = self.dossier.year.regulation.thresholds
        self.fields["months_information"].help_text = (
            "Métiers de l'information, de l'accueil et de l'orientation. Sans cette "
            "expérience, le certificat CP29 demande un stage de "
            f"{number(thresholds.internship_no_field_experience_months)} mois."
        )
        self.fields["months_accompaniment"].help_text = (
            f"Le titre CPN42 demande {number(thresholds.experience_required_months)} mois "
            "d'expérience ; hors accompagnement social et professionnel, un stage de "
            f"{number(thresholds.internship_outside_field_months)} mois la complète."
        )

    def clean(self):
        data = super().clean()
        for name in self.required:
            value = data.get(name)
            if value is not None and value > 600:
                self.add_error(name, "Nombre de mois invraisemblable (600 au plus).")
        return data


class FundingForm(StepForm):
    required = ("funding",)
    conditional = {
        "employer_funder": "À remplir si votre employeur ou un OPCA finance la formation.",
        "employer_share_percent": "À remplir si votre employeur ou un OPCA finance.",
    }
    employer_share_percent = forms.DecimalField(
        label="Part prise en charge par le financeur (%)",
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="100 pour une prise en charge totale ; le reste est à votre charge.",
    )

    class Meta:
        model = Dossier
        fields = (
            "funding",
            "employer_funder",
            "employer_address",
            "employer_contact",
            "employer_told_of_absences",
            "employer_share_percent",
            "employer_certificate_signed",
            "validation",
            "declares_units_from_other_centres",
            "units_from_other_centres",
        )
        widgets = {"funding": forms.RadioSelect, "validation": forms.RadioSelect}
        help_texts = {
            "employer_certificate_signed": "Sans signature de l'employeur, des chèques au "
            "tarif individuel sont demandés.",
            "units_from_other_centres": "Codes des UE et centres (une attestation est demandée).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "financement" not in self.dossier.steps_done:
            # A new dossier ticks nothing for the applicant: the employer's signature
            # is theirs to declare (issue 14, item 12).
            self.initial["employer_certificate_signed"] = False

    def clean(self):
        data = super().clean()
        funding = data.get("funding")
        if funding == Dossier.Funding.JOB_SEEKER and (
            self.dossier.situation != Dossier.Situation.JOB_SEEKER
        ):
            self.add_error(
                "funding",
                "Le tarif demandeur d'emploi suppose la situation « demandeur(se) d'emploi » "
                "(rubrique Situation professionnelle).",
            )
        if funding == Dossier.Funding.EMPLOYER:
            self.require("employer_funder", "Indiquez l'employeur ou l'OPCA financeur.")
            self.require("employer_share_percent", "Indiquez la part prise en charge.")
            share = data.get("employer_share_percent")
            if share is not None and share <= 0:
                self.add_error(
                    "employer_share_percent",
                    "Une prise en charge de 0 % n'en est pas une : choisissez « Je finance "
                    "moi-même ».",
                )
        else:
            for name in ("employer_funder", "employer_address", "employer_contact"):
                data[name] = ""
            data["employer_told_of_absences"] = False
            data["employer_share_percent"] = None
            data["employer_certificate_signed"] = True
        if data.get("declares_units_from_other_centres"):
            if not data.get("units_from_other_centres", "").strip():
                self.add_error("units_from_other_centres", "Indiquez les UE et les centres.")
        else:
            data["units_from_other_centres"] = ""
        return data


class ProgrammeForm(StepForm):
    """The programme, the centre and the UEs per semester, offered only while the
    semester's registrations are open (R-REG-6)."""

    required = ("programme", "centre")
    units = forms.MultipleChoiceField(
        label="UE choisies", required=False, widget=forms.CheckboxSelectMultiple
    )
    foad_units = forms.MultipleChoiceField(
        label="Parmi elles, UE suivies à distance (FOAD) auprès d'un autre centre Cnam",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    foreign_units = forms.CharField(
        label="UE d'un autre centre Cnam, suivies à distance (FOAD)",
        required=False,
        strip=False,  # keep the empty lines: errors name the line the applicant sees
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Dossier
        fields = ("programme", "centre", "experience_report")

    def __init__(self, *args, dossier: Dossier, windows, **kwargs):
        self.windows = {w.semester: w for w in windows}
        super().__init__(*args, dossier=dossier, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("position")
        self.fields["programme"].empty_label = "Choisissez une formation"
        self.fields["centre"].queryset = Centre.objects.order_by("position")
        self.fields["centre"].empty_label = "Choisissez un centre"
        self.fields["programme"].widget.attrs.update(
            {
                "hx-get": "",
                "hx-select": "#choix-ue",
                "hx-target": "#choix-ue",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
                # Only what the UE list needs (never the CSRF token in a URL).
                "hx-include": "[name=programme],[name=units],[name=foad_units]",
            }
        )
        self.taught = list(
            Unit.objects.filter(kind=Unit.Kind.COURSE, taught_by="")
            .prefetch_related("programmes")
            .order_by("position")
        )
        # R-FEE-1: FOAD is for the UEs no centre of La Réunion opens this year.
        self.opened = opened_unit_codes(dossier.year)
        semesters = list(self.windows)
        self.semester_of = {u.code: semester_of(u, semesters) for u in self.taught}
        # Only the chosen programme's UEs are shown (htmx refreshes them when it
        # changes); any UE is a valid choice, so a wrong one gets a message naming it.
        selected = self.data.get("programme") if self.is_bound else dossier.programme_id
        selected = int(selected) if str(selected or "").isdigit() else None
        self.visible = [
            u
            for u in self.taught
            if selected is None or selected in {p.pk for p in u.programmes.all()}
        ]
        self.fields["units"].choices = [(u.code, self._label(u)) for u in self.taught]
        self.fields["foad_units"].choices = [
            (u.code, self._label(u)) for u in self.visible if u.code not in self.opened
        ]
        tariffs = dossier.year.regulation.tariffs
        self.fields["foad_units"].help_text = (
            "Ces UE ne sont ouvertes dans aucun centre de La Réunion cette année : "
            f"{euros(tariffs.foad_per_unit)} par UE, quel que soit le financement."
        )
        self.fields["foreign_units"].help_text = (
            "Seulement pour une UE qui n'est ni ouverte ni proposée à La Réunion : "
            f"{euros(tariffs.foad_per_unit)} par UE, quel que soit le financement. Une UE par "
            "ligne : code ; intitulé ; ECTS ; centre qui la dispense. Exemple : NFA031 ; "
            "Programmation avec Java ; 6 ; Cnam Paris."
        )
        report = tariffs.experience_report
        self.fields[
            "experience_report"
        ].help_text = f"{report.label} : {euros(report.amount)} ({dossier.year.label})."
        if not self.is_bound:
            chosen = list(dossier.units.all())
            self.initial["units"] = [c.unit.code for c in chosen]
            self.initial["foad_units"] = [
                c.unit.code for c in chosen if c.foad and not c.unit.is_foreign
            ]
            self.initial["foreign_units"] = "\n".join(
                f"{c.unit.code} ; {c.unit.title} ; {c.unit.ects} ; {c.unit.taught_by}"
                for c in chosen
                if c.unit.is_foreign
            )

    def _label(self, unit: Unit) -> str:
        semester = self.semester_of[unit.code]
        window = self.windows[semester]
        period = "annuelle, débute au semestre 1" if unit.period == "annual" else semester
        programmes = ", ".join(p.code for p in unit.programmes.all())
        closed = "" if window.open else f" — inscriptions closes le {window.deadline:%d/%m/%Y}"
        return f"{unit.code} — {unit.title} ({unit.ects} ECTS, {period} ; {programmes}){closed}"

    def groups(self):
        """The unit checkboxes grouped by semester, with the semester's window."""
        by_code = {w.data["value"]: w for w in self["units"]}
        out = []
        for semester, window in self.windows.items():
            widgets = [
                by_code[u.code] for u in self.visible if self.semester_of[u.code] == semester
            ]
            out.append((window, widgets))
        return out

    def clean(self):
        data = super().clean()
        programme = data.get("programme")
        codes = data.get("units") or []
        by_code = {u.code: u for u in self.taught}
        centre = data.get("centre")
        opened_here = opened_unit_codes(self.dossier.year, centre) if centre else self.opened
        for code in codes:
            unit = by_code[code]
            if code not in self.opened:
                pass  # opened nowhere in La Réunion: followed in FOAD (checked below)
            elif code not in opened_here:
                self.add_error(
                    "units",
                    f"{code} n'est pas ouverte au {centre.name} cette année : choisissez un "
                    "centre qui l'ouvre.",
                )
            if programme and programme not in unit.programmes.all():
                self.add_error(
                    "units", f"{code} ne fait pas partie de la formation {programme.code}."
                )
            window = self.windows[self.semester_of[code]]
            if not window.open:
                # R-REG-6: a late choice is refused with the date.
                self.add_error("units", f"{code} : {window.reasons[0].message}")
        for code in data.get("foad_units") or []:
            if code not in codes:
                self.add_error("foad_units", f"{code} est en FOAD mais n'est pas choisie.")
        for code in codes:
            if code not in self.opened and code not in (data.get("foad_units") or []):
                self.add_error(
                    "foad_units",
                    f"{code} n'est ouverte dans aucun centre de La Réunion cette année : "
                    "cochez-la parmi les UE suivies en FOAD.",
                )
        if not codes and not data.get("foreign_units") and not self.dossier.validation:
            self.add_error("units", "Choisissez au moins une UE.")
        return data

    def clean_foreign_units(self) -> list[ForeignUnit]:
        """One UE of another centre per line: code ; intitulé ; ECTS ; centre (R-FEE-1)."""
        found: list[ForeignUnit] = []
        errors = []
        for number_, line in enumerate(self.cleaned_data["foreign_units"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 4 or not all(parts):
                errors.append(
                    f"Ligne {number_} : quatre éléments séparés par « ; » sont attendus "
                    "(code ; intitulé ; ECTS ; centre)."
                )
                continue
            code, title, ects, taught_by = parts
            code = code.upper()
            if not code.isalnum() or not 3 <= len(code) <= 16:
                errors.append(
                    f"Ligne {number_} : « {code} » n'est pas un code d'UE (lettres et chiffres)."
                )
                continue
            if not ects.isdigit() or not 1 <= int(ects) <= 60:
                errors.append(
                    f"Ligne {number_} : « {ects} » ECTS — un nombre de 1 à 60 est attendu."
                )
                continue
            if len(title) > 250 or len(taught_by) > 120:
                errors.append(f"Ligne {number_} : intitulé ou centre trop long.")
                continue
            spec = ForeignUnit(code, title, int(ects), taught_by)
            problem = foreign_unit_problem(spec)
            if problem:
                errors.append(f"Ligne {number_} : {problem}")
            elif code in {f.code for f in found}:
                errors.append(f"Ligne {number_} : {code} est déjà indiquée.")
            else:
                found.append(spec)
        if errors:
            raise ValidationError(errors)
        open_windows = [semester for semester, window in self.windows.items() if window.open]
        if found and not open_windows:
            raise ValidationError("Les inscriptions de l'année sont closes.")
        self.foreign_semester = open_windows[0] if open_windows else ""
        return found

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("programme", "centre", "experience_report")
        }

    def chosen_units(self):
        by_code = {u.code: u for u in self.taught}
        foad = set(self.cleaned_data["foad_units"])
        chosen = [
            (by_code[code], self.semester_of[code], code in foad)
            for code in self.cleaned_data["units"]
        ]
        # Another centre's UE: stored by the service (catalogue.services.foreign_unit).
        return chosen + [
            (spec, self.foreign_semester, True) for spec in self.cleaned_data["foreign_units"]
        ]


STEPS = (
    ("identite", "Identité", IdentityForm),
    ("coordonnees", "Coordonnées", ContactForm),
    ("situation", "Situation professionnelle", SituationForm),
    ("nationalite", "Nationalité", NationalityForm),
    ("diplome", "Diplôme", DiplomaForm),
    ("experience", "Expérience professionnelle", ExperienceForm),
    ("financement", "Financement", FundingForm),
    ("formation", "Formation et UE", ProgrammeForm),
)
STEP_TITLES = [(slug, title) for slug, title, _ in STEPS]


class UploadForm(BoundedForm):
    file = DocumentField(
        label="Fichier (PDF, JPEG ou PNG, 5 Mo au plus)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    issued_on = forms.DateField(label="Date du document", required=False, widget=DateInput())

    def __init__(self, *args, dated: bool = False, piece: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if piece:  # each upload field names its piece (several on one page)
            label = f"Fichier pour « {piece} »"
            self.fields["file"].label = label
            self["file"].label = label  # the DSFR form has already made its bound field
        self.fields["issued_on"].required = dated
        if not dated:
            del self.fields["issued_on"]


class ReviewForm(BoundedForm):
    decision = forms.ChoiceField(
        label="Décision", choices=[("accept", "Accepter"), ("reject", "Refuser")]
    )
    reason = forms.CharField(label="Motif du refus", required=False, max_length=500)


class IncompleteForm(BoundedForm):
    note = forms.CharField(
        label="Message à l'apprenant (facultatif)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="La liste des pièces manquantes et refusées est jointe automatiquement.",
    )


class RefuseForm(BoundedForm):
    reason = forms.CharField(
        label="Motif du refus du dossier",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Envoyé à l'apprenant ; le dossier est clos.",
    )


class PaymentForm(BoundedForm):
    conditional = {"cheque_number": "À remplir pour un chèque."}
    token = forms.UUIDField(widget=forms.HiddenInput)
    payer = forms.ChoiceField(label="Payeur", choices=Payment.Payer.choices)
    method = forms.ChoiceField(label="Moyen de paiement", choices=Payment.Method.choices)
    amount = forms.DecimalField(
        label="Montant (€)",
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        localize=True,  # French users type 118,00
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    cheque_number = forms.CharField(label="N° de chèque", required=False, max_length=40)
    reference = forms.CharField(
        label="Référence (virement, prise en charge…)", required=False, max_length=120
    )
    received_on = forms.DateField(label="Reçu le", widget=DateInput())
    scheme = forms.ChoiceField(
        label="Dispositif de financement (bilan pédagogique et financier)",
        help_text="Pour un paiement de l'employeur ou d'un organisme : OPCO, CPF, "
        "Transitions Pro, Région… Laissé vide, la direction le classera.",
        required=False,
        choices=[("", "— à préciser plus tard"), *Payment._meta.get_field("scheme").choices],
    )
    is_guarantee = forms.BooleanField(
        label="Chèques de garantie (attestation de l'employeur non signée), rendus à "
        "réception de l'attestation signée",
        required=False,
    )
    # Shown only once the same cheque or reference was found already recorded.
    confirmed_second = forms.BooleanField(
        label="C'est un second paiement (pas le même enregistré deux fois)",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("token", uuid.uuid4())
        self.initial.setdefault("received_on", clock.today())

    def ask_confirmation(self, error: ValidationError) -> None:
        """Show the service's warning beside its field, with the box to confirm."""
        self.fields["confirmed_second"].widget = forms.CheckboxInput()
        self.add_error(None, error)

    def clean(self):
        data = super().clean()
        if data.get("method") == Payment.Method.CHEQUE:
            self.require("cheque_number", "Indiquez le numéro du chèque.")
        if data.get("payer") == Payment.Payer.LEARNER and data.get("scheme") not in ("", "C9"):
            self.add_error(
                "scheme",
                "Un paiement de l'élève à ses frais relève de la ligne C9 (particuliers).",
            )
        received = data.get("received_on")
        if received and received > clock.today():
            self.add_error("received_on", "Un paiement ne peut être reçu dans le futur.")
        return data


class TerminationForm(BoundedForm):
    requested_on = forms.DateField(label="Demande reçue le", widget=DateInput())
    letter_date = forms.DateField(label="Date du courrier recommandé", widget=DateInput())
    letter_reference = forms.CharField(
        label="Référence du recommandé avec accusé de réception", max_length=60
    )
    sessions_delivered = forms.IntegerField(label="Séances dispensées", min_value=0, required=False)
    sessions_planned = forms.IntegerField(
        label="Séances prévues au contrat", min_value=1, required=False
    )
    force_majeure = forms.BooleanField(
        label="Le cas de force majeure est dûment reconnu par le centre", required=True
    )

    def __init__(self, *args, basis: str, **kwargs):
        super().__init__(*args, **kwargs)
        if basis == "sessions":
            self.fields["sessions_delivered"].required = True
            self.fields["sessions_planned"].required = True
        else:
            del self.fields["sessions_delivered"]
            del self.fields["sessions_planned"]

    def clean(self):
        data = super().clean()
        for name in ("requested_on", "letter_date"):
            if data.get(name) and data[name] > clock.today():
                self.add_error(name, "Cette date ne peut être future.")
        if (
            data.get("letter_date")
            and data.get("requested_on")
            and (data["letter_date"] > data["requested_on"])
        ):
            self.add_error("letter_date", "Le courrier ne peut être postérieur à la réception.")
        done, planned = data.get("sessions_delivered"), data.get("sessions_planned")
        if done is not None and planned is not None and done > planned:
            self.add_error("sessions_delivered", f"Au plus {planned} (séances prévues).")
        return data

    def termination(self) -> dict:
        data = self.cleaned_data
        return {
            "requested_on": data["requested_on"],
            "letter_date": data["letter_date"],
            "letter_reference": data["letter_reference"].strip(),
            "sessions_delivered": data.get("sessions_delivered"),
            "sessions_planned": data.get("sessions_planned"),
        }


class QueueFilterForm(forms.Form):
    """Filters of the reception's queue (GET)."""

    status = forms.ChoiceField(
        label="État", required=False, choices=[("", "Tous"), *Dossier.Status.choices]
    )
    programme = forms.ModelChoiceField(
        label="Formation",
        required=False,
        queryset=Programme.objects.all(),
        empty_label="Toutes",
        to_field_name="code",
    )
    semester = forms.ChoiceField(
        label="Semestre",
        required=False,
        choices=[("", "Tous"), ("S1", "Semestre 1"), ("S2", "Semestre 2")],
    )
    centre = forms.ModelChoiceField(
        label="Centre",
        required=False,
        queryset=Centre.objects.all(),
        empty_label="Tous",
        to_field_name="code",
    )
    q = forms.CharField(label="Nom ou courriel", required=False, max_length=100)


class FirstRegistrationForm(BoundedForm):
    """The centre fixes whether a dossier is a first registration (R-FEE-1)."""

    conditional = {"reason": "À remplir quand le centre fixe la réponse."}
    value = forms.ChoiceField(
        label="Première inscription au centre",
        choices=(
            ("auto", "Calcul automatique (inscriptions précédentes dans Parcours)"),
            ("yes", "Oui : frais de dossier dus"),
            ("no", "Non : déjà inscrit(e) au centre, pas de frais de dossier"),
        ),
    )
    reason = forms.CharField(
        label="Motif (inscription antérieure à Parcours, erreur…)", required=False, max_length=300
    )

    def clean(self):
        data = super().clean()
        if data.get("value") in ("yes", "no") and not data.get("reason", "").strip():
            self.add_error("reason", "Indiquez le motif : il est gardé dans l'historique.")
        return data

    @property
    def override(self) -> bool | None:
        return {"auto": None, "yes": True, "no": False}[self.cleaned_data["value"]]
