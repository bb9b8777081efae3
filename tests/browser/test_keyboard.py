"""Keyboard only: the controls do what they should with Tab, Enter, Space and the arrow keys.
(Every page's Tab order, focus indicator and the absence of traps are checked in
test_pages.py; here are the things a keyboard user does.)"""

import re

import pytest

try:
    from playwright.sync_api import FileChooser, expect
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = FileChooser = PlaywrightTimeoutError = None

from cases.models import Case, User
from cases.vocabularies import CaseStatus
from demo import dataset as demo_data

from .checks import tab_to

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_skip_link_moves_focus_to_the_main_content(open_page, demo):
    page = open_page(lang="nb")
    page.goto("/saker/mobil-rontgen/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til hovedinnholdet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is the first link in the main content, not the header's.
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_skip_link_to_the_search_results(open_page, demo):
    """On the search page a second skip link, right after the first, jumps past the search
    bar and the filters to the results; it still does after the results were updated in place."""
    page = open_page(lang="nb")
    page.goto("/saker/?q=sykehjemmet")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hopp til resultatene")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    box = skip.bounding_box()
    assert box["width"] > 10, box
    assert box["height"] > 10, box
    page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is the first result's link, not a filter.
    expect(results.locator("a").first).to_be_focused()

    page.locator("details.facet[data-facet=sector] > summary").click()
    page.locator("#f-sector-health-care").check()
    expect(page).to_have_url(re.compile(r"sector=health-care"))
    expect(page.locator("#search-status")).not_to_be_empty()
    skip.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()


def test_language_switch_by_keyboard(open_page, demo):
    page = open_page(lang="nb")
    page.goto("/")
    tab_to(page, "button[name=language][value=en]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    tab_to(page, "button[name=language][value=nb]")
    page.keyboard.press("Space")
    expect(page.locator("html")).to_have_attribute("lang", "nb")


def test_facet_filters_by_keyboard_with_javascript(open_page, demo):
    """Enter opens a filter group; Space on a facet updates the results in place (htmx); focus
    stays on the checkbox, so the next Tab goes on through the filters (here to the group's
    folded options without results)."""
    page = open_page(lang="nb")
    page.goto("/saker/?q=sykehjemmet")
    tab_to(page, "details.facet[data-facet=sector] > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#f-sector-health-care")
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"sector=health-care"))
    expect(page.locator("#f-sector-health-care")).to_be_checked()
    expect(page.locator("#f-sector-health-care")).to_be_focused()
    expect(page.locator("#search-status")).to_have_text("3 innovasjoner funnet")
    # The other sector with results, then the folded ones without.
    page.keyboard.press("Tab")
    expect(page.locator("#f-sector-administration")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("details.facet[data-facet=sector] .facet-more > summary")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#f-sector-health-care")).to_be_focused()
    page.keyboard.press("Space")
    expect(page).not_to_have_url(re.compile(r"sector="))


def test_facet_filters_by_keyboard_without_javascript(open_page, demo):
    page = open_page(lang="nb", javascript=False)
    page.goto("/saker/?q=sykehjemmet")
    tab_to(page, "details.facet[data-facet=sector] > summary")
    page.keyboard.press("Enter")
    tab_to(page, "#f-sector-health-care")
    page.keyboard.press("Space")
    tab_to(page, ".facets button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sector=health-care"))
    expect(page.locator("#f-sector-health-care")).to_be_checked()


def test_error_summary_takes_focus_and_links_to_the_fields(open_page, demo):
    page = open_page(lang="nb")
    page.goto("/registrer/")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".ds-error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".ds-error-summary a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_full_name")).to_be_focused()


def open_file_chooser_by_keyboard(page, selector: str) -> "FileChooser":
    """Space on the focused file input opens the chooser. On a loaded machine Chromium now and
    then lets the first press pass without one (the input keeps its focus): press it again,
    a few times at most, each time waiting for the chooser itself."""
    for _attempt in range(3):
        expect(page.locator(selector)).to_be_focused()
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press("Space")
        except PlaywrightTimeoutError:
            continue
        return chooser.value
    raise AssertionError(f"Space on {selector} opened no file chooser")


