"""The site's main tasks, end to end in a real browser, as the people who do them would: by
reading the pages, following links and filling in forms in Norwegian. Only the email inbox is
looked at from the outside (the live server runs in this process, so Django's test outbox has
what it sent)."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = None

from cases.models import Attachment, Case, Organisation
from cases.vocabularies import CaseStatus
from demo import dataset as demo_data

from .conftest import url_path

pytestmark = pytest.mark.browser

PASSWORD = "et langt og trygt passord 2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def log_in(page, email: str, password: str = demo_data.PASSWORD) -> None:
    page.goto("/")
    page.get_by_role("link", name="Logg inn", exact=True).click()
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(password)
    page.locator("main").get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()


def emails_to(outbox, address: str):
    return [message for message in outbox if address in message.to]


def test_employee_registers_writes_and_submits_a_case(open_page, demo, mailoutbox):
    """1. An employee of Bergen kommune registers, follows the link in the email, writes a case
    in Markdown with an attachment, previews it and submits it."""
    page = open_page(lang="nb")
    page.goto("/")
    page.get_by_role("link", name="Registrer deg").click()
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-postadresse").fill("kari.nordmann@bergen.kommune.no")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Registrer deg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sjekk e-posten din")

    (email,) = emails_to(mailoutbox, "kari.nordmann@bergen.kommune.no")
    page.goto(url_path(email.body, "/bekreft-epost/"))
    page.get_by_role("button", name="Bekreft e-postadressen min").click()
    expect(page).to_have_url(re.compile(r"/logg-inn/$"))
    page.get_by_label("E-postadresse").fill("kari.nordmann@bergen.kommune.no")
    page.get_by_label("Passord").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Logg inn").click()
    # The address's domain made her a member of Bergen kommune: she can write its cases.
    expect(page.get_by_role("link", name="Kari Nordmann")).to_be_visible()
    # She lands on My work, where her drafts will be.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt arbeid")

    page.locator("main").get_by_role("link", name="Del en innovasjon").click()
    expect(page.locator("#id_organisation")).to_have_value(
        str(Organisation.objects.get(slug="bergen").pk)
    )
    page.locator("#id_title").fill("Digitalt nattilsyn i omsorgsboliger")
    page.locator("#id_summary").fill(
        "Sensorer varsler nattevakten når en beboer trenger hjelp, i stedet for faste runder."
    )
    page.locator("#id_problem").fill(
        "Nattevakten måtte **gå runder** hver time.\n\n- beboerne ble vekket\n- lite tid til dem"
        " som trengte hjelp"
    )
    page.locator("#id_solution").fill("Vi tok i bruk *digitalt tilsyn* med sensorer i rommene.")
    page.get_by_role("checkbox", name="Helse og omsorg", exact=True).check()
    page.get_by_role("checkbox", name="Tjeneste", exact=True).check()
    page.locator("#id_stage").select_option("pilot")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Digitalt nattilsyn")

    page.locator("#id_attachment-file").set_input_files(
        files=[{"name": "evaluering.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#id_attachment-title").fill("Evalueringsrapport")
    page.get_by_role("button", name="Last opp filen").click()
    expect(page.locator("#vedlegg").get_by_role("link", name="Evalueringsrapport")).to_be_visible()

    page.get_by_role("button", name="Forhåndsvis", exact=True).click()
    preview = page.locator("section.preview")
    expect(preview.locator("strong")).to_have_text("gå runder")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("em")).to_have_text("digitalt tilsyn")

    page.get_by_role("button", name="Lagre og send til godkjenning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitalt nattilsyn i omsorgsboliger")
    expect(page.locator(".case-header .ds-tag")).to_have_text("Sendt inn")
    case = Case.objects.get(title="Digitalt nattilsyn i omsorgsboliger")
    assert case.status == CaseStatus.SUBMITTED
    assert Attachment.objects.filter(case=case, title="Evalueringsrapport").exists()
    assert emails_to(mailoutbox, demo_data.MODERATOR_EMAIL), "the moderators were not told"


def test_moderator_sends_back_and_approves(open_page, demo, mailoutbox):
    """2. A moderator finds the submitted case in the queue and sends it back with a reason; the
    author fixes and resubmits it; the moderator approves it; it is public."""
    title = "Chatbot for innbyggerspørsmål"  # submitted by Ålesund in the demo
    moderator = open_page(lang="nb")
    log_in(moderator, demo_data.MODERATOR_EMAIL)
    moderator.get_by_role("link", name="Moderering").click()
    moderator.get_by_role("link", name=title).click()
    moderator.get_by_label("Begrunnelse").fill("Skriv hva chatboten koster i året.")
    moderator.get_by_role("button", name="Send tilbake med denne begrunnelsen").click()
    expect(moderator.get_by_role("link", name=title)).to_have_count(0)

    author_email = "alesund@demo.no"
    (email,) = [m for m in emails_to(mailoutbox, author_email) if "koster" in m.body]
    author = open_page(lang="nb")
    log_in(author, author_email)
    # The email gives the reason and links straight to the editor.
    author.goto(url_path(email.body, "/saker/"))
    expect(author.locator("main")).to_contain_text("Sendt tilbake for endringer")
    author.locator("#id_reuse_guide").fill("Lisensen koster om lag 120 000 kroner i året.")
    author.get_by_role("button", name="Lagre og send til godkjenning").click()
    expect(author.locator(".case-header .ds-tag")).to_have_text("Sendt inn")

    moderator.get_by_role("link", name="Moderering").click()
    moderator.get_by_role("link", name=title).click()
    expect(moderator.locator(".review-fields")).to_contain_text("120 000 kroner")
    moderator.get_by_role("button", name="Godkjenn og publiser").click()
    expect(moderator.get_by_role("link", name=title)).to_have_count(0)

    public = open_page(lang="nb")
    public.goto("/saker/?q=chatbot")
    public.get_by_role("link", name=title).click()
    expect(public.get_by_role("heading", level=1)).to_have_text(title)
    expect(public.locator(".case-header .ds-tag")).to_have_count(0)  # no status: published
    expect(public.locator(".case-main")).to_contain_text("120 000 kroner")


def _search_and_narrow(page, *, javascript: bool) -> None:
    """Search with a definite form ("hjemmetjenesten") and narrow by sector and region."""
    results = page.locator("#results")
    expect(
        results.get_by_role("link", name="Multidoserobot i spredtbygd hjemmetjeneste")
    ).to_be_visible()
    expect(
        results.get_by_role("link", name="Medisinrobot for multidose i hjemmetjenesten")
    ).to_be_visible()
    for group, box, query in (
        ("sector", "#f-sector-health-care", "sector=health-care"),
        ("region", "#f-region-trondelag", "region=trondelag"),
    ):
        # The filter groups are folded until opened.
        page.locator(f"details.facet[data-facet={group}] > summary").click()
        page.locator(box).check()
        if not javascript:
            page.get_by_role("button", name="Oppdater resultatene").click()
        expect(page).to_have_url(re.compile(query))
        expect(page.locator(box)).to_be_checked()
    expect(
        results.get_by_role("link", name="Multidoserobot i spredtbygd hjemmetjeneste")
    ).to_be_visible()
    expect(
        results.get_by_role("link", name="Medisinrobot for multidose i hjemmetjenesten")
    ).to_have_count(0)


def test_leader_searches_narrows_and_follows_the_lineage(open_page, demo):
    """3. A leader searches with a Norwegian word form, narrows with facets (with JavaScript, and
    again without), opens a case and follows its lineage."""
    page = open_page(lang="nb")
    page.goto("/")
    page.get_by_label("Søk blant innovasjonene").fill("hjemmetjenesten")
    page.get_by_label("Søk blant innovasjonene").press("Enter")
    expect(page).to_have_url(re.compile(r"/saker/\?q=hjemmetjenesten"))
    _search_and_narrow(page, javascript=True)
    # htmx swapped the results in place: the count was announced in the live region.
    expect(page.locator("#search-status")).not_to_be_empty()

    plain = open_page(lang="nb", javascript=False)
    plain.goto("/saker/?q=hjemmetjenesten")
    _search_and_narrow(plain, javascript=False)

    page.locator("#results").get_by_role(
        "link", name="Multidoserobot i spredtbygd hjemmetjeneste"
    ).click()
    lineage = page.locator("section[aria-labelledby=lineage-heading]")
    expect(
        lineage.get_by_role("heading", name="Hvor ideen kom fra, og hvor den gikk")
    ).to_be_visible()
    # The family in words first; the whole tree under a fold.
    lineage.get_by_text("Hele slektstreet, generasjon for generasjon").click()
    expect(lineage.locator("[aria-current=page]")).to_have_text(
        "Multidoserobot i spredtbygd hjemmetjeneste"
    )
    lineage.get_by_role("link", name="Medisinrobot i hjemmetjenesten i Vevelstad").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Medisinrobot i hjemmetjenesten i Vevelstad"
    )
    lineage = page.locator("section[aria-labelledby=lineage-heading]")
    lineage.get_by_text("Hele slektstreet, generasjon for generasjon").click()
    expect(lineage.locator("[aria-current=page]")).to_have_text(
        "Medisinrobot i hjemmetjenesten i Vevelstad"
    )
    lineage.get_by_role("link", name="Medisinrobot for multidose i hjemmetjenesten").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Medisinrobot for multidose i hjemmetjenesten"
    )


def _recorded_reuses(page) -> int:
    page.goto("/statistikk/")
    figure = page.locator("section[aria-labelledby=headline-heading] .figure").nth(1)
    return int(figure.locator(".figure__number").inner_text().replace("\xa0", "").replace(" ", ""))


def test_another_municipality_records_reuse(open_page, demo, settings):
    """4. An employee of another municipality records that it reused a case; the case page, the
    organisation pages and the statistics show it."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("stats-dashboard")
        has_statistics = True
    except NoReverseMatch:
        has_statistics = False
    visitor = open_page(lang="nb")
    before = _recorded_reuses(visitor) if has_statistics else None

    page = open_page(lang="nb")
    log_in(page, "utsira@demo.no")
    page.goto("/saker/?q=tidlig+innsats")
    title = "Tidlig innsats – fra bekymring til tiltak på fire uker"
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Vi har gjenbrukt denne").click()
    page.get_by_role("radio", name="Tilpasset").check()
    page.locator("#id_channel").select_option("network")
    page.locator("#id_status").select_option("in-use")
    page.locator("#id_adopted_on").fill("2026-03-02")
    page.locator("#id_note").fill("Vi brukte sjekklisten, men med helsesykepleier som koordinator.")
    page.get_by_role("button", name="Registrer gjenbruk").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    reused_by = page.locator("section[aria-labelledby=reused-heading] table")
    expect(reused_by.get_by_role("link", name="Utsira", exact=True)).to_be_visible()

    page.goto("/organisasjoner/utsira/")
    reused = page.locator("section[aria-labelledby=reused-heading]")
    expect(reused.get_by_role("link", name=title)).to_be_visible()
    page.goto("/organisasjoner/bodo/")
    reusers = page.locator("section[aria-labelledby=reusers-heading]")
    expect(reusers.get_by_role("link", name="Utsira", exact=True)).to_be_visible()

    if not has_statistics:
        pytest.skip("The statistics page (URL 'stats-dashboard') is not built yet.")
    # A write never makes a visitor wait for the figures: the first visits after it are served
    # the previous ones while they are brought up to date, so look again until they are.
    for _ in range(5):
        if _recorded_reuses(visitor) == before + 1:
            break
    assert _recorded_reuses(visitor) == before + 1


