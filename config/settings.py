"""Settings, read from the environment.

Development works with no environment at all when DEBUG=1 (the Makefile and the test run set
it). With DEBUG off the site is in production mode and refuses to start without a real
SECRET_KEY and ALLOWED_HOSTS.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-key-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 40 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's host names (comma-separated) when DEBUG is off."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django.forms",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "cases",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Data answers compressed, HTML never (BREACH); first, so it sees the finished answer.
    "cases.api.headers.CompressDataMiddleware",
    # Before anything that may answer: public GETs of the API, feeds and catalogue (CORS_*).
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything that reads the body: refuses an oversized one unread (its answer still
    # gets the security headers of the two above).
    "cases.middleware.RequestSizeLimitMiddleware",
    "cases.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.routers.PinPrimaryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cases.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every GET and 304 for If-None-Match (the API's lists and details).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Whole answers for anonymous readers (cases/caching.py): knows who asks, and keeps an
    # answer before the CSRF middleware adds a cookie to it.
    "cases.caching.ResponseCacheMiddleware",
    # Cache-Control, Last-Modified (read by ConditionalGetMiddleware) and RateLimit-* on API
    # answers; inside the one above, so what it keeps has them.
    "cases.api.headers.ApiReadHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Answers a rate limit met anywhere in a view (cases/ratelimit.py) with a 429 page.
    "cases.middleware.RateLimitMiddleware",
    # A page asked for at an address it left (a case by its draft slug): 301 to where it is.
    "cases.middleware.MovedMiddleware",
    # The designed 404 page also in development (DEBUG), where Django shows its technical one.
    "cases.middleware.DesignedNotFoundMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.visitor",
                "cases.context_processors.open_data",
            ],
        },
    },
]

# Form fields render through templates/django/forms/ (Designsystemet markup).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "config.wsgi.application"

# Database: DATABASE_URL, or an SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs seconds on the facet queries and wins nothing on short requests;
    # random_page_cost for SSD-backed servers makes the planner use the search indexes.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"
# A read replica takes the reads (config/routers.py); tests use the primary for both.
if replica_url := env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
# How long a browser keeps reading from the primary after it has written something.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Statistics show a share only when its denominator is at least this; below it the counts alone,
# marked, as statistics offices do (cases/statistics/figures.py, `share`).
STATISTICS_MIN_DENOMINATOR = env_int("STATISTICS_MIN_DENOMINATOR", 10)
# dumpdata/loaddata/export_data keep timestamps to the microsecond (see cases/serialization.py).
SERIALIZATION_MODULES = {"json": "cases.serialization"}

AUTH_USER_MODEL = "cases.User"
# Four eyes: a moderator who is a member of a case's owner does not approve its text alone.
# An installation with a single moderator can allow it.
MODERATION_SELF_APPROVAL = env_bool("MODERATION_SELF_APPROVAL", False)
# The benchmark's floor view (/_floor/): bench/run.py turns it on for the server it starts.
BENCH_FLOOR_VIEW = env_bool("BENCH_FLOOR_VIEW", False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-work"
LOGOUT_REDIRECT_URL = "home"

# The proxies in front of the site (addresses or networks, comma-separated, e.g. the TLS proxy's
# "10.0.0.5" or "10.0.0.0/8"). Only when a request comes from one of them is X-Forwarded-For
# read, and then only what they appended (cases/client_address.py). None: REMOTE_ADDR only.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list IP addresses or networks; {_proxy!r} is neither."
        ) from _error

# Login attempts are counted per email address and client address together: five failures lock
# that pair for a while, so nobody can lock an account's owner out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "cases.client_address.client_address"
# The login form's field is "username" (holding the email address), as Django's forms name it.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Login through OpenID Connect providers (django-allauth; cases/identity_providers.py). Apps
# come from the database (the admin's "Social applications", one per provider or Entra tenant)
# and from the environment below. A login is keyed by provider and subject: an email address
# asserted by a provider never logs in to or connects an existing account.
ACCOUNT_ADAPTER = "cases.identity_providers.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "cases.identity_providers.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
# The site confirms addresses itself (services.identity_first_login).
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False


def oidc_apps_from_environment() -> list[dict[str, object]]:
    """One app per provider whose client id is set: OIDC_<NAME>_CLIENT_ID, _CLIENT_SECRET and
    _SERVER_URL (the issuer; the defaults are Digdir's test environment)."""
    known = {
        "idporten": ("ID-porten", "https://test.idporten.no", "openid profile"),
        "ansattporten": ("Ansattporten", "https://test.ansattporten.no", "openid profile"),
        "entra": ("Microsoft Entra ID", "", "openid profile email"),
    }
    apps: list[dict[str, object]] = []
    for key, (name, default_server, default_scope) in known.items():
        prefix = f"OIDC_{key.upper()}_"
        client_id = env_str(prefix + "CLIENT_ID")
        server_url = env_str(prefix + "SERVER_URL", default_server)
        if not client_id or not server_url:
            continue
        app_settings: dict[str, object] = {
            "server_url": server_url,
            "kind": key,
            "scope": env_str(prefix + "SCOPE", default_scope).split(),
        }
        if acr := env_str(prefix + "ACR", "idporten-loa-substantial" if key == "idporten" else ""):
            app_settings["auth_params"] = {"acr_values": acr}
            app_settings["required_acr"] = acr
        apps.append(
            {
                "provider_id": env_str(prefix + "PROVIDER_ID", key),
                "name": name,
                "client_id": client_id,
                "secret": env_str(prefix + "CLIENT_SECRET"),
                "settings": app_settings,
            }
        )
    return apps


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": oidc_apps_from_environment()}
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # OWASP ASVS level 2 (V2.1.1): at least 12 characters.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Norwegian bokmål first, English selectable. Source strings are English.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

# Static files: the site's own, plus the design system installed from npm (never copied in).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("designsystemet/css", BASE_DIR / "node_modules/@digdir/designsystemet-css/dist"),
    ("designsystemet/theme", BASE_DIR / "node_modules/@digdir/designsystemet-theme/brand"),
    ("chartjs", BASE_DIR / "node_modules/chart.js/dist"),
    ("d3", BASE_DIR / "node_modules/d3-array/dist"),
    ("d3", BASE_DIR / "node_modules/d3-geo/dist"),
    ("topojson", BASE_DIR / "node_modules/topojson-client/dist"),
]
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
# The largest request body, in bytes; by default a little above the largest attachment
# (cases/middleware.py). Larger bodies get 413 before they are read.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 0) or None
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Email: the console in development, SMTP from the environment in production.
MAILERS: dict[str, dict[str, object]]
if env_str("EMAIL_BACKEND", "console" if DEBUG else "smtp") == "console":
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Innovasjonsdeling <ikke-svar@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the accessibility statement asks people to report barriers: a read inbox in production.
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL", "tilgjengelighet@localhost")
# Where the contact and privacy pages send questions about the service and personal data.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "kontakt@localhost")
# Absolute links in email point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Open data (cases/catalogue.py, `manage.py export_snapshot`). The licence of everything public:
# NLOD 2.0 by default. `authority_uri` is the licence in the EU's licence vocabulary, which
# DCAT-AP-NO asks datasets and distributions to name.
DATA_LICENCE = {
    "uri": env_str("DATA_LICENCE_URI", "https://data.norge.no/nlod/no/2.0"),
    "name": env_str("DATA_LICENCE_NAME", "Norsk lisens for offentlige data (NLOD) 2.0"),
    "authority_uri": env_str(
        "DATA_LICENCE_AUTHORITY_URI",
        "http://publications.europa.eu/resource/authority/licence/NLOD_2_0",
    ),
}
# Who publishes the catalogue at /katalog: the operating organisation as a URI. For
# data.norge.no, its entry in the organisation catalogue (organizations/<organisation number>).
CATALOGUE_PUBLISHER_URI = env_str("CATALOGUE_PUBLISHER_URI", SITE_URL.rstrip("/") + "/#utgiver")
CATALOGUE_PUBLISHER_NAME = env_str("CATALOGUE_PUBLISHER_NAME", "Innovasjonsdeling")
# The organisation number (nine digits) of the publisher, if it has one.
CATALOGUE_PUBLISHER_ID = env_str("CATALOGUE_PUBLISHER_ID")
CATALOGUE_CONTACT_EMAIL = env_str("CATALOGUE_CONTACT_EMAIL", "data@localhost")
# Where `export_snapshot` writes the nightly bulk snapshots, and the address that serves that
# folder (the site at /apne-data/, or the web server in front of it); the catalogue points there.
SNAPSHOT_DIR = Path(env_str("SNAPSHOT_DIR", str(BASE_DIR / "snapshots")))
SNAPSHOT_URL = env_str("SNAPSHOT_URL", SITE_URL.rstrip("/") + "/apne-data/")
# Forms that send email (registration, password reset, a new verification link, reports,
# membership requests) are limited per client address and per user, and per address the email
# goes to (cases/ratelimit.py). Written like the API rates: "20/hour", "60/10min".
EMAIL_LIMIT_PER_CLIENT = env_str("EMAIL_LIMIT_PER_CLIENT", "20/hour")
EMAIL_LIMIT_PER_ADDRESS = env_str("EMAIL_LIMIT_PER_ADDRESS", "5/hour")
# Search results and statistics that no cache holds yet, computed for anonymous visitors: at
# most this many per client address. Cached answers and signed-in users are not counted.
EXPENSIVE_PAGES_PER_CLIENT = env_str("EXPENSIVE_PAGES_PER_CLIENT", "60/10min")