def test_writing_a_case_by_keyboard(open_page, demo):
    """The editor with the keyboard alone: text fields, checkboxes, a select, radio buttons,
    preview, save, a file upload and submit."""
    page = open_page(lang="nb", user=User.objects.get(email=demo_data.EMPLOYEE_EMAIL))
    page.goto("/saker/ny/")
    tab_to(page, "#id_title")
    page.keyboard.type("Tastaturvennlig skjema")
    page.keyboard.press("Tab")
    expect(page.locator("#id_summary")).to_be_focused()
    page.keyboard.type("Et skjema som kan fylles ut uten mus.")
    page.keyboard.press("Tab")  # the formatting help comes before the texts it is about
    expect(page.locator(".format-help summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_problem")).to_be_focused()
    page.keyboard.type("Mange bruker ikke mus.\n\n- **skjermleser**\n- tastatur")
    page.keyboard.press("Tab")  # Tab leaves a text area: it is no trap
    preview = page.get_by_role("button", name="Forhåndsvis denne teksten").first
    expect(preview).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_problem_preview strong")).to_have_text("skjermleser")
    page.keyboard.press("Tab")
    expect(page.locator("#id_solution")).to_be_focused()
    page.keyboard.type("Alt kan nås med Tab.")
    tab_to(page, "#id_sectors_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_innovation_types_0")
    page.keyboard.press("Space")
    tab_to(page, "#id_stage")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_stage").input_value() != ""
    # Partners: typed into the search field, ticked with the space bar, shown as a chip that
    # the keyboard removes again; never Ctrl-click.
    partner = page.locator("#id_partners input[type=checkbox]").first
    name = page.locator("#id_partners label").first.inner_text()
    tab_to(page, "#id_partners_search")
    page.keyboard.type(name)
    expect(page.locator("#id_partners_count")).to_contain_text("Viser 1 av")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == partner.get_attribute("id")
    page.keyboard.press("Space")
    assert partner.is_checked()
    chip = page.get_by_role("button", name=f"Fjern {name}")
    expect(chip).to_be_visible()
    chip.focus()
    page.keyboard.press("Enter")
    assert not partner.is_checked()
    assert page.evaluate("document.activeElement.id") == "id_partners_search"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert partner.is_checked()
    tab_to(page, "input[name=origin]")
    before = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowUp")
    after = page.evaluate("document.activeElement.value")
    assert after != before
    assert page.locator(f"input[name=origin][value='{after}']").is_checked()
    page.keyboard.press("ArrowDown")  # back to "don't know": no source needed

    tab_to(page, "button[name=preview]")
    page.keyboard.press("Enter")
    expect(page.locator("section.preview strong")).to_have_text("skjermleser")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tastaturvennlig skjema")
    # The saved case's page must have finished loading before its file picker can open.
    page.wait_for_load_state("load")

    tab_to(page, "#id_attachment-file")
    chooser = open_file_chooser_by_keyboard(page, "#id_attachment-file")
    chooser.set_files(files=[{"name": "notat.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    tab_to(page, "button[name=upload]")
    page.keyboard.press("Enter")
    expect(page.locator("#vedlegg").get_by_role("link", name="notat.pdf")).to_be_visible()

    tab_to(page, "button[name=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".case-header .ds-tag")).to_have_text("Sendt inn")
    assert Case.objects.get(title="Tastaturvennlig skjema").status == CaseStatus.SUBMITTED


def test_case_page_report_by_keyboard(open_page, demo):
    """A disclosure (details) opens with Enter, and its form works from the keyboard."""
    page = open_page(lang="nb", user=User.objects.get(email="voss@demo.no"))
    page.goto("/saker/mobil-rontgen/")
    report = "details:has(#report-reason)"
    tab_to(page, f"{report} > summary")
    page.keyboard.press("Enter")
    expect(page.locator(report)).to_have_attribute("open", "")
    # Designsystemet reveals the content with a transition; a person's next key press comes
    # after it has started.
    page.wait_for_function(
        "(s) => getComputedStyle(document.querySelector(s), '::details-content')"
        ".contentVisibility === 'visible'",
        arg=report,
    )
    page.keyboard.press("Tab")
    expect(page.locator("#report-reason")).to_be_focused()
    page.keyboard.type("Lenken til sykehuset virker ikke.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
