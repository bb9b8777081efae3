"""The statistics tables as files for the tools people use.

- CSV as before (`standard`: comma, decimal point, UTF-8 with a byte order mark);
- CSV for Norwegian spreadsheets (`norwegian`: semicolon, decimal comma, UTF-8 with a byte
  order mark), which Excel set to Norwegian opens into columns with a double click;
- an Excel workbook (.xlsx): one sheet per table and a sheet that says what each column means.

A table's columns become the file's columns as `cells` lays them out: a share takes four
(percent, numerator, denominator and whether the share is withheld because its denominator is
small, see `figures.share`), a 95 % interval two (low, high), every other column one. Text that
could start a formula is escaped as `cases.spreadsheet.safe_cell` does, in CSV and xlsx alike.
File and sheet names are in the interface language.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .. import spreadsheet
from .figures import min_denominator
from .tables import Column, Table


@dataclass(frozen=True)
class Dialect:
    key: str
    delimiter: str
    decimal: str


STANDARD = Dialect("standard", ",", ".")
NORWEGIAN = Dialect("norwegian", ";", ",")
DIALECTS = {dialect.key: dialect for dialect in (STANDARD, NORWEGIAN)}

# The tables' short names, for file and sheet names (at most 31 characters, Excel's limit).
SHORT_NAMES = {
    "comparison": gettext_lazy("surveys"),
    "origin": gettext_lazy("origin"),
    "adopters-per-case": gettext_lazy("adopters per case"),
    "spreaders": gettext_lazy("spreaders"),
    "channels": gettext_lazy("channels"),
    "spread-channels": gettext_lazy("spreading channels"),
    "adoption-modes": gettext_lazy("adoption modes"),
    "adoption-status": gettext_lazy("adoption status"),
    "breakdown-sector": gettext_lazy("sector"),
    "breakdown-innovation-type": gettext_lazy("innovation type"),
    "breakdown-workplace-type": gettext_lazy("workplace type"),
    "breakdown-employee-band": gettext_lazy("employees"),
    "breakdown-size-class": gettext_lazy("municipality size"),
    "breakdown-centrality-class": gettext_lazy("centrality"),
    "breakdown-region": gettext_lazy("region"),
    "breakdown-county": gettext_lazy("county"),
    "monthly": gettext_lazy("per month"),
    "time-to-first-adoption": gettext_lazy("time to first adoption"),
    "top-spreaders": gettext_lazy("top spreaders"),
    "bass": gettext_lazy("Bass model"),
    "bass-curve": gettext_lazy("Bass curve"),
}
SHEET_NAME_LENGTH = 31
# Characters Excel does not allow in a sheet's name.
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
BOLD = Font(bold=True)


def short_name(table: Table) -> str:
    return str(SHORT_NAMES.get(table.slug, table.slug))


def file_name(table: Table | None, extension: str, dialect: Dialect = STANDARD) -> str:
    """The download's file name in the interface language: "statistikk-sektor.csv",
    "statistics-sector.csv"; the Norwegian dialect adds "-semikolon"; the workbook of all
    tables is "statistikk.xlsx"."""
    parts = [_("statistics")]
    if table is not None:
        parts.append(short_name(table))
    if dialect is NORWEGIAN:
        parts.append(_("semicolon"))
    return "-".join(part.replace(" ", "-") for part in parts) + "." + extension


# ------------------------------------------------------------------------------------------
# Columns and cells
# ------------------------------------------------------------------------------------------


def headers(column: Column) -> list[str]:
    """A column's header cells (see `cells`)."""
    names = {"label": column.label}
    if column.kind == "share":
        return [
            _("%(label)s (percent)") % names,
            _("%(label)s (numerator)") % names,
            _("%(label)s (denominator)") % names,
            _("%(label)s (share not shown)") % names,
        ]
    if column.kind == "survey":
        return [_("%(label)s (percent)") % names]
    if column.kind == "interval":
        return [_("%(label)s (low)") % names, _("%(label)s (high)") % names]
    return [column.label]


def cells(column: Column, value) -> list:
    """A value's cells: numbers as numbers, text as text, empty where there is nothing."""
    if column.kind == "share":
        if not value:
            return ["", "", "", ""]
        if "numerator" not in value:  # a text cell in a share column (main channels)
            return [value.get("text", ""), "", "", ""]
        return [
            "" if value["percent"] is None else value["percent"],
            value["numerator"],
            value["denominator"],
            1 if value.get("suppressed") else 0,
        ]
    if column.kind == "survey":
        if not value:
            return [""]
        return [value["percent"] if "percent" in value else value.get("text", "")]
    if column.kind == "interval":
        return list(value) if value else ["", ""]
    if isinstance(value, dict):
        return [value.get("text", "")]
    return ["" if value is None else value]