def test_language_switch_shows_the_same_pages_in_english_and_back(open_page, demo):
    """5. The language switch shows the same page in English, and back in Norwegian."""
    page = open_page(lang="nb")
    page.goto("/saker/mobil-rontgen/")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", name="Problemet")).to_be_visible()
    expect(page.get_by_role("button", name="Norsk (bokmål)")).to_have_attribute(
        "aria-current", "true"
    )

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/saker/mobil-rontgen/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="The problem")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")

    page.get_by_role("link", name="Innovasjonsdeling").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share innovation, reuse what works")
    page.get_by_role("button", name="Norsk (bokmål)").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Del innovasjon, gjenbruk det som virker"
    )


def test_accessibility_statement_is_found_from_the_footer(open_page, demo):
    """Every page links to the accessibility statement, which says what it must: the standard,
    the status, how to give feedback and where to complain."""
    page = open_page(lang="nb")
    page.goto("/saker/")
    page.locator("footer").get_by_role("link", name="Tilgjengelighetserklæring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgjengelighetserklæring")
    main = page.locator("main")
    expect(main).to_contain_text("WCAG 2.1")
    expect(main).to_contain_text("delvis i samsvar")
    expect(main.get_by_role("heading", name="Si fra om feil og mangler")).to_be_visible()
    expect(
        main.get_by_role("link", name="Tilsynet for universell utforming av IKT")
    ).to_have_attribute("href", "https://www.uutilsynet.no/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    expect(page.locator("main")).to_contain_text("partially compliant")
