"""CSV the site hands out, safe to open in a spreadsheet program.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula, and a leading tab
or carriage return can hide such a character from a quick look. An organisation's or county's
name reaches the statistics downloads as it was typed, so every text cell that begins with one of
these characters gets a leading single quote, as OWASP's "CSV Injection" page advises; the csv
module quotes separators, quotes and line breaks. Numbers stay numbers: `-1.5` as a number is
data, and only text is ever a formula. Every CSV writer of the site goes through `writer`.
"""

import csv
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """`value` as a cell no spreadsheet runs: text that could start a formula gets a `'` in
    front; numbers, None and empty text are left as they are."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer with every cell passed through `safe_cell`."""

    def __init__(self, out: _Writable, **options: Any):
        self._writer = csv.writer(out, **options)

    def writerow(self, row) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **options: Any) -> SafeWriter:
    """A CSV writer onto `out` (a response or a file) whose cells cannot run as formulas."""
    return SafeWriter(out, **options)
