"""The maps in the browser, at 375 and 1280 px: the statistics page's choropleth of all 357
municipalities (one path each, the values on focus equal to the table's, a measure to choose,
the table sortable) and a case page's map of where it was reused. Both draw from the site's
own files: the `open_page` fixture fails the test if anything came from another host. axe-core
checks each map and its table."""

from pathlib import Path

import pytest

from .checks import axe_violations

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
WIDTHS = [375, 1280]


@pytest.fixture
def registry(demo):
    """The demo data and every municipality of the 2024 registry, with its population."""
    from django.core.management import call_command

    if not (DATA / "municipalities.csv").exists():
        pytest.skip(f"The shared registry is not at {DATA}.")
    call_command(
        "load_municipalities",
        str(DATA / "municipalities.csv"),
        "--counties",
        str(DATA / "counties.csv"),
        verbosity=0,
    )


def table_text(page, number: str, key: str) -> str:
    cell = page.locator(f'#table-municipalities tr[data-number="{number}"] td[data-key="{key}"]')
    return cell.get_attribute("data-text")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_statistics_map_shows_every_municipality_with_the_tables_values(
    open_page, registry, width
):
    from playwright.sync_api import expect

    page = open_page(lang="nb", width=width)
    page.goto("/statistikk/")
    drawn = page.locator("[data-reuse-map][data-drawn]")
    expect(drawn).to_be_visible()
    paths = page.locator("path.map-municipality")
    expect(paths).to_have_count(357)
    assert page.locator("#table-municipalities tbody tr[data-number]").count() == 357
    assert page.locator('path.map-municipality[tabindex="0"]').count() == 1
    assert "© Kartverket" in page.locator("#map").inner_text()
    expect(page.locator(".map-attribution")).to_have_text("© Kartverket")

    # Keyboard: one Tab stop on the map; its municipality's figures are read out, as the
    # table gives them; the arrow keys move on.
    page.locator("#map-measure-cases").focus()
    page.keyboard.press("Tab")
    focused = page.locator("path.map-municipality:focus")
    expect(focused).to_have_attribute("data-number", "0301")
    expect(page.locator("[data-map-readout]")).to_contain_text("Oslo (Oslo)")
    expect(page.locator("[data-map-readout]")).to_contain_text(
        "Publiserte innovasjoner: " + table_text(page, "0301", "cases")
    )
    page.keyboard.press("ArrowRight")
    expect(page.locator("path.map-municipality:focus")).to_have_attribute("data-number", "1101")
    expect(page.locator("[data-map-readout]")).to_contain_text("Eigersund (Rogaland)")
    assert page.locator('path.map-municipality[tabindex="0"]').count() == 1

    # Every path is labelled with the table's words for the chosen measure.
    page.get_by_label("Andel av innovasjonene som er gjenbrukt").check()
    # Redrawn for the new measure (the caption says which) before the labels are read.
    expect(page.locator("[data-map-caption]")).to_contain_text(
        "Andel av innovasjonene som er gjenbrukt, per kommune"
    )
    labels = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('path.map-municipality')]
              .map((p) => [p.dataset.number, p.getAttribute('aria-label')]))"""
    )
    texts = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(
              '#table-municipalities tr[data-number]')].map((row) => [row.dataset.number,
              row.cells[0].textContent + ': ' +
              row.querySelector('td[data-key="reuse_share"]').dataset.text]))"""
    )
    assert labels == texts
    expect(page.locator(".map-legend li").first).to_be_visible()

    # The table sorts with the buttons in its headers.
    header = page.locator('#table-municipalities th[data-key="population"]')
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    first = page.locator("#table-municipalities tbody tr").first
    expect(first).to_have_attribute("data-number", "0301")  # Oslo has the most inhabitants

    assert axe_violations(page, within="#map") == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_case_page_maps_where_it_was_reused(open_page, registry, width):
    from playwright.sync_api import expect

    from cases.models import Case
    from cases.selectors import case_lineage, data_version
    from cases.statistics.places import reuse_places

    case = Case.objects.get(slug="mobil-rontgen")
    version = data_version()
    places = reuse_places(case, tree=case_lineage(case, version=version), version=version)
    page = open_page(lang="nb", width=width)
    page.goto(case.get_absolute_url())
    expect(page.locator("[data-case-map][data-drawn]")).to_be_visible()
    listed = page.locator("#reuse-places")
    expect(listed.locator('li[data-role="owner"]')).to_have_text(places["owner"]["name"])
    for adopter in places["adopters"]:
        expect(listed.get_by_text(adopter["name"], exact=False).first).to_be_visible()
    mapped = {a["number"] for a in places["adopters"] if a["number"]}
    drawn = page.locator("[data-case-map] [data-map-canvas]")
    expect(drawn.locator(".map-place-mark")).to_have_count(len(mapped))
    expect(drawn.locator(".map-owner-mark")).to_have_count(1)
    assert "© Kartverket" in page.locator(".case-reuse-map").inner_text()
    assert axe_violations(page, within=".case-reuse-map") == []
