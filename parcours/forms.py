"""The base of every form people type into: free text normalised and bounded, dates
plausible (parcours/inputs.py). The probe typed U+202E, 10 000-character notes,
0001-01-01 and full-width digits into a dossier, and all were saved."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from dsfr.forms import DsfrBaseForm

from parcours.inputs import FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY, is_plausible, normal_text

BLANK_LABEL = "---------"  # Django's empty choice
# A free text (a note, a reason) without a column limit of its own.
FREE_TEXT_MAX_CHARS = 2000


def _plausible(day) -> None:
    if day is not None and not is_plausible(day):
        raise forms.ValidationError(
            f"Date invraisemblable : elle doit être comprise entre le "
            f"{FIRST_PLAUSIBLE_DAY:%d/%m/%Y} et le {LAST_PLAUSIBLE_DAY:%d/%m/%Y}."
        )


def _normalising(to_python, multiline: bool):
    def normalised(value):
        value = to_python(value)
        return normal_text(value, multiline=multiline) if isinstance(value, str) else value

    return normalised


def bound_inputs(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.validators.append(_plausible)
        if (
            not isinstance(field, forms.CharField)
            or isinstance(field, forms.UUIDField)  # a value, not text
            or isinstance(field.widget, forms.PasswordInput)
        ):
            continue
        if field.max_length is None:
            field.max_length = FREE_TEXT_MAX_CHARS
            field.validators.append(MaxLengthValidator(FREE_TEXT_MAX_CHARS))
            field.widget.attrs.setdefault("maxlength", str(FREE_TEXT_MAX_CHARS))
        field.to_python = _normalising(
            field.to_python, multiline=isinstance(field.widget, forms.Textarea)
        )


class DocumentField(forms.FileField):
    """A PDF, JPEG or PNG whose name and size are checked with the form's other fields;
    its content is checked on storing (parcours/uploads.py)."""

    def clean(self, data, initial=None):
        from parcours import uploads

        data = super().clean(data, initial)
        if data:
            uploads.check_name(data)
        return data


RECHOOSE_FILE = (
    "Le navigateur ne garde pas un fichier choisi quand le formulaire revient avec une "
    "erreur : choisissez-le à nouveau."
)


class BoundedForm(DsfrBaseForm):
    """DsfrBaseForm with bounded, normalised inputs; rendered whole, it opens with the
    summary of its errors, which the page focuses (templates/parcours/form.html)."""

    template_name = "parcours/form.html"
    # Fields asked only after some answer (the employer's name for an employee…): field
    # name → when, as a hint. They are neither marked "(optionnel)" nor `required` in
    # HTML; the form's clean() asks for them with `require` (issue 14, item 12).
    conditional: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                # A radio list shows its answers only: no preselected "---------".
                field.choices = [c for c in field.choices if c[1] != BLANK_LABEL]
        for name, when in self.conditional.items():
            field = self.fields[name]
            field.required = True  # for the label: not "(optionnel)"
            field.widget.use_required_attribute = lambda initial: False
            self._add_help(name, when, first=True)

    def _clean_fields(self):
        # A conditional field is checked by clean(), not as required.
        fields = [self.fields[name] for name in self.conditional]
        for field in fields:
            field.required = False
        try:
            super()._clean_fields()
        finally:
            for field in fields:
                field.required = True

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            for name, field in self.fields.items():
                if isinstance(field, forms.FileField) and RECHOOSE_FILE not in field.help_text:
                    self._add_help(name, RECHOOSE_FILE)

    def _add_help(self, name: str, text: str, first: bool = False) -> None:
        # The bound field keeps its own copy of the help text, made when first used.
        field = self.fields[name]
        parts = [text, field.help_text] if first else [field.help_text, text]
        field.help_text = " ".join(filter(None, parts))
        self[name].help_text = field.help_text

    def require(self, name: str, message: str) -> None:
        """Ask for a conditional field left empty — unless it already has its own error
        (a malformed date is not also "missing")."""
        value = self.cleaned_data.get(name)
        if name not in self.errors and (value is None or value == "" or value == []):
            self.add_error(name, message)
