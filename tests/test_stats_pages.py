"""The statistics pages (the overview and the method page), their CSV downloads and the
diffusion section of a case page."""

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
METHOD = "/statistikk/metode/"
PAGES = (DASHBOARD, METHOD)


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
    assert reverse("stats-method") == METHOD
    assert reverse("stats-csv", kwargs={"table": "origin"}) == "/statistikk/origin.csv"


def test_dashboard_is_in_the_main_menu(client, data):
    html = client.get("/").content.decode()
    assert f'href="{DASHBOARD}"' in html


def test_method_page_shows_every_section_with_numbers_and_denominators(client, data):
    response = nb(client).get(METHOD, HTTP_ACCEPT_LANGUAGE="nb")
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
    # Each survey with its edition and how many answered.
    assert "Innovasjonsbarometeret for kommunal sektor 2018" in html
    assert "1\xa0786 arbeidsplasser svarte" in html
    assert "1\xa0255 arbeidsplasser svarte" in html
    # The definitions, Rogers' categories and how each figure is computed.
    for heading in ("rogers-heading", "about-heading", "computed-heading", "bass-heading"):
        assert f'id="{heading}"' in html


def test_overview_shows_the_main_figures_in_plain_words(client, data):
    html = nb(client).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    # Headline: 5 cases, 18 adoptions, 4 of 5 reused, 2 of 4 owners spread; each share says
    # what it is a share of.
    assert '<span class="figure__number">5</span>' in html
    assert '<span class="figure__number">18</span>' in html
    assert "80,0&nbsp;%" in html
    assert "(4 av 5)" in html
    assert "(2 av 4)" in html
    # The surveys beside the platform, each with its source, year and sample size.
    assert 'id="table-comparison"' in html
    assert "Innovasjonsbarometeret for kommunal sektor</a>, 2018" in html
    assert "1\xa0786 arbeidsplasser svarte" in html
    assert "Innovationsbarometeret</a>, 2015" in html
    # A few charts: over time, by sector, by size and centrality, channels.
    for table in (
        "monthly",
        "breakdown-sector",
        "breakdown-size-class",
        "breakdown-centrality-class",
        "channels",
    ):
        assert f'id="table-{table}"' in html, table
        assert f'href="/statistikk/{table}.csv"' in html, table
    # The research tables are on the method page, not here.
    for table in ("bass", "bass-curve", "origin", "top-spreaders", "breakdown-county"):
        assert f'id="table-{table}"' not in html, table
    # The overview's breakdowns show the main columns only; the CSV has them all.
    sector = html[html.index('id="table-breakdown-sector"') :]
    header = sector[: sector.index("</thead>")]
    assert header.count('<th scope="col"') == 4
    assert f'href="{METHOD}"' in html


# Names and labels of the Bass model's parameters and quality, in both languages.
BASS_WORDS = re.compile(
    r"\b[pq]\s*=|koeffisient|coefficient|R²|RMSE|markedspotensial|market potential", re.I
)


def test_overview_names_no_model_parameter(client, data, monkeypatch):
    """Even when a fit is identifiable the overview says how reuse spreads in words only."""
    from cases.views import stats as views

    real = views.diffusion_and_version

    def with_fits(**kwargs):
        result, version = real(**kwargs)
        bass = result["bass"]
        fitted = {"status": "ok", "m_at_bound": False, "start": "2024-01", "months": 0}
        fitted.update(observed=[], fitted=[], r_squared=0.99, rmse=0.1, m=20.0)
        bass["all"] = {**bass["all"], **fitted, "identifiable": True, "p": 0.01, "q": 0.4}
        first, second = bass["sector"][:2]
        bass["sector"][0] = {**first, **fitted, "identifiable": True, "p": 0.3, "q": 0.1}
        bass["sector"][1] = {**second, **fitted, "identifiable": False, "p": 0.01, "q": 0.5}
        return result, version + "-fitted"

    monkeypatch.setattr(views, "diffusion_and_version", with_fits)
    for language in ("nb", "en"):
        html = speaking(client, language).get(DASHBOARD).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert not BASS_WORDS.search(main), BASS_WORDS.search(main)
        assert 'id="spread-heading"' in main
        assert 'href="#spread-heading"' in main
    english = html
    assert "All cases in the selection: spreads mostly by imitation" in english
    assert "Health and care: spreads mostly by outside influence" in english
    # The sector whose fit is not identifiable is not mentioned.
    spread = english[english.index('id="spread-heading"') : english.index('id="more-heading"')]
    assert "Education" not in spread


