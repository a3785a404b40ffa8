"""What assessment tells the apps above it, without importing them (issue 19, item 7):
the ledger (awards) follows a jury's results and dates."""

from django.dispatch import Signal

# With `jury`, inside the change's transaction: a decided jury's marks changed (its
# decision, a correction after it) — the ledger re-syncs its credits (R-EXA-4).
jury_marks_changed = Signal()
# A decided jury's dates changed (an early publication, new session dates): its credits'
# days follow (R-EXA-5).
jury_dates_changed = Signal()
