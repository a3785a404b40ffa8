from django.conf import settings


def site(request):
    """What every page's frame needs: the site title, the CSP nonce for scripts and
    the links the user's roles open (computed lazily: one query, only if used)."""
    return {
        "site_title": settings.SITE_TITLE,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "nav_roles": _LazyRoles(request),
    }


class _LazyRoles:
    def __init__(self, request):
        self.request = request
        self._roles = None

    def _load(self) -> set[str]:
        if self._roles is None:
            from accounts.roles import ROLES
            from parcours.access import role_groups

            user = getattr(self.request, "user", None)
            names = role_groups(user) if user is not None else set()
            self._roles = {role for role, spec in ROLES.items() if spec.group in names}
        return self._roles

    @property
    def learner(self) -> bool:
        return "learner" in self._load()

    @property
    def teacher(self) -> bool:
        return "teacher" in self._load()

    @property
    def direction(self) -> bool:
        return "direction" in self._load()

    @property
    def staff(self) -> bool:
        return bool({"reception", "direction"} & self._load())
