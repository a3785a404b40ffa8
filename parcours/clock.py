"""The business clock: what "today" and "now" are for deposits, deadlines, payments,
juries and every date a page shows or a row stores.

Production leaves `PARCOURS_TODAY` empty and gets the real date in the centre's time
zone. The demo and the tests pin it inside the brochure's academic year (2016-2017),
so that its registration windows are open; `now()` is then that day at the real time
of day, so that events of one day keep their order. The audit trail (history rows, sign-ins,
lockouts), the purge of stray files and the task queue's scheduling keep the system
clock: they record when something really happened, in order even when a demo changes
its pinned day, or measure real time. In production the two clocks are one.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
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


def now() -> dt.datetime:
    """An aware datetime on the business day."""
    real = timezone.localtime()
    if not settings.PARCOURS_TODAY:
        return real
    return dt.datetime.combine(today(), real.timetz())


class BusinessDateTimeField(models.DateTimeField):
    """`auto_now` / `auto_now_add` on the business clock instead of the system's."""

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