def test_overview_mentions_no_model_without_an_identifiable_fit(client, data):
    for language in ("nb", "en"):
        html = speaking(client, language).get(DASHBOARD).content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert "spread-heading" not in main
        assert "Bass" not in main
        assert not BASS_WORDS.search(main)


def test_spread_in_words_uses_identifiable_fits_only():
    from cases.views.stats import spread_in_words

    fits = {
        "all": {"status": "ok", "identifiable": False, "p": 0.01, "q": 0.5},
        "sector": [
            {"code": "education", "status": "ok", "identifiable": True, "p": 0.01, "q": 0.5},
            {"code": "culture", "status": "ok", "identifiable": True, "p": 0.2, "q": 0.1},
            {"code": "transport", "status": "too-few-data"},
            # Before the fits say whether they are identifiable: never mentioned.
            {"code": "technical", "status": "ok", "p": 0.01, "q": 0.5},
        ],
        "innovation_type": [],
    }
    assert spread_in_words(fits) == [
        {"group": "sector", "code": "education", "imitation": True},
        {"group": "sector", "code": "culture", "imitation": False},
    ]


def test_both_pages_render_in_both_languages_with_the_filters(client, data):
    titles = {
        "nb": (
            '<h1 class="ds-heading" data-size="lg">Statistikk</h1>',
            "Statistikk – metode og tabeller",
        ),
        "en": (
            '<h1 class="ds-heading" data-size="lg">Statistics</h1>',
            "Statistics – method and tables",
        ),
    }
    for language, (overview_title, method_title) in titles.items():
        for path, title in ((DASHBOARD, overview_title), (METHOD, method_title)):
            response = speaking(client, language).get(
                path, {"county": "03", "sector": "health-care"}
            )
            assert response.status_code == 200
            html = response.content.decode()
            assert f'<html lang="{language}"' in html
            assert title in html
            # One case (C1), on both pages.
            assert '<span class="figure__number">1</span>' in html
            assert re.search(r'name="county" value="03"[^>]*checked', html)
            assert f'<form method="get" action="{path}"' in html
    # Each page links to the other with the same filters.
    overview = client.get(DASHBOARD, {"county": "03"}).content.decode()
    method = client.get(METHOD, {"county": "03"}).content.decode()
    assert f'href="{METHOD}?county=03"' in overview
    assert f'href="{DASHBOARD}?county=03"' in method


def test_every_table_of_contents_link_leads_to_a_heading_on_its_page(client, data):
    for path in PAGES:
        html = client.get(path).content.decode()
        toc = html[html.index('<nav class="stats-toc"') :]
        toc = toc[: toc.index("</nav>")]
        anchors = re.findall(r'href="#([\w-]+)"', toc)
        assert len(anchors) >= 7, path
        ids = re.findall(r'\sid="([\w-]+)"', html)
        for anchor in anchors:
            assert ids.count(anchor) == 1, (path, anchor)
    # And every section of the overview is in its table of contents.
    html = client.get(DASHBOARD).content.decode()
    for heading in re.findall(r'<h2 class="ds-heading" data-size="md" id="([\w-]+)"', html):
        assert f'href="#{heading}"' in html, heading


def test_months_are_named_in_the_interface_language(client, data):
    norwegian = nb(client).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<th scope="row" data-month="2024-03">mars 2024</th>' in norwegian
    assert '<th scope="row" data-month="2024-05">mai 2024</th>' in norwegian
    assert '<th scope="row">2024-' not in norwegian
    english = speaking(client, "en").get(DASHBOARD).content.decode()
    assert '<th scope="row" data-month="2024-05">May 2024</th>' in english
    # The CSV keeps the sortable month.
    rows = read_csv(client.get("/statistikk/monthly.csv"))
    assert rows[1][0] == "2024-01"


