"""The staff's planning forms. Each lists its fields; the service decides whether a
move is possible (same hard rules as the engine) and says why not."""

from __future__ import annotations

import datetime as dt

from django import forms

from admissions.forms import DateInput
from catalogue.models import AcademicYear, Centre
from parcours.forms import BoundedForm
from timetable.models import Room, Session
from timetable.services import LOCAL


class GenerateForm(forms.Form):
    year = forms.ModelChoiceField(AcademicYear.objects.all())
    centre = forms.ModelChoiceField(Centre.objects.all())


class ReasonForm(BoundedForm):
    reason = forms.CharField(
        label="Motif",
        max_length=300,
        help_text="Gardé dans l'historique de la séance (ex. : enseignant absent).",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MoveForm(ReasonForm):
    day = forms.DateField(label="Nouvelle date", widget=DateInput(attrs={"autocomplete": "off"}))
    start = forms.TimeField(
        label="Heure de début",
        widget=forms.TimeInput(
            attrs={"type": "time", "step": 600, "autocomplete": "off"}, format="%H:%M"
        ),
    )
    room = forms.ModelChoiceField(
        Room.objects.none(), label="Salle", required=False, empty_label="— (séance en ligne)"
    )

    field_order = ("day", "start", "room", "reason")

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        local = session.starts_at.astimezone(LOCAL)
        self.initial.setdefault("day", local.date())
        self.initial.setdefault("start", local.time())
        if session.online:
            del self.fields["room"]
        else:
            self.fields["room"].queryset = Room.objects.filter(centre_id=session.planning.centre_id)
            self.fields["room"].required = True
            self.fields["room"].empty_label = None
            self.initial.setdefault("room", session.room_id)

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start"):
            data["starts_at"] = dt.datetime.combine(data["day"], data["start"], tzinfo=LOCAL)
        data.setdefault("room", None)
        return data
