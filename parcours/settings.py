"""Settings of Parcours, driven by the environment with safe development defaults.

Development (the default): DEBUG on, SQLite under var/, a throwaway secret key.
Production: DEBUG=0 with SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL set; then
`manage.py check --deploy --fail-level WARNING` is clean (a test proves it).
"""

import datetime as dt
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from parcours.env import env_bool, env_int, env_list, env_str
from parcours.proxy import client_address_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PARCOURS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY doit être défini (et secret) quand DEBUG=0.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for the project-wide form renderer
    "widget_tweaks",
    "dsfr",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "parcours",
    "privacy",
    "accounts",
    "catalogue",
    "admissions",
    "timetable",
    "teaching",
    "assessment",
    "awards",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parcours.middleware.RefuseControlCharacters",
    "parcours.middleware.SessionLifetimeByRole",
    "parcours.middleware.PrivatePagesNotStored",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parcours.urls"
WSGI_APPLICATION = "parcours.wsgi.application"

# Forms render with the project's templates (templates/parcours/form.html: the error
# summary before the fields).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parcours.context_processors.site",
            ],
        },
    },
    {
        # Plain-text e-mails: the same templates' folders, without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Background work: django-tasks with its database backend (no broker to run); the
# worker is `manage.py worker` (db_worker with a heartbeat). E-mails (parcours/mail.py)
# and the long jobs staff start (parcours/jobs.py) go through it.
TASKS = {
    "default": {
        "BACKEND": env_str("PARCOURS_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
MAIL_ATTEMPTS = env_int("PARCOURS_MAIL_ATTEMPTS", 5)
JOB_ATTEMPTS = env_int("PARCOURS_JOB_ATTEMPTS", 3)
JOB_RETRY_MINUTES = env_int("PARCOURS_JOB_RETRY_MINUTES", 2)
# Each worker writes its heartbeat this often; one silent for WORKER_DEAD_SECONDS is gone
# (killed, its machine down): /sante/ says so, and `reclaim_tasks` puts the tasks it
# left "running" back in the queue.
WORKER_BEAT_SECONDS = env_int("PARCOURS_WORKER_BEAT_SECONDS", 10)
WORKER_DEAD_SECONDS = env_int("PARCOURS_WORKER_DEAD_SECONDS", 60)
# A task "running" for this long whose worker never wrote a heartbeat (a plain
# `db_worker`) is taken as lost too. Longer than any job takes.
PARCOURS_TASK_RECLAIM_MINUTES = env_int("PARCOURS_TASK_RECLAIM_MINUTES", 30)
# /sante/ reports the worker late when a due job waits longer than this.
HEALTH_WORKER_LAG_SECONDS = env_int("HEALTH_WORKER_LAG_SECONDS", 300)
MAIL_RETRY_MINUTES = env_int("PARCOURS_MAIL_RETRY_MINUTES", 5)

# --- Database: SQLite (WAL) embedded by default, PostgreSQL through DATABASE_URL --------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Set for web requests by gunicorn.conf.py: a runaway query ends, the worker's
    # long jobs are not cut.
    statement_timeout = env_int("DB_STATEMENT_TIMEOUT_MS", 0)
    if statement_timeout:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c statement_timeout={statement_timeout}"
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers take the lock when their transaction starts: no "database is
            # locked" half-way through a transaction under concurrent writes.
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        }
    )
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # CNIL 2022-100
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # CNIL 2022-100: about 50 bits of entropy with a lockout (accounts/passwords.py).
    {"NAME": "accounts.passwords.StrengthValidator"},
]
PASSWORD_MIN_ENTROPY_BITS = env_int("PASSWORD_MIN_ENTROPY_BITS", 50)
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out (e-mail, address) pair before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failures (security guide): per e-mail AND client address, so
# that nobody can lock a learner out from elsewhere; the page is the same whether the
# e-mail is known or not.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# …and one address over every account (password spraying): accounts/lockout.py.
AXES_HANDLER = "accounts.lockout.AccountAndAddressHandler"
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
# Django's login forms post the e-mail as "username" (axes would look for "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.bounded_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
# The client's address, behind the TLS proxy or not: parcours/proxy.py.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
globals().update(client_address_settings(BEHIND_TLS_PROXY))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "admissions:home"  # each role to its own page
LOGOUT_REDIRECT_URL = "catalogue:home"
# Console by default; EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
# writes them under EMAIL_FILE_PATH; SMTP through EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER…
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mails"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Links in e-mails (confirmation, reset) are built on this origin.
PARCOURS_SITE_URL = env_str("PARCOURS_SITE_URL", "http://127.0.0.1:8000")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # seconds: reset and confirmation links last a day
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Parcours <ne-pas-repondre@cnam.re>")

# Published results (R-ORG-5): no rate on fewer learners than this — a rate on three
# says nothing and may single a person out.
PARCOURS_RESULTS_MIN_COUNT = env_int("PARCOURS_RESULTS_MIN_COUNT", 10)
# R-ORG-3: the certificate (PKCS#12) that signs the centre's copy of a contract (PAdES);
# empty: unsigned documents, signed by hand.
PARCOURS_PADES_PKCS12 = env_str("PARCOURS_PADES_PKCS12", "")
PARCOURS_PADES_PASSPHRASE = env_str("PARCOURS_PADES_PASSPHRASE", "")
# R-ORG-4: the first day (MM-DD) of the organisation's fiscal year, which the BPF covers.
PARCOURS_FISCAL_YEAR_START = env_str("PARCOURS_FISCAL_YEAR_START", "01-01")
try:
    _month, _day = (int(part) for part in PARCOURS_FISCAL_YEAR_START.split("-"))
    dt.date(2001, _month, _day)  # a non-leap year: 29 February cannot start a year
except ValueError as error:
    raise ImproperlyConfigured(
        f"PARCOURS_FISCAL_YEAR_START={PARCOURS_FISCAL_YEAR_START!r}: MM-JJ attendu"
    ) from error

# --- Language and time ---------------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Indian/Reunion"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by `collectstatic` in production
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # also serve app static files not yet collected
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Catalogue -------------------------------------------------------------------------
PARCOURS_DATA_DIR = Path(env_str("PARCOURS_DATA_DIR", str(BASE_DIR / "data")))
SITE_TITLE = "Parcours — Cnam La Réunion"
# The DSFR marks optional fields, not required ones (its current guidance); django-dsfr
# warns on every form that this opt-in setting is transitional: we know.
DSFR_MARK_OPTIONAL_FIELDS = True
warnings.filterwarnings("ignore", message="Transitional Django setting DSFR_MARK_OPTIONAL")
# The business date (deposits, deadlines, payments). Empty: today in TIME_ZONE. The demo
# (`make run`) sets it inside the brochure's year, whose registrations are otherwise
# long closed. See parcours/clock.py.
PARCOURS_TODAY = env_str("PARCOURS_TODAY", "")

# --- Uploaded documents (security guide, "Uploads") ---------------------------------
# Outside any public URL: files are served only through views that check access.
PRIVATE_MEDIA_ROOT = Path(env_str("PARCOURS_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# `manage.py backup` writes its archives here and keeps the newest BACKUP_KEEP: data
# erased or purged lingers in backups for at most that many nights (R-ORG-6).
BACKUP_DIR = Path(env_str("PARCOURS_BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP = env_int("PARCOURS_BACKUP_KEEP", 14)
UPLOAD_MAX_BYTES = env_int("PARCOURS_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
UPLOAD_MAX_FILES_PER_ITEM = env_int("PARCOURS_UPLOAD_MAX_FILES_PER_ITEM", 3)
# An A4 page scanned at 400 dpi is 15.6 million pixels; a 16-bit PNG counts twice.
UPLOAD_MAX_PIXELS = env_int("PARCOURS_UPLOAD_MAX_PIXELS", 25_000_000)
UPLOAD_MAX_CONCURRENT_DECODES = env_int("PARCOURS_UPLOAD_MAX_CONCURRENT_DECODES", 2)
UPLOAD_DECODE_WAIT_SECONDS = env_int("PARCOURS_UPLOAD_DECODE_WAIT_SECONDS", 20)
# Files of withdrawn applicants are deleted after this many days (CNIL: two years at
# most for applicants not selected); `manage.py purge_documents` does it, daily.
PARCOURS_KEEP_WITHDRAWN_DAYS = env_int("PARCOURS_KEEP_WITHDRAWN_DAYS", 730)
# The people themselves (R-ORG-6, privacy/retention.py holds each period's source): an
# applicant withdrawn or refused is anonymised this long after their dossier closed.
PARCOURS_ANONYMISE_APPLICANTS_DAYS = env_int("PARCOURS_ANONYMISE_APPLICANTS_DAYS", 730)
# Payments are kept (their amounts, even once anonymised): accounting pieces, 10 years.
PARCOURS_KEEP_ACCOUNTING_DAYS = env_int("PARCOURS_KEEP_ACCOUNTING_DAYS", 3650)
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES_PER_ITEM  # per request
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- Security (OWASP ASVS, Django deployment checklist) --------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions end when the browser closes, and at the latest after their role's lifetime
# from sign-in (parcours/middleware.py): a working day for staff.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PARCOURS_STAFF_SESSION_SECONDS = env_int("PARCOURS_STAFF_SESSION_HOURS", 9) * 3600
PARCOURS_LEARNER_SESSION_SECONDS = env_int("PARCOURS_LEARNER_SESSION_HOURS", 12) * 3600
SESSION_COOKIE_AGE = max(PARCOURS_STAFF_SESSION_SECONDS, PARCOURS_LEARNER_SESSION_SECONDS)
CSRF_FAILURE_VIEW = "parcours.errors.csrf_failure"
# Secure cookies in production; `make serve` tries the production profile over plain
# HTTP on the loopback and turns them off (SECURE_COOKIES=0), as SECURE_SSL_REDIRECT.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer asks gunicorn directly, over plain HTTP: no redirect for /sante/.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # The DSFR's scripts set style attributes (collapses, modals); style elements
        # and sheets stay restricted to our own origin.
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Errors to Sentry, only when its DSN is set (no personal data: parcours/monitoring.py)
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from parcours.monitoring import init_sentry

    init_sentry(
        SENTRY_DSN, env_str("SENTRY_ENVIRONMENT", "production"), env_str("SENTRY_RELEASE", "")
    )
