from django.urls import path

from catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.home, name="home"),
    path("formations/<str:code>/", views.programme_detail, name="programme"),
    path("ue/<str:code>/", views.unit_detail, name="unit"),
    path("calendrier/", views.calendar, name="calendar"),
    path("calendrier/<str:year>/", views.calendar, name="calendar_year"),
    path("tarifs/", views.fees, name="fees"),
    path("centres/", views.centres, name="centres"),
    path("inscription/", views.how_to_register, name="register"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
