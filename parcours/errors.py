"""French DSFR pages for refused requests (Django's defaults are English)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
