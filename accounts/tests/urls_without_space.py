"""A URL configuration without the learner's space (before the admissions app has it)."""

from django.urls import include, path

urlpatterns = [
    path("", include("catalogue.urls")),
    path("compte/", include("accounts.urls")),
]
