"""The search page in a browser, on the demo data: results first on a phone, the filter panel by
keyboard (focus in, Escape, focus back), chips that remove one filter, the live status that
says the new number of results, and axe on every state of the layout at 375 and 1280 px.

(The HTML behind it, chips and folded groups, is tested in tests/test_search_layout.py.)
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = None

from cases.models import User
from demo import dataset as demo_data

from .checks import axe_violations, tab_to

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
FOCUS_IN_PANEL = "() => document.getElementById('filters-dialog').contains(document.activeElement)"


def query(page) -> dict[str, list[str]]:
    """The page's query, without the sort order the form sends when it is the default."""
    params = parse_qs(urlsplit(page.url).query)
    if params.get("ordering") == ["relevance"]:
        del params["ordering"]
    return params


def open_phone(open_page, path: str, **kwargs):
    page = open_page(lang="nb", **PHONE, **kwargs)
    page.goto(path)
    return page


@pytest.mark.parametrize(
    "path",
    ["/saker/", "/saker/?q=sykehjemmet", "/saker/?q=sykehjemmet&sector=health-care"],
)
def test_first_result_on_the_first_screen_of_a_phone(open_page, demo, path):
    page = open_phone(open_page, path)
    first = page.locator("#results .result").first
    expect(first).to_be_visible()
    top = first.bounding_box()["y"]
    assert top < PHONE["height"], f"{path}: the first result starts at {top} px"
    # The filters wait behind their button.
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".filter-toggle")).to_be_visible()


@pytest.mark.parametrize("email", [demo_data.EMPLOYEE_EMAIL, demo_data.MODERATOR_EMAIL])
def test_first_result_on_the_first_screen_of_a_phone_for_members(open_page, demo, email):
    """A member's header folds their links, account and language into one menu on a phone, so
    that it takes no more room than a visitor's."""
    page = open_phone(open_page, "/saker/?q=sykehjemmet", user=User.objects.get(email=email))
    first = page.locator("#results .result").first
    expect(first).to_be_visible()
    top = first.bounding_box()["y"]
    assert top < PHONE["height"], f"the first result starts at {top} px"
    expect(page.get_by_role("link", name="Mitt arbeid")).to_be_hidden()
    page.get_by_text("Meny", exact=True).click()
    expect(page.get_by_role("link", name="Mitt arbeid")).to_be_visible()
    expect(page.get_by_role("link", name="Del en innovasjon")).to_be_visible()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    assert axe_violations(page) == []


def test_without_javascript_the_filters_stand_on_the_page(open_page, demo):
    page = open_phone(open_page, "/saker/?q=sykehjemmet&sector=health-care", javascript=False)
    expect(page.locator(".filter-toggle")).to_be_hidden()
    expect(page.locator("#f-sector-health-care")).to_be_visible()  # its group is open
    expect(page.locator("#f-sector-health-care")).to_be_checked()
    # A chip is a link to the results without its filter.
    page.get_by_role("link", name="Fjern filter: Helse og omsorg").click()
    expect(page).to_have_url(re.compile(r"/saker/\?q=sykehjemmet$"))
    expect(page.locator("#f-sector-health-care")).not_to_be_checked()


def test_filter_panel_by_keyboard(open_page, demo):
    page = open_phone(open_page, "/saker/?q=sykehjemmet")
    toggle = page.locator("#results .filter-toggle")
    panel = page.locator("#filters-dialog")

    # Open: focus moves into the panel; Escape closes it and focus is back on the button.
    tab_to(page, "#results .filter-toggle")
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#filters-dialog .filters-close")).to_be_focused()
    assert page.evaluate(FOCUS_IN_PANEL)
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # Again with Space; choose a filter inside the panel by keyboard.
    page.keyboard.press("Space")
    expect(panel).to_be_visible()
    tab_to(page, "details.facet[data-facet=sector] > summary")
    assert page.evaluate(FOCUS_IN_PANEL)
    page.keyboard.press("Enter")
    tab_to(page, "#f-sector-health-care")
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"sector=health-care"))
    # The new number is said from inside the panel (the page behind a modal is inert) and
    # shown on its button; the box keeps focus.
    expect(page.locator("#filters-dialog-status")).to_have_text("3 innovasjoner funnet")
    expect(page.locator("#filters-dialog .filters-done")).to_have_text("Vis 3 innovasjoner")
    expect(page.locator("#chosen-sector")).to_have_text("1 valgt")
    expect(page.locator("#f-sector-health-care")).to_be_focused()
    # Tab does not leave the panel for the page behind it.
    tab_to(page, "#filters-dialog .filters-done")
    assert page.evaluate(FOCUS_IN_PANEL)
    page.keyboard.press("Enter")
    expect(panel).to_be_hidden()
    toggle = page.locator("#results .filter-toggle")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_accessible_name("Filtrer (1)")
    expect(page.locator("#results .ds-chip")).to_have_count(2)
    # Back home beside the results, the filters are hidden again on a phone.
    expect(page.locator("#filters")).to_be_hidden()
    assert page.evaluate("document.getElementById('filters').nextElementSibling.id") == "results"


