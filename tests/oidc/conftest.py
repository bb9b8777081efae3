"""The login tests' fixtures live in tests/oidc/fixtures.py, which the browser tests share."""

from .fixtures import browser_session, oidc_apps, oidc_issuer  # noqa: F401
