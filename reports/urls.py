from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("direction/bpf/", views.bpf_index, name="bpf_index"),
    path("direction/bpf/<int:fiscal_year>/", views.bpf, name="bpf"),
    path("direction/bpf/<int:fiscal_year>/bpf.csv", views.bpf_csv, name="bpf_csv"),
    path("direction/bpf/<int:fiscal_year>/bpf.pdf", views.bpf_pdf, name="bpf_pdf"),
    path("direction/bpf/<int:fiscal_year>/lignes/<str:key>/", views.bpf_rows, name="bpf_rows"),
    path("direction/bpf/<int:fiscal_year>/classer/", views.classify, name="classify"),
]
urlpatterns += [
    path("direction/tableau-de-bord/", views.dashboard_page, name="dashboard"),
    path(
        "direction/tableau-de-bord/<slug:name>/<str:key>/",
        views.dashboard_list,
        name="dashboard_list",
    ),
    path(
        "direction/tableau-de-bord/<slug:name>/<str:key>/export.csv",
        views.dashboard_csv,
        name="dashboard_csv",
    ),
]
