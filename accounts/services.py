"""Use cases that write accounts."""

import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.roles import ROLES
from accounts.tokens import email_confirmation_token
from parcours.mail import queue_mail, render_text

DEMO_ACCOUNTS = (
    ("learner", "apprenant@demo.parcours.re", "Awa", "Payet"),
    ("reception", "accueil@demo.parcours.re", "Service", "Accueil"),
    ("teacher", "enseignant@demo.parcours.re", "Jean", "Hoarau"),
    ("direction", "direction@demo.parcours.re", "Marie", "Grondin"),
)


@transaction.atomic
def create_demo_accounts() -> list[tuple[str, str, str | None]]:
    """One account per role. Returns (role, e-mail, password) with the password only for
    accounts created now: an existing account keeps its password (idempotent)."""
    created = []
    for role_key, email, first_name, last_name in DEMO_ACCOUNTS:
        role = ROLES[role_key]
        user = User.objects.filter(email=email).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, is_staff=role.is_staff
            )
        group, _ = Group.objects.get_or_create(name=role.group)
        user.groups.add(group)
        created.append((role.group, email, password))
    return created


# --- Sign-up of an applicant ------------------------------------------------------------


@transaction.atomic
def register_applicant(email: str, password: str) -> None:
    """Sign-up: one e-mail to `email` whatever the case, and nothing the caller can tell
    apart (the page shown afterwards is the same).

    - New address: an inactive account awaiting confirmation, and a confirmation link.
    - Address of an active (or staff-deactivated) account: nothing is written; the
      address is told an account exists, with the login and reset links.
    - Address of an account still awaiting confirmation (signed up, never confirmed):
      a fresh confirmation link. The typed password REPLACES the pending one, unless it
      is the same (a double click then keeps the first link valid). This is safe
      because confirming asks for the password as well as the link: only someone who
      both reads the mailbox and knows the current password can activate the account.
      Keeping the first password instead would let a stranger pre-register someone
      else's address with a password of their own: the owner, signing up later, would
      confirm an account whose password the stranger knows (account takeover). A
      stranger overwriting the pending password can at worst make the owner sign up
      again; older links die with the old password (the token covers its hash).

    The password is validated by the form beforehand (`SignupForm`).
    """
    email = email.strip().lower()
    # One hash and one check on every path (new, active or pending address), and e-mails
    # sent by the worker: no path answers faster than another (enumeration by timing).
    encoded = make_password(password)
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User(email=email, is_active=False, awaiting_confirmation=True)
                user.password = encoded
                user.save()
        except IntegrityError:
            # A concurrent sign-up of the same address won: treat it as existing.
            user = User.objects.select_for_update().get(email__iexact=email)
        else:
            check_password(password, encoded)  # the cost the pending path pays
            send_confirmation_email(user)
            return
    if user.is_active or not user.awaiting_confirmation:
        check_password(password, encoded)
        send_account_exists_email(user)
        return
    if not user.check_password(password):
        user.password = encoded
        user.save(update_fields=["password"])
    send_confirmation_email(user)


@transaction.atomic
def activate_applicant(user: User) -> bool:
    """Confirm an account awaiting confirmation: active, in the learners' group.
    Returns False (and writes nothing) if it was not awaiting confirmation any more,
    e.g. the same link posted twice at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active or not user.awaiting_confirmation:
        return False
    user.is_active = True
    user.awaiting_confirmation = False
    user.save(update_fields=["is_active", "awaiting_confirmation"])
    group, _ = Group.objects.get_or_create(name=ROLES["learner"].group)
    user.groups.add(group)
    return True


# --- E-mails ------------------------------------------------------------------------------


def site_url() -> str:
    """The origin links in e-mails are built on (never the request's Host header)."""
    return settings.PARCOURS_SITE_URL.rstrip("/")


def link_valid_hours() -> int:
    """How long the links sent by e-mail last (confirmation and reset alike)."""
    return settings.PASSWORD_RESET_TIMEOUT // 3600


def _send(template: str, user: User, context: dict) -> None:
    """Rendered now (the link's token is the account's state now), queued with the
    change (parcours/mail.py)."""
    context = {"site_url": site_url(), "email": user.email, **context}
    subject = render_text(f"accounts/email/{template}_subject.txt", context)
    body = render_text(f"accounts/email/{template}_body.txt", context)
    queue_mail(subject, body, user.email)


def send_confirmation_email(user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    path = reverse("accounts:confirm_email", kwargs={"uidb64": uid, "token": token})
    _send(
        "confirm_email",
        user,
        {
            "confirm_url": site_url() + path,
            "valid_hours": link_valid_hours(),
        },
    )


def send_account_exists_email(user: User) -> None:
    _send(
        "account_exists",
        user,
        {
            "login_url": site_url() + reverse("accounts:login"),
            "reset_url": site_url() + reverse("accounts:password_reset"),
        },
    )
