"""The search page at /saker/: what it finds on any database, sorting, pagination, the URL as
the whole state, the htmx and plain answers, messages for what it cannot use, what it never
shows, and a number of queries that does not grow with the data.

Norwegian stemming, typo tolerance and ranking by weight are PostgreSQL's: see
test_search_language.py.
"""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cases import search
from cases.changefeed.record import record as record_change
from cases.models import Case, CaseTerm, Membership
from cases.vocabularies import CaseStatus, MembershipRole
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("case-list")


# --- helpers ----------------------------------------------------------------------------------


def nb(message: str) -> str:
    with translation.override("nb"):
        return gettext(message)


def result_titles(response) -> list[str]:
    """The titles of the result list, in order, without highlighting."""
    html = response.content.decode()
    section = html[html.index('id="results"') :]
    titles = re.findall(r'<h3 class="ds-heading" data-size="xs"><a [^>]*>(.*?)</a>', section)
    return [unescape(re.sub(r"</?mark>", "", title)) for title in titles]


def search_titles(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return result_titles(response)


def total_of(response) -> int:
    match = re.search(r'id="results-heading">(\d+) ', response.content.decode())
    return int(match.group(1))


@pytest.fixture
def county(db):
    return factories.CountyFactory(name="Vestland", number="46", slug="vestland")


@pytest.fixture
def owner(county):
    return factories.MunicipalityFactory(
        name="Bjørnafjorden", slug="bjornafjorden", number="4624", parent=county
    )


@pytest.fixture
def other_org(county):
    return factories.MunicipalityFactory(name="Askøy", slug="askoy", number="4627", parent=county)


@pytest.fixture
def outsider(other_org):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=other_org, role=MembershipRole.EDITOR)
    return user


@pytest.fixture
def owner_member(owner):
    user = factories.UserFactory()
    Membership.objects.create(user=user, organisation=owner, role=MembershipRole.EDITOR)
    return user


# --- what plain search finds (any database) ------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["title", "summary", "problem", "solution", "results", "reuse_guide"],
)
def test_finds_a_word_in_every_text_field(client, owner, field):
    factories.CaseFactory(
        organisation=owner,
        published=True,
        **{"title": "Noe helt annet", field: "Vi brukte kvantelekter i arbeidet"},
    )
    factories.CaseFactory(organisation=owner, published=True, title="Uten ordet")
    assert search_titles(client, q="kvantelekter") == (
        ["Vi brukte kvantelekter i arbeidet"] if field == "title" else ["Noe helt annet"]
    )


def test_finds_tags_owner_and_partner_names(client, owner, other_org):
    partner = factories.MunicipalityFactory(name="Samnanger", slug="samnanger", number="4625")
    factories.CaseFactory(
        organisation=owner, published=True, title="Merket sak", tags=["velferdsteknologi"]
    )
    factories.CaseFactory(
        organisation=other_org, published=True, title="Partnersak", partners=[partner]
    )
    assert search_titles(client, q="velferdsteknologi") == ["Merket sak"]
    assert search_titles(client, q="samnanger") == ["Partnersak"]
    assert search_titles(client, q="Bjørnafjorden") == ["Merket sak"]


def test_every_word_must_match(client, owner):
    factories.CaseFactory(organisation=owner, published=True, title="Robot i hjemmetjenesten")
    factories.CaseFactory(organisation=owner, published=True, title="Robot i skolen")
    assert search_titles(client, q="robot hjemmetjenesten") == ["Robot i hjemmetjenesten"]
    assert sorted(search_titles(client, q="robot")) == ["Robot i hjemmetjenesten", "Robot i skolen"]


def test_search_is_case_insensitive(client, owner):
    factories.CaseFactory(organisation=owner, published=True, title="Meråpent bibliotek")
    assert search_titles(client, q="MERÅPENT") == ["Meråpent bibliotek"]


