"""Who may see a view: every view declares one access rule (security baseline).

A test walks the URL list and fails on a route whose view has no `access_rule`.
Rules: "anonymous" (public pages), "learner", "teacher", "staff" (reception and
direction), "direction". Object scoping (a learner sees only their own dossier) is done
in each view's query on top of this.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

ACCESS_RULES = ("anonymous", "learner", "teacher", "staff", "direction")


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    view.access_rule = "anonymous"
    return view


def restricted_to(rule: str, allowed: Callable) -> Callable:
    """A decorator letting through only users for whom `allowed(user)` is true;
    anonymous users go to the login page, others get 403."""
    if rule not in ACCESS_RULES:
        raise ValueError(rule)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorator


def declare(rule: str, view: Callable) -> Callable:
    """Declare the rule of a view whose checks live elsewhere (e.g. Django's own
    login view, reachable by anyone)."""
    if rule not in ACCESS_RULES:
        raise ValueError(rule)
    view.access_rule = rule
    return view
