"""CSV the site hands out, safe to open in a spreadsheet program.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula, and a leading tab
or carriage return can hide such a character from a quick look. An organisation's or county's
name reaches the statistics downloads as it was typed, so every text cell that begins with one of
these characters gets a leading single quote, as OWASP's "CSV Injection" page advises; so does one
whose first visible character begins a formula, behind control characters, spaces or zero-width
characters that a program (or the xlsx writer, which drops control characters) may take away.
The csv module quotes separators, quotes and line breaks. Numbers stay numbers: `-1.5` as a number is
data, and only text is ever a formula. Every CSV writer of the site goes through `writer`.
"""

import csv
import unicodedata
from decimal import Decimal
from typing import Any, Protocol

FORMULA_CHARACTERS = ("=", "+", "-", "@")
FORMULA_STARTS = (*FORMULA_CHARACTERS, "\t", "\r")
# Unicode categories of characters nobody sees: control and format (zero-width, BOM).
UNSEEN_CATEGORIES = {"Cc", "Cf"}


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """`value` as a cell no spreadsheet runs: text that could start a formula gets a `'` in
    front; numbers, None and empty text are left as they are."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if could_run(text):
        return "'" + text
    return text


def could_run(text: str) -> bool:
    """Whether a spreadsheet program could take `text` for a formula: it begins with one of
    FORMULA_STARTS, or its first visible character begins a formula."""
    return text.startswith(FORMULA_STARTS) or _visible_part(text).startswith(FORMULA_CHARACTERS)


def _visible_part(text: str) -> str:
    """`text` from its first character that is neither whitespace nor unseen."""
    for index, character in enumerate(text):
        if not character.isspace() and unicodedata.category(character) not in UNSEEN_CATEGORIES:
            return text[index:]
    return ""


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