@pytest.mark.parametrize(
    "q",
    [
        "'\":*&|!()<>",
        "robot\x00",
        "\x00",
        "a" * 5000,
        "robot " * 100,
        "<script>alert(1)</script>",
        "%%%___",
        "🤖 robot",
        "ø'--",
    ],
)
def test_hostile_queries_get_a_page_not_an_error(client, owner, q):
    factories.CaseFactory(organisation=owner, published=True, title="Robot")
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_punctuation_only_is_no_search(client, owner):
    factories.CaseFactory(organisation=owner, published=True, title="En")
    factories.CaseFactory(organisation=owner, published=True, title="To")
    assert len(search_titles(client, q="«»!?")) == 2


def test_snippet_shows_the_matching_text_escaped_and_marked(client, owner):
    factories.CaseFactory(
        organisation=owner,
        published=True,
        title="Noe annet",
        summary="Et sammendrag <b>uten</b> treff.",
        solution="## Løsning\n\nVi brukte **kvantelekter** og <script>x()</script> sammen.",
    )
    html = client.get(URL, {"q": "kvantelekter"}).content.decode()
    results = html[html.index('id="results"') :]
    assert "<mark>kvantelekter</mark>" in results
    assert "**" not in results
    assert "##" not in results
    assert "<script>x()" not in results


def test_highlight_escapes_and_marks():
    query = search.Search(text="robot", words=["robot"], roots=("robot",))
    assert search.highlight("<b>Robot</b> & roboten", query) == (
        "&lt;b&gt;<mark>Robot</mark>&lt;/b&gt; &amp; <mark>roboten</mark>"
    )
    long = "ord " * 200 + "robot " + "ord " * 200
    excerpt = search.highlight(long, query, length=100)
    assert excerpt.startswith("… ")
    assert excerpt.endswith(" …")
    assert "<mark>robot</mark>" in excerpt
    assert search.highlight_title("Robot <i>", query) == "<mark>Robot</mark> &lt;i&gt;"


def test_plain_strips_markdown():
    text = "# Tittel\n\n* punkt med [lenke](https://x.no)\n\n| a | b |\n|---|---|\n| **c** | `d` |"
    assert search.plain(text) == "Tittel punkt med lenke a b c d"


# --- sorting and pagination -----------------------------------------------------------------


@pytest.fixture
def sortable(owner, other_org):
    """Three cases with known dates, titles and adopters."""
    b = factories.CaseFactory(
        organisation=owner, published=True, title="Bravo", days_ago=1, summary="sykkel"
    )
    a = factories.CaseFactory(
        organisation=owner,
        published=True,
        title="Alfa",
        days_ago=3,
        problem="sykkel i teksten",
        adopters=2,
    )
    c = factories.CaseFactory(
        organisation=owner, published=True, title="Charlie sykkel", days_ago=2, adopters=1
    )
    return a, b, c


def test_default_order_is_newest_first(client, sortable):
    assert search_titles(client) == ["Bravo", "Charlie sykkel", "Alfa"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-published_at", ["Bravo", "Charlie sykkel", "Alfa"]),
        ("-adoption_count", ["Alfa", "Charlie sykkel", "Bravo"]),
        ("title", ["Alfa", "Bravo", "Charlie sykkel"]),
        # Title match, then summary match, then the long texts.
        ("relevance", ["Charlie sykkel", "Bravo", "Alfa"]),
    ],
)
def test_every_sort_order(client, sortable, ordering, expected):
    assert search_titles(client, q="sykkel", ordering=ordering) == expected


def test_relevance_is_the_default_with_words(client, sortable):
    assert search_titles(client, q="sykkel") == ["Charlie sykkel", "Bravo", "Alfa"]
    html = client.get(URL, {"q": "sykkel"}).content.decode()
    assert '<option value="relevance" selected>' in html


def test_relevance_without_words_means_newest(client, sortable):
    assert search_titles(client, ordering="relevance") == ["Bravo", "Charlie sykkel", "Alfa"]


