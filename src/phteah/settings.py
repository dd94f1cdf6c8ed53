"""Phteah settings. Everything is read from environment variables through the typed
helpers below; nothing else configures the project. See docs/deployment.md for the list."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import fontpkg_noto_sans_khmer
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("PHTEAH_DATA_DIR", str(Path.cwd() / "var")))

DEBUG = envbool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment or, for a single-machine install, a random key made
    once and kept in the data directory (readable by its owner only). Never a fixed key."""
    if env("SECRET_KEY"):
        return env("SECRET_KEY")
    if envbool("PHTEAH_REQUIRE_SECRET_KEY", False):
        raise RuntimeError("SECRET_KEY must be set (PHTEAH_REQUIRE_SECRET_KEY is on).")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# The audit chain's HMAC keys: "id:hex,id:hex" (the first signs), or else a key file made on
# first use and readable by its owner only (phteah.core.audit.keys). Keep them away from the
# database: whoever holds both can rewrite the trail undetected.
AUDIT_KEYS = env("AUDIT_KEYS")
AUDIT_KEY_FILE = Path(env("AUDIT_KEY_FILE", str(DATA_DIR / "audit_keys")))
# The key of the duplicate check across organisations (phteah.people.linkage): the same
# format and convention as the audit keys, and never in the database. Rotating it means
# `phteah linkage rebuild`.
LINKAGE_KEYS = env("LINKAGE_KEYS")
LINKAGE_KEY_FILE = Path(env("LINKAGE_KEY_FILE", str(DATA_DIR / "linkage_keys")))
# Signed checkpoints of every chain head (phteah.core.audit.anchor): a folder the database
# cannot reach, and optionally a copy of each organisation's entry mailed to its admins.
AUDIT_ANCHOR_DIR = Path(env("AUDIT_ANCHOR_DIR", str(DATA_DIR / "audit-anchors")))
AUDIT_ANCHOR_EMAIL = envbool("AUDIT_ANCHOR_EMAIL", False)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "phteah.core.adminsite.PhteahAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "phteah.core",
    "phteah.accounts",
    "phteah.geography",
    "phteah.people",
    "phteah.cases",
    "phteah.care",
    "phteah.referrals",
    "phteah.notifications",
    "phteah.work",
    "phteah.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses HTML (and anything else not already encoded: WhiteNoise serves its own
    # pre-compressed static files). Django's GZipMiddleware adds random bytes to every
    # response against BREACH ("Heal the Breach"); CSRF tokens are masked per response too.
    # docs/security.md explains the choice.
    "django.middleware.gzip.GZipMiddleware",
    "phteah.core.middleware.SecureHeadersMiddleware",
    "phteah.core.middleware.NotFoundMiddleware",
    "phteah.core.net.RequestIPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "phteah.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "phteah.accounts.middleware.IdleTimeoutMiddleware",
    "phteah.accounts.middleware.UserLanguageMiddleware",
    # The user's digits (Khmer or Latin) for the HTML page, after its language is known.
    "phteah.core.numerals.NumeralsMiddleware",
    "phteah.accounts.middleware.MembershipMiddleware",
    "phteah.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "phteah.urls"
WSGI_APPLICATION = "phteah.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phteah.core.context_processors.phteah_context",
                "phteah.notifications.context_processors.bell",
            ],
        },
    }
]

# Django's form renderer with selects written in Python (phteah.core.renderers).
FORM_RENDERER = "phteah.core.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'phteah.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] in ("django.db.backends.sqlite3", "phteah.core.sqlite"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Ours: Django's, plus PRAGMA optimize when a connection closes (see its docstring).
    DATABASES["default"]["ENGINE"] = "phteah.core.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not envbool(
    "DATABASE_JIT", False
):
    # PostgreSQL compiles queries it estimates as costly with LLVM (JIT). For our short
    # queries with many subqueries that compilation takes seconds and the query itself
    # milliseconds: refreshing an organisation's due dates took 3.8 s with it, 0.15 s without.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "phteah.accounts.hashers.PhteahArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: 5 failures within 15 minutes lock the account and, separately, the IP address.