def test_a_chip_removes_one_filter_and_the_status_says_the_count(open_page, demo):
    page = open_page(lang="nb")
    page.goto("/saker/?q=sykehjemmet&sector=health-care&region=oslo-viken")
    heading = page.locator("#results-heading")
    expect(page.locator("#results .ds-chip")).to_have_count(3)
    chip = page.get_by_role("link", name="Fjern filter: Helse og omsorg")
    chip.focus()
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"sector="))
    assert query(page) == {"q": ["sykehjemmet"], "region": ["oslo-viken"]}
    expect(page.locator("#f-sector-health-care")).not_to_be_checked()
    expect(page.locator("#f-region-oslo-viken")).to_be_checked()
    expect(page.locator("#results .ds-chip")).to_have_count(2)
    # Focus goes to the chip that took its place, not back to the top of the page.
    expect(page.get_by_role("link", name="Fjern filter: Oslo og Viken")).to_be_focused()
    status = page.locator("#search-status")
    expect(status).to_have_text(re.compile(r"^\d+ innovasjoner? funnet$"))
    expect(status).to_have_text(heading.inner_text())

    # The last chip in the list gone, focus goes to the one before it.
    page.get_by_role("link", name="Fjern filter: Oslo og Viken").press("Enter")
    expect(page).not_to_have_url(re.compile(r"region="))
    assert query(page) == {"q": ["sykehjemmet"]}
    expect(page.locator("#f-region-oslo-viken")).not_to_be_checked()
    expect(page.get_by_role("link", name="Fjern søkeordene: “sykehjemmet”")).to_be_focused()


def test_remove_all_filters_with_javascript(open_page, demo):
    page = open_page(lang="nb")
    page.goto("/saker/?q=sykehjemmet&sector=health-care&region=oslo-viken&ordering=title")
    page.locator("#results").get_by_role("link", name="Fjern alle filtre").click()
    expect(page).not_to_have_url(re.compile(r"sector="))
    assert query(page) == {"q": ["sykehjemmet"], "ordering": ["title"]}
    expect(page.locator("#filters input[type=checkbox]:checked")).to_have_count(0)
    expect(page.locator("#results .ds-chip")).to_have_count(1)
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#search-status")).to_have_text(
        page.locator("#results-heading").inner_text()
    )


def test_folded_options_follow_the_counts(open_page, demo):
    """Options without results fold under "Vis N til" as the counts change in place."""
    page = open_page(lang="nb")
    page.goto("/saker/")
    sector = page.locator("details.facet[data-facet=sector]")
    sector.locator("> summary").click()
    # Wait until the group is open and its options drawn before counting them.
    expect(sector).to_have_attribute("open", "")
    expect(sector.locator(".facet-option").first).to_be_visible()
    shown_before = sector.locator(".facet-option:visible").count()
    page.locator("#id_q").fill("sykehjemmet")
    page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"q=sykehjemmet"))
    expect(page.locator("#search-status")).to_have_text("3 innovasjoner funnet")
    more = sector.locator(".facet-more")
    expect(more).to_be_visible()
    # Health and administration have results; the rest fold.
    expect(sector.locator(".facet-option:visible")).to_have_count(2)
    total = sector.locator(".facet-option").count()
    expect(more.locator("> summary")).to_have_text(f"Vis {total - 2} til uten treff")
    assert shown_before > 1
    more.locator("> summary").click()
    expect(sector.locator(".facet-option:visible")).to_have_count(total)


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_on_every_state_of_the_layout(open_page, demo, width):
    page = open_page(lang="nb", width=width, height=800)
    page.goto("/saker/?q=sykehjemmet&sector=health-care&region=oslo-viken")
    problems = axe_violations(page)
    if width == 375:
        page.locator("#results .filter-toggle").click()
        expect(page.locator("#filters-dialog")).to_be_visible()
        page.locator("details.facet[data-facet=origin] > summary").click()
        page.locator("details.facet[data-facet=sector] .facet-more > summary").click()
        problems += [f"panel open: {problem}" for problem in axe_violations(page)]
    else:
        page.locator("details.facet[data-facet=origin] > summary").click()
        page.locator("details.facet[data-facet=sector] .facet-more > summary").click()
        problems += [f"groups open: {problem}" for problem in axe_violations(page)]
    assert problems == []
