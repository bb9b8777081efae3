"""Search results and statistics that no cache holds cost real work; an anonymous client may
have only so many of them computed (EXPENSIVE_PAGES_PER_CLIENT). Over the limit: 429 with a
clear message in the visitor's language and Retry-After. Answers already cached, and signed-in
users, are never refused."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import speaking

pytestmark = pytest.mark.django_db

SEARCH = "/saker/"
STATS = "/statistikk/"
NB_TEXT = "mange søk eller mye statistikk"
EN_TEXT = "many searches or statistics"


@pytest.fixture(autouse=True)
def _limit(settings, published_case):
    cache.clear()
    settings.EXPENSIVE_PAGES_PER_CLIENT = "3/10min"
    yield
    cache.clear()


def assert_limited(response, text: str = NB_TEXT) -> None:
    assert response.status_code == 429
    assert text in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 600


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (SEARCH, [{"q": "sykehjem"}, {"q": "robot"}, {"q": "skole"}, {"q": "buss"}]),
        (STATS, [{"sector": "education"}, {"sector": "culture"}, {"sector": "transport"}, {}]),
        (
            "/statistikk/origin.csv",
            [{"sector": "education"}, {"sector": "culture"}, {"sector": "transport"}, {}],
        ),
    ],
    ids=["search", "statistics", "csv"],
)
def test_an_anonymous_client_gets_only_so_many_computed(path, params):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for query in params[:3]:
        assert client.get(path, query).status_code == 200
    # Asking for nothing more expensive, it is not held up: these answers are cached.
    assert client.get(path, params[0]).status_code == 200
    # A new one would have to be computed: refused, before the database is asked for it.
    with CaptureQueriesContext(connection) as queries:
        response = speaking(client, "en").get(path, params[3])
    assert_limited(response, EN_TEXT)
    assert len(queries) <= 3, [query["sql"] for query in queries]
    speaking(client, "nb")
    # Forged X-Forwarded-For is the same client; someone else is not held up.
    assert_limited(client.get(path, params[3], HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert Client(REMOTE_ADDR="198.51.100.1").get(path, params[3]).status_code == 200


def test_the_htmx_search_is_limited_too():
    client = Client(REMOTE_ADDR="203.0.113.7")
    for word in ("sykehjem", "robot", "skole"):
        assert client.get(SEARCH, {"q": word}, HTTP_HX_REQUEST="true").status_code == 200
    response = client.get(SEARCH, {"q": "buss"}, HTTP_HX_REQUEST="true")
    assert_limited(response)
    # htmx swaps no error answer in: the browser loads the address as a page, which says why.
    assert response["HX-Redirect"] == f"{SEARCH}?q=buss"


def test_signed_in_users_are_not_limited(member):
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(member)
    for word in ("sykehjem", "robot", "skole", "buss", "bibliotek"):
        assert client.get(SEARCH, {"q": word}).status_code == 200


def test_behind_a_trusted_proxy_each_client_is_counted_apart(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for word in ("sykehjem", "robot", "skole"):
        assert first.get(SEARCH, {"q": word}).status_code == 200
    assert_limited(first.get(SEARCH, {"q": "buss"}))
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert second.get(SEARCH, {"q": "buss"}).status_code == 200


def test_a_write_makes_answers_new_but_a_limited_client_still_gets_what_is_cached():
    client = Client(REMOTE_ADDR="203.0.113.7")
    for word in ("sykehjem", "robot", "skole"):
        assert client.get(SEARCH, {"q": word}).status_code == 200
    assert_limited(client.get(SEARCH, {"q": "buss"}))
    assert client.get(SEARCH, {"q": "robot"}).status_code == 200
    factories.CaseFactory(published=True)
    # The data changed: every search is new work again.
    assert_limited(client.get(SEARCH, {"q": "robot"}))
