"""The benchmark's floor view is served only where the benchmark asks for it."""

import importlib

import pytest
from django.urls import clear_url_caches

import cases.urls
import config.urls

pytestmark = pytest.mark.django_db


def reload_urls():
    importlib.reload(cases.urls)
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_floor_is_a_404_by_default(client):
    assert client.get("/_floor/").status_code == 404


def test_the_floor_answers_when_the_benchmark_turns_it_on(client, settings, municipality):
    settings.BENCH_FLOOR_VIEW = True
    reload_urls()
    try:
        response = client.get("/_floor/", {"id": municipality.pk})
        assert response.status_code == 200
        assert response.content.decode().strip() == municipality.name
    finally:
        settings.BENCH_FLOOR_VIEW = False
        reload_urls()
    assert client.get("/_floor/").status_code == 404