# Cache: Redis when REDIS_URL is set, shared by every worker process: the statistics are
# computed once per change for all of them, and the API's request counting is per client, not
# per process. django-redis rather than Django's own RedisCache for IGNORE_EXCEPTIONS: while
# Redis is away the site answers as if the cache were empty instead of failing, and the short
# timeouts keep an unreachable Redis from holding requests up.
# Without REDIS_URL (development, tests) each process keeps its own cache in memory. Nothing
# gets stale that way: cached statistics are checked against the data version on every request
# (cases/statistics/caching.py), so a second process only computes once more what the first has
# cached.
# Cached figures that a write has put behind are brought up to date in a daemon thread of the
# worker that notices first, while every request is served the previous ones
# (cases/background.py). Inline runs that work at once in the calling thread: the tests, and
# management commands (manage.py sets it), whose process would end before a thread does.
BACKGROUND_INLINE = env_bool("BACKGROUND_INLINE", False)
# After a thread has brought figures up to date, the seconds before another may start on the
# same figures: a burst of writes makes them lag by this much rather than keep a core busy
# counting again after every write.
BACKGROUND_SPACING_SECONDS = env_int("BACKGROUND_SPACING_SECONDS", 5)

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Whole answers kept for anonymous readers, and made fresh by the writes that change them
# (cases/caching.py). The versions that say what is fresh live in the cache, so processes that
# answer the same site need the shared one (REDIS_URL) to see each other's writes.
RESPONSE_CACHE = env_bool("RESPONSE_CACHE", True)
# Whether a write makes fresh only what it changes (cases/caching.py), which needs the cache
# shared by every process; otherwise any write makes everything fresh.
CACHE_VERSIONS_SHARED = env_bool("CACHE_VERSIONS_SHARED", bool(REDIS_URL))