def test_unknown_sort_order_is_said_and_newest_used(client, sortable):
    response = client.get(URL, {"ordering": "drop table"})
    assert result_titles(response) == ["Bravo", "Charlie sykkel", "Alfa"]
    html = response.content.decode()
    assert nb("Some filters were not understood and are ignored:") in html
    assert "“drop table”" in html


def test_pagination(client, owner):
    for n in range(25):
        factories.CaseFactory(organisation=owner, published=True, title=f"Sak {n:02d}", days_ago=n)
    first = client.get(URL, {"ordering": "title", "sector": "health-care"})
    assert total_of(first) == 0  # no sectors yet: the filter applies
    page1 = client.get(URL, {"ordering": "title"})
    assert result_titles(page1) == [f"Sak {n:02d}" for n in range(20)]
    html = page1.content.decode()
    assert 'rel="next" href="?ordering=title&amp;page=2"' in html
    page2 = client.get(URL, {"ordering": "title", "page": "2"})
    assert result_titles(page2) == [f"Sak {n:02d}" for n in range(20, 25)]
    assert '<ol class="result-list" start="21">' in page2.content.decode()
    # Out of range and nonsense pages give a page, not an error.
    assert result_titles(client.get(URL, {"ordering": "title", "page": "99"})) == result_titles(
        page2
    )
    assert result_titles(client.get(URL, {"ordering": "title", "page": "x"})) == result_titles(
        page1
    )


# --- the URL is the state; htmx and no-JS answers -------------------------------------------


@pytest.fixture
def catalogue(owner, other_org):
    cases = []
    for n in range(3):
        case = factories.CaseFactory(
            organisation=owner,
            published=True,
            title=f"Robot nummer {n}",
            sectors=["health-care", "education"][: n + 1],
            origin=["first", "adapted", "copied"][n],
            days_ago=n,
        )
        cases.append(case)
    factories.CaseFactory(
        organisation=other_org, published=True, title="Sykkelvei", sectors=["transport"]
    )
    factories.AdoptionFactory(case=cases[0])
    return cases


STATE = [
    ("q", "robot"),
    ("sector", "health-care"),
    ("sector", "education"),
    ("origin", "adapted"),
    ("origin", "copied"),
    ("county", "46"),
    ("ordering", "title"),
]


def state_url(extra=()):
    params = QueryDict(mutable=True)
    for name, value in [*STATE, *extra]:
        params.appendlist(name, value)
    return f"{URL}?{params.urlencode()}"


def test_url_round_trip(client, catalogue):
    """Everything the form can say is in the URL, and the page rebuilt from the URL says it."""
    html = client.get(state_url()).content.decode()
    assert 'name="q" id="id_q" value="robot"' in html
    for name, value in STATE:
        if name in ("q", "ordering"):
            continue
        assert re.search(
            rf'name="{name}" value="{re.escape(value)}" id="f-{name}-{re.escape(value)}" checked',
            html,
        ), (name, value)
    assert '<option value="title" selected>' in html
    assert 'name="reused" value="true" id="f-reused">' in html  # not ticked
    # The form's own fields, submitted as a browser would, give the same URL state back.
    submitted = [
        (m[0], unescape(m[1]))
        for m in re.findall(
            r'type="checkbox" name="(\w+)" value="([^"]+)" id="[^"]+" checked', html
        )
    ]
    submitted += [("q", "robot"), ("ordering", "title")]
    assert sorted(submitted) == sorted(STATE)
    assert result_titles(client.get(state_url())) == ["Robot nummer 1", "Robot nummer 2"]


