"""Lockout after repeated failures, per account and per client address (ASVS 6.3.1).

django-axes locks an (e-mail, address) pair after AXES_FAILURE_LIMIT failures: nobody
can lock a learner out from elsewhere. That alone never limits one address spraying
many accounts, so this handler also refuses an address whose failures, over every
account, reach AXES_ADDRESS_FAILURE_LIMIT within the cool-off (higher: a centre's
classroom shares one address). Behind the TLS proxy the address is the client's, read
from X-Forwarded-For by django-ipware (settings: AXES_IPWARE_*).
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AccountAndAddressHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the limit once the address's own are spent (so that
        the check before a login and the count after a failure lock alike)."""
        failures = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        if address:
            from_address = AccessAttempt.objects.filter(ip_address=address).aggregate(
                total=Sum("failures_since_start")
            )["total"]
            if (from_address or 0) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
                return max(failures, get_failure_limit(request, credentials))
        return failures


# axes keeps the username in a 255-character column: a longer one typed into the login
# form made PostgreSQL refuse the failure's row (a 500). No e-mail address is longer than
# 254 characters (RFC 5321), so the first 254 identify the account.
USERNAME_MAX_CHARS = 254


def bounded_username(request, credentials=None) -> str | None:
    """The username axes counts failures for, as its default reads it, bounded."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    return None if value is None else str(value)[:USERNAME_MAX_CHARS]
