"""The business date: what "today" is for deposits, deadlines and payments.

Production leaves `PARCOURS_TODAY` empty and gets the real date in the centre's time
zone. The demo and the tests pin it inside the brochure's academic year (2016-2017),
so that its registration windows are open; timestamps (history, uploads) stay real.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def today() -> dt.date:
    pinned = settings.PARCOURS_TODAY
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise ImproperlyConfigured(
                f"PARCOURS_TODAY « {pinned} » : une date AAAA-MM-JJ est attendue."
            ) from None
    return timezone.localdate()
