"""A case from first words to an answered question, by every role in turn, on a wide screen and
on a phone, without typing an address: the employee writes it with a file, leaves, finds the
draft again from the header and submits it; the moderator sends it back with a reason; the
employee reads the reason in the editor, fixes and submits again; the moderator sees what
changed and approves; another municipality records its reuse (nothing chosen for it) and asks
a question with the keyboard alone; the owner answers from My work; everyone sees the answer."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = None

from cases.models import Case, Question, User
from cases.vocabularies import CaseStatus
from demo import dataset as demo_data

from .checks import axe_violations, tab_to

pytestmark = pytest.mark.browser

TITLE = "Felles vikarpool for barnehagene"
REASON = "Skriv hva vikarpoolen koster i året."
COST = "Vikarpoolen koster om lag 300 000 kroner i året."
ASKED = "Hvor mange vikarer trengte dere for å komme i gang?"
ANSWER = "Fire faste vikarer holdt for ti barnehager."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def from_header(page, name: str) -> None:
    """Follow a member's link in the header: on a phone it sits in the folded menu."""
    menu = page.locator("header details.site-menu")
    if menu.is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()
    page.locator("header").get_by_role("link", name=name, exact=True).click()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_case_from_draft_to_an_answered_question(open_page, demo, mailoutbox, width):
    employee = open_page(lang="nb", user=User.objects.get(email="ansatt@demo.no"), width=width)
    moderator = open_page(
        lang="nb", user=User.objects.get(email=demo_data.MODERATOR_EMAIL), width=width
    )

    # The employee writes a case with a file, and leaves.
    employee.goto("/")
    from_header(employee, "Del en innovasjon")
    employee.locator("#id_title").fill(TITLE)
    employee.locator("#id_summary").fill(
        "Ti barnehager deler fire faste vikarer i stedet for å ringe rundt hver morgen."
    )
    employee.locator("#id_problem").fill("Styrerne brukte morgenen på å finne vikarer.")
    employee.locator("#id_solution").fill("En felles pool med faste vikarer og én vaktlist.")
    employee.locator("input[name=sectors][value=education]").check()
    employee.locator("input[name=innovation_types][value=process]").check()
    employee.locator("#id_stage").select_option("pilot")
    employee.locator("#id_attachment-file").set_input_files(
        files=[{"name": "evaluering.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    employee.locator("#id_attachment-title").fill("Evaluering etter et halvt år")
    employee.get_by_role("button", name="Last opp filen").click()
    expect(employee.get_by_role("link", name="Evaluering etter et halvt år")).to_be_visible()
    employee.goto("/")

    # ...finds the draft again from the header, and submits it.
    from_header(employee, "Mitt arbeid")
    employee.locator("main").get_by_role("link", name=TITLE).click()
    expect(employee.locator("#id_title")).to_have_value(TITLE)
    employee.get_by_role("button", name="Lagre og send til godkjenning").click()
    expect(employee.locator(".case-header .ds-tag")).to_have_text("Sendt inn")
    case = Case.objects.get(title=TITLE)
    assert case.status == CaseStatus.SUBMITTED

    # The moderator sends it back with a reason.
    moderator.goto("/")
    from_header(moderator, "Moderering")
    moderator.get_by_role("link", name=TITLE).click()
    moderator.get_by_label("Begrunnelse").fill(REASON)
    moderator.get_by_role("button", name="Send tilbake med denne begrunnelsen").click()
    expect(moderator.get_by_role("link", name=TITLE)).to_have_count(0)

    # The employee finds it on My work with the reason, and the reason again in the editor.
    from_header(employee, "Mitt arbeid")
    expect(employee.locator("main")).to_contain_text(REASON)
    employee.locator("main").get_by_role(
        "link", name=re.compile(f"^Rett og send inn igjen.*{TITLE}")
    ).click()
    expect(employee.locator("main")).to_contain_text(REASON)
    employee.locator("#id_reuse_guide").fill(COST)
    employee.get_by_role("button", name="Lagre og send til godkjenning").click()
    expect(employee.locator(".case-header .ds-tag")).to_have_text("Sendt inn")

    # The moderator sees everything, with what changed since it was sent back, and approves.
    from_header(moderator, "Moderering")
    moderator.get_by_role("link", name=TITLE).click()
    expect(moderator.locator(".review-fields")).to_contain_text("Evaluering etter et halvt år")
    expect(moderator.locator("main .ds-alert")).to_contain_text(REASON)
    changed = moderator.locator("#field-reuse_guide").locator("xpath=..")
    expect(changed).to_contain_text("Endret")
    expect(moderator.locator(".review-fields ins")).to_contain_text(["300 000 kroner"])
    assert axe_violations(moderator) == []
    moderator.get_by_role("button", name="Godkjenn og publiser").click()
    expect(moderator.get_by_role("link", name=TITLE)).to_have_count(0)
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED

    # Another municipality records its reuse with the keyboard: nothing is chosen for it.
    voss = open_page(lang="nb", user=User.objects.get(email="voss@demo.no"), width=width)
    voss.goto("/saker/?q=vikarpool")
    voss.get_by_role("link", name=TITLE).click()
    tab_to(voss, f"a[href='/saker/{case.slug}/gjenbruk/']")
    voss.keyboard.press("Enter")
    expect(voss.get_by_role("heading", level=1)).to_have_text("Vi har gjenbrukt denne")
    expect(voss.locator("input[name=mode]:checked")).to_have_count(0)
    expect(voss.locator("#id_channel")).to_have_value("")
    expect(voss.locator("#id_status")).to_have_value("")
    assert axe_violations(voss) == []
    tab_to(voss, "input[name=mode][value=adapted]")
    voss.keyboard.press("Space")
    tab_to(voss, "#id_channel")
    voss.keyboard.press("ArrowDown")
    tab_to(voss, "#id_status")
    voss.keyboard.press("ArrowDown")
    tab_to(voss, "main form button[type=submit]")
    voss.keyboard.press("Enter")
    expect(voss.get_by_role("heading", level=1)).to_have_text(TITLE)
    reused_by = voss.locator("section[aria-labelledby=reused-heading] table")
    expect(reused_by.get_by_role("link", name="Voss", exact=True)).to_be_visible()

    # ...and asks the owner a question, with the keyboard.
    tab_to(voss, "a[href='#spor-eieren']")
    voss.keyboard.press("Enter")
    tab_to(voss, "#id_question-text")
    voss.keyboard.type(ASKED)
    tab_to(voss, "#spor-eieren button[type=submit]")
    voss.keyboard.press("Enter")
    waiting = voss.locator("#sporsmal .question--waiting", has_text=ASKED)
    expect(waiting).to_contain_text("venter på svar")
    question = Question.objects.get(text=ASKED)

    # The owner answers from My work.
    from_header(employee, "Mitt arbeid")
    section = employee.locator("section:has(#questions-heading)")
    expect(section).to_contain_text(ASKED)
    section.locator(f"a[href*='/sporsmal/{question.pk}/svar/']").click()
    employee.locator("#id_answer").fill(ANSWER)
    employee.get_by_role("button", name="Publiser svaret").click()
    expect(employee.get_by_role("heading", level=1)).to_have_text("Mitt arbeid")

    # Anyone reads the answer on the case page; the asker was told.
    visitor = open_page(lang="nb", width=width, shared=True)
    visitor.goto(f"/saker/{case.slug}/")
    answered = visitor.locator(f"#sporsmal-{question.pk}")
    expect(answered).to_contain_text(ANSWER)
    expect(answered).to_contain_text("Voss")
    told = [
        m for m in mailoutbox if "voss@demo.no" in m.to and f"#sporsmal-{question.pk}" in m.body
    ]
    assert told, "the asker was not told of the answer"
