"""Account pages: sign-up and address confirmation, login, password reset.

All are open to anyone (access rule "anonymous"). Whatever is typed, the answers do
not tell whether an address has an account (security guide, "Accounts and sessions").
"""

from axes.utils import reset as reset_lockout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    ConfirmEmailForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from accounts.models import User
from accounts.services import (
    activate_applicant,
    link_valid_hours,
    register_applicant,
    site_url,
)
from accounts.tokens import email_confirmation_token
from parcours.access import public


@public
@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        register_applicant(form.cleaned_data["email"], form.cleaned_data["password"])
        # Same page for a new, a pending and a known address.
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@public
@require_http_methods(["GET"])
def signup_done(request):
    return render(request, "accounts/signup_done.html", {"valid_hours": link_valid_hours()})


def _user_from_uidb64(uidb64: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.get(pk=pk)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


def _space_url() -> str:
    """The learner's space once the other app provides it, else the default page."""
    try:
        return reverse("admissions:space")
    except NoReverseMatch:
        return resolve_url(settings.LOGIN_REDIRECT_URL)


@public
@require_http_methods(["GET", "POST"])
def confirm_email(request, uidb64, token):
    """GET shows the page and writes nothing (mail scanners follow links); POST, with
    the password chosen at sign-up, activates the account and signs in."""
    user = _user_from_uidb64(uidb64)
    if user is None or not email_confirmation_token.check_token(user, token):
        return render(request, "accounts/confirm_email_invalid.html")
    if user.is_active:
        messages.info(request, "Votre adresse est déjà confirmée : vous pouvez vous connecter.")
        return redirect("accounts:login")
    if not user.awaiting_confirmation:  # deactivated by the staff: not for this page
        return render(request, "accounts/confirm_email_invalid.html")

    form = ConfirmEmailForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not activate_applicant(user):
            messages.info(request, "Votre adresse est déjà confirmée : vous pouvez vous connecter.")
            return redirect("accounts:login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Votre adresse est confirmée et votre compte est activé.")
        return redirect(_space_url())
    return render(request, "accounts/confirm_email.html", {"form": form, "email": user.email})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Django sends the mail only to an active account of that address; the answer is
    the same page either way."""

    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_url": site_url(), "valid_hours": link_valid_hours()}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "valid_hours": link_valid_hours()}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The lockout page offers the reset as a way out: a new password set through the
        # mailbox lifts the lockout of that address.
        reset_lockout(username=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
