""" "Municipalities like mine": the owner's size, centrality, region and county, and the same
of the organisations that reused a case, as filters with exact counts on the search page and in
the API; the one-click link for a member; what a result card says about owner and reuse.

The hand-built catalogue (counties 46 Vestland/vestlandet, 18 Nordland/nord-norge):

| municipality | county | population | size   | centrality |
|--------------|--------|------------|--------|------------|
| Lita         | 46     | 3 000      | small  | 5          |
| Midt         | 46     | 12 000     | medium | 3          |
| Store        | 18     | 50 000     | large  | 2          |
| Bitte        | 18     | 1 000      | small  | 6          |
| Borte (deleted) | 46  | 2 000      | small  | 5          |

Store sykehjem is a unit of Store (large, 2, nord-norge, 18).

| case | owner | reused by (alive)    | not counted                                   |
|------|-------|----------------------|-----------------------------------------------|
| P    | Store | Lita, Bitte          |                                               |
| Q    | Lita  | Midt                 | Bitte (withdrawn)                             |
| R    | Midt  | Store sykehjem       | Borte (organisation deleted)                  |
| S    | Bitte | nobody               |                                               |

and unpublished cases of Store reused by Lita and Bitte, which must never show or count.
"""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.filters import CaseFilter, PageRequest, count_and_page, facet_counts
from cases.views.browse import published_cases
from cases.vocabularies import CaseStatus, MembershipRole, OrganisationKind, Region
from tests import api_helpers, factories
from tests.conftest import person

pytestmark = pytest.mark.django_db

URL = reverse("case-list")
API = "/api/v1/cases/"


@pytest.fixture
def places(db):
    vestland = factories.CountyFactory(
        name="Vestland", number="46", slug="vestland", region=Region.VESTLANDET
    )
    nordland = factories.CountyFactory(
        name="Nordland", number="18", slug="nordland", region=Region.NORD_NORGE
    )

    def municipality(name, number, county, population, centrality):
        return factories.MunicipalityFactory(
            name=name,
            slug=name.lower(),
            number=number,
            parent=county,
            population=population,
            centrality_class=centrality,
        )

    places = {
        "Lita": municipality("Lita", "4601", vestland, 3000, 5),
        "Midt": municipality("Midt", "4602", vestland, 12000, 3),
        "Store": municipality("Store", "1804", nordland, 50000, 2),
        "Bitte": municipality("Bitte", "1805", nordland, 1000, 6),
        "Borte": municipality("Borte", "4603", vestland, 2000, 5),
    }
    places["Store sykehjem"] = factories.UnitFactory(
        name="Store sykehjem", slug="store-sykehjem", parent=places["Store"]
    )
    return places


@pytest.fixture
def catalogue(places):
    def case(title, owner, adopters=()):
        return factories.CaseFactory(
            organisation=places[owner],
            published=True,
            title=title,
            stage="in-use",
            sectors=["health-care"],
            adopters=[places[name] for name in adopters],
        )

    cases = {
        "P": case("Robot i Store", "Store", ["Lita", "Bitte"]),
        "Q": case("Lesevenn i Lita", "Lita", ["Midt", "Bitte"]),
        "R": case("Tavle i Midt", "Midt", ["Store sykehjem", "Borte"]),
        "S": case("Kart i Bitte", "Bitte"),
    }
    withdrawn = cases["Q"].adoptions.get(organisation=places["Bitte"])
    withdrawn.deleted_at = timezone.now()
    withdrawn.save()
    # Deleted as the site deletes one (services.organisation_delete saves it).
    places["Borte"].deleted_at = timezone.now()
    places["Borte"].save(update_fields=["deleted_at"])
    for status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ARCHIVED):
        hidden = factories.CaseFactory(
            organisation=places["Store"],
            status=status,
            title=f"Hemmelig {status}",
            stage="in-use",
            sectors=["health-care"],
        )
        for name in ("Lita", "Bitte"):
            factories.AdoptionFactory(case=hidden, organisation=places[name])
    return cases


def filterset_for(query_string: str) -> CaseFilter:
    return CaseFilter.lenient(QueryDict(query_string), queryset=published_cases())[0]


def nonzero(counts: dict, facet: str) -> dict:
    return {code: n for code, n in counts[facet].items() if n}


