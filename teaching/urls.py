from django.urls import path

from teaching import proof_views, views

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
    path("enseignement/seances/<int:pk>/feuille.pdf", proof_views.sheet_pdf, name="sheet_pdf"),
    path("espace/presences/declarer/", proof_views.declare, name="declare"),
    path("accueil/alternance/", views.alternance, name="alternance"),
    path("accueil/alternance/demi-journee/", proof_views.day_sheet_open, name="day_sheet_open"),
    path("accueil/alternance/demi-journee/<int:pk>/", proof_views.day_sheet, name="day_sheet"),
    path(
        "accueil/alternance/demi-journee/<int:pk>/action/",
        proof_views.day_sheet_action,
        name="day_sheet_action",
    ),
    path(
        "accueil/alternance/demi-journee/<int:pk>/feuille.pdf",
        proof_views.day_sheet_pdf,
        name="day_sheet_pdf",
    ),
    path("emargement/journee/<str:token>/", proof_views.day_sign, name="day_sign"),
    path("accueil/emargement/", proof_views.proofs, name="proofs"),
    path("accueil/emargement/activites/<int:pk>/", proof_views.decide, name="decide"),
    path("accueil/absences/", proof_views.at_risk, name="at_risk"),
    path("accueil/apprenants/<int:pk>/certificat/", proof_views.certificate, name="certificate"),
]
