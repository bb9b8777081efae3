"""What gunicorn's master builds before it forks the workers (config/preload.py,
gunicorn.conf.py): shared by the workers and frozen out of their garbage collector's sight."""

import runpy
from pathlib import Path
from types import SimpleNamespace

from django.template import engines
from django.urls import get_resolver

from config import preload

ROOT = Path(__file__).resolve().parent.parent


def test_the_master_compiles_every_site_template_and_loads_the_urls_without_the_database():
    """No database marker: a query here would fail the test (the connection must not be
    shared across the fork)."""
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    hooks["when_ready"](SimpleNamespace())
    names = preload.site_templates()
    assert "cases/search.html" in names
    assert "cases/partials/_facet_chosen.html" in names
    assert any(name.endswith(".txt") for name in names)  # the email texts too
    assert set(names) <= set(loader.get_template_cache)
    assert get_resolver()._populated