def titles_of(html: str) -> set[str]:
    return set(re.findall(r'<h3 class="ds-heading" data-size="xs"><a [^>]*>(.*?)</a>', html))


def test_counts_without_filters(catalogue):
    counts = facet_counts(filterset_for(""))
    assert counts["total"] == {"all": 4}
    assert nonzero(counts, "size_class") == {"large": 1, "small": 2, "medium": 1}
    assert nonzero(counts, "centrality_class") == {"2": 1, "5": 1, "3": 1, "6": 1}
    assert nonzero(counts, "region") == {"nord-norge": 2, "vestlandet": 2}
    assert nonzero(counts, "county") == {"18": 2, "46": 2}
    # Withdrawn reuse (Bitte of Q), a deleted adopter (Borte) and unpublished cases count nowhere.
    assert nonzero(counts, "adopter_size_class") == {"small": 1, "medium": 1, "large": 1}
    assert nonzero(counts, "adopter_centrality_class") == {"5": 1, "6": 1, "3": 1, "2": 1}
    assert nonzero(counts, "adopter_region") == {"vestlandet": 2, "nord-norge": 2}
    assert nonzero(counts, "adopter_county") == {"46": 2, "18": 2}
    # Every value is there, zero or not.
    assert set(counts["adopter_centrality_class"]) == {"1", "2", "3", "4", "5", "6"}
    assert set(counts["adopter_county"]) == {"18", "46"}
    assert counts["reused"] == {"true": 3}


@pytest.mark.parametrize(
    ("query_string", "results", "expected"),
    [
        (
            "adopter_size_class=small",
            {"P"},
            {
                # Its own facet is counted without its own selection.
                "adopter_size_class": {"small": 1, "medium": 1, "large": 1},
                "adopter_region": {"vestlandet": 1, "nord-norge": 1},
                "adopter_county": {"46": 1, "18": 1},
                "adopter_centrality_class": {"5": 1, "6": 1},
                "size_class": {"large": 1},
                "centrality_class": {"2": 1},
            },
        ),
        (
            # Q: Midt is medium and in Vestland. P has a Vestland adopter but no medium one.
            "adopter_region=vestlandet&adopter_size_class=medium",
            {"Q"},
            {
                "adopter_size_class": {"small": 1, "medium": 1},  # of P and Q
                "adopter_region": {"vestlandet": 1},  # of Q
                "adopter_county": {"46": 1},
                "region": {"vestlandet": 1},
            },
        ),
        (
            "adopter_size_class=small&adopter_size_class=large",
            {"P", "R"},
            {
                "adopter_size_class": {"small": 1, "medium": 1, "large": 1},
                "adopter_region": {"vestlandet": 1, "nord-norge": 2},
                "size_class": {"large": 1, "medium": 1},
            },
        ),
        (
            "centrality_class=2&centrality_class=3",
            {"P", "R"},
            {
                "centrality_class": {"2": 1, "5": 1, "3": 1, "6": 1},
                "adopter_size_class": {"small": 1, "large": 1},
                "adopter_centrality_class": {"5": 1, "6": 1, "2": 1},
            },
        ),
        (
            "adopter_centrality_class=6&size_class=large",
            {"P"},
            {
                "adopter_centrality_class": {"5": 1, "6": 1},  # P's adopters
                "size_class": {"large": 1},
                "centrality_class": {"2": 1},
            },
        ),
        (
            # R: owned in Vestland, reused by a unit in Nordland.
            "adopter_county=18&region=vestlandet",
            {"R"},
            {
                "adopter_county": {"46": 1, "18": 1},  # Q, R
                "region": {"nord-norge": 1, "vestlandet": 1},  # P, R
                "adopter_size_class": {"large": 1},
            },
        ),
        (
            "adopter_county=18&adopter_county=46&county=46&q=Tavle",
            {"R"},
            {"adopter_county": {"18": 1}, "county": {"46": 1}, "adopter_region": {"nord-norge": 1}},
        ),
    ],
)
def test_counts_and_results_with_the_new_filters(catalogue, query_string, results, expected):
    filterset = filterset_for(query_string)
    counts, ids = count_and_page(filterset, PageRequest(("-published_at", "-pk"), 0, 20))
    wanted = {catalogue[name].pk for name in results}
    assert set(ids) == wanted
    assert set(filterset.qs.values_list("pk", flat=True)) == wanted
    assert counts["total"] == {"all": len(results)}
    for facet, numbers in expected.items():
        assert nonzero(counts, facet) == numbers, facet


