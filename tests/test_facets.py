"""Facet counts on the search page, checked against a hand-counted catalogue.

Six published cases (and hidden ones that must never count):

| case | owner        | sectors           | types           | benefits      | workplace      | origin   | stage     | reused |
|------|--------------|-------------------|-----------------|---------------|----------------|----------|-----------|--------|
| A    | Lita (46)    | health-care       | service         | quality       | nursing-home   | first    | in-use    | 1      |
| B    | Lita (46)    | health-care, edu. | process         | efficiency    | primary-school | adapted  | pilot     | 0      |
| C    | Midt (46)    | education         | service         | quality,staff | primary-school | copied   | in-use    | 2      |
| D    | Store (50)   | transport         | product         | efficiency    | technical      | first    | idea      | 0      |
| E    | unit of Store| health-care       | service,process | quality       | nursing-home   | adapted  | evaluated | 1      |
| F    | Store (50)   | culture           | communication   |               | culture        | unknown  | in-use    | 0      |

Lita is small (3 000 inhabitants), Midt medium (12 000), Store large (50 000); county 46 is
Vestland (vestlandet), 50 Trøndelag (trondelag). A, C and E contain the word "robot".

Within a facet the values are alternatives, so an option's count is taken with every other
filter applied but not its own facet's (see cases.filters.facet_counts).
"""

import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from cases.filters import CaseFilter, PageRequest, count_and_page, facet_counts
from cases.views.browse import published_cases
from cases.vocabularies import CaseStatus, OrganisationKind, Region
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("case-list")


@pytest.fixture
def catalogue(db):
    vestland = factories.CountyFactory(
        name="Vestland", number="46", slug="vestland", region=Region.VESTLANDET
    )
    trondelag = factories.CountyFactory(
        name="Trøndelag", number="50", slug="trondelag", region=Region.TRONDELAG
    )
    lita = factories.MunicipalityFactory(
        name="Lita", slug="lita", number="4601", parent=vestland, population=3000
    )
    midt = factories.MunicipalityFactory(
        name="Midt", slug="midt", number="4602", parent=vestland, population=12000
    )
    store = factories.MunicipalityFactory(
        name="Store", slug="store", number="5001", parent=trondelag, population=50000
    )
    unit = factories.UnitFactory(name="Store sykehjem", slug="store-sykehjem", parent=store)
    assert unit.kind == OrganisationKind.UNIT
    assert unit.size_class == "large"
    cases = {
        "A": factories.CaseFactory(
            organisation=lita,
            published=True,
            title="Robot for medisiner",
            sectors=["health-care"],
            innovation_types=["service"],
            benefits=["quality"],
            workplace_type="nursing-home",
            origin="first",
            stage="in-use",
            adopters=1,
        ),
        "B": factories.CaseFactory(
            organisation=lita,
            published=True,
            title="Lesekvarter i skolen",
            sectors=["health-care", "education"],
            innovation_types=["process"],
            benefits=["efficiency"],
            workplace_type="primary-school",
            origin="adapted",
            stage="pilot",
        ),
        "C": factories.CaseFactory(
            organisation=midt,
            published=True,
            title="Digital tavle",
            summary="Vi brukte en robot i klasserommet.",
            sectors=["education"],
            innovation_types=["service"],
            benefits=["quality", "staff"],
            workplace_type="primary-school",
            origin="copied",
            stage="in-use",
            adopters=2,
        ),
        "D": factories.CaseFactory(
            organisation=store,
            published=True,
            title="Smart veilys",
            sectors=["transport"],
            innovation_types=["product"],
            benefits=["efficiency"],
            workplace_type="technical",
            origin="first",
            stage="idea",
        ),
        "E": factories.CaseFactory(
            organisation=unit,
            published=True,
            title="Velferdsteknologi i omsorg",
            solution="Roboten hjelper beboerne.",
            sectors=["health-care"],
            innovation_types=["service", "process"],
            benefits=["quality"],
            workplace_type="nursing-home",
            origin="adapted",
            stage="evaluated",
            adopters=1,
        ),
        "F": factories.CaseFactory(
            organisation=store,
            published=True,
            title="Kulturkort for unge",
            sectors=["culture"],
            innovation_types=["communication"],
            workplace_type="culture",
            origin="unknown",
            stage="in-use",
        ),
    }
    # Cases nobody outside their organisation may see, all "robot", health-care, in Lita:
    # none of them may change a single count.
    hidden = {
        "published": False,
        "status": CaseStatus.SUBMITTED,
    }
    for n, extra in enumerate(
        [
            {},
            hidden,
            {"published": False, "status": CaseStatus.CHANGES_REQUESTED},
            {"published": False, "status": CaseStatus.ARCHIVED, "published_at": timezone.now()},
            {"published": True, "deleted_at": timezone.now()},
        ]
    ):
        factories.CaseFactory(
            organisation=lita,
            title=f"Hemmelig robot {n}",
            sectors=["health-care"],
            innovation_types=["service"],
            benefits=["quality"],
            workplace_type="nursing-home",
            origin="first",
            stage="in-use",
            **extra,
        )
    return cases


