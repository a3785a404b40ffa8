from django.contrib.auth import views as auth_views
from django.urls import path

from parcours.access import declare

app_name = "accounts"
urlpatterns = [
    path(
        "connexion/",
        declare("anonymous", auth_views.LoginView.as_view(template_name="accounts/login.html")),
        name="login",
    ),
    path("deconnexion/", declare("anonymous", auth_views.LogoutView.as_view()), name="logout"),
]
