from django.urls import path

from teaching import views

app_name = "teaching"
urlpatterns = [
    path("enseignement/groupes/", views.groups, name="groups"),
    path("enseignement/groupes/<int:pk>/", views.group, name="group"),
    path("enseignement/seances/<int:pk>/emargement/", views.sheet, name="sheet"),
    path("enseignement/seances/<int:pk>/correction/", views.correct, name="correct"),
    path("enseignement/seances/<int:pk>/feuille/", views.sheet_action, name="sheet_action"),
    path("enseignement/seances/<int:pk>/qr/", views.sheet_qr, name="sheet_qr"),
    path("emargement/<str:token>/", views.sign, name="sign"),
    path("espace/presences/", views.my_attendance, name="mine"),
    path("accueil/alternance/", views.alternance, name="alternance"),
]