def test_an_options_count_is_what_ticking_it_gives(catalogue):
    """Ticking an option gives as many results as its count said, for every option of every
    new facet, with another filter on."""
    base = "adopter_region=nord-norge"
    counts = facet_counts(filterset_for(base))
    facets = [
        "size_class",
        "centrality_class",
        "adopter_size_class",
        "adopter_centrality_class",
        "adopter_county",
    ]
    for facet in facets:
        for value, n in counts[facet].items():
            total = facet_counts(filterset_for(f"{base}&{facet}={value}"))["total"]["all"]
            assert total == n, (facet, value)


def test_the_search_page_filters_by_who_reused(client, catalogue):
    html = client.get(URL, {"adopter_size_class": "small"}).content.decode()
    assert titles_of(html) == {"Robot i Store"}
    html = client.get(URL, {"adopter_county": "46"}).content.decode()
    assert titles_of(html) == {"Robot i Store", "Lesevenn i Lita"}
    html = client.get(URL, {"centrality_class": "6"}).content.decode()
    assert titles_of(html) == {"Kart i Bitte"}
    # Unpublished cases never show, whoever reused them.
    html = client.get(URL, {"adopter_region": "nord-norge"}).content.decode()
    assert titles_of(html) == {"Robot i Store", "Tavle i Midt"}
    assert "Hemmelig" not in html


def test_the_new_facets_are_on_the_page_with_their_counts(client, catalogue):
    html = client.get(URL, {"adopter_size_class": "small"}).content.decode()
    for facet in ("centrality_class", "adopter_size_class", "adopter_region", "adopter_county"):
        assert f'name="{facet}"' in html
    assert re.search(r'id="f-adopter_size_class-small" checked>', html)
    assert re.search(r'id="c-f-adopter_size_class-medium"><span aria-hidden="true">\(1\)', html)
    assert re.search(r'id="c-f-adopter_county-18"><span aria-hidden="true">\(1\)', html)
    assert re.search(r'id="c-f-centrality_class-3"><span aria-hidden="true">\(0\)', html)
    # The chosen adopter filter is listed as a chip, and can be removed.
    assert 'data-remove-name="adopter_size_class" data-remove-value="small"' in html


def test_unknown_values_are_named_and_the_rest_applies(client, catalogue):
    html = client.get(
        URL, {"adopter_size_class": ["small", "enorm"], "adopter_county": "99"}
    ).content.decode()
    assert "Gjenbrukt av: kommunestørrelse: “enorm”" in unescape(html)
    assert "Gjenbrukt av: fylke: “99”" in unescape(html)
    assert titles_of(html) == {"Robot i Store"}


def test_results_name_the_adopters_that_matched(client, catalogue, places):
    html = unescape(client.get(URL, {"adopter_size_class": "small"}).content.decode())
    assert "Gjenbrukt av, blant dem du filtrerer på: Bitte, Lita</p>" in html
    html = unescape(client.get(URL, {"adopter_region": "vestlandet"}).content.decode())
    # Q: Midt, not the withdrawn Bitte; R has no Vestland adopter (Borte is deleted).
    assert "blant dem du filtrerer på: Lita</p>" in html
    assert "blant dem du filtrerer på: Midt</p>" in html
    assert "Borte" not in html
    # Without an adopter filter nobody is named.
    html = client.get(URL).content.decode()
    assert "blant dem du filtrerer på" not in unescape(html)


def test_adopters_that_meet_every_filter_are_named_first(client, catalogue):
    # P: Lita is small and in Vestland; Bitte is small but in Nord-Norge.
    html = unescape(
        client.get(
            URL, {"adopter_size_class": "small", "adopter_region": "vestlandet"}
        ).content.decode()
    )
    assert "blant dem du filtrerer på: Lita</p>" in html
    # Two filters met by two different adopters: each of them is named.
    html = unescape(
        client.get(
            URL, {"adopter_centrality_class": "5", "adopter_region": "nord-norge"}
        ).content.decode()
    )
    assert "blant dem du filtrerer på: Bitte, Lita</p>" in html


