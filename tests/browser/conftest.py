"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live
server.

One Chromium for the whole session; each test gets fresh browser contexts (cookies, language,
JavaScript on or off, viewport) from `open_page`. Every request a page makes is recorded, and a
test fails if any went to another host than the live server: the site loads nothing from
outside.

Without Chromium (or without Playwright) the tests skip with a reason that says what to install.
Under CI (CI=true) a missing browser is an error instead: .ci/run installs Chromium, so the
browser tests always run there.
"""

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs its own event loop in this thread; Django would otherwise refuse
# ORM calls from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM if set, else Debian's package on the PATH."""
    wanted = os.environ.get("CHROMIUM")
    for candidate in (wanted,) if wanted else CHROMIUM_CANDIDATES:
        path = shutil.which(candidate) if candidate else None
        if path:
            return path
    return None


def _why_not_runnable() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as error:
        return (
            f"{error.name} is not installed. "
            "Install the dev dependencies: .venv/bin/pip install -e '.[dev]'."
        )
    if find_chromium() is None:
        looked = os.environ.get("CHROMIUM") or ", ".join(CHROMIUM_CANDIDATES)
        return (
            f"no Chromium found (looked for {looked}). "
            "Install Debian's chromium package (apt-get install chromium) or set CHROMIUM to "
            "the browser's path."
        )
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_not_runnable()
    if reason is None:
        return
    here = Path(__file__).parent
    ours = [item for item in items if here in Path(str(item.path)).parents]
    if not ours:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        raise pytest.UsageError(f"CI must run the browser tests, but {reason}")
    marker = pytest.mark.skip(reason=f"Browser tests skipped: {reason}")
    for item in ours:
        item.add_marker(marker)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: CI and this machine run other work beside the tests.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A page opened by `open_page`, its context, and every request the page made."""

    context: object
    page: object
    shared: bool
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def shared_contexts(browser, live_server):
    """Browser contexts kept for the whole session, one per language and JavaScript setting, so
    that pages that only look at the site share the stylesheets in the browser's cache."""
    contexts: dict[tuple, object] = {}
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.fixture
def open_page(browser, live_server, shared_contexts) -> Iterator[Callable]:
    """Open a page: `open_page(lang="nb", user=None, javascript=True, width=1280, height=900,
    shared=False)`. The browser asks for `lang` (Accept-Language and Django's language cookie);
    `user` is logged in through a session cookie (no login form, no lockout counter). A fresh
    context has no history, storage or cache; `shared=True` borrows one of the session's contexts
    (cookies reset) for pages that only look. After the test, fails if any page loaded anything
    from another host than the live server."""
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    server = urlsplit(live_server.url)
    visits: list[Visit] = []
    # The live server answers each browser connection in a thread of its own; with persistent
    # database connections (CONN_MAX_AGE) those threads would keep PostgreSQL sessions open, and
    # the test database could not be dropped at the end. Close them after every request.
    max_ages = {alias: connections.settings[alias].get("CONN_MAX_AGE") for alias in connections}
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0

    def new_context(lang, javascript):
        context = browser.new_context(
            base_url=live_server.url,
            locale="nb-NO" if lang == "nb" else "en-GB",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        return context

    def open_(*, lang="nb", user=None, javascript=True, width=1280, height=900, shared=False):
        if shared:
            context = shared_contexts.get((lang, javascript))
            if context is None:
                context = shared_contexts[(lang, javascript)] = new_context(lang, javascript)
            context.clear_cookies()
        else:
            context = new_context(lang, javascript)
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}]
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies.append(
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            )
        context.add_cookies(cookies)
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        visit = Visit(context=context, page=page, shared=shared)
        page.on("request", lambda request: visit.requests.append(request.url))
        visits.append(visit)
        return page

    yield open_

    outside = []
    for visit in visits:
        for url in visit.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"}:
                continue
            if (parts.hostname, parts.port) != (server.hostname, server.port):
                outside.append(url)
        if visit.shared:
            visit.page.close()
        else:
            visit.context.close()
    for alias, max_age in max_ages.items():
        connections.settings[alias]["CONN_MAX_AGE"] = max_age
    assert not outside, f"Pages loaded resources from other hosts: {sorted(set(outside))}"


# SQLite's in-memory test database, as it was right after the first `seed_demo` of the session.
_demo_snapshot: dict[str, sqlite3.Connection] = {}


@pytest.fixture
def demo(transactional_db):
    """The demo content (organisations, users, cases, reuse), as `make run` shows it.

    Writing it takes seconds and every live-server test starts from an empty database. On
    SQLite's in-memory test database the first test writes it and keeps a copy (SQLite's backup
    API), and later tests restore that copy in milliseconds; on PostgreSQL every test writes it.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    for cache in caches.all():
        cache.clear()
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        call_command("seed_demo", verbosity=0)
        return
    connection.ensure_connection()
    name = connection.settings_dict["NAME"]
    if name not in _demo_snapshot:
        call_command("seed_demo", verbosity=0)
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _demo_snapshot[name] = snapshot
    else:
        _demo_snapshot[name].backup(connection.connection)
        # The flush before this test gave content types new ids; the copy has the old ones.
        ContentType.objects.clear_cache()


def url_path(text: str, marker: str) -> str:
    """The path of the first absolute link in `text` that contains `marker` (emails link to
    SITE_URL, not to the live server)."""
    for word in text.split():
        if marker in word and "://" in word:
            parts = urlsplit(word.strip("<>.,"))
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"No link containing {marker!r} in:\n{text}")


@pytest.fixture
def visit(open_page, demo, settings):
    """Open one of the page types in tests/browser/site_pages.py on the demo data:
    `visit(page_type, lang="nb", persona=None, width=1280, height=900)`. Checks the status and
    the page's language, and skips a page whose URL does not exist yet."""
    from django.urls import Resolver404, resolve

    from cases.models import User

    def visit_(page_type, *, lang="nb", persona=None, width=1280, height=900, javascript=True):
        if page_type.url_name:
            try:
                built = resolve(page_type.path.split("?")[0]).url_name == page_type.url_name
            except Resolver404:
                built = False
            if not built:
                pytest.skip(
                    f"The {page_type.name} page (URL {page_type.url_name!r}) is not built yet."
                )
        if page_type.urlconf:
            settings.ROOT_URLCONF = page_type.urlconf
        user = User.objects.get(email=persona) if persona else None
        page = open_page(
            lang=lang, user=user, width=width, height=height, javascript=javascript, shared=True
        )
        response = page.goto(page_type.path)
        assert response.status == page_type.status, f"{page_type.path}: {response.status}"
        if page_type.prepare:
            page_type.prepare(page)
        if not page_type.bilingual:
            assert page.locator("html").get_attribute("lang") == lang
        return page

    return visit_
