"""The statistics tables as files: CSV as before, CSV for Norwegian spreadsheets (semicolon,
decimal comma, UTF-8 with a byte order mark) and an Excel workbook (a sheet per table and a
sheet that explains the columns), with file names in the interface language and no cell that
a spreadsheet would run as a formula."""

import csv
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cases.statistics.caching import diffusion
from cases.statistics.downloads import SHORT_NAMES
from cases.statistics.tables import build_tables
from tests import test_csv_downloads
from tests.factories import CaseFactory, CountyFactory, MunicipalityFactory
from tests.test_csv_downloads import HOSTILE_NAMES, could_run

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def make_world(cases: int = 12) -> None:
    """Published cases of one owner: origins first, adapted, copied in turn, every other case
    reused once, so that the shares have a base of at least 10 and decimals to write."""
    county = CountyFactory(name="Vestland")
    owner = MunicipalityFactory(parent=county, name="Bergen")
    origins = ["first", "adapted", "adapted", "copied", "adapted", "copied"]
    for number in range(cases):
        CaseFactory(
            organisation=owner,
            published=True,
            origin=origins[number % len(origins)],
            sectors=["health-care"],
            adopters=[MunicipalityFactory(parent=county)] if number % 2 == 0 else [],
        )


# Owners and a county whose names are formulas (tests/test_csv_downloads.py).
hostile_world = test_csv_downloads.hostile_world


@pytest.fixture
def world(db):
    make_world()


def language(client, code: str):
    client.cookies.load({"django_language": code})
    return client


def read_csv(response, delimiter: str) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(
        csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    )


