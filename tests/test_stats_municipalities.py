"""The statistics per municipality: `/api/v1/stats/municipalities/` and the table beside the map
on the statistics page, which must say the same numbers for every measure and every filter."""

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Organisation
from cases.statistics.municipalities import municipality_figures
from cases.vocabularies import AdoptionStatus, CaseStatus, OrganisationKind, Sector
from tests import api_helpers, factories

pytestmark = pytest.mark.django_db

API = "/api/v1/stats/municipalities/"
PAGE = "/statistikk/"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MEASURES = ["cases", "reuses", "reuses_per_10000", "reuse_share"]


class _TableRows(HTMLParser):
    """The rows of the municipalities' table: number -> {key: data-value, and the name}."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict] = {}
        self._in_table = False
        self._row: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == "table-municipalities":
            self._in_table = True
        elif self._in_table and tag == "tr" and "data-number" in attributes:
            self._row = self.rows[attributes["data-number"]] = {}
        elif self._row is not None and tag == "th":
            self._row["name"] = attributes.get("data-value")
        elif self._row is not None and tag == "td" and "data-key" in attributes:
            self._row[attributes["data-key"]] = attributes.get("data-value")
            self._row[attributes["data-key"] + ":text"] = attributes.get("data-text")

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        elif tag == "table":
            self._in_table = False


def table_rows(query: dict | None = None) -> dict[str, dict]:
    response = Client().get(PAGE, query or {})
    assert response.status_code == 200
    parser = _TableRows()
    parser.feed(response.content.decode())
    return parser.rows


def api_rows(query: dict | None = None) -> dict[str, dict]:
    response = APIClient().get(API, query or {})
    assert response.status_code == 200, response.content
    return {row["number"]: row for row in response.json()["municipalities"]}


def as_number(text: str | None) -> float | None:
    return None if text in (None, "") else float(text)


@pytest.fixture(autouse=True)
def _every_share_shown(settings):
    """This world is small on purpose, so that every figure can be worked out by hand: the
    small-number rule (tests/test_small_numbers.py) is set aside to check the arithmetic; the
    rule itself on the map's shares is tested below."""
    settings.STATISTICS_MIN_DENOMINATOR = 1


@pytest.fixture
def world(db):
    """Two counties, three municipalities (one with a workplace) and reuse between them:

    - Bergen (46) publishes two health cases (one by its school) and one education case;
      the school's health case is reused by Trondheim and by Voss's county, the education
      case by Trondheim's nursing home;
    - Voss (46) publishes nothing and reuses Bergen's first health case;
    - Trondheim (50) publishes one education case, reused by no one; it also has a draft
      that Bergen "reused" (never counted) and a deleted adoption (never counted).
    """
    vestland = factories.CountyFactory(number="46", name="Vestland", region="vestlandet")
    trondelag = factories.CountyFactory(number="50", name="Trøndelag", region="trondelag")
    bergen = factories.MunicipalityFactory(
        number="4601", name="Bergen", parent=vestland, population=291_940
    )
    voss = factories.MunicipalityFactory(
        number="4621", name="Voss", parent=vestland, population=16_000
    )
    trondheim = factories.MunicipalityFactory(
        number="5001", name="Trondheim", parent=trondelag, population=214_565
    )
    school = factories.UnitFactory(parent=bergen, name="Skolen")
    home = factories.UnitFactory(parent=trondheim, name="Sykehjemmet")
    health = factories.CaseFactory(
        organisation=bergen, published=True, sectors=[Sector.HEALTH_CARE], adopters=[voss]
    )
    factories.CaseFactory(
        organisation=school,
        published=True,
        sectors=[Sector.HEALTH_CARE],
        adopters=[trondheim, vestland],
    )
    factories.CaseFactory(
        organisation=bergen, published=True, sectors=[Sector.EDUCATION], adopters=[home]
    )
    factories.CaseFactory(organisation=trondheim, published=True, sectors=[Sector.EDUCATION])
    factories.CaseFactory(organisation=trondheim, status=CaseStatus.DRAFT, adopters=[bergen])
    gone = factories.AdoptionFactory(case=health, organisation=trondheim)
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    return {"bergen": bergen, "voss": voss, "trondheim": trondheim, "health": health}


def test_every_figure_of_every_municipality(world):
    rows = {row["number"]: row for row in municipality_figures(filters={})}
    assert list(rows) == ["4601", "4621", "5001"]
    bergen, voss, trondheim = rows["4601"], rows["4621"], rows["5001"]
    # Bergen's three cases (one by its school); two were reused; it recorded no reuse (the
    # adoption of Trondheim's draft does not count).
    assert (bergen["cases"], bergen["reused_cases"], bergen["reuses"]) == (3, 3, 0)
    assert bergen["reuse_share"] == {
        "numerator": 3,
        "denominator": 3,
        "share": 1.0,
        "percent": 100.0,
        "suppressed": False,
    }
    assert bergen["county"] == {"number": "46", "name": "Vestland"}
    assert bergen["population"] == 291_940
    # Voss reused one case; 1 per 16,000 inhabitants is 0.625 per 10,000.
    assert (voss["cases"], voss["reuses"], voss["reuses_per_10000"]) == (0, 1, 0.62)
    assert voss["reuse_share"]["percent"] is None
    assert voss["reuse_share"]["denominator"] == 0
    # Trondheim itself and its nursing home reused one case each (the deleted adoption and
    # the county's adoption count for no municipality).
    assert (trondheim["cases"], trondheim["reused_cases"], trondheim["reuses"]) == (1, 0, 2)
    assert trondheim["reuse_share"]["percent"] == 0.0
    assert trondheim["reuses_per_10000"] == round(2 * 10_000 / 214_565, 2)


