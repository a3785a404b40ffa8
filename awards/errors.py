"""The awards app's refusal (every service raises it, in French)."""

from django.core.exceptions import ValidationError


class AwardError(ValidationError):
    """A refused change, in French, naming what is at fault."""
