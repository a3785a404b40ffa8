from django import template

from rules.explain import euros as format_euros

register = template.Library()


@register.filter
def euros(amount) -> str:
    """1 200,00 € (R-FEE-5: exact decimals, shown the French way)."""
    return "" if amount is None else format_euros(amount)
