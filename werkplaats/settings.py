"""Django settings for Werkplaats.

One settings module. Everything that differs between machines comes from the environment
(see ``.env.example`` and the README's configuration table). The defaults give the embedded
setup: a SQLite file and a filesystem Celery transport under ``var/``, no server needed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from werkplaats.config import (
    ConfigError,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

# --- Core -------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-werkplaats-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigError("SECRET_KEY must be set when DEBUG is off (refusing the default key)")
    SECRET_KEY = _DEV_SECRET_KEY
elif SECRET_KEY == _DEV_SECRET_KEY and not DEBUG:
    raise ConfigError("SECRET_KEY is the development default; set a real secret when DEBUG is off")
# The key of the pseudonyms in research exports (evaluations.dashboard_views.pseudonym): kept
# outside the database; its own key lets SECRET_KEY rotate without changing the pseudonyms.
RESEARCH_PSEUDONYM_KEY = env_secret("RESEARCH_PSEUDONYM_KEY") or SECRET_KEY

# The public address, for links in emails (reminders, invitations).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin on a site that audits every view and change (werkplaats/admin_site.py).
    "werkplaats.admin_apps.WerkplaatsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "axes",
    "werkplaats",
    "elements",
    "cases",
    "evaluations",
    # Last: deletes a stored file once the row that held it is deleted or points elsewhere
    # (after the transaction commits), so a deleted output leaves no file behind.
    "django_cleanup.apps.CleanupConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "werkplaats.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is read: no cookie, query string or path value that the database
    # cannot store reaches a query (400, or the cookie is dropped).
    "werkplaats.middleware.SafeInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "werkplaats.middleware.SessionLifetimeMiddleware",
    # Every view needs a login unless it is marked @login_not_required (Django 5.1+).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last: it turns repeated failed logins into a lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "werkplaats.urls"
# Form widgets render with the project's templates (e.g. templates/elements/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "werkplaats.wsgi.application"

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
                "django.template.context_processors.i18n",
                "werkplaats.context_processors.notifications",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'werkplaats.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing,
    # and take the write lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Redis -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "werkplaats",
        }
    }
else:
    # Embedded default: a file cache shared by every local process (never per-process memory).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sessions live in the database, so any web replica can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# 30 minutes idle (the cookie age, renewed on every request) and 12 hours after login at most.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "werkplaats.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the user's person read in the user's own query.
    "werkplaats.auth_backend.PersonModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "werkplaats:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-axes: throttle repeated failed logins per account and address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "werkplaats.security.normalise_username"
AXES_CLIENT_IP_CALLABLE = "werkplaats.security.client_ip"
AXES_VERBOSE = False
# Days that axes's records of logins and failed attempts (login name, address, browser) are
# kept; a daily task deletes older ones. The audit log keeps failed logins without the name.
LOGIN_RECORD_RETENTION_DAYS = env_int("LOGIN_RECORD_RETENTION_DAYS", 90)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "werkplaats" / "locale"]
TIME_ZONE = env_str("TIME_ZONE") or "Europe/Amsterdam"
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ConfigError(
        f"TIME_ZONE {TIME_ZONE!r} is not a known time zone (e.g. Europe/Amsterdam)"
    ) from None
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# Uploads only members may download (case outputs): outside MEDIA_ROOT and never served by the
# web server or whitenoise, only through a view that checks the access policy.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
CASE_OUTPUT_MAX_UPLOAD_MB = env_int("CASE_OUTPUT_MAX_UPLOAD_MB", 25)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------------------------
# In DEBUG, mails are logged at INFO with their links (werkplaats.dev_mail), so a newcomer can
# follow an invitation; every other log line keeps secret links redacted.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "werkplaats.dev_mail.LoggingEmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# Seconds before a hanging mail server counts as failed (well inside the task time limit).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Werkplaats <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production: DEBUG off) ---------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token comes from the page
# A reverse proxy terminates TLS and adds X-Forwarded-Proto and X-Forwarded-For.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health check is probed over plain HTTP inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded transport: messages are files under var/celery (one machine, no server).
    _queue = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers an unacknowledged task after this long; tasks are idempotent.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env_str("CELERY_BEAT_SCHEDULE_FILENAME") or str(
    VAR_DIR / "celerybeat-schedule"
)
# A task that runs longer is killed: well below the broker's visibility timeout (an hour), so
# Redis never hands a running task to a second worker, and below the mail ledger's stale-claim
# time (15 minutes), so a live sender's claim is never taken over.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BEAT_SCHEDULE = {
    "apply-evaluation-retention": {
        "task": "evaluations.tasks.apply_evaluation_retention",
        "schedule": crontab(hour=4, minute=15),
    },
    "run-evaluation-schedule": {
        "task": "evaluations.tasks.run_evaluation_schedule",
        "schedule": crontab(minute="*/5"),  # what is due comes from the database
    },
    "send-goal-reminders": {
        "task": "werkplaats.tasks.send_goal_reminders",
        "schedule": crontab(minute=5),  # hourly; a failed mail is retried the next day
    },
    "send-notifications": {
        "task": "werkplaats.tasks.send_notifications",
        "schedule": crontab(minute="*/2"),  # what a commit's own queued send did not finish
    },
    "send-notification-digests": {
        "task": "werkplaats.tasks.send_notification_digests",
        "schedule": crontab(minute=10),  # hourly: each person's digest once per day or week
    },
    "send-pending-account-invitations": {
        "task": "werkplaats.tasks.send_pending_account_invitations",
        "schedule": crontab(minute="*/10"),  # what a failed or killed send left
    },
    "purge-cohort-uploads": {
        "task": "werkplaats.tasks.purge_cohort_uploads",
        "schedule": crontab(hour=3, minute=50),
    },
    "recount-activity-strips": {
        "task": "werkplaats.tasks.recount_activity_strips",
        "schedule": crontab(hour=3, minute=55),
    },
    "clear-expired-sessions": {
        "task": "werkplaats.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    "prune-login-records": {
        "task": "werkplaats.tasks.prune_login_records",
        "schedule": crontab(hour=3, minute=45),
    },
}
# The two sweeps that decide and send mail run every SWEEP_SECONDS instead when set (the fault
# suite, `make faults`, uses a few seconds); what is due comes from the database either way.
SWEEP_SECONDS = env_int("SWEEP_SECONDS", 0)
if SWEEP_SECONDS:
    for _sweep in ("run-evaluation-schedule", "send-notifications"):
        CELERY_BEAT_SCHEDULE[_sweep]["schedule"] = timedelta(seconds=SWEEP_SECONDS)

# --- Backups (manage.py backup / restore) -------------------------------------------------
BACKUP_DIR = env_str("BACKUP_DIR") or str(VAR_DIR / "backups")

# --- Evaluations ------------------------------------------------------------------------------
# Group results only from this many respondents on: scores (and distributions) from
# EVALUATION_MIN_GROUP, open answers and comments from EVALUATION_MIN_GROUP_TEXT (words identify
# people sooner than numbers do). Never below 3; the text threshold never below the score one.
EVALUATION_MIN_GROUP = env_int("EVALUATION_MIN_GROUP", 3)
EVALUATION_MIN_GROUP_TEXT = env_int("EVALUATION_MIN_GROUP_TEXT", 5)
if EVALUATION_MIN_GROUP < 3:
    raise ConfigError(f"EVALUATION_MIN_GROUP must be 3 or more, got {EVALUATION_MIN_GROUP}")
if EVALUATION_MIN_GROUP_TEXT < EVALUATION_MIN_GROUP:
    raise ConfigError(
        f"EVALUATION_MIN_GROUP_TEXT must be at least EVALUATION_MIN_GROUP "
        f"({EVALUATION_MIN_GROUP}), got {EVALUATION_MIN_GROUP_TEXT}"
    )
EVALUATION_TOKEN_FAILURES = env_int("EVALUATION_TOKEN_FAILURES", 20)  # bad links per address
EVALUATION_TOKEN_WINDOW = 15 * 60  # seconds
# Days after a cycle closed before its invitations are anonymised and open texts deleted
# (the tallies and summaries that dashboards read stay).
EVALUATION_RETENTION_DAYS = env_int("EVALUATION_RETENTION_DAYS", 730)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "redact_tokens": {"()": "werkplaats.security.RedactTokens"},
        "quiet_forbidden": {"()": "werkplaats.security.QuietForbidden"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens", "quiet_forbidden"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's own handlers for these would bypass the token filter.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
