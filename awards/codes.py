"""Verification codes printed on issued documents: 12 random symbols of Crockford's
base 32 (60 bits: not guessable, not enumerable) and a check symbol, so that a code
mistyped by a person is told apart from a code that does not exist."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CHECK_ALPHABET = ALPHABET + "*~$=U"  # 37 check symbols (mod 37)
BODY_LENGTH = 12
GROUP = 4
# What people type for what they read (Crockford's decoding).
_READS_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _check_symbol(body: str) -> str:
    value = 0
    for char in body:
        value = value * len(ALPHABET) + ALPHABET.index(char)
    return CHECK_ALPHABET[value % len(CHECK_ALPHABET)]


def new_code() -> str:
    """A fresh code, stored and compared without separators."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + _check_symbol(body)


def normalise(text: str) -> str:
    """What was typed or scanned, upper-cased, separators and spaces removed."""
    kept = "".join(ch for ch in text.upper() if ch not in " -._")
    return kept.translate(_READS_AS)


def well_formed(code: str) -> bool:
    """The right length, the right symbols and a matching check symbol."""
    if len(code) != BODY_LENGTH + 1:
        return False
    body, check = code[:-1], code[-1]
    if any(ch not in ALPHABET for ch in body):
        return False
    return _check_symbol(body) == check


def problem(code: str) -> str | None:
    """Why a normalised code is not well formed, in French, or None. A right-length code
    whose check symbol does not match is a copying mistake (a misread or two characters
    swapped), told apart from a code of the wrong shape."""
    if len(code) != BODY_LENGTH + 1:
        return (
            f"il compte {len(code)} caractère{'s' if len(code) > 1 else ''} au lieu de "
            f"{BODY_LENGTH + 1} (lettres et chiffres) ; vérifiez la recopie."
        )
    wrong = sorted({ch for ch in code[:-1] if ch not in ALPHABET})
    if wrong or code[-1] not in CHECK_ALPHABET:
        shown = ", ".join(f"« {ch} »" for ch in wrong or [code[-1]])
        return f"il contient {shown}, qui n'appartient à aucun code ; vérifiez la recopie."
    if _check_symbol(code[:-1]) != code[-1]:
        return (
            "il a la bonne forme, mais son dernier caractère (le caractère de contrôle) ne "
            "correspond pas aux autres : c'est une erreur de recopie, un caractère mal lu "
            "ou deux caractères inversés. Relisez le code sur le document."
        )
    return None


def display(code: str) -> str:
    """ABCD-EFGH-JKMN-P: groups of four, easier to read aloud and copy."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
