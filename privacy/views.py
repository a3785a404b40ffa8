"""Pages of data protection (R-ORG-6).

- Learners (and applicants): what the centre keeps about them and for how long, their
  subject-access export (a ZIP of JSON and their files), and a request for erasure.
- Reception and direction: the erasure requests; the reception records one received
  by mail or at the desk; the direction executes it.

GET never writes.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours import clock
from parcours.access import attempt, direction_only, learner_only, staff_only
from privacy import services
from privacy.forms import ErasureRequestForm
from privacy.models import ErasureRequest
from privacy.retention import RULES


@learner_only
@require_GET
def mine(request):
    held = [
        {"label": str(apps.get_model(name)._meta.verbose_name_plural).capitalize(), "n": len(rows)}
        for name, rows in services._subject_rows(request.user).items()
    ]
    return render(
        request,
        "privacy/mine.html",
        {
            "held": sorted(held, key=lambda h: h["label"]),
            "rules": RULES,
            "erasure_requests": ErasureRequest.objects.filter(person=request.user),
            "breadcrumb_data": {"links": [], "current": "Mes données personnelles"},
        },
    )


@learner_only
@require_GET
def export(request):
    response = HttpResponse(services.export_archive(request.user), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="mes-donnees-parcours-{clock.today():%Y-%m-%d}.zip"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@learner_only
@require_POST
def ask_erasure(request):
    attempt(
        request,
        lambda: services.record_erasure_request(
            request.user,
            channel=ErasureRequest.Channel.ONLINE,
            note=request.POST.get("note", "")[:2000],
            by=request.user,
        ),
        "Votre demande d'effacement est enregistrée : le centre vous répond dans un mois "
        "au plus, en vous disant ce qui est effacé et ce qui doit être gardé.",
    )
    return redirect("privacy:mine")


@staff_only
@require_http_methods(["GET", "POST"])
def requests(request):
    form = ErasureRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_erasure_request(
                    form.person,
                    channel=form.cleaned_data["channel"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Demande d'effacement enregistrée.")
                return redirect("privacy:requests")
        status = 400
    return render(
        request,
        "privacy/requests.html",
        {
            "form": form,
            "pending": ErasureRequest.objects.filter(status=ErasureRequest.Status.RECEIVED)
            .select_related("person", "recorded_by")
            .order_by("received_on", "pk"),
            "done": ErasureRequest.objects.exclude(status=ErasureRequest.Status.RECEIVED)
            .select_related("person", "decided_by")
            .order_by("-decided_on", "-pk")[:50],
            "rules": RULES,
            "breadcrumb_data": {"links": [], "current": "Protection des données"},
        },
        status=status,
    )


@direction_only
@require_POST
def decide(request, pk: int):
    erasure = get_object_or_404(ErasureRequest, pk=pk)
    attempt(
        request,
        lambda: services.execute_erasure(erasure, request.user),
        "Demande traitée : ce qui est effacé et ce qui est gardé est écrit dans la décision.",
    )
    return redirect("privacy:requests")
