"""The searches a new user tries, on the demo data, with the results they should get first: the
same on SQLite (the demo) and on PostgreSQL (production). Run on PostgreSQL with
`make test-pg PYTEST_ARGS='-q -k search'`."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import search
from cases.filters import CaseFilter, PageRequest, count_and_page
from cases.models import Case

RELEVANCE = ("-rank", "-published_at", "-pk")
ELDERLY_CARE = {
    "mobil-rontgen",
    "nytt-maltidsmonster",
    "langvakter-ny-turnus",
    "medisinrobot-multidose",
    "multidoserobot-spredtbygd",
    "medisinrobot-vevelstad",
    "e-rom-sensorteknologi",
}
WELFARE_TECHNOLOGY = {
    "e-rom-sensorteknologi",
    "medisinrobot-vevelstad",
    "multidoserobot-spredtbygd",
    "medisinrobot-multidose",
}

# (query, the first results: a list in this order or a set in any order, never found,
#  the suggested spelling)
QUERIES = [
    # A concept word no case uses: its parts and the thesaurus find the elderly-care cases.
    ("eldreomsorg", ELDERLY_CARE, {"tidlig-innsats", "vandreboka"}, ""),
    # æ typed as ae; the title's "lærlinger" first, "læretid" (thesaurus) next.
    ("laerling", ["vandreboka", "vekslingsmodellen"], set(), ""),
    ("rontgen", ["mobil-rontgen"], set(), ""),
    ("mobilt røntgen", ["mobil-rontgen"], set(), "mobil røntgen"),
    # A letter missing: found through the nearest published word, and suggested.
    ("velferdsteknolgi", WELFARE_TECHNOLOGY, set(), "velferdsteknologi"),
    ("sykehjemmene", {"langvakter-ny-turnus", "nytt-maltidsmonster", "mobil-rontgen"}, set(), ""),
    # The first part of a compound: titles with "multidoserobot" and "multidose" first.
    ("multidos", {"multidoserobot-spredtbygd", "medisinrobot-multidose"}, set(), ""),
    ("barnehager", ["tidlig-innsats"], set(), ""),
    ("Vandreboka", ["vandreboka"], set(), ""),
    # "eldre" is not "foreldre" (tidlig-innsats speaks of foreldre only).
    ("eldre", ["mobil-rontgen"], {"tidlig-innsats"}, ""),
    (
        "hjemmetjenesten",
        WELFARE_TECHNOLOGY,
        {"mobil-rontgen", "langvakter-ny-turnus"},
        "",
    ),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def ranked_slugs(q: str) -> tuple[list[str], search.Search]:
    """The slugs of the first page of results, as the search page orders them."""
    filterset = CaseFilter({"q": q}, queryset=Case.objects.published())
    _counts, ids = count_and_page(filterset, PageRequest(RELEVANCE, 0, 20))
    slugs = dict(Case.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [slugs[pk] for pk in ids], filterset.query


@pytest.mark.parametrize(("q", "first", "never", "suggestion"), QUERIES)
def test_demo_queries_find_what_a_user_means(demo, db, q, first, never, suggestion):
    slugs, query = ranked_slugs(q)
    if isinstance(first, list):
        assert slugs[: len(first)] == first
    else:
        assert set(slugs[: len(first)]) == first
    assert not never & set(slugs)
    assert query.suggestion == suggestion


def test_the_page_and_the_filter_order_alike(demo, db):
    """The statement that counts and pages ranks as the queryset's own `rank` does."""
    for q, *_rest in QUERIES:
        filterset = CaseFilter({"q": q}, queryset=Case.objects.published())
        by_queryset = list(filterset.qs.order_by(*RELEVANCE).values_list("slug", flat=True))
        assert ranked_slugs(q)[0] == by_queryset[:20], q


def test_title_matches_rank_first(demo, db):
    slugs, _query = ranked_slugs("hjemmetjenesten")
    titles = dict(Case.objects.published().values_list("slug", "title"))
    in_title = [slug for slug in slugs if re.search(r"hjemmetjeneste", titles[slug], re.IGNORECASE)]
    assert in_title
    assert slugs[: len(in_title)] == in_title


def test_did_you_mean_links_to_the_corrected_search(demo, db, client):
    html = client.get(reverse("case-list"), {"q": "velferdsteknolgi"}).content.decode()
    assert 'class="ds-paragraph did-you-mean"' in html
    assert "?q=velferdsteknologi" in html
    # The corrected word is marked, also as the start of a compound.
    assert re.search(r"<mark>[Vv]elferdsteknologi\w*</mark>", html)
    # A word the cases have gets no suggestion.
    html = client.get(reverse("case-list"), {"q": "velferdsteknologi"}).content.decode()
    assert "did-you-mean" not in html


def test_an_empty_result_says_which_filter_to_drop(demo, db, client):
    """Each filter whose removal finds something, with its count (counted by hand here)."""
    params = {"q": "multidose", "sector": "education", "stage": "idea"}
    response = client.get(reverse("case-list"), params)
    html = response.content.decode()
    assert response.context["total"] == 0
    loosening = {item["query_string"]: item["count"] for item in response.context["loosening"]}
    matches = search.apply(Case.objects.published(), search.parse("multidose"))
    without_sector = matches.filter(stage="idea").count()
    without_stage = matches.filter(terms__vocabulary="sector", terms__code="education").count()
    expected = {}
    if without_sector:
        expected["q=multidose&stage=idea"] = without_sector
    if without_stage:
        expected["q=multidose&sector=education"] = without_stage
    assert loosening == expected
    for query_string in expected:
        assert f"?{query_string.replace('&', '&amp;')}" in html


def test_an_empty_result_with_a_filter_that_helps(demo, db, client):
    response = client.get(reverse("case-list"), {"q": "multidose", "sector": "education"})
    assert response.context["total"] == 0
    [item] = response.context["loosening"]
    assert item["query_string"] == "q=multidose"
    assert (
        item["count"] == search.apply(Case.objects.published(), search.parse("multidose")).count()
    )
    assert "Uten filteret" in response.content.decode() or "Without the filter" in (
        response.content.decode()
    )


def test_parsing_a_known_query_asks_the_database_nothing(demo, db):
    search.parse("eldreomsorg")  # builds the lexicon once
    with CaptureQueriesContext(connection) as queries:
        for q, *_rest in QUERIES:
            search.parse(q)
    assert len(queries) == 0
