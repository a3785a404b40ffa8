from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from parcours.access import declare

app_name = "accounts"
urlpatterns = [
    path("connexion/", declare("anonymous", views.LoginView.as_view()), name="login"),
    path("deconnexion/", declare("anonymous", auth_views.LogoutView.as_view()), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/messagerie/", views.signup_done, name="signup_done"),
    path("confirmer/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
    path(
        "mot-de-passe/oubli/",
        declare("anonymous", views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        declare("anonymous", views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        declare("anonymous", views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        declare("anonymous", views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
