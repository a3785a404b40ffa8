"""Signed, expiring tokens for the links sent by e-mail."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of the address-confirmation links.

    Own salt: a confirmation token is never a valid password-reset token (and the
    reverse). The hash covers the password hash and the address, so a newer password
    set by a later sign-up kills the older links; it leaves out `last_login` and
    `is_active` on purpose, so that a link opened again after confirmation is still
    recognised and answered "already confirmed" (a redirect to the login page, nothing
    more). Links last `PASSWORD_RESET_TIMEOUT` seconds, like reset links.
    """

    key_salt = "accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{timestamp}{user.email}"


email_confirmation_token = EmailConfirmationTokenGenerator()
