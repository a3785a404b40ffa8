"""What admissions tells the apps above it, without importing them (issue 19, item 7:
the ledger listens; admissions does not call it)."""

from django.dispatch import Signal

# Sent inside the validation's transaction, with `dossier` and `by`: a receiver's
# refusal undoes the validation.
registration_validated = Signal()