def test_links_keep_the_state(client, owner):
    for n in range(21):
        factories.CaseFactory(
            organisation=owner, published=True, title=f"Robot {n:02d}", sectors=["health-care"]
        )
    html = client.get(URL, {"q": "robot", "sector": "health-care", "ordering": "title"}).content
    html = html.decode()
    next_link = unescape(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    assert parse_qs(urlsplit(next_link).query) == {
        "q": ["robot"],
        "sector": ["health-care"],
        "ordering": ["title"],
        "page": ["2"],
    }
    feed = unescape(re.search(r'type="application/atom\+xml"[^>]*href="([^"]+)"', html).group(1))
    assert parse_qs(urlsplit(feed).query) == {"q": ["robot"], "sector": ["health-care"]}


def test_filters_without_a_control_travel_as_hidden_fields(client, catalogue, owner):
    html = client.get(URL, {"organisation": owner.pk, "sector": "health-care"}).content.decode()
    assert f'<input type="hidden" name="organisation" value="{owner.pk}">' in html
    # The list of active filters names the organisation, and removing it keeps the rest.
    assert ": Bjørnafjorden</a>" in html
    assert 'href="/saker/?sector=health-care"' in html
    assert total_of(client.get(URL, {"organisation": owner.pk})) == 3


def test_updated_since_filter(client, owner):
    old = factories.CaseFactory(organisation=owner, published=True, title="Gammel")
    factories.CaseFactory(organisation=owner, published=True, title="Fersk")
    old.updated_at = timezone.now() - timedelta(days=30)
    old.save(update_fields=["updated_at"])
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert search_titles(client, updated_since=since) == ["Fersk"]


def test_without_javascript_the_page_is_whole(client, catalogue):
    response = client.get(state_url())
    html = response.content.decode()
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<form method="get" action="/saker/"' in html
    assert "<noscript>" in html  # the button that applies ticked boxes without JavaScript
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_the_results_and_counts_out_of_band(client, catalogue):
    full = client.get(state_url()).content.decode()
    response = client.get(state_url(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    partial = response.content.decode()
    assert "HX-Request" in response["Vary"]
    assert "<!DOCTYPE html>" not in partial
    assert "<form" not in partial
    assert partial.count('<section id="results"') == 1
    assert result_titles(response) == result_titles(client.get(state_url()))
    # Every count on the page has an out-of-band twin with the same id, and nothing else does.
    page_ids = set(re.findall(r'<span class="count" id="([^"]+)"', full))
    oob_ids = set(re.findall(r'<span class="count" id="([^"]+)" data-hx-swap-oob="true"', partial))
    assert page_ids
    assert page_ids == oob_ids
    # The live status line and the title are updated too.
    assert 'id="search-status"' in full
    assert 'id="search-status" data-hx-swap-oob="innerHTML"' in partial
    assert "<title>" in partial


def test_htmx_history_restore_gets_the_whole_page(client, catalogue):
    response = client.get(
        state_url(), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<!DOCTYPE html>" in response.content.decode()


def test_htmx_and_full_page_counts_agree(client, catalogue):
    full = client.get(state_url()).content.decode()
    partial = client.get(state_url(), HTTP_HX_REQUEST="true").content.decode()

    def counts(html):
        return dict(
            re.findall(
                r'<span class="count" id="([^"]+)"[^>]*><span aria-hidden="true">\((\d+)\)', html
            )
        )

    assert counts(full) == counts(partial)
    assert counts(full)["c-f-sector-health-care"] == "2"


# --- messages for what the page cannot use --------------------------------------------------


def test_unknown_filter_values_are_named_and_the_rest_applies(client, catalogue):
    response = client.get(
        URL, {"sector": ["health-care", "nonsense"], "origin": "???", "organisation": "abc"}
    )
    html = response.content.decode()
    assert nb("Some filters were not understood and are ignored:") in html
    assert "“nonsense”" in html
    assert "“???”" in html
    assert "“abc”" in html
    # health-care still applies, and its box stays ticked; the bad value leaves the links.
    assert total_of(response) == 3
    assert 'value="health-care" id="f-sector-health-care" checked' in html
    assert "nonsense" not in html.split('id="results"')[1].split("</ul>", 1)[1]


def test_no_results_page_helps(client, catalogue):
    html = client.get(URL, {"q": "robot", "sector": "culture"}).content.decode()
    results = html[html.index('id="results"') :]
    assert 'class="no-results"' in results
    assert 'href="/saker/?q=robot"' in results  # keep the words, drop the filters
    assert 'href="/saker/?q=robot&amp;sector=culture"' not in results
    assert 'href="/saker/?q=robot"' in results
    assert 'aria-label="' in results
    assert "Robot nummer" not in results


def test_active_filters_can_be_removed_one_by_one(client, catalogue):
    html = client.get(URL, {"q": "robot", "sector": ["health-care", "education"]}).content
    links = [
        unescape(link)
        for link in re.findall(r'class="chip-list[^"]*".*?</ul>', html.decode(), re.S)
    ]
    hrefs = re.findall(r'href="([^"]+)"', links[0])
    assert "/saker/?sector=health-care&sector=education" in hrefs
    assert "/saker/?q=robot&sector=education" in hrefs
    assert "/saker/?q=robot&sector=health-care" in hrefs


# --- never shown: unpublished cases ---------------------------------------------------------


@pytest.fixture
def hidden_cases(owner):
    """A case in every state the public must not see, each with its own marker word."""
    now = timezone.now()
    return {
        "draft": factories.CaseFactory(organisation=owner, title="Hemmelig utkastord"),
        "submitted": factories.CaseFactory(
            organisation=owner, title="Hemmelig innsendtord", status=CaseStatus.SUBMITTED
        ),
        "changes": factories.CaseFactory(
            organisation=owner,
            title="Hemmelig endringsord",
            status=CaseStatus.CHANGES_REQUESTED,
        ),
        "archived": factories.CaseFactory(
            organisation=owner,
            title="Hemmelig arkivord",
            status=CaseStatus.ARCHIVED,
            published_at=now,
        ),
        "deleted": factories.CaseFactory(
            organisation=owner, published=True, title="Hemmelig slettetord", deleted_at=now
        ),
    }


@pytest.mark.parametrize("who", ["anonymous", "outsider", "owner_member"])
def test_unpublished_cases_never_appear(client, hidden_cases, catalogue, who, request):
    for case in hidden_cases.values():
        case.terms.create(vocabulary=CaseTerm.Vocabulary.SECTOR, code="culture")
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    everything = client.get(URL, {"q": "hemmelig"})
    assert total_of(everything) == 0
    assert result_titles(everything) == []
    for case in hidden_cases.values():
        marker = case.title.split()[-1]
        for params in ({"q": marker}, {"q": marker, "sector": "culture"}):
            response = client.get(URL, params)
            assert total_of(response) == 0
            assert case.title not in response.content.decode()
            partial = client.get(URL, params, HTTP_HX_REQUEST="true").content.decode()
            assert case.title not in partial
    # Nor in the counts: culture is on none of the published cases.
    html = client.get(URL).content.decode()
    assert total_of(client.get(URL)) == 4
    assert re.search(r'id="c-f-sector-culture"><span aria-hidden="true">\(0\)', html)


# --- queries do not grow with the data ------------------------------------------------------


def build(owner, n: int):
    counties = [owner.county, factories.CountyFactory()]
    for i in range(n):
        organisation = factories.MunicipalityFactory(parent=counties[i % 2])
        factories.CaseFactory(
            organisation=organisation,
            published=True,
            title=f"Robot {i}",
            sectors=["health-care", "education"],
            innovation_types=["service"],
            benefits=["quality"],
            tags=["robot", f"tag{i}"],
            adopters=2,
        )


PARAMS = [
    {},
    {"q": "robot"},
    {"q": "robot", "sector": "health-care", "origin": "unknown", "reused": "true"},
    {"sector": "education", "innovation_type": "service", "benefit": "quality"},
    {"ordering": "-adoption_count", "county": "46", "size_class": "medium"},
]


def queries_of(client, params, headers) -> tuple[int, int]:
    """The queries of one request with the search cache empty, and of the same request again
    (answered from the cache). A first request fills the per-process caches (stems) before."""
    client.get(URL, params, **headers)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(URL, params, **headers).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(URL, params, **headers).status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


def test_queries_do_not_grow_with_cases(client, owner):
    """The list page's queries: the counties, the data version, one statement for the counts
    and the page's ids, the page's cases and their terms; from the cache, the same but the
    statement. The same for the page and the htmx fragment, whatever the number of cases.
    Intended to prevent an n+1 over cases, adopters, facets or facet values."""
    build(owner, 5)
    small = {
        (n, hx): queries_of(client, params, headers)
        for n, params in enumerate(PARAMS)
        for hx, headers in enumerate(({}, {"HTTP_HX_REQUEST": "true"}))
    }
    build(owner, 20)
    for (n, hx), (cold, warm) in small.items():
        headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
        assert queries_of(client, PARAMS[n], headers) == (cold, warm), PARAMS[n]
        assert cold <= 5, PARAMS[n]
        assert warm == cold - 1, PARAMS[n]
    assert total_of(client.get(URL, {"q": "robot"})) == 25


def test_a_cached_answer_follows_every_change(client, owner, other_org):
    """The counts and the page come from the cache until something they show changes: a case,
    a term, an adoption, an organisation. Writes that go around the models' save say so in
    the change feed, as the services and the bulk commands do."""
    first = factories.CaseFactory(
        organisation=owner, published=True, title="Robot en", sectors=["health-care"]
    )
    response = client.get(URL, {"q": "robot"})
    assert (total_of(response), result_titles(response)) == (1, ["Robot en"])
    assert count_of(response, "f-sector-health-care") == 1

    # a new case
    factories.CaseFactory(organisation=other_org, published=True, title="Robot to", days_ago=1)
    assert search_titles(client, q="robot") == ["Robot en", "Robot to"]

    CaseTerm.objects.create(case=first, vocabulary=CaseTerm.Vocabulary.SECTOR, code="education")
    record_change("case", [first.pk])  # the services save the case with its terms
    assert count_of(client.get(URL, {"q": "robot"}), "f-sector-education") == 1  # a term

    assert count_of(client.get(URL, {"q": "robot"}), "f-reused") == 0
    factories.AdoptionFactory(case=first)  # an adoption
    assert count_of(client.get(URL, {"q": "robot"}), "f-reused") == 1

    assert count_of(client.get(URL, {"q": "robot"}), "f-size_class-large") == 0
    other_org.population = 250_000  # an organisation's size
    other_org.save()
    assert count_of(client.get(URL, {"q": "robot"}), "f-size_class-large") == 1

    Case.objects.filter(pk=first.pk).update(status=CaseStatus.ARCHIVED)
    record_change("case", [first.pk])  # as every write that bypasses save() does
    assert search_titles(client, q="robot") == ["Robot to"]


def count_of(response, option_id: str) -> int:
    match = re.search(
        rf'id="c-{re.escape(option_id)}"><span aria-hidden="true">\((\d+)\)</span>',
        response.content.decode(),
    )
    return int(match.group(1))


def test_pages_past_the_end_show_the_last(client, owner):
    for n in range(23):
        factories.CaseFactory(organisation=owner, published=True, title=f"Robot {n:02d}")
    last = search_titles(client, q="robot", ordering="title", page="2")
    assert last == [f"Robot {n:02d}" for n in range(20, 23)]
    assert search_titles(client, q="robot", ordering="title", page="7") == last
    assert search_titles(client, q="robot", ordering="title", page="0") == last
    assert search_titles(client, q="robot", ordering="title", page="-3") == last
    assert search_titles(client, q="robot", ordering="title", page="9" * 30) == last
