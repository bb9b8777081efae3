"""The case editor in a browser: a refused file, the error summary, the formatting preview and
the partner picker, and axe on the editor in those states at 1280 and 375 px."""

import struct
import zlib

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips the browser tests then, and says why
    expect = None

from cases.models import Attachment, User
from demo import dataset as demo_data

from .checks import axe_violations

pytestmark = pytest.mark.browser

EMPLOYEE = demo_data.EMPLOYEE_EMAIL
DRAFT = "/saker/ki-stotte-i-byggesaksbehandlingen/rediger/"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def employee_page(open_page, **options):
    return open_page(lang="nb", user=User.objects.get(email=EMPLOYEE), **options)


@pytest.mark.parametrize("width", [1280, 375])
def test_an_image_without_description_lands_beside_its_field_and_is_kept(open_page, demo, width):
    page = employee_page(open_page, width=width)
    page.goto(DRAFT)
    page.locator("#id_problem").fill("Det jeg skrev før jeg lastet opp")
    page.locator("#id_attachment-file").set_input_files(
        files=[{"name": "kart.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Last opp filen").click()

    # The address ends in #vedlegg, which names the files' error summary: focus and view are there.
    summary = page.locator("#vedlegg.ds-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert page.url.endswith("#vedlegg")
    expect(page.locator("#id_attachment-alt_text_error")).to_contain_text("Beskriv bildet")
    expect(page.locator("#attachment-held")).to_contain_text("kart.png")
    expect(page.locator("#id_problem")).to_have_value("Det jeg skrev før jeg lastet opp")
    assert axe_violations(page) == []

    # Only the description is missing: the file need not be chosen again.
    page.locator("#id_attachment-alt_text").fill("Kart over sonene")
    page.get_by_role("button", name="Last opp filen").click()
    expect(page.locator("#vedlegg").get_by_role("link", name="kart.png")).to_be_visible()
    expect(page.locator("#id_problem")).to_have_value("Det jeg skrev før jeg lastet opp")
    assert Attachment.objects.get().alt_text == "Kart over sonene"


def test_the_editor_error_summary_takes_focus_and_links_to_the_field(open_page, demo):
    page = employee_page(open_page)
    page.goto("/saker/ny/")
    page.locator("#id_summary").fill("Uten tittel")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#error-summary a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_title")).to_be_focused()
    expect(page.locator("#id_summary")).to_have_value("Uten tittel")


def test_the_formatting_preview_shows_the_text_as_the_case_page_will(open_page, demo):
    page = employee_page(open_page)
    page.goto(DRAFT)
    page.locator("#id_solution").fill("Vi brukte **sensorer**.\n\n<script>alert(1)</script>")
    page.locator("#id_solution").locator("xpath=following-sibling::button[1]").click()
    preview = page.locator("#id_solution_preview")
    expect(preview.locator("strong")).to_have_text("sensorer")
    assert preview.locator("script").count() == 0
    page.locator("summary", has_text="Slik formaterer du").click()
    expect(page.locator(".format-help table")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_partner_picker_filters_and_shows_chips(open_page, demo, width):
    page = employee_page(open_page, width=width)
    page.goto("/saker/ny/")
    boxes = page.locator("#id_partners input[type=checkbox]")
    total = boxes.count()
    name = page.locator("#id_partners label").nth(1).inner_text()
    page.locator("#id_partners_search").fill(name)
    expect(page.locator("#id_partners_count")).to_have_text(f"Viser 1 av {total} organisasjoner")
    page.locator("#id_partners_search").press("Enter")  # filters, never saves the form
    assert page.url.endswith("/saker/ny/")
    page.get_by_role("checkbox", name=name, exact=True).check()
    expect(page.get_by_role("button", name=f"Fjern {name}")).to_be_visible()
    assert axe_violations(page) == []
