"""Forms of the account pages. Each lists its fields explicitly; labels are French."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.models import User


def normalise_email(value: str) -> str:
    """Addresses are stored and compared in lower case."""
    return (value or "").strip().lower()


class SignupForm(forms.Form):
    """An applicant's sign-up: an address and a password typed twice.

    The answer never depends on whether the address already has an account: the
    checks below look at the typed values only.
    """

    email = forms.EmailField(label="Adresse électronique", max_length=254)
    password = forms.CharField(label="Mot de passe", strip=False, widget=forms.PasswordInput)
    password_confirmation = forms.CharField(
        label="Confirmation du mot de passe", strip=False, widget=forms.PasswordInput
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", "Les deux mots de passe ne correspondent pas.")
        if password:
            # An unsaved user carrying only the typed address: the similarity check
            # behaves the same for a known and an unknown address.
            candidate = User(email=cleaned.get("email") or "")
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ConfirmEmailForm(forms.Form):
    """Confirming an address asks for the password chosen at sign-up (see
    `accounts.services.register_applicant` for why)."""

    password = forms.CharField(
        label="Mot de passe choisi à l'inscription", strip=False, widget=forms.PasswordInput
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                "Ce mot de passe n'est pas celui choisi lors de l'inscription.",
                code="password_incorrect",
            )
        return password


class EmailLoginMixin:
    """What Parcours adds to Django's login forms (field `username` = the address).

    - The address is put in lower case, so that the lockout counts `Awa@Exemple.re`
      and `awa@exemple.re` as one address.
    - `authenticate()` gets the address under both `username` and `email`. django-axes
      reads the address from the credentials under AXES_USERNAME_FORM_FIELD, whose
      default is the user model's USERNAME_FIELD ("email"), while Django's forms pass
      `username`: the failures were then recorded without an address (per client
      address only) and the check before the password never matched them, so the
      lockout never stopped a right guess. With both keys it works whichever way the
      setting is made.
    """

    def clean_username(self):
        return normalise_email(self.cleaned_data.get("username"))

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(
                self.request, username=username, email=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(EmailLoginMixin, AuthenticationForm):
    """The public login form."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # One message for an unknown address, a wrong password and an unconfirmed
        # account (Django's ModelBackend refuses inactive users like a wrong password).
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Adresse électronique ou mot de passe incorrect.",
    }


class AdminLoginForm(EmailLoginMixin, AdminAuthenticationForm):
    """The back-office login form, with the same address handling (and lockout)."""


class ResetRequestForm(PasswordResetForm):
    """Django's reset request (field `email`) with the French label."""

    email = forms.EmailField(label="Adresse électronique", max_length=254)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


class ResetPasswordForm(SetPasswordForm):
    """Django's new-password form (fields `new_password1`, `new_password2`); the
    validators' messages go under the first field, the mismatch under the second."""

    new_password1 = forms.CharField(
        label="Nouveau mot de passe", strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label="Confirmation du nouveau mot de passe", strip=False, widget=forms.PasswordInput
    )

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)