def test_the_filters_narrow_the_cases_and_the_reuses_follow_them(world):
    rows = {r["number"]: r for r in municipality_figures(filters={"sector": [Sector.EDUCATION]})}
    assert (rows["4601"]["cases"], rows["4601"]["reused_cases"]) == (1, 1)
    assert rows["4621"]["reuses"] == 0
    assert rows["5001"]["reuses"] == 1  # the nursing home's reuse of Bergen's education case
    rows = {r["number"]: r for r in municipality_figures(filters={"county": ["50"]})}
    assert [rows[n]["cases"] for n in ("4601", "4621", "5001")] == [0, 0, 1]
    assert sum(row["reuses"] for row in rows.values()) == 0
    world["health"].published_at = timezone.now() - dt.timedelta(days=400)
    world["health"].save(update_fields=["published_at"])
    recent = timezone.localdate() - dt.timedelta(days=30)
    rows = {r["number"]: r for r in municipality_figures(filters={"published_from": recent})}
    assert rows["4601"]["cases"] == 2
    assert rows["4621"]["reuses"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sector": Sector.EDUCATION},
        {"sector": Sector.HEALTH_CARE, "county": "46"},
        {"region": "trondelag"},
        {"published_from": "2000-01-01", "published_to": "2999-12-31"},
    ],
    ids=["all", "education", "health-in-vestland", "trondelag", "period"],
)
def test_the_api_and_the_table_beside_the_map_say_the_same(world, query):
    api, table = api_rows(query), table_rows(query)
    assert set(api) == set(table) == {"4601", "4621", "5001"}
    for number, row in api.items():
        shown = table[number]
        assert shown["name"] == row["name"]
        assert shown["county"] == row["county"]["name"]
        assert as_number(shown["population"]) == row["population"]
        assert as_number(shown["cases"]) == row["cases"]
        assert as_number(shown["reuses"]) == row["reuses"]
        assert as_number(shown["reuses_per_10000"]) == row["reuses_per_10000"]
        assert as_number(shown["reuse_share"]) == row["reuse_share"]["percent"]
        if row["reuse_share"]["percent"] is not None:
            share = row["reuse_share"]
            assert f"({share['numerator']} av {share['denominator']})" in shown["reuse_share:text"]


def test_the_answer_names_the_filters_and_refuses_what_it_does_not_understand(world):
    body = APIClient().get(API, {"sector": Sector.EDUCATION}).json()
    assert body["filters"]["sector"] == [Sector.EDUCATION]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(API, {"size_class": "enorm"})
    assert "small, medium, large" in api_helpers.invalid(response)["size_class"][0]
    response = client.get(API, {"published_from": "2025-06-01", "published_to": "2025-01-01"})
    assert response.status_code == 400


def test_the_number_of_queries_does_not_grow_with_the_data(world, django_assert_num_queries):
    """The county choices of the filter form, the cases and the reuses grouped by municipality,
    and the municipalities: four queries, with three municipalities or thirty."""
    with django_assert_num_queries(4):
        APIClient().get(API)
    county = Organisation.objects.get(kind=OrganisationKind.COUNTY, number="46")
    for n in range(27):
        municipality = factories.MunicipalityFactory(number=f"{4700 + n}", parent=county)
        factories.CaseFactory(
            organisation=municipality,
            published=True,
            adopters=[world["voss"]],
            adopters__status=AdoptionStatus.PLANNED,
        )
    with django_assert_num_queries(4):
        body = APIClient().get(API).json()
    assert len(body["municipalities"]) == 30
    assert {row["number"]: row for row in body["municipalities"]}["4621"]["reuses"] == 28


@pytest.mark.skipif(
    not (DATA / "municipalities.csv").exists(), reason=f"The shared data is not at {DATA}."
)
def test_all_357_municipalities_of_the_registry_have_a_row_in_the_api_and_the_table():
    call_command(
        "load_municipalities",
        str(DATA / "municipalities.csv"),
        "--counties",
        str(DATA / "counties.csv"),
        verbosity=0,
    )
    oslo = Organisation.objects.get(kind=OrganisationKind.MUNICIPALITY, number="0301")
    bergen = Organisation.objects.get(kind=OrganisationKind.MUNICIPALITY, number="4601")
    factories.CaseFactory(organisation=oslo, published=True, adopters=[bergen])
    api, table = api_rows(), table_rows()
    assert len(api) == len(table) == 357
    assert (api["0301"]["cases"], api["4601"]["reuses"]) == (1, 1)
    assert api["0301"]["population"] == 728_714
    assert (table["0301"]["cases"], table["4601"]["reuses"]) == ("1", "1")


def test_names_in_the_table_are_escaped(world):
    world["voss"].name = 'Voss <script>alert("x")</script>'
    world["voss"].save()
    html = Client().get(PAGE).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "Voss &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert table_rows()["4621"]["name"] == 'Voss <script>alert("x")</script>'


def test_a_share_of_too_few_cases_is_counts_only_on_the_map_and_in_the_api(world, settings):
    settings.STATISTICS_MIN_DENOMINATOR = 10
    for number, row in api_rows().items():
        share = row["reuse_share"]
        if share["denominator"]:
            assert share["suppressed"] is True, number
            assert share["percent"] is None
            assert share["share"] is None
    html = Client().get("/statistikk/").content.decode()
    assert "for få innovasjoner til å vise en andel" in html