def explanations(column: Column) -> list[str]:
    """What each of a column's cells means, for the workbook's column sheet."""
    threshold = {"min": min_denominator()}
    if column.kind == "share":
        return [
            _(
                "The share in percent, to one decimal: the numerator divided by the "
                "denominator. Empty when the denominator is 0 or under %(min)s."
            )
            % threshold,
            _("The numerator of the share: how many of the denominator."),
            _("The denominator of the share: what it is a share of."),
            _(
                "1 when the share is not shown because its denominator is under %(min)s "
                "(the counts are given alone); 0 otherwise."
            )
            % threshold,
        ]
    if column.kind == "survey":
        return [_("A figure a survey published, in percent; not measured on this platform.")]
    if column.kind == "interval":
        return [
            _("The lower end of the 95 % interval of the estimate."),
            _("The upper end of the 95 % interval of the estimate."),
        ]
    if column.kind == "code":
        return [_("The row's code, as in the API and its code lists.")]
    if column.kind == "label":
        return [_("What the row is about, in words.")]
    if column.kind == "decimal":
        return [_("A number, rounded to %(places)s decimals.") % {"places": column.places}]
    if column.kind == "int":
        return [_("A count.")]
    return [_("Text.")]


def rows(table: Table) -> Iterable[list]:
    """The header row, then one row per row of the table, as `cells` lays them out."""
    yield [header for column in table.columns for header in headers(column)]
    for row in table.rows:
        yield [
            cell
            for column, value in zip(table.columns, row, strict=True)
            for cell in cells(column, value)
        ]


# ------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------


def _number_text(value: float | Decimal, decimal: str) -> str:
    """A number in positional notation (never 1e-05), with the dialect's decimal mark."""
    text = format(Decimal(repr(value)) if isinstance(value, float) else value, "f")
    return text.replace(".", decimal)


def write_csv(out: Any, table: Table, dialect: Dialect = STANDARD) -> None:
    """The table as CSV in `dialect` onto `out` (a response or a text file), with a byte order
    mark so that spreadsheet programs read æ, ø and å correctly."""
    out.write("\ufeff")
    writer = spreadsheet.writer(out, delimiter=dialect.delimiter)
    for row in rows(table):
        writer.writerow(
            [
                _number_text(cell, dialect.decimal) if isinstance(cell, float | Decimal) else cell
                for cell in row
            ]
        )


# ------------------------------------------------------------------------------------------
# Excel
# ------------------------------------------------------------------------------------------


def _excel_cell(value: Any) -> Any:
    """A cell no spreadsheet runs (see `spreadsheet.safe_cell`), without the control characters
    an xlsx file cannot hold. They go first: taken away after the check, they could uncover a
    formula ("\x01=..." would become "=...")."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return spreadsheet.safe_cell(value)


def _sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(SHEET_NAME_FORBIDDEN).strip("'")[:SHEET_NAME_LENGTH]
    base = base[:1].upper() + base[1:]
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" {number}"
        candidate = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


def _number_formats(column: Column) -> list[str | None]:
    if column.kind == "share":
        return ["0.0", "0", "0", "0"]
    if column.kind == "decimal":
        return ["0." + "0" * column.places if column.places else "0"]
    if column.kind == "interval":
        return ["0." + "0" * column.places if column.places else "0"] * 2
    return [None] * len(headers(column))


def _fill_sheet(sheet, table: Table) -> None:
    """The table on `sheet`: the header row in bold and frozen, numbers with their decimals."""
    formats = [fmt for column in table.columns for fmt in _number_formats(column)]
    for number, row in enumerate(rows(table), start=1):
        sheet.append([_excel_cell(cell) for cell in row])
        if number == 1:
            continue
        for cell, fmt in zip(sheet[number], formats, strict=True):
            if fmt and isinstance(cell.value, int | float):
                cell.number_format = fmt
    for index, cell in enumerate(sheet[1], start=1):
        cell.font = BOLD
        width = min(max(len(str(cell.value)), 10) + 2, 60)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def workbook(tables: list[Table]) -> bytes:
    """The tables as an .xlsx workbook: a sheet per table, named in the interface language,
    then the sheet of what the columns mean ("Kolonner", "Columns")."""
    book = Workbook()
    book.remove(book.active)
    taken = {_("Columns").lower()}
    explained: list[list[str]] = []
    for table in tables:
        sheet = book.create_sheet(_sheet_name(short_name(table), taken))
        _fill_sheet(sheet, table)
        for column in table.columns:
            for header, meaning in zip(headers(column), explanations(column), strict=True):
                explained.append([sheet.title, table.caption, header, meaning])
        for note in table.notes:
            explained.append([sheet.title, table.caption, "", note])
    columns = book.create_sheet(_("Columns"))
    columns.append([_("Sheet"), _("Table"), _("Column"), _("Meaning")])
    for row in explained:
        columns.append([_excel_cell(cell) for cell in row])
    for cell in columns[1]:
        cell.font = BOLD
    columns.freeze_panes = "A2"
    for letter, width in zip("ABCD", (24, 50, 50, 90), strict=True):
        columns.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
