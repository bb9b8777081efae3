"""What search engines, link previews and browsers read about the site."""

import re

import pytest
from django.urls import reverse

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_robots_keep_crawlers_to_public_pages_and_name_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/admin/", "/moderering/", "/mitt-arbeid/", "/profil/"):
        assert f"Disallow: {private}" in lines
    assert "Disallow: /saker/" not in lines
    assert lines[-1] == "Sitemap: http://testserver/sitemap.xml"


def test_the_favicon_is_found_where_browsers_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.url.endswith("favicon.svg")
    assert 'rel="icon"' in client.get(reverse("home")).content.decode()


def test_every_page_describes_the_site_in_bokmal(client):
    html = client.get(reverse("home")).content.decode()
    assert meta(html, "description").startswith("Her deler norske kommuner")
    assert meta(html, "og:site_name") == "Innovasjonsdeling"
    assert meta(html, "og:locale") == "nb_NO"
    assert meta(html, "og:url") == "http://testserver/"


def test_a_case_page_previews_as_the_case(client, municipality):
    case = CaseFactory(
        organisation=municipality,
        published=True,
        title="Mobil røntgen",
        summary="Røntgenbilen kommer til sykehjemmet.",
    )
    html = client.get(case.get_absolute_url()).content.decode()
    assert meta(html, "og:title") == "Mobil røntgen"
    assert meta(html, "og:type") == "article"
    assert meta(html, "description") == "Røntgenbilen kommer til sykehjemmet."
    assert html.count('name="description"') == 1


def test_the_sites_stylesheets_close_every_rule_they_open():
    """A rule left open swallows every rule after it: the browser silently drops them (the
    maps were drawn black and the tables unstyled that way once)."""
    import re
    from pathlib import Path

    from django.conf import settings

    for sheet in sorted((Path(settings.BASE_DIR) / "static/css").glob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{sheet.name}: a rule closed twice by line {number}"
        assert depth == 0, f"{sheet.name}: {depth} rule(s) never closed"
