"""The plain pages about the site: about, contact and privacy. Each is linked from every page's
footer, names the addresses from the settings, and the privacy statement names exactly the
cookies the site sets."""

import re

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.urls import reverse

from tests.conftest import speaking

pytestmark = pytest.mark.django_db

PAGES = {"about": "Om tjenesten", "contact": "Kontakt", "privacy": "Personvernerklæring"}
ENGLISH = {"about": "About the service", "contact": "Contact", "privacy": "Privacy statement"}


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_speaks_both_languages_and_is_in_the_footer(client, name):
    for lang, headings in (("nb", PAGES), ("en", ENGLISH)):
        speaking(client, lang)
        response = client.get(reverse(name))
        assert response.status_code == 200
        html = response.content.decode()
        assert headings[name] in html.replace("&shy;", "")
        footer = html[html.index('<footer class="site-footer">') :]
        assert f'href="{reverse(name)}"' in footer


def test_the_addresses_and_operator_come_from_the_settings(client, settings):
    settings.CONTACT_EMAIL = "post@ks.no"
    settings.ACCESSIBILITY_CONTACT_EMAIL = "uu@ks.no"
    settings.CATALOGUE_CONTACT_EMAIL = "data@ks.no"
    settings.CATALOGUE_PUBLISHER_NAME = "KS"
    html = client.get(reverse("contact")).content.decode()
    for address in ("post@ks.no", "uu@ks.no", "data@ks.no"):
        assert f'href="mailto:{address}"' in html
    assert "driftes av KS" in html
    assert 'href="mailto:post@ks.no"' in client.get(reverse("privacy")).content.decode()


def test_the_privacy_statement_names_the_cookies_the_site_sets(client):
    named = set(
        re.findall(r"<code>([a-z_]+)</code>", client.get(reverse("privacy")).content.decode())
    )
    assert named == {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        CookieStorage.cookie_name,
    }
    # The session lasts as long as the statement says.
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * 60 * 60
    assert settings.LANGUAGE_COOKIE_AGE is None