def test_charts_are_drawn_from_the_tables_by_a_script_file(client, data):
    for path, least in ((DASHBOARD, 6), (METHOD, 10)):
        html = client.get(path).content.decode()
        charts = re.findall(
            r'<div class="stats-chart" hidden data-chart="(\w+)" data-chart-table="([\w-]+)"',
            html,
        )
        assert len(charts) >= least, path
        for _type, table_id in charts:
            assert f'id="{table_id}"' in html
    # No inline script: only files, the charting library from its package and our own.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all("src=" in attributes for attributes in scripts)
    assert "/static/chartjs/chart.umd.min.js" in html
    assert "/static/js/charts.js" in html
    assert "style=" not in html


def test_every_chart_has_a_title_and_named_axes(client, data):
    for language in ("nb", "en"):
        for path in PAGES:
            html = speaking(client, language).get(path).content.decode()
            charts = re.findall(r'<div class="stats-chart"[^>]*>', html)
            assert charts
            for chart in charts:
                for attribute in ("title", "value-axis", "category-axis"):
                    found = re.search(rf'data-chart-{attribute}="([^"]*)"', chart)
                    assert found, (path, attribute, chart)
                    assert found.group(1).strip(), (path, attribute, chart)
    html = nb(client).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert 'data-chart-title="Nye innovasjoner og gjenbruk per måned"' in html
    assert 'data-chart-category-axis="Måned"' in html


def test_chart_files_are_served(client, settings):
    from django.contrib.staticfiles import finders

    assert finders.find("chartjs/chart.umd.min.js")
    assert finders.find("js/charts.js")


@pytest.mark.parametrize("path", PAGES)
def test_filters_live_in_the_url_and_stay_chosen(client, data, path):
    response = client.get(path, {"county": "03", "sector": "health-care"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="figure__number">1</span>' in html  # C1: Large, health care, in 03
    assert re.search(r'name="county" value="03"[^>]*checked', html)
    assert re.search(r'name="sector" value="health-care"[^>]*checked', html)
    # The CSV links carry the same filters.
    assert 'href="/statistikk/channels.csv?county=03&amp;sector=health-care"' in html


@pytest.mark.parametrize("path", PAGES)
def test_filter_form_works_without_javascript(client, data, path):
    html = client.get(path).content.decode()
    form = re.search(rf'<form method="get" action="{path}"[^>]*>(.*?)</form>', html, re.S)
    assert form
    body = form.group(1)
    assert body.count("<fieldset") >= 3
    assert "<legend" in body
    assert 'type="submit"' in body
    for name in ("published_from", "published_to"):
        assert f'<label class="ds-label" for="id_{name}">' in body
    assert 'type="date"' in body


@pytest.mark.parametrize("path", PAGES)
def test_invalid_filters_are_explained_and_ignored(client, data, path):
    response = client.get(path, {"county": "99", "region": "vestlandet"})
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
    html = client.get(METHOD).content.decode()
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


def test_unpublished_cases_never_reach_the_statistics_pages(client, data):
    for path in PAGES:
        html = client.get(path).content.decode()
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


def dashboard_queries(client, path=DASHBOARD) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"region": ["vestlandet", "nord-norge", "oslo-viken"]})
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_is_bounded_and_does_not_grow_with_the_data(client, data):
    """Intended to prevent a query per case, adopter, month or vocabulary value: every
    figure is a grouped or conditional aggregate, so the count is the same for 5 cases as
    for four times as many."""
    small = [dashboard_queries(client, path) for path in PAGES]
    add_more_data(5)  # 15 more cases, 30 more adoptions, 5 more counties
    cache.clear()  # both counts of figures computed in the request, as on a cold cache
    larger = [dashboard_queries(client, path) for path in PAGES]
    assert small == larger
    assert max(larger) <= 30


def test_csv_query_count_does_not_grow_with_the_data(client, data):
    with CaptureQueriesContext(connection) as before:
        client.get("/statistikk/breakdown-county.csv")
    add_more_data(5)
    cache.clear()  # both counts of figures computed in the request, as on a cold cache
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
    assert '<th scope="row" data-month="2024-08">august 2024</th>' in html
    assert 'data-chart-title="Gjenbruk av denne innovasjonen så langt"' in html
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
