"""The base of every form people type into: free text normalised and bounded, dates
plausible (parcours/inputs.py). The probe typed U+202E, 10 000-character notes,
0001-01-01 and full-width digits into a dossier, and all were saved."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from dsfr.forms import DsfrBaseForm

from parcours.inputs import FIRST_PLAUSIBLE_DAY, LAST_PLAUSIBLE_DAY, is_plausible, normal_text

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


class BoundedForm(DsfrBaseForm):
    """DsfrBaseForm with bounded, normalised inputs; rendered whole, it opens with the
    summary of its errors, which the page focuses (templates/parcours/form.html)."""

    template_name = "parcours/form.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
