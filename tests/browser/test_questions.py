"""Asking the owner of a case: another municipality asks with the keyboard alone, the owner's
editor answers from My work, and the answer is on the case page; axe finds nothing in the
section or on the answer page, on a wide screen and on a phone."""

import pytest
from playwright.sync_api import expect

from cases.models import Question, User

from .checks import axe_violations, reflow_problems, tab_to

pytestmark = pytest.mark.browser

CASE = "/saker/mobil-rontgen/"
ASKED = "Hvilke sykehjem startet dere med, og hvorfor de?"
ANSWER = "De tre største, fordi de sendte flest beboere til legevakta."


@pytest.mark.parametrize("width", [1280, 375])
def test_another_municipality_asks_and_the_owner_answers(open_page, demo, width):
    asker = User.objects.get(email="voss@demo.no")
    page = open_page(lang="nb", user=asker, width=width)
    page.goto(CASE)
    tab_to(page, "a[href='#spor-eieren']")
    page.keyboard.press("Enter")
    tab_to(page, "#id_question-text")
    page.keyboard.type(ASKED)
    tab_to(page, "#spor-eieren button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_be_visible()
    question = Question.objects.get(text=ASKED)
    waiting = page.locator(f"#sporsmal-{question.pk}")
    expect(waiting).to_contain_text("venter på svar")
    assert axe_violations(page, within="#sporsmal") == []

    owner = open_page(lang="nb", user=User.objects.get(email="ansatt@demo.no"), width=width)
    owner.goto("/mitt-arbeid/")
    section = owner.locator("section:has(#questions-heading)")
    expect(section).to_contain_text(ASKED)
    section.locator(f"a[href*='/sporsmal/{question.pk}/svar/']").click()
    expect(owner.locator("h1")).to_have_text("Svar på et spørsmål")
    assert axe_violations(owner) == []
    assert reflow_problems(owner) == []
    owner.locator("#id_answer").fill(ANSWER)
    owner.get_by_role("button", name="Publiser svaret").click()
    expect(owner).to_have_url(f"{owner.url.split('/mitt-arbeid/')[0]}/mitt-arbeid/")
    expect(owner.locator("section:has(#questions-heading)")).not_to_contain_text(ASKED)

    visitor = open_page(lang="nb", width=width, shared=True)
    visitor.goto(CASE)
    answered = visitor.locator(f"#sporsmal-{question.pk}")
    expect(answered).to_contain_text(ASKED)
    expect(answered).to_contain_text(ANSWER)
    expect(answered).to_contain_text("Voss")
    assert axe_violations(visitor, within="#sporsmal") == []
    assert reflow_problems(visitor) == []
