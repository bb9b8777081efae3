"""A real OpenID provider (tests/oidc/provider.mjs) for the login tests, started once per session.

The site's apps point at it: "test-entra" (mapped by tenant) and "test-porten" (mapped by
organisation number), the provider's clients "site" and "site-porten". Without Node or the npm package the
tests skip; CI has both (`make install` runs `npm ci`).
"""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from allauth.socialaccount.models import SocialApp

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
PROVIDER_IDS = ("test-entra", "test-porten")
CLIENT_IDS = {"test-entra": "site", "test-porten": "site-porten"}


def _start(redirect_uris: list[str]) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        ["node", str(SCRIPT)],
        cwd=ROOT,
        env={**os.environ, "OIDC_TEST_REDIRECT_URIS": ",".join(redirect_uris)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line:
        process.kill()
        pytest.fail("The test OpenID provider did not start (run `npm ci`).")
    return process, json.loads(line)["issuer"]


def _wait_for_discovery(issuer: str, timeout: float = 20.0) -> None:
    """Poll the discovery document until the provider answers it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"The test OpenID provider at {issuer} never answered its discovery.")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def oidc_issuer(live_server):
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the OpenID Connect login tests need it.")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("The npm package oidc-provider is not installed: run `npm ci`.")
    redirect_uris = [
        f"{live_server.url}/konto/oidc/{provider_id}/login/callback/"
        for provider_id in PROVIDER_IDS
    ]
    process, issuer = _start(redirect_uris)
    try:
        _wait_for_discovery(issuer)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc_apps(oidc_issuer, transactional_db):
    """The site's login apps for the test provider, in the database as operators make them."""
    apps = {}
    for provider_id, name in zip(PROVIDER_IDS, ("Test Entra", "Test Porten"), strict=True):
        apps[provider_id] = SocialApp.objects.create(
            provider="openid_connect",
            provider_id=provider_id,
            name=name,
            client_id=CLIENT_IDS[provider_id],
            secret=f"{CLIENT_IDS[provider_id]}-test-secret",
            settings={"server_url": oidc_issuer, "kind": provider_id},
        )
    return apps


class Browser:
    """A person's browser, as far as a login needs one: cookies, following redirects, forms
    posted with their CSRF token."""

    def __init__(self, site: str):
        self.site = site
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.site + path, timeout=20, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get("/logg-inn/")
        form = {"csrfmiddlewaretoken": self.session.cookies["csrftoken"], **(data or {})}
        return self.session.post(self.site + path, data=form, timeout=20, **kwargs)

    def login_url(self, provider_id: str, user: str, **query: str) -> str:
        return f"/konto/oidc/{provider_id}/login/?" + urlencode(
            {"auth_params": urlencode({"login_hint": user}), **query}
        )

    def log_in_with(self, provider_id: str, user: str, **query: str) -> requests.Response:
        """The whole round trip: to the provider, logged in there as `user`, and back."""
        return self.post(self.login_url(provider_id, user, **query))

    def log_in_with_password(self, email: str, password: str) -> requests.Response:
        return self.post("/logg-inn/", {"username": email, "password": password})

    def page_text(self, path: str) -> str:
        return re.sub(r"\s+", " ", self.get(path).text)


@pytest.fixture
def browser_session(live_server):
    return Browser(live_server.url)
