"""Faults: the database going away, and login attempts that never stop."""

import urllib.request

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_lost_database_gives_a_friendly_503(client, monkeypatch):
    def away(**kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("cases.views.home.current_figures", away)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"Traceback" not in response.content
    assert 'lang="nb"' in response.content.decode()


def test_the_api_says_503_in_json(client, monkeypatch):
    def away(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("cases.api.views.changes.read", away)
    response = client.get("/api/v1/changes/")
    assert response.status_code == 503
    assert response.json()["detail"]


def test_other_database_errors_are_not_disguised(client, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr("cases.views.home.current_figures", broken)
    client.raise_request_exception = False
    assert client.get("/").status_code == 500


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="kills real PostgreSQL backends; needs PostgreSQL"
)
def test_the_site_survives_a_database_restart(live_server):
    """Every server connection is killed, as a PostgreSQL restart would; the next request
    reconnects by itself (health-checked connections) instead of failing."""
    url = live_server.url + "/saker/"
    assert urllib.request.urlopen(url).status == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert urllib.request.urlopen(url).status == 200


def test_login_is_locked_after_repeated_failures(client, settings):
    user = UserFactory(email="kari@oslo.kommune.no")
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": user.email, "password": "feil"})
        assert response.status_code == 200
    assert client.post(url, {"username": user.email, "password": "feil"}).status_code == 429
    locked = client.post(url, {"username": user.email, "password": "correct horse battery staple"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_count(client, settings):
    user = UserFactory(email="ola@bergen.kommune.no")
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": user.email, "password": "feil"})
    good = client.post(url, {"username": user.email, "password": "correct horse battery staple"})
    assert good.status_code == 302
    client.logout()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": user.email, "password": "feil"})
        assert response.status_code == 200, attempt
