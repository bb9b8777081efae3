"""The client's address, read in one place (`cases.client_address`) through the TRUSTED_PROXIES
setting: the API throttles and the login lockout both count by it. A forged X-Forwarded-For
neither escapes a limit nor lets anyone lock someone else out of their account."""

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from cases.client_address import client_address
from tests.factories import PASSWORD, UserFactory
from tests.test_settings import refused_to_start

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def address(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


# --- The one function -----------------------------------------------------------------------


def test_without_trusted_proxies_the_connecting_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert address("203.0.113.7") == "203.0.113.7"
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert address(PROXY, "198.51.100.1") == PROXY


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    assert address(PROXY, "198.51.100.1") == "198.51.100.1"
    # What the client wrote itself stands to the left of what the proxy added: ignored.
    assert address(PROXY, "1.2.3.4, 5.6.7.8, 198.51.100.1") == "198.51.100.1"
    # Several trusted hops (the TLS proxy, then a load balancer) are skipped.
    assert address(PROXY, "1.2.3.4, 198.51.100.1, 192.0.2.1, 10.9.9.9") == "198.51.100.1"
    # Several headers are one list, in order.
    assert address(PROXY, "1.2.3.4,198.51.100.1") == "198.51.100.1"
    # IPv6, written canonically.
    assert address(PROXY, "2001:DB8::0001") == "2001:db8::1"


def test_a_connection_from_outside_the_trusted_proxies_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_a_missing_or_unreadable_forwarded_address_falls_back_to_the_nearest_trusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address(PROXY) == PROXY
    assert address(PROXY, "") == PROXY
    assert address(PROXY, "not-an-address") == PROXY
    assert address(PROXY, "198.51.100.1, not-an-address, 10.1.1.1") == "10.1.1.1"
    # Every hop trusted: the left-most of them is as far as the chain can be believed.
    assert address(PROXY, "10.1.1.1, 10.2.2.2") == "10.1.1.1"


# --- The API throttle -----------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """DRF reads the rates into the throttle classes when it is imported; set them there."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})


def test_a_random_forwarded_address_does_not_escape_the_anonymous_throttle(low_rates, db):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    for number in range(3):
        response = client.get("/api/v1/vocabularies/", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        assert response.status_code == 200
    response = client.get("/api/v1/vocabularies/", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_client_is_throttled_apart(low_rates, db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = APIClient(REMOTE_ADDR=PROXY)
    for _ in range(3):
        assert (
            proxy.get("/api/v1/vocabularies/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code
            == 200
        )
    assert (
        proxy.get("/api/v1/vocabularies/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    )
    # Someone else behind the same proxy is not held up, whatever the first one writes.
    assert (
        proxy.get("/api/v1/vocabularies/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    )
    forged = "198.51.100.2, 198.51.100.1"
    assert proxy.get("/api/v1/vocabularies/", HTTP_X_FORWARDED_FOR=forged).status_code == 429


# --- The login lockout ----------------------------------------------------------------------


def fail_until_locked(client: Client, email: str, limit: int, **extra) -> None:
    url = reverse("login")
    for _ in range(limit):
        client.post(url, {"username": email, "password": "feil"}, **extra)
    assert client.post(url, {"username": email, "password": PASSWORD}, **extra).status_code == 429


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(db, settings):
    owner = UserFactory(email="moderator@oslo.kommune.no")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    fail_until_locked(attacker, owner.email, settings.AXES_FAILURE_LIMIT)
    # A forged X-Forwarded-For neither lets the attacker escape the lock ...
    forged = attacker.post(
        reverse("login"),
        {"username": owner.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert forged.status_code == 429
    # ... nor does the lock reach the owner at their own address.
    real = Client(REMOTE_ADDR="198.51.100.1")
    response = real.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert real.session["_auth_user_id"] == str(owner.pk)


def test_behind_a_trusted_proxy_the_lock_is_per_client_not_per_proxy(db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    owner = UserFactory(email="moderator@oslo.kommune.no")
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    fail_until_locked(attacker, owner.email, settings.AXES_FAILURE_LIMIT)
    # Rotating the address it writes itself does not free the attacker: the proxy appends the
    # real one.
    forged = attacker.post(
        reverse("login"),
        {"username": owner.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.66",
    )
    assert forged.status_code == 429
    real = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = real.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert real.session["_auth_user_id"] == str(owner.pk)


def test_an_unreadable_trusted_proxy_refuses_to_start():
    error = refused_to_start(DEBUG="1", TRUSTED_PROXIES="10.0.0.5, proxy.example.no")
    assert "TRUSTED_PROXIES" in error
    assert "proxy.example.no" in error


def test_writing_the_address_otherwise_gives_no_more_attempts(db, settings):
    owner = UserFactory(email="moderator@oslo.kommune.no")
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    url = reverse("login")
    variants = [
        "Moderator@oslo.kommune.no",
        " moderator@OSLO.kommune.no",
        "MODERATOR@oslo.kommune.no",
    ]
    for number in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(url, {"username": variants[number % 3], "password": "feil"})
    response = attacker.post(url, {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 429
