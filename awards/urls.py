from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("espace/parcours/", views.my_path, name="path"),
    path("espace/parcours/demande/<slug:code>/", views.request_award, name="request_award"),
    path("espace/parcours/experience/", views.add_period, name="add_period"),
    path("espace/parcours/experience/<int:pk>/retirer/", views.remove_period, name="remove_period"),
    path("espace/parcours/releve/", views.issue_transcript, name="issue_transcript"),
    path(
        "espace/parcours/attestation/<int:dossier_pk>/",
        views.issue_attendance,
        name="issue_attendance",
    ),
    path("documents/<int:pk>.pdf", views.document_pdf, name="document_pdf"),
    path("justificatifs/<int:pk>/", views.evidence, name="evidence"),
    path("accueil/apprenants/", views.learners, name="learners"),
    path("accueil/apprenants/registre/", views.sync_credits, name="sync_credits"),
    path("accueil/apprenants/<int:pk>/", views.learner, name="learner"),
    path("accueil/apprenants/<int:pk>/acquis/", views.add_credit, name="add_credit"),
    path(
        "accueil/apprenants/<int:pk>/acquis/<int:credit_pk>/retirer/",
        views.withdraw_credit,
        name="withdraw_credit",
    ),
    path(
        "accueil/apprenants/<int:pk>/experience/<int:period_pk>/",
        views.review_period,
        name="review_period",
    ),
    path("accueil/apprenants/<int:pk>/validation/", views.open_validation, name="open_validation"),
    path(
        "accueil/apprenants/<int:pk>/validation/<int:case_pk>/dossier/",
        views.validation_dossier,
        name="validation_dossier",
    ),
    path(
        "accueil/apprenants/<int:pk>/validation/<int:case_pk>/forfait/",
        views.validation_fee,
        name="validation_fee",
    ),
    path(
        "accueil/apprenants/<int:pk>/validation/<int:case_pk>/entretien/",
        views.validation_appointment,
        name="validation_appointment",
    ),
    path(
        "accueil/apprenants/<int:pk>/validation/<int:case_pk>/decision/",
        views.validation_decision,
        name="validation_decision",
    ),
    path(
        "accueil/apprenants/<int:pk>/demandes/<int:request_pk>/verifier/",
        views.check_request,
        name="check_request",
    ),
    path(
        "accueil/apprenants/<int:pk>/demandes/<int:request_pk>/refuser/",
        views.refuse_request,
        name="refuse_request",
    ),
    path(
        "accueil/apprenants/<int:pk>/demandes/<int:request_pk>/delivrer/",
        views.grant,
        name="grant",
    ),
    path(
        "accueil/apprenants/<int:pk>/documents/<int:document_pk>/revoquer/",
        views.revoke_document,
        name="revoke_document",
    ),
    path("verifier/", views.verify, name="verify"),
    path("verifier/<str:code>/", views.verify_code, name="verify_code"),
]
