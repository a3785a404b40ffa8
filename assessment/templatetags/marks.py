"""A mark as French readers write it: 14,5 — not 14,50 nor 14.5."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def mark(value) -> str:
    if value is None or value == "":
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")