AXES_FAILURE_LIMIT = envint("PHTEAH_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("PHTEAH_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "phteah.accounts.views.locked_out"
AXES_VERBOSE = False
# Behind PHTEAH_PROXY_COUNT trusted proxies the client is read from X-Forwarded-For.
PHTEAH_PROXY_COUNT = envint("PHTEAH_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "phteah.core.net.client_ip"
# Emails are case-insensitive at sign-in, so the failure count must be too.
AXES_USERNAME_CALLABLE = "phteah.accounts.auth.axes_username"

# Sessions: closed after 30 idle minutes (IdleTimeoutMiddleware), cookie gone with the browser.
PHTEAH_IDLE_TIMEOUT = timedelta(minutes=envint("PHTEAH_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Roles whose members must use two-factor authentication (organisations can add the rest).
PHTEAH_TWO_FACTOR_ROLES = ("org_admin", "supervisor")
OTP_TOTP_ISSUER = env("PHTEAH_OTP_ISSUER", "Phteah")

HTTPS = envbool("PHTEAH_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("PHTEAH_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "km"
LANGUAGES = [("km", _("Khmer")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as Cambodians write them, day month year, in both languages (phteah/core/formats/).
FORMAT_MODULE_PATH = "phteah.core.formats"
LANGUAGE_COOKIE_NAME = "phteah_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env("TIME_ZONE", "Asia/Phnom_Penh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from it after collectstatic
# The Khmer web font comes from the installed fontpkg-noto-sans-khmer package: its TTF, and the
# light WOFF2 that `phteah fonts build` makes from it (phteah.core.fonts) into this directory.
PHTEAH_FONT_BUILD_DIR = DATA_DIR / "build" / "fonts"
PHTEAH_FONT_BUILD_DIR.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    str(BASE_DIR / "static"),
    ("fonts/noto-sans-khmer", str(PHTEAH_FONT_BUILD_DIR)),
    ("fonts/noto-sans-khmer", str(fontpkg_noto_sans_khmer.ROOT / "files")),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("PHTEAH_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 24 * 60 * 60
WHITENOISE_MIMETYPES = {".ttf": "font/ttf", ".woff2": "font/woff2"}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
        if env("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", env("REDIS_URL"))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Celery beat (`celery -A phteah beat`): seal pending access events every minute, anchor the
# audit chains every hour (seconds; 0 leaves the task out). Without a broker use the cron
# lines of docs/deployment.md instead.
AUDIT_SEAL_EVERY = envint("AUDIT_SEAL_EVERY", 60)
AUDIT_ANCHOR_EVERY = envint("AUDIT_ANCHOR_EVERY", 60 * 60)
# ... and remove the claimed one-time form tokens older than two days, daily.
SUBMISSIONS_PURGE_EVERY = envint("SUBMISSIONS_PURGE_EVERY", 24 * 60 * 60)
# ... and mark the shares past their end as ended (access stops at the end anyway), hourly.
GRANTS_EXPIRE_EVERY = envint("GRANTS_EXPIRE_EVERY", 60 * 60)
# ... and tell the receivers of referrals waiting past their answer date (once each), hourly.
REFERRALS_OVERDUE_EVERY = envint("REFERRALS_OVERDUE_EVERY", 60 * 60)
# ... and blank the details of the referrals that ended untaken (declined, withdrawn) more
# than REFERRAL_KEEP_ENDED_DAYS ago, daily (docs/design/network.md §13.4).
REFERRALS_ERASE_EVERY = envint("REFERRALS_ERASE_EVERY", 24 * 60 * 60)
REFERRAL_KEEP_ENDED_DAYS = envint("REFERRAL_KEEP_ENDED_DAYS", 90)
# ... and remove the network matches past their 24 hours, hourly.
NETWORK_MATCHES_PURGE_EVERY = envint("NETWORK_MATCHES_PURGE_EVERY", 60 * 60)
# ... and send again the notification e-mails and Telegram messages still waiting, every 5
# minutes (docs/notifications.md).
NOTIFICATIONS_RETRY_EVERY = envint("NOTIFICATIONS_RETRY_EVERY", 5 * 60)
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": float(every)}
    for name, task, every in [
        ("audit-seal", "phteah.core.audit_seal", AUDIT_SEAL_EVERY),
        ("audit-anchor", "phteah.core.audit_anchor", AUDIT_ANCHOR_EVERY),
        ("submissions-purge", "phteah.core.submissions_purge", SUBMISSIONS_PURGE_EVERY),
        ("grants-expire", "phteah.cases.grants_expire", GRANTS_EXPIRE_EVERY),
        ("referrals-overdue", "phteah.referrals.overdue_notify", REFERRALS_OVERDUE_EVERY),
        ("referrals-erase", "phteah.referrals.groups_erase", REFERRALS_ERASE_EVERY),
        (
            "network-matches-purge",
            "phteah.people.network_matches_purge",
            NETWORK_MATCHES_PURGE_EVERY,
        ),
        (
            "notifications-retry",
            "phteah.notifications.deliveries_retry",
            NOTIFICATIONS_RETRY_EVERY,
        ),
    ]
    if every > 0
}

# How long a case is shared with another organisation, at most (days), by why: a referral's
# details until it is answered, a government office's view, a transferred case's history
# (docs/design/network.md §13.8).
GRANT_DAYS = {
    "referral": envint("GRANT_DAYS_REFERRAL", 30),
    "government_share": envint("GRANT_DAYS_GOVERNMENT", 180),
    "transfer": envint("GRANT_DAYS_TRANSFER", 5 * 365),
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "phteah@localhost")

# Where links in e-mails and Telegram messages sent by tasks point (no request to ask).
PHTEAH_SITE_URL = env("PHTEAH_SITE_URL", "http://localhost:8000")
# Telegram notifications (docs/notifications.md): off without a bot token. The chat is the
# organisation's own when it has one, else TELEGRAM_CHAT_ID.
TELEGRAM_BOT_TOKEN = env("TELEGRAM_BOT_TOKEN")
TELEGRAM_CHAT_ID = env("TELEGRAM_CHAT_ID")
TELEGRAM_API_BASE = env("TELEGRAM_API_BASE", "https://api.telegram.org")
TELEGRAM_TIMEOUT = envint("TELEGRAM_TIMEOUT", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
