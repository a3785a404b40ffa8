from django.urls import path

from timetable import views

app_name = "timetable"
urlpatterns = [
    path("planning/", views.index, name="index"),
    path("planning/<slug:centre>/", views.centre_planning, name="centre"),
    path("planning/<slug:centre>/ue/<slug:unit>/", views.unit_planning, name="unit"),
    path("planning/<slug:centre>/ue/<slug:unit>.ics", views.unit_feed, name="unit_feed"),
    path("espace/planning/", views.my_planning, name="mine"),
    path("espace/planning/agenda/", views.my_feed, name="my_feed"),
    path("agenda/<slug:token>.ics", views.learner_feed, name="learner_feed"),
    path("accueil/planning/", views.staff_index, name="staff"),
    path("accueil/planning/generer/", views.generate, name="generate"),
    path("accueil/planning/<int:pk>/", views.staff_planning, name="staff_planning"),
    path("accueil/planning/<int:pk>/publication/", views.publish, name="publish"),
    path("accueil/planning/seance/<int:pk>/", views.staff_session, name="staff_session"),
]