def test_many_matching_adopters_are_named_a_few_and_counted(client, places):
    adopters = [
        factories.MunicipalityFactory(
            name=f"Småby {n}", number=f"390{n}", population=900, parent=None
        )
        for n in range(1, 6)
    ]
    factories.CaseFactory(
        organisation=places["Store"], published=True, title="Mye gjenbrukt", adopters=adopters
    )
    html = unescape(client.get(URL, {"adopter_size_class": "small"}).content.decode())
    assert "blant dem du filtrerer på: Småby 1, Småby 2, Småby 3 og 2 til</p>" in html


def test_a_result_shows_owner_population_size_stage_and_reuse(client, catalogue):
    html = unescape(client.get(URL, {"q": "Robot"}).content.decode())
    facts = re.search(r'<p class="ds-paragraph result-facts"[^>]*>(.*?)</p>', html, re.S)
    text = re.sub(r"<[^>]+>", "", facts.group(1)).replace("\xa0", " ")
    assert text == "50 000 innbyggere, stor kommune · Fase: I drift · Gjenbrukt av 2 organisasjoner"
    html = unescape(client.get(URL, {"q": "Kart"}).content.decode())
    facts = re.search(r'<p class="ds-paragraph result-facts"[^>]*>(.*?)</p>', html, re.S)
    text = re.sub(r"<[^>]+>", "", facts.group(1)).replace("\xa0", " ")
    assert (
        text == "1 000 innbyggere, liten kommune · Fase: I drift · Ingen registrert gjenbruk ennå"
    )


def test_a_units_result_shows_its_municipality(client, places):
    factories.CaseFactory(
        organisation=places["Store sykehjem"], published=True, title="Sykehjemsrobot", stage="pilot"
    )
    html = unescape(client.get(URL, {"q": "Sykehjemsrobot"}).content.decode())
    facts = re.search(r'<p class="ds-paragraph result-facts"[^>]*>(.*?)</p>', html, re.S)
    text = re.sub(r"<[^>]+>", "", facts.group(1)).replace("\xa0", " ")
    assert text.startswith("Store: 50 000 innbyggere, stor kommune · Fase: Utprøving · ")


def like_mine_links(html: str) -> dict[str, dict]:
    links = {}
    for key, text in (
        ("owners", "Innovasjoner fra kommuner som ligner vår"),
        ("adopters", "Innovasjoner gjenbrukt av kommuner som ligner vår"),
    ):
        match = re.search(rf'<a class="ds-link" href="([^"]+)"[^>]*>{text}</a>', html)
        if match:
            links[key] = parse_qs(urlsplit(unescape(match.group(1))).query)
    return links


def test_like_mine_sets_size_and_centrality_from_the_members_organisation(
    client, catalogue, places
):
    client.force_login(person(places["Midt"], MembershipRole.MEMBER))
    html = client.get(URL, {"q": "robot", "sector": "health-care", "page": "1"}).content.decode()
    assert "Kommuner som ligner vår" in html
    # The page says which values the links set.
    text = unescape(html).replace("\xa0", " ")
    assert "Som Midt: 5 000–19 999 innbyggere, sentralitetsklasse 2–4 (Midt har 3)." in text
    links = like_mine_links(html)
    # The search and its other filters stay; the page starts again.
    assert links["owners"] == {
        "q": ["robot"],
        "sector": ["health-care"],
        "size_class": ["medium"],
        "centrality_class": ["2", "3", "4"],
    }
    assert links["adopters"] == {
        "q": ["robot"],
        "sector": ["health-care"],
        "adopter_size_class": ["medium"],
        "adopter_centrality_class": ["2", "3", "4"],
    }


def test_like_mine_links_find_what_they_say(client, catalogue, places):
    client.force_login(person(places["Bitte"], MembershipRole.EDITOR))
    links = like_mine_links(client.get(URL).content.decode())
    # Bitte: small, centrality 6 (and 5, the only class next to it).
    assert links["owners"] == {"size_class": ["small"], "centrality_class": ["5", "6"]}
    owners = client.get(URL, links["owners"]).content.decode()
    assert titles_of(owners) == {"Lesevenn i Lita", "Kart i Bitte"}
    adopters = client.get(URL, links["adopters"]).content.decode()
    assert titles_of(adopters) == {"Robot i Store"}


