"""The statistics dashboard, its CSV downloads and the diffusion section of a case page."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import speaking
from tests.factories import (
    AdoptionFactory,
    CaseFactory,
    CountyFactory,
    MunicipalityFactory,
    SpreadActivityFactory,
)
from tests.test_stats import build_dataset

pytestmark = pytest.mark.django_db

DASHBOARD = "/statistikk/"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The figures are cached by data version; each test starts without cached figures."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _every_share_shown(settings):
    """This world is small on purpose, so that every share can be worked out by hand: the
    small-number rule (tests/test_small_numbers.py) is set aside to check the arithmetic."""
    settings.STATISTICS_MIN_DENOMINATOR = 1


@pytest.fixture
def data(db):
    return build_dataset()


def nb(client):
    client.cookies.load({"django_language": "nb"})
    return client


def test_url_names():
    assert reverse("stats-dashboard") == DASHBOARD
    assert reverse("stats-csv", kwargs={"table": "origin"}) == "/statistikk/origin.csv"


def test_dashboard_is_in_the_main_menu(client, data):
    html = client.get("/").content.decode()
    assert f'href="{DASHBOARD}"' in html


def test_dashboard_shows_every_section_with_numbers_and_denominators(client, data):
    response = nb(client).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200
    html = response.content.decode()
    # Headline: 5 cases, 18 adoptions, 4 of 5 reused, 2 of 4 owners spread.
    assert '<span class="figure__number">5</span>' in html
    assert '<span class="figure__number">18</span>' in html
    assert "80,0&nbsp;%" in html
    assert "50,0&nbsp;%" in html
    for table in (
        "comparison",
        "origin",
        "adopters-per-case",
        "time-to-first-adoption",
        "spreaders",
        "top-spreaders",
        "spread-channels",
        "channels",
        "adoption-modes",
        "adoption-status",
        "monthly",
        "breakdown-sector",
        "breakdown-innovation-type",
        "breakdown-workplace-type",
        "breakdown-employee-band",
        "breakdown-size-class",
        "breakdown-centrality-class",
        "breakdown-region",
        "breakdown-county",
        "bass",
    ):
        assert f'id="table-{table}"' in html, table
        assert f'href="/statistikk/{table}.csv"' in html, table
    # Every table has a caption and header cells with a scope.
    assert html.count("<table") == html.count("<caption")
    assert "<th>" not in html
    # Origin: "first" is 1 of 4 known origins.
    assert "25,0&nbsp;% (" in html
    # The survey figures are labelled as such and name their source.
    assert "KS, Innovasjonsbarometeret for kommunal sektor" in html
    assert "Center for Offentlig Innovation" in html
    assert "74&nbsp;%" in html
    assert "80&nbsp;%" in html


def test_dashboard_charts_are_drawn_from_the_tables_by_a_script_file(client, data):
    html = client.get(DASHBOARD).content.decode()
    charts = re.findall(
        r'<div class="stats-chart" hidden data-chart="(\w+)" data-chart-table="([\w-]+)"', html
    )
    assert len(charts) >= 10
    for _type, table_id in charts:
        assert f'id="{table_id}"' in html
    # No inline script: only files, the charting library from its package and our own.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all("src=" in attributes for attributes in scripts)
    assert "/static/chartjs/chart.umd.min.js" in html
    assert "/static/js/charts.js" in html
    assert "style=" not in html


def test_chart_files_are_served(client, settings):
    from django.contrib.staticfiles import finders

    assert finders.find("chartjs/chart.umd.min.js")
    assert finders.find("js/charts.js")


def test_filters_live_in_the_url_and_stay_chosen(client, data):
    response = client.get(DASHBOARD, {"county": "03", "sector": "health-care"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="figure__number">1</span>' in html  # C1: Large, health care, in 03
    assert re.search(r'name="county" value="03"[^>]*checked', html)
    assert re.search(r'name="sector" value="health-care"[^>]*checked', html)
    # The CSV links carry the same filters.
    assert 'href="/statistikk/origin.csv?county=03&amp;sector=health-care"' in html


def test_filter_form_works_without_javascript(client, data):
    html = client.get(DASHBOARD).content.decode()
    form = re.search(r'<form method="get" action="/statistikk/"[^>]*>(.*?)</form>', html, re.S)
    assert form
    body = form.group(1)
    assert body.count("<fieldset") >= 3
    assert "<legend" in body
    assert 'type="submit"' in body
    for name in ("published_from", "published_to"):
        assert f'<label class="ds-label" for="id_{name}">' in body
    assert 'type="date"' in body


def test_invalid_filters_are_explained_and_ignored(client, data):
    response = client.get(DASHBOARD, {"county": "99", "region": "vestlandet"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#id_county_0"' in html
    # The valid filter still applies: C2, C3, C4.
    assert '<span class="figure__number">3</span>' in html


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_download_of_a_table(client, data):
    response = client.get("/statistikk/origin.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statistikk-opphav.csv"'
    rows = read_csv(response)
    # code, label, count, and two shares in four columns each (percent, numerator,
    # denominator, whether the share is withheld for its small base).
    assert len(rows[0]) == 11
    body = {row[0]: row for row in rows[1:]}
    assert list(body) == ["first", "adapted", "copied", "unknown"]
    # first: 1 case; 20 % of all 5; 25 % of the 4 with known origin.
    assert body["first"][2:] == ["1", "20.0", "1", "5", "0", "25.0", "1", "4", "0"]
    assert body["unknown"][7:] == ["", "", "", ""]  # no share of known origin


def test_csv_download_follows_the_filters(client, data):
    rows = read_csv(client.get("/statistikk/breakdown-county.csv", {"sector": "education"}))
    body = {row[0]: row for row in rows[1:]}
    assert list(body) == ["46"]  # C2 (Medium) and C3 (Small), both in Vestland
    assert body["46"][2] == "2"


def test_every_table_downloads(client, data):
    html = client.get(DASHBOARD).content.decode()
    links = sorted(set(re.findall(r'href="(/statistikk/[\w-]+\.csv)"', html)))
    assert len(links) >= 20
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        rows = read_csv(response)
        assert rows[0], link


def test_csv_of_an_unknown_table_is_404_and_bad_filters_400(client, data):
    assert client.get("/statistikk/nothing.csv").status_code == 404
    response = client.get("/statistikk/origin.csv", {"county": "99"})
    assert response.status_code == 400
    assert "county" in response.content.decode()


def test_unpublished_cases_never_reach_the_dashboard(client, data):
    html = client.get(DASHBOARD).content.decode()
    for case in (data.draft, data.archived, data.deleted):
        assert case.title not in html
    rows = read_csv(client.get("/statistikk/top-spreaders.csv"))
    adopters = {row[1]: row[2] for row in rows[1:]}
    assert adopters == {"Large": "11", "Small": "2", "Medium": "1"}
    monthly = read_csv(client.get("/statistikk/monthly.csv"))
    assert all(row[0] >= "2024-01" for row in monthly[1:])


def add_more_data(times: int) -> None:
    """More of everything the dashboard counts: counties, owners, cases, adoptions."""
    for n in range(times):
        county = CountyFactory(number=f"{60 + n:02d}", region="nord-norge")
        owner = MunicipalityFactory(parent=county, population=4_000 + n, centrality_class=6)
        for k in range(3):
            case = CaseFactory(
                organisation=owner,
                published=True,
                origin=["first", "adapted", "copied"][k],
                sectors=["culture", "transport"][: k + 1],
                innovation_types=["service"],
                workplace_type="kindergarten",
            )
            for j in range(2):
                AdoptionFactory(
                    case=case,
                    organisation=MunicipalityFactory(parent=county),
                    adopted_on=dt.date(2023, 1 + k + j, 10),
                )
        SpreadActivityFactory(organisation=owner)


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD, {"region": ["vestlandet", "nord-norge", "oslo-viken"]})
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_is_bounded_and_does_not_grow_with_the_data(client, data):
    """Intended to prevent a query per case, adopter, month or vocabulary value: every
    figure is a grouped or conditional aggregate, so the count is the same for 5 cases as
    for four times as many."""
    small = dashboard_queries(client)
    add_more_data(5)  # 15 more cases, 30 more adoptions, 5 more counties
    larger = dashboard_queries(client)
    assert small == larger
    assert larger <= 30


def test_csv_query_count_does_not_grow_with_the_data(client, data):
    with CaptureQueriesContext(connection) as before:
        client.get("/statistikk/breakdown-county.csv")
    add_more_data(5)
    with CaptureQueriesContext(connection) as after:
        client.get("/statistikk/breakdown-county.csv")
    assert len(before) == len(after) <= 30


# ------------------------------------------------------------------------------------------
# The case page
# ------------------------------------------------------------------------------------------


def test_case_page_shows_reach_curve_generations_and_categories(client, data):
    response = nb(client).get(data.cases.c1.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nb")
    html = response.content.decode()
    assert 'id="diffusion-heading"' in html
    assert 'id="table-case-curve"' in html
    assert '<th scope="row">2024-08</th>' in html
    # Ten adopters: the categories are shown; each adopter's, in the order of adoption, on the
    # list of all adopters the page links to.
    assert 'id="rogers-heading"' in html
    adopters_url = f"/saker/{data.cases.c1.slug}/gjenbrukt-av/"
    assert f'href="{adopters_url}"' in html
    adopters = nb(client).get(adopters_url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert re.findall(r"<tr><td>(\d+)</td>", adopters) == [str(n) for n in range(1, 11)]
    assert "/static/chartjs/chart.umd.min.js" in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attributes or "ld+json" in attributes for attributes in scripts)


def test_case_page_says_when_there_are_too_few_adopters(client, data):
    html = speaking(client, "en").get(data.cases.c5.get_absolute_url()).content.decode()
    assert 'id="diffusion-heading"' in html
    assert "at least 10 adopters" in html
    assert "This case has 5 adopters." in html


def test_case_page_diffusion_counts_only_published_reuse(client, data):
    html = client.get(data.cases.c3.get_absolute_url()).content.decode()
    # C3's adoption by a deleted municipality is not there.
    assert "Gone" not in html
