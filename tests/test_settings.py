"""Settings from the environment, and the production guard.

Each case loads the settings in a fresh interpreter with a clean copy of the environment (the
test run itself has DEBUG=1 and a test key), so what is checked is what a server started with
exactly that environment would get. The subprocess prints the settings it checks as JSON.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parents[1]

# What a case may set; everything else is taken from the surrounding environment.
CONTROLLED = (
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "DJANGO_SETTINGS_MODULE",
)
GOOD_KEY = get_random_secret_key()

LOAD_SETTINGS = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY": s.SECRET_KEY,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "DATABASE": {k: s.DATABASES["default"].get(k) for k in ("ENGINE", "NAME", "USER", "HOST", "PORT")},
    "CACHE": s.CACHES["default"],
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": s.SECURE_HSTS_PRELOAD,
    "SECURE_CONTENT_TYPE_NOSNIFF": s.SECURE_CONTENT_TYPE_NOSNIFF,
}, default=str))
"""


def clean_env(**values: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CONTROLLED}
    env.update(values)
    return env


def run(args: list[str], **values: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env(**values),
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**values: str) -> dict:
    result = run(["-c", LOAD_SETTINGS], **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refused_to_start(**values: str) -> str:
    result = run(["-c", LOAD_SETTINGS], **values)
    assert result.returncode != 0, "the settings loaded although they should have refused"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


# --- The production guard -------------------------------------------------------------------


def test_production_refuses_to_start_without_secret_key():
    error = refused_to_start(DEBUG="0", ALLOWED_HOSTS="example.no")
    assert "SECRET_KEY" in error


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("too-short-to-be-a-secret", id="short"),
        pytest.param("django-insecure-" + "x" * 50, id="django-insecure-prefix"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(key):
    error = refused_to_start(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="example.no")
    assert "SECRET_KEY" in error


@pytest.mark.parametrize("hosts", ["", " , "])
def test_production_refuses_to_start_without_allowed_hosts(hosts):
    error = refused_to_start(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=hosts)
    assert "ALLOWED_HOSTS" in error


def test_production_starts_with_secret_key_and_allowed_hosts():
    settings = load_settings(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.no")
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == GOOD_KEY
    assert settings["ALLOWED_HOSTS"] == ["example.no"]


def test_debug_off_is_the_default():
    """No DEBUG at all means production: a forgotten variable must not open the debug pages."""
    error = refused_to_start()
    assert "SECRET_KEY" in error


def test_production_turns_on_https_only_behaviour_and_hashed_static_files():
    settings = load_settings(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.no")
    assert (
        settings["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is True
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_development_needs_no_environment():
    settings = load_settings(DEBUG="1")
    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"]
    assert "localhost" in settings["ALLOWED_HOSTS"]
    assert settings["STATICFILES_BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    assert settings["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["DATABASE"]["NAME"] == str(BASE_DIR / "db.sqlite3")
    assert settings["CACHE"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_allowed_hosts_is_a_comma_separated_list():
    settings = load_settings(
        DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=" innovasjon.example.no, .kommune.no ,"
    )
    assert settings["ALLOWED_HOSTS"] == ["innovasjon.example.no", ".kommune.no"]


# --- Services from URLs ----------------------------------------------------------------------


def test_database_url_selects_postgresql():
    settings = load_settings(
        DEBUG="1", DATABASE_URL="postgres://innovasjon:hemmelig@db.example.no:5433/innovasjon"
    )
    assert settings["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "innovasjon",
        "USER": "innovasjon",
        "HOST": "db.example.no",
        "PORT": 5433,
    }


def test_redis_url_selects_the_redis_cache():
    settings = load_settings(DEBUG="1", REDIS_URL="redis://cache.example.no:6379/1")
    assert settings["CACHE"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings["CACHE"]["LOCATION"] == "redis://cache.example.no:6379/1"


# --- check --deploy --------------------------------------------------------------------------


def test_check_deploy_is_clean_under_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=get_random_secret_key(),
        ALLOWED_HOSTS="example.no",
    )
    output = result.stdout + result.stderr
    assert set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", output)) == set(), output
    assert result.returncode == 0, output
