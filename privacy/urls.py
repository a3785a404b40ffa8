from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("espace/mes-donnees/", views.mine, name="mine"),
    path("espace/mes-donnees/export.zip", views.export, name="export"),
    path("espace/mes-donnees/effacement/", views.ask_erasure, name="ask_erasure"),
    path("accueil/donnees/", views.requests, name="requests"),
    path("accueil/donnees/<int:pk>/", views.decide, name="decide"),
]
