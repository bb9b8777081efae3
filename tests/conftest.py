"""Shared fixtures: factories, and the personas tests speak of (see tests/factories.py)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from cases import search
from cases.models import MODERATORS_GROUP
from cases.vocabularies import MembershipRole, MembershipStatus
from tests import factories


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of a test land in its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Templates can name static files without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no requests counted (cases/ratelimit.py counts in the cache, and
    every test client comes from the same address)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _background_inline(settings):
    """Work meant for a background thread runs at once, in the test's thread and database
    transaction (tests/test_background_threads.py runs the real thread)."""
    settings.BACKGROUND_INLINE = True


@pytest.fixture(autouse=True)
def _no_response_cache(settings):
    """Pages and API answers are made afresh in every test, so that query counts measure the
    work of making them; tests of the response cache turn it on (tests/test_response_cache.py)."""
    settings.RESPONSE_CACHE = False


@pytest.fixture(autouse=True)
def _fresh_search_lexicon():
    """Every test's searches compare query words with its own published cases (a process keeps
    the lexicon while the emptied cache says nothing changed, see cases/search.py)."""
    search._memo.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db):
    return factories.CountyFactory()


@pytest.fixture
def municipality(db, county):
    return factories.MunicipalityFactory(parent=county)


@pytest.fixture
def unit(db, municipality):
    return factories.UnitFactory(parent=municipality)


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def published_case(db, municipality):
    return factories.CaseFactory(organisation=municipality, published=True)


# The personas the permission rules speak of: members and editors of the owner organisation,
# a member of another organisation, and a site moderator.


def speaking(client, language: str):
    """The client, having chosen a language with the site's language switch (its cookie)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def person(organisation, role=MembershipRole.MEMBER):
    user = factories.UserFactory()
    factories.MembershipFactory(
        user=user, organisation=organisation, role=role, status=MembershipStatus.ACTIVE
    )
    return user


@pytest.fixture
def owner(municipality):
    return municipality


@pytest.fixture
def member(owner):
    return person(owner, MembershipRole.MEMBER)


@pytest.fixture
def editor(owner):
    return person(owner, MembershipRole.EDITOR)


@pytest.fixture
def outsider(county):
    return person(factories.MunicipalityFactory(parent=county), MembershipRole.EDITOR)


@pytest.fixture
def moderator(db):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user