def counts_for(query_string: str) -> dict:
    filterset, _problems = CaseFilter.lenient(QueryDict(query_string), queryset=published_cases())
    return facet_counts(filterset)


def nonzero(counts: dict, facet: str) -> dict:
    return {code: n for code, n in counts[facet].items() if n}


def test_counts_without_filters(catalogue):
    counts = counts_for("")
    assert counts["total"] == {"all": 6}
    assert nonzero(counts, "sector") == {
        "health-care": 3,
        "education": 2,
        "transport": 1,
        "culture": 1,
    }
    assert nonzero(counts, "innovation_type") == {
        "service": 3,
        "process": 2,
        "product": 1,
        "communication": 1,
    }
    assert nonzero(counts, "benefit") == {"quality": 3, "efficiency": 2, "staff": 1}
    assert nonzero(counts, "workplace_type") == {
        "nursing-home": 2,
        "primary-school": 2,
        "technical": 1,
        "culture": 1,
    }
    assert nonzero(counts, "origin") == {"first": 2, "adapted": 2, "copied": 1, "unknown": 1}
    assert nonzero(counts, "stage") == {"in-use": 3, "pilot": 1, "idea": 1, "evaluated": 1}
    assert nonzero(counts, "county") == {"46": 3, "50": 3}
    assert nonzero(counts, "region") == {"vestlandet": 3, "trondelag": 3}
    assert nonzero(counts, "size_class") == {"small": 2, "medium": 1, "large": 3}
    assert counts["reused"] == {"true": 3}
    # Every value of every vocabulary is there, zero or not.
    assert set(counts["stage"]) == {
        "idea",
        "development",
        "pilot",
        "in-use",
        "evaluated",
        "discontinued",
    }
    assert counts["stage"]["development"] == 0


def test_counts_for_a_query(catalogue):
    counts = counts_for("q=robot")
    assert counts["total"] == {"all": 3}  # A, C, E
    assert nonzero(counts, "sector") == {"health-care": 2, "education": 1}
    assert nonzero(counts, "origin") == {"first": 1, "copied": 1, "adapted": 1}
    assert nonzero(counts, "benefit") == {"quality": 3, "staff": 1}
    assert nonzero(counts, "county") == {"46": 2, "50": 1}
    assert nonzero(counts, "size_class") == {"small": 1, "medium": 1, "large": 1}
    assert counts["reused"] == {"true": 3}


