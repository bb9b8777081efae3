"""Following new cases: the Atom feed (all cases, or any search) and sitemap.xml. Neither ever
shows an unpublished case."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.feeds import FEED_SIZE
from cases.models import Membership
from cases.vocabularies import CaseStatus
from tests import factories

pytestmark = pytest.mark.django_db

FEED = reverse("feed-cases")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def feed(client, params=None) -> ET.Element:
    response = client.get(FEED, params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(root) -> list[dict]:
    return [
        {
            "title": entry.find(f"{ATOM}title").text,
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.find(f"{ATOM}id").text,
            "author": entry.find(f"{ATOM}author/{ATOM}name").text,
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def sitemap_urls(client) -> list[str]:
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


@pytest.fixture
def owner(db):
    return factories.MunicipalityFactory(name="Trondheim", slug="trondheim")


@pytest.fixture
def published(owner):
    return [
        factories.CaseFactory(
            organisation=owner,
            published=True,
            title="Eldst robot",
            days_ago=3,
            sectors=["health-care"],
        ),
        factories.CaseFactory(
            organisation=owner,
            published=True,
            title="Midt sykkel",
            days_ago=2,
            sectors=["transport"],
        ),
        factories.CaseFactory(
            organisation=owner,
            published=True,
            title="Nyest robot",
            days_ago=1,
            sectors=["health-care", "education"],
        ),
    ]


@pytest.fixture
def hidden(owner):
    now = timezone.now()
    return [
        factories.CaseFactory(organisation=owner, title="Hemmelig utkastord"),
        factories.CaseFactory(
            organisation=owner,
            title="Hemmelig innsendtord",
            status=CaseStatus.SUBMITTED,
        ),
        factories.CaseFactory(
            organisation=owner,
            title="Hemmelig endringsord",
            status=CaseStatus.CHANGES_REQUESTED,
        ),
        factories.CaseFactory(
            organisation=owner,
            title="Hemmelig arkivord",
            status=CaseStatus.ARCHIVED,
            published_at=now,
        ),
        factories.CaseFactory(
            organisation=owner, published=True, title="Hemmelig slettetord", deleted_at=now
        ),
    ]


def test_feed_of_all_new_cases(client, published):
    root = feed(client)
    assert [e["title"] for e in entries(root)] == ["Nyest robot", "Midt sykkel", "Eldst robot"]
    first = entries(root)[0]
    # Item links are absolute and lead to the case page.
    assert first["link"] == f"http://testserver/saker/{published[2].slug}/"
    assert first["id"] == first["link"]
    assert first["author"] == "Trondheim"
    assert len(first["categories"]) == 2
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/saker/"


def test_feed_of_a_search(client, published):
    root = feed(client, {"q": "robot", "sector": "education", "ordering": "title", "page": "2"})
    assert [e["title"] for e in entries(root)] == ["Nyest robot"]
    assert "robot" in root.find(f"{ATOM}title").text
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/saker/?q=robot&sector=education"
    own = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert own == "http://testserver/saker/feed/?q=robot&sector=education"


def test_feed_ignores_only_unknown_values(client, published):
    root = feed(client, {"sector": ["transport", "nonsense"]})
    assert [e["title"] for e in entries(root)] == ["Midt sykkel"]


def links(root) -> dict[str, str]:
    return {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}


def test_feed_pages_lead_to_every_case_once(client, owner):
    """RFC 5005: the first page has the newest cases; next/previous/first/last lead through
    the rest, and the search's filters stay in every link."""
    for n in range(FEED_SIZE + 2):
        factories.CaseFactory(organisation=owner, published=True, title=f"Sak {n}", days_ago=n)
    factories.CaseFactory(organisation=owner, published=True, title="Annen by", days_ago=1)
    first = feed(client, {"q": "sak"})
    assert len(entries(first)) == FEED_SIZE
    assert entries(first)[0]["title"] == "Sak 0"
    first_links = links(first)
    assert "previous" not in first_links
    assert first_links["first"] == "http://testserver/saker/feed/?q=sak"
    assert (
        first_links["next"] == first_links["last"] == "http://testserver/saker/feed/?q=sak&page=2"
    )
    second = client.get(first_links["next"])
    assert second.status_code == 200
    root = ET.fromstring(second.content)
    assert [e["title"] for e in entries(root)] == [f"Sak {FEED_SIZE}", f"Sak {FEED_SIZE + 1}"]
    assert links(root)["previous"] == first_links["first"]
    assert "next" not in links(root)
    assert links(root)["self"] == first_links["last"]
    # A page beyond the last is the last; nonsense is the first.
    assert entries(feed(client, {"q": "sak", "page": "99"})) == entries(root)
    assert entries(feed(client, {"q": "sak", "page": "x"})) == entries(first)


