"""Small numbers: a share is shown only when its denominator is at least
settings.STATISTICS_MIN_DENOMINATOR (10 unless set); below that the counts alone, marked, as
statistics offices do, on the pages, in the CSV and Excel downloads and in the API alike.
`figures.share` is the one place that decides.
"""

import csv
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from cases.statistics.figures import share
from tests.factories import CaseFactory, CountyFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seven_cases(db):
    """Seven published cases of one owner; three of them reused once each."""
    county = CountyFactory()
    owner = MunicipalityFactory(parent=county)
    for number in range(7):
        adopters = [MunicipalityFactory(parent=county)] if number < 3 else []
        CaseFactory(organisation=owner, published=True, sectors=["health-care"], adopters=adopters)
    return owner


def add_cases(owner, count: int) -> None:
    for _number in range(count):
        CaseFactory(organisation=owner, published=True, sectors=["health-care"])


def nb(client):
    client.cookies.load({"django_language": "nb"})
    return client


def test_a_share_under_the_minimum_keeps_its_counts_and_drops_its_percent(settings):
    assert settings.STATISTICS_MIN_DENOMINATOR == 10
    assert share(3, 7) == {
        "numerator": 3,
        "denominator": 7,
        "share": None,
        "percent": None,
        "suppressed": True,
    }
    # 1 of 1 is not "100 %".
    assert share(1, 1)["percent"] is None
    assert share(1, 1)["suppressed"] is True
    assert share(3, 10) == {
        "numerator": 3,
        "denominator": 10,
        "share": 0.3,
        "percent": 30.0,
        "suppressed": False,
    }
    # Nothing to take a share of is not a withheld share.
    assert share(0, 0)["suppressed"] is False


def test_the_minimum_is_a_setting(settings):
    settings.STATISTICS_MIN_DENOMINATOR = 5
    assert share(3, 7)["percent"] == 42.9
    assert share(3, 4)["suppressed"] is True


def test_the_page_shows_the_counts_alone_marked_with_a_footnote(client, seven_cases):
    html = nb(client).get("/statistikk/").content.decode()
    # The reuse rate: 3 of 7 cases, never "42,9 %".
    assert "42,9" not in html
    assert "3 av 7" in html
    assert '<span class="small-number" aria-hidden="true">&nbsp;¹</span>' in html
    assert "andel vises ikke: grunnlaget er under 10" in html
    assert "Andel vises ikke når grunnlaget er under 10: da vises bare antallene." in html
    # A chart draws no bar for a withheld share.
    assert 'data-value="42.9"' not in html


def test_the_page_shows_the_share_once_the_base_is_large_enough(client, seven_cases):
    add_cases(seven_cases, 3)
    html = nb(client).get("/statistikk/").content.decode()
    assert "30,0&nbsp;% (3 av 10)" in html


def test_a_lower_minimum_shows_the_share_also_on_a_cached_page(client, seven_cases, settings):
    nb(client).get("/statistikk/")
    settings.STATISTICS_MIN_DENOMINATOR = 5
    html = client.get("/statistikk/").content.decode()
    assert "42,9&nbsp;% (3 av 7)" in html


def test_the_english_page_says_the_same(client, seven_cases):
    client.cookies.load({"django_language": "en"})
    html = client.get("/statistikk/").content.decode()
    assert "3 of 7" in html
    assert "The share is not shown when its base is under 10" in html


def read_csv(response, delimiter=","):
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_gives_an_empty_share_and_a_flag(client, seven_cases):
    rows = read_csv(nb(client).get("/statistikk/adopters-per-case.csv"))
    assert rows[0][3:] == [
        "Andel av innovasjonene (prosent)",
        "Andel av innovasjonene (teller)",
        "Andel av innovasjonene (nevner)",
        "Andel av innovasjonene (andel ikke vist)",
    ]
    body = {row[0]: row for row in rows[1:]}
    assert body["0"][2:] == ["4", "", "4", "7", "1"]
    assert body["1"][2:] == ["3", "", "3", "7", "1"]
    norwegian = read_csv(client.get("/statistikk/semikolon/adopters-per-case.csv"), ";")
    assert {row[0]: row for row in norwegian[1:]}["1"][2:] == ["3", "", "3", "7", "1"]


def test_csv_flags_nothing_once_the_base_is_large_enough(client, seven_cases):
    add_cases(seven_cases, 3)
    body = {row[0]: row for row in read_csv(client.get("/statistikk/adopters-per-case.csv"))}
    assert body["0"][2:] == ["7", "70.0", "7", "10", "0"]
    assert body["1"][2:] == ["3", "30.0", "3", "10", "0"]


def test_xlsx_gives_an_empty_share_and_a_flag(client, seven_cases):
    response = nb(client).get("/statistikk/excel/adopters-per-case.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    body = {row[0]: row for row in rows[1:]}
    assert body["1"][2:] == [3, None, 3, 7, 1]
    explained = list(book["Kolonner"].iter_rows(values_only=True))
    flags = [row[3] for row in explained if str(row[2]).endswith("(andel ikke vist)")]
    assert flags == [
        "1 når andelen ikke vises fordi nevneren er under 10 (da gis bare antallene); ellers 0."
    ]


def test_the_api_gives_null_and_says_why(seven_cases):
    body = APIClient().get("/api/v1/stats/diffusion/").json()
    assert body["reuse"]["reused"] == {
        "numerator": 3,
        "denominator": 7,
        "share": None,
        "percent": None,
        "suppressed": True,
    }
    channels = body["adoptions"]["by_channel"]
    assert all(row["percent"] is None for row in channels)
    assert sum(row["numerator"] for row in channels) == 3
    assert {row["suppressed"] for row in channels} == {True}
    # A breakdown row follows the same rule.
    sector = {row["code"]: row for row in body["breakdowns"]["sector"]}["health-care"]
    assert sector["reused"]["suppressed"] is True
    assert sector["cases"] == 7


def test_the_api_gives_the_share_once_the_base_is_large_enough(seven_cases):
    add_cases(seven_cases, 3)
    body = APIClient().get("/api/v1/stats/diffusion/").json()
    assert body["reuse"]["reused"]["percent"] == 30.0
    assert body["reuse"]["reused"]["suppressed"] is False
    # Adoptions by channel are still three: withheld.
    assert body["adoptions"]["by_channel"][0]["suppressed"] is True


def test_the_schema_describes_the_rule(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "suppressed" in schema
    assert "p_per_year" in schema


def rogers_cell(html: str, label: str) -> str:
    match = re.search(rf'<th scope="row">{label}</th><td>(.*?)</td>', html, re.S)
    assert match, label
    return match.group(1).strip()


def test_the_case_page_follows_the_rule_in_its_adopter_categories(client, settings):
    owner = MunicipalityFactory()
    case = CaseFactory(
        organisation=owner, published=True, adopters=[MunicipalityFactory() for _ in range(12)]
    )
    url = reverse("case-detail", kwargs={"slug": case.slug})
    html = nb(client).get(url).content.decode()
    # Twelve adopters: the late majority is 4 of them (34 % of 12, by their places).
    assert rogers_cell(html, "Sent flertall") == "33,3&nbsp;% (4 av 12)"
    settings.STATISTICS_MIN_DENOMINATOR = 20
    cache.clear()
    html = client.get(url).content.decode()
    assert rogers_cell(html, "Sent flertall").startswith('4 av 12<span class="small-number"')
