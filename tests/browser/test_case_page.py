"""The case page as a leader reads it: the text at a readable measure, the key facts beside it
on a wide screen and under the summary on a phone, the actions in a row of large enough
targets, no accessibility problem at either width; and the editor's contact person filled in
from the list of members."""

import pytest

from .checks import axe_violations
from .site_pages import EMPLOYEE, OUTSIDER, PageType

pytestmark = pytest.mark.browser

REUSED = PageType("case", "/saker/mobil-rontgen/")
UNREUSED = PageType("case-unreused", "/saker/medisinrobot-vevelstad/")


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def test_the_text_keeps_a_readable_measure_beside_the_facts(visit):
    page = visit(REUSED, width=1280)
    # Characters a line: the paragraph's width in widths of "0" in its own font (CSS's ch).
    measure = page.evaluate(
        """() => {
            const p = document.querySelector('.case-main p');
            const zero = document.createElement('span');
            zero.textContent = '0'.repeat(100);
            zero.style.whiteSpace = 'pre';
            p.append(zero);
            const width = zero.getBoundingClientRect().width / 100;
            zero.remove();
            return p.getBoundingClientRect().width / width;
        }"""
    )
    assert 60 <= measure <= 80, measure
    facts, main, title = box(page, ".case-facts"), box(page, ".case-main"), box(page, "h1")
    assert facts["x"] >= main["x"] + main["width"]  # beside the text
    assert facts["y"] <= title["y"] + title["height"]  # at the top, by the title


def test_on_a_phone_the_facts_come_under_the_summary(visit):
    page = visit(REUSED, width=375, height=812)
    lead, facts, main = box(page, ".lead"), box(page, ".case-facts"), box(page, ".case-main")
    assert lead["y"] + lead["height"] <= facts["y"] < main["y"]
    assert facts["width"] <= 375


@pytest.mark.parametrize("width", [1280, 375])
def test_the_actions_are_large_targets_that_do_not_touch(visit, width):
    page = visit(REUSED, persona=OUTSIDER, width=width, height=812)
    buttons = page.locator(".case-cta .ds-button")
    assert buttons.count() == 2
    first, second = buttons.nth(0).bounding_box(), buttons.nth(1).bounding_box()
    assert first is not None
    assert second is not None
    for button in (first, second):
        assert button["height"] >= 44
    apart_sideways = second["x"] >= first["x"] + first["width"] + 8
    apart_below = second["y"] >= first["y"] + first["height"] + 8
    assert apart_sideways or apart_below


@pytest.mark.parametrize("page_type", [REUSED, UNREUSED], ids=str)
@pytest.mark.parametrize("width", [1280, 375])
def test_no_accessibility_problem_at_either_width(visit, page_type, width):
    page = visit(page_type, persona=OUTSIDER, width=width, height=812)
    assert axe_violations(page, within="main") == []


def test_choosing_a_member_fills_in_the_contact_person(visit):
    page = visit(PageType("case-edit", "/saker/mobil-rontgen/rediger/"), persona=EMPLOYEE)
    select = page.locator("select[name=contact_member]")
    option = select.locator("option[data-email]").first
    name, email = option.get_attribute("data-name"), option.get_attribute("data-email")
    select.select_option(value=option.get_attribute("value"))
    assert page.locator("input[name=contact_email]").input_value() == email
    assert page.locator("input[name=contact_name]").input_value() == (name or email)
    # The list is back at its first choice: the fields, not the list, say who is saved.
    assert select.input_value() == ""