def test_home_links_the_feed(client, published):
    html = client.get("/").content.decode()
    assert 'type="application/atom+xml"' in html
    assert f'href="{FEED}"' in html


def test_the_search_page_links_its_feed(client, published):
    html = client.get(reverse("case-list"), {"q": "robot"}).content.decode()
    assert 'type="application/atom+xml" title="' in html
    assert f'href="{FEED}?q=robot"' in html


@pytest.mark.parametrize("who", ["anonymous", "outsider", "owner_member"])
def test_unpublished_cases_are_in_no_feed(client, published, hidden, owner, who):
    if who != "anonymous":
        user = factories.UserFactory()
        organisation = owner if who == "owner_member" else factories.MunicipalityFactory()
        Membership.objects.create(user=user, organisation=organisation)
        client.force_login(user)
    content = client.get(FEED).content.decode()
    assert "Hemmelig" not in content
    for case in hidden:
        marker = case.title.split()[-1]
        root = feed(client, {"q": marker})
        assert entries(root) == []
        assert case.slug not in client.get(FEED, {"q": "hemmelig"}).content.decode()


def test_feed_queries_do_not_grow(client, owner, django_assert_max_num_queries):
    """Counties for the filter, the count for the paging links, the cases, their terms (a
    PostgreSQL search may stem once)."""
    for n in range(3):
        factories.CaseFactory(
            organisation=owner, published=True, title=f"Robot {n}", sectors=["health-care"]
        )
    with django_assert_max_num_queries(5):
        feed(client, {"q": "robot"})
    for n in range(20):
        factories.CaseFactory(
            organisation=owner, published=True, title=f"Robot {n}", sectors=["health-care"]
        )
    with django_assert_max_num_queries(5):
        assert len(entries(feed(client, {"q": "robot"}))) == 23


def test_sitemap_lists_published_cases_and_public_organisations(client, published, hidden, owner):
    adopter = factories.MunicipalityFactory(slug="gjenbruker")
    factories.AdoptionFactory(case=published[0], organisation=adopter)
    quiet = factories.MunicipalityFactory(slug="stille-kommune")
    only_hidden = factories.MunicipalityFactory(slug="bare-utkast")
    factories.CaseFactory(organisation=only_hidden, title="Utkast")
    archived_adopter = factories.MunicipalityFactory(slug="arkiv-gjenbruker")
    factories.AdoptionFactory(case=hidden[3], organisation=archived_adopter)
    urls = sitemap_urls(client)
    for case in published:
        assert f"http://testserver/saker/{case.slug}/" in urls
    for case in hidden:
        assert not any(case.slug in url for url in urls)
    assert "http://testserver/organisasjoner/trondheim/" in urls
    assert "http://testserver/organisasjoner/gjenbruker/" in urls
    for slug in (quiet.slug, only_hidden.slug, archived_adopter.slug):
        assert not any(slug in url for url in urls)
    assert len(urls) == len(set(urls)) == 5


def test_sitemap_has_last_modified_dates(client, published):
    response = client.get(reverse("sitemap"))
    root = ET.fromstring(response.content)
    lastmods = [e.text for e in root.iter(f"{SITEMAP}lastmod")]
    assert len(lastmods) == 4  # three cases and their owner
