from django.urls import path

from parcours import job_views

app_name = "jobs"
urlpatterns = [
    path("<slug:kind>/", job_views.panel, name="panel"),
    path("fichier/<int:pk>/", job_views.job_file, name="file"),
]