def read_xlsx(response) -> openpyxl.Workbook:
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_norwegian_csv_has_semicolons_decimal_commas_and_the_same_figures(client, world):
    slugs = build_tables(diffusion(filters={}))
    decimals = 0
    for slug in slugs:
        standard = read_csv(client.get(f"/statistikk/{slug}.csv"), ",")
        response = client.get(f"/statistikk/semikolon/{slug}.csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert b";" in response.content.splitlines()[0]
        norwegian = read_csv(response, ";")
        assert [len(row) for row in norwegian] == [len(row) for row in standard], slug
        for row, expected in zip(norwegian, standard, strict=True):
            for cell, value in zip(row, expected, strict=True):
                if "." in value and is_number(value):
                    # 16.7 in the one is 16,7 in the other, and reads back as the same number.
                    assert cell == value.replace(".", ",")
                    assert float(cell.replace(",", ".")) == float(value)
                    decimals += 1
                else:
                    assert cell == value
    assert decimals > 20


def test_the_norwegian_csv_parses_as_numbers(client, world):
    rows = read_csv(language(client, "nb").get("/statistikk/semikolon/origin.csv"), ";")
    assert rows[0][:4] == ["Kode", "Opphav", "Innovasjoner", "Andel av alle innovasjoner (prosent)"]
    body = {row[0]: row for row in rows[1:]}
    # 2 of 12 cases were the first of their kind: 16,7 %.
    assert body["first"][2:7] == ["2", "16,7", "2", "12", "0"]
    assert float(body["first"][3].replace(",", ".")) == pytest.approx(100 * 2 / 12, abs=0.05)
    assert body["adapted"][3] == "50,0"


def test_the_workbook_has_a_sheet_per_table_and_one_that_explains_the_columns(client, world):
    response = language(client, "nb").get("/statistikk/tabeller.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="statistikk.xlsx"'
    book = read_xlsx(response)
    tables = build_tables(diffusion(filters={}))
    assert len(book.sheetnames) == len(tables) + 1
    assert book.sheetnames[-1] == "Kolonner"
    assert "Opphav" in book.sheetnames
    assert "Sektor" in book.sheetnames
    assert all(len(name) <= 31 for name in book.sheetnames)
    # Every table's CSV is in its sheet, numbers as numbers.
    for sheet, slug in zip(book.worksheets, tables, strict=False):
        standard = read_csv(client.get(f"/statistikk/{slug}.csv"), ",")
        values = [
            ["" if value is None else value for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        assert len(values) == len(standard), slug
        for row, expected in zip(values, standard, strict=True):
            for value, text in zip(row, expected, strict=True):
                if isinstance(value, int | float):
                    assert float(text) == pytest.approx(value), slug
                else:
                    assert value == text, slug
    origin = book["Opphav"]
    assert origin["A1"].value == "Kode"
    assert origin["A1"].font.bold
    first = {row[0]: row for row in origin.iter_rows(min_row=2, values_only=True)}["first"]
    assert first[2:7] == (2, 16.7, 2, 12, 0)
    # The column sheet: every column of every sheet, with what it means.
    explained = list(book["Kolonner"].iter_rows(values_only=True))
    assert explained[0] == ("Ark", "Tabell", "Kolonne", "Betydning")
    described = {(row[0], row[2]) for row in explained[1:] if row[2]}
    for sheet in book.worksheets[:-1]:
        for cell in sheet[1]:
            assert (sheet.title, cell.value) in described
    assert all(row[3] for row in explained[1:])


def test_one_table_as_a_workbook(client, world):
    response = language(client, "en").get("/statistikk/excel/breakdown-size-class.xlsx")
    assert response["Content-Disposition"] == (
        'attachment; filename="statistics-municipality-size.xlsx"'
    )
    book = read_xlsx(response)
    assert book.sheetnames == ["Municipality size", "Columns"]


def test_file_names_are_in_the_interface_language(client, world):
    expected = {
        "nb": {
            "/statistikk/origin.csv": 'attachment; filename="statistikk-opphav.csv"',
            "/statistikk/semikolon/breakdown-sector.csv": (
                'attachment; filename="statistikk-sektor-semikolon.csv"'
            ),
            "/statistikk/excel/origin.xlsx": 'attachment; filename="statistikk-opphav.xlsx"',
            # Non-ASCII names as RFC 6266 says.
            "/statistikk/breakdown-size-class.csv": (
                "attachment; filename*=utf-8''statistikk-kommunest%C3%B8rrelse.csv"
            ),
        },
        "en": {
            "/statistikk/origin.csv": 'attachment; filename="statistics-origin.csv"',
            "/statistikk/semikolon/breakdown-sector.csv": (
                'attachment; filename="statistics-sector-semicolon.csv"'
            ),
            "/statistikk/tabeller.xlsx": 'attachment; filename="statistics.xlsx"',
            "/statistikk/breakdown-size-class.csv": (
                'attachment; filename="statistics-municipality-size.csv"'
            ),
        },
    }
    for code, names in expected.items():
        language(client, code)
        for url, disposition in names.items():
            assert client.get(url)["Content-Disposition"] == disposition, (code, url)


def test_every_table_has_a_short_name(world):
    assert set(build_tables(diffusion(filters={}))) <= set(SHORT_NAMES)


def test_formulas_are_escaped_in_the_norwegian_csv_and_the_workbook(client, hostile_world):
    slugs = sorted(build_tables(diffusion(filters={})))
    seen: set[str] = set()
    for slug in slugs:
        cells = [
            cell
            for row in read_csv(client.get(f"/statistikk/semikolon/{slug}.csv"), ";")
            for cell in row
        ]
        seen.update(cells)
        dangerous = [
            cell for cell in cells if could_run(cell) and not is_number(cell.replace(",", "."))
        ]
        assert dangerous == [], slug
    for name in HOSTILE_NAMES:
        assert "'" + name in seen
    book = read_xlsx(client.get("/statistikk/tabeller.xlsx"))
    texts = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert [text for text in texts if could_run(text)] == []
    # openpyxl reads a formula cell as data type "f": none is.
    assert all(
        cell.data_type != "f"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )
    for name in HOSTILE_NAMES:
        # XML reads a carriage return back as a line feed; the control characters an xlsx
        # file cannot hold are dropped, the quote stays.
        assert "'" + ILLEGAL_CHARACTERS_RE.sub("", name).replace("\r", "\n") in texts
    assert "'=cmd|' /C calc'!A0" in texts


def test_downloads_follow_the_filters_and_refuse_what_they_do_not_understand(client, world):
    book = read_xlsx(client.get("/statistikk/excel/origin.xlsx", {"sector": "education"}))
    counts = [row[2] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert counts == [0, 0, 0, 0]
    for url in ("/statistikk/tabeller.xlsx", "/statistikk/semikolon/origin.csv"):
        response = language(client, "en").get(url, {"size_class": "enorm"})
        assert response.status_code == 400
        assert "size_class" in response.content.decode()
    assert client.get("/statistikk/excel/saker.xlsx").status_code == 404
    assert client.get("/statistikk/semikolon/saker.csv").status_code == 404


def test_every_table_on_the_method_page_links_to_its_downloads(client, world):
    html = (
        language(client, "nb")
        .get("/statistikk/metode/", {"sector": "health-care"})
        .content.decode()
    )
    for slug in build_tables(diffusion(filters={})):
        for url in (
            f"/statistikk/{slug}.csv?sector=health-care",
            f"/statistikk/semikolon/{slug}.csv?sector=health-care",
            f"/statistikk/excel/{slug}.xlsx?sector=health-care",
        ):
            assert f'href="{url}"' in html, url
    assert 'href="/statistikk/tabeller.xlsx?sector=health-care"' in html
    assert "CSV for norske regneark (semikolon, desimalkomma)" in html


def test_the_bass_table_downloads_its_intervals_in_two_columns(client, world):
    rows = read_csv(language(client, "en").get("/statistikk/bass.csv"), ",")
    header = rows[0]
    assert "Innovation coefficient p (per year)" in header
    low = header.index("p, 95 % interval (low)")
    assert header[low + 1] == "p, 95 % interval (high)"
    assert "Identifiable" in header
    # Too few data to fit: no estimate, no interval.
    assert rows[1][low : low + 2] == ["", ""]


def test_the_workbook_of_all_tables_takes_as_many_queries_with_more_data(client, db):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/statistikk/tabeller.xlsx").status_code == 200
        return len(captured)

    make_world(6)
    few = queries()
    make_world(24)
    assert queries() == few
