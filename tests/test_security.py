"""Security headers: a Content Security Policy without 'unsafe-inline', scripts only with the
page's nonce, no inline styles or handlers in what the site renders."""

import re

import pytest

from tests.factories import CaseFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/saker/",
    "/saker/?q=skole",
    "/logg-inn/",
    "/registrer/",
    "/api/docs/",
    "/api/docs/utforsker/",
]


@pytest.fixture
def some_cases(db):
    owner = MunicipalityFactory()
    return [CaseFactory(organisation=owner, published=True) for _ in range(2)]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_content_security_policy(client, some_cases, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", PAGES)
def test_scripts_carry_the_nonce_and_nothing_is_inline(client, some_cases, path):
    response = client.get(path)
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for tag in re.findall(r"<script\b[^>]*>", html):
        if 'type="application/ld+json"' in tag or 'type="application/json"' in tag:
            continue
        assert "src=" in tag, f"inline script on {path}: {tag}"
        if nonce and "nonce=" in tag:
            assert nonce.group(1) in tag
    assert not re.search(r"<style\b", html), f"inline <style> on {path}"
    assert not re.search(r"\sstyle=\"", html), f"style attribute on {path}"
    assert not re.search(r"\son[a-z]+=\"", html), f"inline event handler on {path}"


def test_htmx_is_loaded_from_the_site_without_a_nonce(client, some_cases):
    """The search page is the same for every anonymous reader, so that it can be kept whole
    (cases/caching.py): its scripts come from the site's own address, which script-src 'self'
    allows, and carry no nonce."""
    response = client.get("/saker/")
    page = response.content.decode()
    assert re.search(r'<script[^>]+src="/[^"]*htmx[^"]*"', page)
    assert "nonce=" not in page
    assert "'self'" in re.search(r"script-src[^;]*", response["Content-Security-Policy"])[0]


def test_api_docs_load_their_start_script_from_the_site(client):
    page = client.get("/api/docs/utforsker/").content.decode()
    sources = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert sources
    assert all(src.startswith("/") for src in sources), sources
    script = client.get("/api/docs/utforsker/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
