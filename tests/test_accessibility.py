"""The accessibility statement (/tilgjengelighet/) and the search page's skip link to its
results. (The pages themselves are checked in a browser in tests/browser/.)"""

import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def statement(client, lang: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_statement_gives_the_contact_address_from_the_settings(client, settings, lang):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "uu@bergen.kommune.no"
    html = statement(client, lang)
    assert '<a class="ds-link" href="mailto:uu@bergen.kommune.no">uu@bergen.kommune.no</a>' in html


def test_the_contact_address_has_a_default(client):
    assert settings.ACCESSIBILITY_CONTACT_EMAIL
    assert f'href="mailto:{settings.ACCESSIBILITY_CONTACT_EMAIL}"' in statement(client, "nb")


def test_without_an_address_the_statement_points_to_reporting_a_case(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    html = statement(client, "nb")
    assert "mailto:" not in html
    assert "«Meld fra om denne innovasjonen»" in html


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "nb",
            [
                "delvis i samsvar",
                "Dette er ikke godt nok ennå",
                "Vedlegg som virksomhetene laster opp",
                "Diagrammene",
                "Chromium",
                "axe-core",
                "tabulatortasten",
                "375 piksler",
                "200 %",
                "sist oppdatert 23. november 2026",
            ],
        ),
        (
            "en",
            [
                "partially compliant",
                "What is not good enough yet",
                "Attachments that organisations upload",
                "The charts",
                "Chromium",
                "axe-core",
                "Tab key",
                "375 pixels",
                "200 %",
                "last updated on 23 November 2026",
            ],
        ),
    ],
)
def test_the_statement_says_what_does_not_conform_and_how_it_was_tested(client, lang, texts):
    html = statement(client, lang)
    for text in texts:
        assert text in html, text


def test_search_page_has_a_skip_link_to_its_results(client):
    html = client.get(reverse("case-list")).content.decode()
    main = html[html.index('<main id="main"') :]
    # The first thing in the main content, so it follows the skip link to the main content.
    first_link = re.search(r"<a [^>]*>", main).group(0)
    assert 'href="#results"' in first_link
    assert "ds-skip-link" in first_link
    assert "Hopp til resultatene" in main
    # Its target takes focus when the link is followed.
    assert re.search(r'<section id="results"[^>]*\stabindex="-1"', html)
    # The results htmx swaps in keep the same id and tabindex.
    response = client.get(reverse("case-list") + "?q=robot", HTTP_HX_REQUEST="true")
    assert re.search(r'<section id="results"[^>]*\stabindex="-1"', response.content.decode())
