from django.contrib import admin
from django.urls import include, path

from parcours.health import health

urlpatterns = [
    path("", include("catalogue.urls")),
    path("compte/", include("accounts.urls")),
    path("", include("admissions.urls")),
    path("", include("timetable.urls")),
    path("", include("teaching.urls")),
    path("", include("assessment.urls")),
    path("", include("awards.urls")),
    path("", include("privacy.urls")),
    path("", include("reports.urls")),
    path("accueil/travaux/", include("parcours.job_urls")),
    path("admin/", admin.site.urls),
    path("sante/", health, name="health"),
]