# Content Security Policy: only this site's own files; scripts also need the page's nonce.
# No 'unsafe-inline' anywhere: templates carry no inline scripts, styles or handlers.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Security headers and cookies. Production turns on HTTPS-only behaviour.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cases.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.Pagination",
    # JSON bodies only: anything else is 415 (cases/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["cases.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "cases.api.throttling.AnonRateThrottle",
        "cases.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "600/min"),
        "user": env_str("API_THROTTLE_USER", "2400/min"),
    },
    "EXCEPTION_HANDLER": "cases.api.exceptions.handle",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}

# CORS (django-cors-headers): a browser app on any site may read the public data (the API, its
# schema, the feeds, the catalogue and the statistics' CSV), never with the visitor's
# credentials, and never write: a preflight allows only reads and the headers of conditional
# reads, so Authorization and bodies never cross.
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_URLS_REGEX = r"^/(api/v1/|api/schema/|saker/feed/|katalog|apne-data/|statistikk/[-\w]+\.csv)"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = [
    "ETag", "Last-Modified", "Link", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining",
    "RateLimit-Reset",
]  # fmt: skip
CORS_PREFLIGHT_MAX_AGE = 86400

SPECTACULAR_SETTINGS = {
    "TITLE": "Innovasjonsdeling API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Published innovation cases of Norwegian municipalities, their recorded reuse and the "
        "diffusion statistics. Reads need no account; writes need a session or "
        "`Authorization: Bearer <key>`. Errors are RFC 9457 problem details with a stable "
        "`code`. The data is open under the licence below."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    # OpenAPI 3.1: a nullable value is a JSON Schema type list, which every validator reads.
    "OAS_VERSION": "3.1.0",
    # In English whatever the request's language (cases/api/schema.py).
    "DEFAULT_GENERATOR_CLASS": "cases.api.schema.SchemaGenerator",
    # What clients may do with the data they read (DATA_LICENCE), and whom to ask.
    "LICENSE": {"name": DATA_LICENCE["name"], "url": DATA_LICENCE["uri"]},
    "CONTACT": {"name": CATALOGUE_PUBLISHER_NAME, "email": CATALOGUE_CONTACT_EMAIL},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cases.api.schema.add_error_responses",
        "cases.api.schema.add_conventions",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.vocabularies.CaseStatus",
        "AdoptionStatusEnum": "cases.vocabularies.AdoptionStatus",
        "OrganisationKindEnum": "cases.vocabularies.OrganisationKind",
        "ChangeActionEnum": ["upsert", "delete"],
        "BassFitStatusEnum": ["ok", "too-few-data", "no-fit"],
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # No validator badge: it would load an image from another site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
