from django.conf import settings


def site(request):
    """What every page's frame needs: the site title, the CSP nonce for scripts and
    the links the user's roles open (computed lazily: one query, only if used)."""
    return {
        "site_title": settings.SITE_TITLE,
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "nav_roles": _LazyRoles(request),
        "accessibility_status": _LazyStatus(),
    }


class _LazyStatus:
    """The footer's compliance status, read from the statement only when shown."""

    def __str__(self) -> str:
        from catalogue.accessibility import statement

        return statement().status


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

    @property
    def menu(self) -> list[dict]:
        """The main navigation: the public site, plus a role's own pages. Staff and
        teachers get their pages first and the public site folded into one menu, so
        the header fits at 1024 px (the DSFR's header with a navigation menu)."""
        path = self.request.path

        def links(*entries, prefix=False):
            return [
                _link(label, url, path, prefix)
                for label, name in entries
                if (url := _reachable(name)) is not None
            ]

        public = links(
            ("Formations", "catalogue:home"),
            ("Calendrier", "catalogue:calendar"),
            ("Planning", "timetable:index"),
            ("Tarifs", "catalogue:fees"),
            ("S'inscrire", "catalogue:register"),
            ("Centres", "catalogue:centres"),
        )
        own = []
        if self.staff:
            own = links(
                ("Dossiers", "admissions:queue"),
                ("Plannings", "timetable:staff"),
                ("Groupes", "teaching:groups"),
                ("Examens", "assessment:sessions"),
                ("Acquis et diplômes", "awards:learners"),
                ("Données", "privacy:requests"),
                prefix=True,
            )
            if self.direction:
                own += links(("Pilotage", "reports:dashboard"), prefix=True)
        elif self.teacher:
            own = links(("Mes groupes", "teaching:groups"), prefix=True)
        if not own:
            return public
        folded = {
            "label": "Site public",
            "id": "menu-site-public",
            "children": public,
            "current": any(link["current"] for link in public),
        }
        return [*own, folded]


def _link(label: str, url: str, path: str, prefix: bool = False) -> dict:
    current = path.startswith(url) if prefix else path == url
    return {"label": label, "url": url, "current": current}


def _reachable(name: str) -> str | None:
    """The route's address, or None where a site (a test's URLconf) lacks it."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return None
