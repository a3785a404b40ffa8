"""Password strength (CNIL deliberation 2022-100): with the lockout in place, a password
must carry about 50 bits of entropy. Estimated by zxcvbn, which finds dictionary words,
keyboard rows (azerty…), repeats, dates and the account's own e-mail and name: the
length rule alone let "cnamreunion974" or twelve spaces through."""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# Words anyone would try first against this site's accounts.
SITE_WORDS = ("cnam", "reunion", "réunion", "parcours", "974", "motdepasse", "azerty")
# zxcvbn's cost grows with the length: what is beyond is not looked at (still counted).
_ESTIMATED_CHARS = 64


class StrengthValidator:
    def __init__(self, min_bits: int | None = None):
        self.min_bits = min_bits

    @property
    def bits(self) -> int:
        return self.min_bits or settings.PASSWORD_MIN_ENTROPY_BITS

    def validate(self, password: str, user=None) -> None:
        if estimated_bits(password, personal_words(user)) < self.bits:
            raise ValidationError(
                "Ce mot de passe est trop facile à deviner. Choisissez une phrase de "
                "plusieurs mots sans lien entre eux (par exemple « Mangue-Letchi-Vanille »), "
                "sans votre nom, votre adresse électronique ni des suites du clavier.",
                code="password_too_weak",
            )

    def get_help_text(self) -> str:
        return (
            "Une phrase de plusieurs mots sans lien entre eux, sans votre nom ni votre "
            "adresse électronique."
        )


def personal_words(user) -> list[str]:
    words = list(SITE_WORDS)
    if user is None:
        return words
    email = (getattr(user, "email", "") or "").lower()
    words.append(email)
    words += [part for part in re.split(r"[@._+-]", email) if part]
    for attribute in ("first_name", "last_name"):
        value = getattr(user, attribute, "") or ""
        words += [part for part in re.split(r"[\s'-]", value.lower()) if part]
    return words


def estimated_bits(password: str, words: list[str]) -> float:
    result = zxcvbn(password[:_ESTIMATED_CHARS], user_inputs=words)
    return math.log2(max(float(result["guesses"]), 1.0))
