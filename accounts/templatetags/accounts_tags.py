import datetime as dt

from django import template

register = template.Library()


@register.filter
def minutes(delta: dt.timedelta | None) -> int:
    """Whole minutes of a duration (the lockout's cool-off), rounded up."""
    if not delta:
        return 0
    return -(-int(delta.total_seconds()) // 60)
