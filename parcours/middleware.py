"""Request and response rules every page keeps (docs/security.md).

- `RefuseControlCharacters`: a NUL or another C0 control in the path, the query string
  or a posted field is nobody's typing; PostgreSQL cannot even compare it. 400, in French.
- `PrivatePagesNotStored`: a page shown to a signed-in user holds personal data; no
  browser or proxy keeps it (Cache-Control: no-store).
- `SessionLifetimeByRole`: a session ends when the browser closes (settings) and, at the
  latest, after its role's lifetime from sign-in: a working day for staff.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control

SIGNED_IN_AT = "parcours_signed_in_at"
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _has_control(text: str) -> bool:
    return any(ord(char) < 32 and char not in _ALLOWED_CONTROLS for char in text) or (
        "\x7f" in text
    )


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


class RefuseControlCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control(request.path) or any(
            _has_control(key) or any(_has_control(value) for value in values)
            for key, values in request.GET.lists()
        ):
            return bad_request(request)
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        # POST is read here, after the CSRF check has run in its own middleware.
        if request.method == "POST" and request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            for key, values in request.POST.lists():
                if _has_control(key) or any(_has_control(value) for value in values):
                    return bad_request(request)
        return None


class PrivatePagesNotStored:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


def session_lifetime(user) -> int:
    """Seconds a session of `user` may last from sign-in."""
    from parcours.access import is_learner

    if user.is_staff or not is_learner(user):
        return settings.PARCOURS_STAFF_SESSION_SECONDS
    return settings.PARCOURS_LEARNER_SESSION_SECONDS


def remember_sign_in(sender, request, user, **kwargs):
    """user_logged_in: the time the session's lifetime counts from."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLifetimeByRole:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is None:
                request.session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - signed_in_at > session_lifetime(user):
                logout(request)
                messages.info(request, "Votre session a expiré : reconnectez-vous pour continuer.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
