"""Reading django-simple-history rows for the pages: what changed between two saved
versions, as "field: before → after" in French."""

import datetime as dt

from django.utils import timezone


def _shown(value, choices: dict) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(choices.get(value, value))


def changes(previous, current, skipped: set[str]) -> str:
    """ "field: before → after" for what changed between two saved versions."""
    if previous is None:
        return ""
    parts = []
    for field in current._meta.fields:
        name = field.attname
        if name in skipped or name.startswith("history_") or not field.verbose_name:
            continue
        before, after = getattr(previous, name), getattr(current, name)
        if before == after or field.name in skipped:
            continue
        if field.is_relation:  # naming the row would cost a query per change
            parts.append(f"{field.verbose_name} modifié(e)")
            continue
        choices = dict(field.choices or ())
        parts.append(f"{field.verbose_name} : {_shown(before, choices)} → {_shown(after, choices)}")
    return " ; ".join(parts)
