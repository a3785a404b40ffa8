"""Who may see a view: every view declares one access rule (security baseline).

A test walks the URL list and fails on a route whose view has no `access_rule`.
Rules: "anonymous" (public pages), "learner", "teacher", "staff" (reception and
direction), "direction". Object scoping (a learner sees only their own dossier) is done
in each view's query on top of this.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import ROLES

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


# --- the roles' rules ---


def role_groups(user) -> frozenset[str]:
    """The names of the user's groups, read once per request (kept on the user object,
    which Django makes anew for each request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_parcours_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._parcours_groups = cached
    return cached


def _in_roles(user, *roles: str) -> bool:
    return bool(role_groups(user) & {ROLES[role].group for role in roles})


def is_learner(user) -> bool:
    return _in_roles(user, "learner")


def is_staff_member(user) -> bool:
    return _in_roles(user, "reception", "direction")


def is_direction(user) -> bool:
    return _in_roles(user, "direction")


def learner_or_staff(user) -> bool:
    return _in_roles(user, "learner", "reception", "direction")


def is_teacher(user) -> bool:
    return _in_roles(user, "teacher")


def teacher_or_staff(user) -> bool:
    return _in_roles(user, "teacher", "reception", "direction")


learner_only = restricted_to("learner", is_learner)
staff_only = restricted_to("staff", is_staff_member)
direction_only = restricted_to("direction", is_direction)
teacher_only = restricted_to("teacher", is_teacher)
# Teachers see their own groups only (scoped in the view's query); staff see all.
teacher_or_staff_only = restricted_to("teacher", teacher_or_staff)


def attempt(request, action, success: str) -> bool:
    """Run a service call; tell the user its refusal (every reason) or its success."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True