def test_counts_for_a_filter_combination(catalogue):
    counts = counts_for("sector=health-care&county=46")
    assert counts["total"] == {"all": 2}  # A, B
    # Sector counted with county=46 but without the sector filter: A, B, C.
    assert nonzero(counts, "sector") == {"health-care": 2, "education": 2}
    # County counted with health-care but without the county filter: A, B, E.
    assert nonzero(counts, "county") == {"46": 2, "50": 1}
    # The other facets count the results themselves: A, B.
    assert nonzero(counts, "region") == {"vestlandet": 2}
    assert nonzero(counts, "origin") == {"first": 1, "adapted": 1}
    assert nonzero(counts, "innovation_type") == {"service": 1, "process": 1}
    assert nonzero(counts, "benefit") == {"quality": 1, "efficiency": 1}
    assert counts["reused"] == {"true": 1}


def test_counts_for_a_query_and_two_values_of_a_facet(catalogue):
    counts = counts_for("q=robot&origin=first&origin=copied")
    assert counts["total"] == {"all": 2}  # A, C
    assert nonzero(counts, "origin") == {"first": 1, "copied": 1, "adapted": 1}
    assert nonzero(counts, "sector") == {"health-care": 1, "education": 1}
    assert counts["reused"] == {"true": 2}


def test_counts_with_every_facet_ticked(catalogue):
    counts = counts_for(
        "sector=health-care&innovation_type=service&benefit=quality&workplace_type=nursing-home"
        "&origin=first&origin=adapted&stage=in-use&stage=evaluated&county=46&county=50"
        "&region=vestlandet&region=trondelag&size_class=small&size_class=large&reused=true"
    )
    assert counts["total"] == {"all": 2}  # A, E
    assert nonzero(counts, "stage") == {"in-use": 1, "evaluated": 1}
    assert nonzero(counts, "sector") == {"health-care": 2}
    assert nonzero(counts, "benefit") == {"quality": 2}
    assert counts["reused"] == {"true": 2}


def test_reused_ticked_counts_only_reused(catalogue):
    counts = counts_for("reused=true")
    assert counts["total"] == {"all": 3}
    assert counts["reused"] == {"true": 3}
    assert nonzero(counts, "sector") == {"health-care": 2, "education": 1}


def test_an_unknown_value_leaves_the_other_counts_alone(catalogue):
    assert counts_for("sector=health-care&sector=nonsense") == counts_for("sector=health-care")


EVERY_FILTER = [
    ({"sector": "education"}, {"Lesekvarter i skolen", "Digital tavle"}),
    ({"innovation_type": "process"}, {"Lesekvarter i skolen", "Velferdsteknologi i omsorg"}),
    ({"benefit": "staff"}, {"Digital tavle"}),
    ({"workplace_type": "technical"}, {"Smart veilys"}),
    ({"origin": "unknown"}, {"Kulturkort for unge"}),
    ({"stage": "pilot"}, {"Lesekvarter i skolen"}),
    ({"county": "50"}, {"Smart veilys", "Velferdsteknologi i omsorg", "Kulturkort for unge"}),
    (
        {"region": "vestlandet"},
        {"Robot for medisiner", "Lesekvarter i skolen", "Digital tavle"},
    ),
    ({"size_class": "medium"}, {"Digital tavle"}),
    (
        {"reused": "true"},
        {"Robot for medisiner", "Digital tavle", "Velferdsteknologi i omsorg"},
    ),
    ({"centrality_class": "3"}, None),  # every factory municipality is class 3
    (
        {"municipality": "5001"},
        {"Smart veilys", "Velferdsteknologi i omsorg", "Kulturkort for unge"},
    ),
    ({"stage": ["pilot", "idea"]}, {"Lesekvarter i skolen", "Smart veilys"}),
]


def test_every_filter(client, catalogue):
    for params, expected in EVERY_FILTER:
        html = client.get(URL, params).content.decode()
        titles = set(re.findall(r'<h3 class="ds-heading" data-size="xs"><a [^>]*>(.*?)</a>', html))
        if expected is None:
            expected = {case.title for case in catalogue.values()}
        assert titles == expected, params


