from django import forms
from django.contrib.auth import get_user_model

from parcours.forms import BoundedForm
from privacy.models import ErasureRequest


class ErasureRequestForm(BoundedForm):
    email = forms.EmailField(label="Adresse électronique du compte de la personne")
    channel = forms.ChoiceField(
        label="Reçue par",
        choices=[c for c in ErasureRequest.Channel.choices if c[0] != "online"],
    )
    note = forms.CharField(
        label="Précisions (ce que la personne demande, pièce d'identité vue…)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        person = get_user_model().objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError("Aucun compte n'a cette adresse.")
        self.person = person
        return email