def test_like_mine_for_a_unit_uses_its_municipality(client, catalogue, places):
    client.force_login(person(places["Store sykehjem"]))
    html = client.get(URL).content.decode()
    assert "Som Store: 20 000 innbyggere og flere, sentralitetsklasse 1–3 (Store har 2)." in (
        unescape(html).replace("\xa0", " ")
    )
    assert like_mine_links(html)["owners"] == {
        "size_class": ["large"],
        "centrality_class": ["1", "2", "3"],
    }


def test_no_like_mine_without_an_organisation_with_size_and_centrality(client, catalogue):
    assert "Kommuner som ligner vår" not in client.get(URL).content.decode()
    company = factories.UnitFactory(
        kind=OrganisationKind.COMPANY, name="Firma AS", slug="firma", parent=None
    )
    client.force_login(person(company))
    assert "Kommuner som ligner vår" not in client.get(URL).content.decode()
    client.force_login(factories.UserFactory())
    assert "Kommuner som ligner vår" not in client.get(URL).content.decode()


def page_queries(client, params) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {"adopter_size_class": "small"},
        {"adopter_region": "vestlandet", "adopter_county": "18", "centrality_class": ["2", "3"]},
        {"q": "robot", "adopter_centrality_class": "5"},
    ],
)
def test_queries_do_not_grow_with_cases_or_adopters(client, places, params):
    """The counties, the data version, one statement for the counts and the page, the page's
    cases, their terms, and the adopters that matched: six, however many cases and adopters."""

    def build(n):
        for i in range(n):
            factories.CaseFactory(
                organisation=places["Store"],
                published=True,
                title=f"Robot {i}",
                adopters=[places["Lita"], places["Bitte"], places["Midt"]],
            )

    build(2)
    page_queries(client, params)  # the search's word list is read once after cases change
    small = page_queries(client, params)
    build(12)
    page_queries(client, params)
    assert page_queries(client, params) == small
    assert small == 6


def test_api_filters_by_owner_and_adopter(catalogue):
    client = APIClient()

    def titles(params):
        response = client.get(API, params)
        assert response.status_code == 200, response.content
        return {case["title"] for case in response.json()["results"]}

    assert titles({"adopter_size_class": "small"}) == {"Robot i Store"}
    assert titles({"adopter_size_class": ["medium", "large"]}) == {
        "Lesevenn i Lita",
        "Tavle i Midt",
    }
    assert titles({"adopter_centrality_class": "2"}) == {"Tavle i Midt"}
    assert titles({"adopter_region": "vestlandet"}) == {"Robot i Store", "Lesevenn i Lita"}
    assert titles({"adopter_county": "18"}) == {"Robot i Store", "Tavle i Midt"}
    assert titles({"adopter_county": "18", "adopter_size_class": "large"}) == {"Tavle i Midt"}
    assert titles({"centrality_class": ["5", "6"]}) == {"Lesevenn i Lita", "Kart i Bitte"}
    assert titles({"size_class": "small", "region": "nord-norge"}) == {"Kart i Bitte"}
    assert titles({"county": "46", "adopter_region": "nord-norge"}) == {"Tavle i Midt"}


@pytest.mark.parametrize(
    ("params", "field", "allowed"),
    [
        ({"adopter_size_class": "tiny"}, "adopter_size_class", "Allowed: small, medium, large."),
        ({"adopter_centrality_class": "7"}, "adopter_centrality_class", "Allowed: 1, 2, 3, 4"),
        ({"adopter_region": "sørlandet"}, "adopter_region", "Allowed: oslo-viken, innlandet"),
        ({"adopter_county": "99"}, "adopter_county", "Allowed: 18, 46."),
        ({"centrality_class": "0"}, "centrality_class", "Allowed: 1, 2, 3, 4"),
    ],
)
def test_api_refuses_unknown_values_with_the_allowed_ones(catalogue, params, field, allowed):
    response = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(API, params)
    message = api_helpers.invalid(response)[field][0]
    assert message.startswith("Unknown code")
    assert allowed in message


def test_api_schema_lists_the_new_filters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"][API]["get"]["parameters"]}
    for name in (
        "size_class",
        "centrality_class",
        "region",
        "county",
        "adopter_size_class",
        "adopter_centrality_class",
        "adopter_region",
        "adopter_county",
    ):
        assert name in parameters, name
    assert set(parameters["adopter_size_class"]["schema"]["items"]["enum"]) == {
        "small",
        "medium",
        "large",
    }