def test_the_page_shows_the_counts(client, catalogue):
    html = client.get(URL, {"sector": "health-care", "county": "46"}).content.decode()

    def count(option_id):
        match = re.search(
            rf'id="c-{re.escape(option_id)}"><span aria-hidden="true">\((\d+)\)</span>'
            r'<span class="ds-sr-only">, (\d+) ',
            html,
        )
        assert match.group(1) == match.group(2)  # what is seen is what is read out
        return int(match.group(1))

    assert count("f-sector-health-care") == 2
    assert count("f-sector-education") == 2
    assert count("f-sector-transport") == 0
    assert count("f-county-46") == 2
    assert count("f-county-50") == 1
    assert count("f-origin-first") == 1
    assert count("f-reused") == 1
    assert re.search(r'id="results-heading">2 ', html)


def test_facets_are_fieldsets_with_legends_and_labelled_boxes(client, catalogue):
    html = client.get(URL).content.decode()
    # Each group folds (<details>), and inside it is a fieldset with its legend.
    fieldsets = re.findall(
        r'<details class="ds-details facet"[^>]*>\s*<summary>[^<]*<span[^>]*>[^<]*</span>\s*</summary>'
        r'\s*<fieldset class="ds-fieldset">\s*<legend',
        html,
    )
    assert len(fieldsets) == 15  # reuse + fourteen facets
    boxes = re.findall(
        r'<input class="ds-input" type="checkbox" name="\w+" value="[^"]+" id="([^"]+)"', html
    )
    for box in boxes:
        assert f'for="{box}"' in html
    assert len(boxes) == len(set(boxes))
    # The counties are the counties in the registry, by number, with their names.
    assert re.search(r'id="f-county-46">\s*<label [^>]*for="f-county-46">Vestland', html)


@pytest.mark.parametrize(
    "query_string",
    [
        "",
        "q=robot",
        "sector=health-care",
        "sector=health-care&county=46",
        "q=robot&origin=first&origin=copied&benefit=quality",
        "sector=health-care&innovation_type=service&benefit=quality&workplace_type=nursing-home"
        "&origin=first&origin=adapted&stage=in-use&county=46&region=vestlandet"
        "&size_class=small&reused=true",
        "q=og i på",
    ],
)
def test_one_statement_whatever_is_ticked(catalogue, django_assert_num_queries, query_string):
    """Every facet's counts, the total and the reused come from one statement: ticking term
    facets adds no query (nor does it per facet or per value)."""
    filterset, _problems = CaseFilter.lenient(QueryDict(query_string), queryset=published_cases())
    query = filterset.query  # a PostgreSQL search reads its words' stems here, once
    # Only words the Norwegian configuration ignores (PostgreSQL): nothing can match.
    expected = 0 if query and not query.terms else 1
    with django_assert_num_queries(expected):
        facet_counts(filterset)


ORDERINGS = [
    ("-published_at", "-pk"),
    ("-adoption_count", "-published_at", "-pk"),
    ("title", "pk"),
]


@pytest.mark.parametrize(
    "query_string",
    [
        "",
        "q=robot",
        "sector=health-care&county=46",
        "q=robot&origin=first&origin=copied",
        "sector=health-care&innovation_type=service&region=vestlandet&region=trondelag",
        "reused=true&stage=in-use&stage=evaluated",
    ],
)
def test_the_page_is_the_querysets_page(catalogue, query_string):
    """The page of ids that comes with the counts is the page of the filter set's queryset,
    in every order, on every page."""
    orderings = (
        [*ORDERINGS, ("-rank", "-published_at", "-pk")] if "q=" in query_string else ORDERINGS
    )
    for ordering in orderings:
        filterset, _problems = CaseFilter.lenient(
            QueryDict(query_string), queryset=published_cases()
        )
        everything = list(filterset.qs.order_by(*ordering).values_list("pk", flat=True))
        for offset in range(0, len(everything) + 2, 2):
            counts, ids = count_and_page(filterset, PageRequest(ordering, offset, 2))
            assert ids == everything[offset : offset + 2], (ordering, offset)
            assert counts["total"]["all"] == len(everything)
