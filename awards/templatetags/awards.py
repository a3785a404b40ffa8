from django import template

from awards.presenters import period_months

register = template.Library()


@register.filter
def months(period) -> str:
    """Months of a period, computed from its dates (rules.experience)."""
    return period_months(period)


@register.filter
def programme_codes(unit) -> str:
    """The programmes a UE counts in (R-EXA-4), from the prefetched relation."""
    return ", ".join(p.code for p in unit.programmes.all())
