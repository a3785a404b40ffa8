"""A URL configuration where the learner's space exists (the admissions app's name)."""

from django.http import HttpResponse
from django.urls import include, path

from parcours.access import public


@public
def space(request):
    return HttpResponse("espace")


admissions = ([path("espace/", space, name="space")], "admissions")

urlpatterns = [
    path("", include("catalogue.urls")),
    path("compte/", include("accounts.urls")),
    path("", include(admissions)),
]
