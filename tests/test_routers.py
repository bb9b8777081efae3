"""The read-replica router: reads go to the replica only where they cannot miss a fresh write."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from cases.models import Case
from config import routers


@pytest.fixture
def with_replica(monkeypatch, settings):
    # The router looks only at whether a replica alias exists; no connection to it is made.
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    return settings


def read_alias_during(request):
    seen = {}

    def view(request):
        seen["alias"] = routers.PrimaryReplicaRouter().db_for_read(Case)
        return HttpResponse("ok")

    response = routers.PinPrimaryMiddleware(view)(request)
    return seen["alias"], response


def test_without_a_replica_everything_uses_the_primary():
    router = routers.PrimaryReplicaRouter()
    assert router.db_for_read(Case) == "default"
    assert router.db_for_write(Case) == "default"


def test_plain_reads_go_to_the_replica(with_replica):
    alias, response = read_alias_during(RequestFactory().get("/saker/"))
    assert alias == "replica"
    assert routers.PIN_COOKIE not in response.cookies


def test_a_writing_request_reads_from_the_primary_and_pins_the_browser(with_replica):
    alias, response = read_alias_during(RequestFactory().post("/saker/ny/"))
    assert alias == "default"
    cookie = response.cookies[routers.PIN_COOKIE]
    assert cookie["max-age"] == with_replica.REPLICA_PIN_SECONDS
    assert cookie["httponly"]


def test_the_next_request_after_a_write_still_reads_from_the_primary(with_replica):
    request = RequestFactory().get("/saker/")
    request.COOKIES[routers.PIN_COOKIE] = "1"
    alias, _ = read_alias_during(request)
    assert alias == "default"


def test_the_pin_ends_with_the_request(with_replica):
    read_alias_during(RequestFactory().post("/saker/ny/"))
    assert routers.PrimaryReplicaRouter().db_for_read(Case) == "replica"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_use_the_primary(with_replica):
    router = routers.PrimaryReplicaRouter()
    assert router.db_for_read(Case) == "replica"
    with transaction.atomic():
        assert router.db_for_read(Case) == "default"


def test_only_the_primary_is_migrated():
    router = routers.PrimaryReplicaRouter()
    assert router.allow_migrate("default", "cases")
    assert not router.allow_migrate("replica", "cases")
