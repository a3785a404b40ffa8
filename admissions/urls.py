from django.urls import path

from admissions import views

app_name = "admissions"
urlpatterns = [
    path("accueil-connecte/", views.home, name="home"),
    path("espace/", views.space, name="space"),
    path("preinscription/", views.start, name="start"),
    path("dossier/<int:pk>/", views.dossier, name="dossier"),
    path("dossier/<int:pk>/rubrique/<slug:slug>/", views.step, name="step"),
    path("dossier/<int:pk>/pieces/", views.pieces, name="pieces"),
    path("dossier/<int:pk>/pieces/<slug:code>/", views.upload, name="upload"),
    path("dossier/<int:pk>/fichiers/<int:file_pk>/", views.download, name="download"),
    path("dossier/<int:pk>/fichiers/<int:file_pk>/retirer/", views.remove_file, name="remove_file"),
    path("dossier/<int:pk>/deposer/", views.deposit, name="deposit"),
    path("dossier/<int:pk>/renvoyer/", views.send_back, name="send_back"),
    path("dossier/<int:pk>/retractation/", views.withdraw, name="withdraw"),
    path("dossier/<int:pk>/devis.pdf", views.quote_pdf, name="quote_pdf"),
    path("dossier/<int:pk>/contrat.pdf", views.contract_pdf, name="contract_pdf"),
    path(
        "dossier/<int:pk>/certificat-inscription.pdf", views.certificate_pdf, name="certificate_pdf"
    ),
    path("accueil/dossiers/", views.queue, name="queue"),
    path("accueil/dossiers/<int:pk>/", views.staff_dossier, name="staff_dossier"),
    path("accueil/dossiers/<int:pk>/pieces/<int:item_pk>/", views.review, name="review"),
    path("accueil/dossiers/<int:pk>/incomplet/", views.incomplete, name="incomplete"),
    path("accueil/dossiers/<int:pk>/valider/", views.validate, name="validate"),
    path("accueil/dossiers/<int:pk>/refuser/", views.refuse, name="refuse"),
    path("accueil/dossiers/<int:pk>/tarif/", views.decide_rate, name="decide_rate"),
    path("accueil/dossiers/<int:pk>/paiements/", views.payment, name="payment"),
    path(
        "accueil/dossiers/<int:pk>/attestation-signee/",
        views.signed_certificate,
        name="signed_certificate",
    ),
    path(
        "accueil/dossiers/<int:pk>/premiere-inscription/",
        views.first_registration,
        name="first_registration",
    ),
    path("accueil/dossiers/<int:pk>/resiliation/", views.terminate, name="terminate"),
]
