"""chatdong settings: one base, switched by environment variables (see docs/security.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CHATDONG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("CHATDONG_DEBUG", False)
SECRET_KEY = os.environ.get("CHATDONG_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-installation secret kept under var/, never in the repository.
    _secret_file = VAR_DIR / "secret_key"
    if not _secret_file.exists():
        import secrets

        _secret_file.write_text(secrets.token_urlsafe(50))
        _secret_file.chmod(0o600)
    SECRET_KEY = _secret_file.read_text().strip()

ALLOWED_HOSTS = env_list("CHATDONG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list(
    "CHATDONG_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000"
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' Swagger UI from our own static files (no CDN on the intranet)
    "chatdong.core",
    "chatdong.accounts",
    "chatdong.audit",
    "chatdong.registry",
    "chatdong.outreach",
    "chatdong.visits",
    "chatdong.referrals",
    "chatdong.cases",
    "chatdong.casemeeting",
    "chatdong.linkage",
    "chatdong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "chatdong.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chatdong.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "chatdong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chatdong.core.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL, default a SQLite file under var/. PostgreSQL is the production database.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chatdong.sqlite3'}"),
        conn_max_age=int(os.environ.get("CHATDONG_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets pages read while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-64000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = ["chatdong.accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login security (개인정보의 안전성 확보조치 기준): see docs/security.md.
CHATDONG_LOCKOUT_FAILURES = int(os.environ.get("CHATDONG_LOCKOUT_FAILURES", "5"))
CHATDONG_LOCKOUT_WINDOW_MINUTES = int(os.environ.get("CHATDONG_LOCKOUT_WINDOW_MINUTES", "15"))
CHATDONG_IDLE_TIMEOUT_MINUTES = int(os.environ.get("CHATDONG_IDLE_TIMEOUT_MINUTES", "30"))
CHATDONG_OFFICE_NETWORKS = env_list("CHATDONG_OFFICE_NETWORKS", "127.0.0.0/8,::1/128")
CHATDONG_API_TOKEN_HOURS = int(os.environ.get("CHATDONG_API_TOKEN_HOURS", "8"))
# Trust X-Forwarded-For only when a reverse proxy on this host sets it.
CHATDONG_TRUST_X_FORWARDED_FOR = env_bool("CHATDONG_TRUST_X_FORWARDED_FOR", False)
# Keys for identity-number encryption, the blind index and the audit chain: kept outside the database.
CHATDONG_KEY_FILE = Path(os.environ.get("CHATDONG_KEY_FILE", VAR_DIR / "keys.json"))

# Sessions in the cache, not the database: on SQLite a long import holds the single write lock, and a
# session write on every request (the idle timeout needs one) would wait behind it.
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_AGE = CHATDONG_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout: every request pushes expiry forward
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CHATDONG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

OTP_TOTP_ISSUER = "chatdong"

LANGUAGE_CODE = "ko-kr"
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from finders (below) but expects the folder
STATICFILES_DIRS = [
    ("krds", BASE_DIR / "node_modules" / "krds-uiux" / "resources"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from node_modules and app folders without collectstatic
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CACHES: dict[str, dict[str, Any]] = {
    # Shared by web and worker processes (import progress); set REDIS_URL to use Redis instead.
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Sessions live here too: the default cap of 300 entries would log people out at random.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    )
}

TASKS = {"default": {"BACKEND": os.environ.get("CHATDONG_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CHATDONG_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50


# ---------------------------------------------------------------------------------------------------
# Program rules that are settings, not constants (DOMAIN.md [default]s). Override any of them with
# CHATDONG_PROGRAM_SETTINGS=/path/to/file.json holding the same names.
# Target programs themselves (ages, windows, which programs run) are data: outreach.Program.
CHATDONG_EXTRA_HOLIDAYS: list[str] = env_list("CHATDONG_EXTRA_HOLIDAYS", "")  # ISO dates, closed days
# Outreach: after this many failed attempts (absent) the supervisor is told.
CHATDONG_VISIT_ATTEMPTS_BEFORE_ALERT = 3
# Screening cut-offs (scored on the server). GDS-15 >= 8 positive (validated Korean cut-off), >= 10 → SBQ-R;
# PHQ-9 bands 0–4/5–9/10–14/15–19/20–27, positive from 10, item 9 > 0 urgent; SBQ-R >= 7 risk, >= 11 high
# risk (urgent); K-EPDS >= 10 positive.
CHATDONG_SCREENING_CUTOFFS: dict[str, dict[str, int]] = {
    "gds15": {"positive": 8, "sbqr_follow_up": 10},
    "phq9": {"mild": 5, "moderate": 10, "moderately_severe": 15, "severe": 20, "positive": 10},
    "sbqr": {"risk": 7, "high_risk": 11},
    "kepds": {"positive": 10},
}
# Referrals: business days the receiver has to answer; bounces before the supervisor is told.
CHATDONG_REFERRAL_DUE_DAYS: dict[str, int] = {"default": 5, "staff": 3, "agency": 7, "health": 3, "urgent": 1}
CHATDONG_REFERRAL_BOUNCE_LIMIT = 2
# Case management deadlines in days (DOMAIN.md §2): assessment ≈10 days after intake, selection ≈5 days
# after the meeting, plan ≈15 days, intake-to-plan within 30 days.
CHATDONG_CASE_DEADLINES: dict[str, int] = {
    "assessment": 10,
    "classification": 5,
    "planning": 15,
    "intake_to_plan": 30,
}
# Supervisor queue: open cases without a 점검 or contact for this many days.
CHATDONG_CASE_NO_CONTACT_DAYS = 30
# The 동's monthly 통합사례회의 defaults to (week of month, weekday Mon=0): the 3rd Wednesday.
CHATDONG_CASE_MEETING_WEEK = (3, 2)
# Record linkage (docs/linkage.md): a candidate pair is suggested as "match" from this probability up, and
# shown to the reviewer from "review" up (batch lists and chatdong link-clients); the live check at
# intake shows near misses from "live_review" up.
CHATDONG_LINKAGE_THRESHOLDS: dict[str, float] = {"match": 0.50, "review": 0.10, "live_review": 0.01}
# SMS: the default backend writes to the outbox staff can see (no outside call on the intranet).
CHATDONG_SMS_BACKEND = os.environ.get("CHATDONG_SMS_BACKEND", "chatdong.outreach.sms.OutboxBackend")

_program_settings_file = os.environ.get("CHATDONG_PROGRAM_SETTINGS")
if _program_settings_file:
    import json as _json

    globals().update(
        {
            k: v
            for k, v in _json.loads(Path(_program_settings_file).read_text()).items()
            if k.startswith("CHATDONG_")
        }
    )
