"""Reading SSB's municipality registry files into a `Registry`, checking everything and
touching no database; `cases.registry.write` then writes it."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

from ..models import Organisation
from ..vocabularies import REGION_BY_LANDSDEL

Format = Literal["csv", "klass"]

MUNICIPALITY_COLUMNS = (
    "number",
    "name",
    "county_number",
    "county_name",
    "population",
    "population_year",
    "centrality_class",
    "centrality_index",
    "landsdel",
)
# Present in the shared file but not required: the model has nowhere to keep them yet.
OPTIONAL_MUNICIPALITY_COLUMNS = ("name_official", "centrality_version")
COUNTY_COLUMNS = ("number", "name", "landsdel")
OPTIONAL_COUNTY_COLUMNS = ("name_official",)

# KLASS lists areas that are not municipalities beside the real ones: Svalbard (21), Jan Mayen
# (22), the continental shelf (23) and "unknown" (99). They have no county organisation to hang
# from, so they are left out (and reported) rather than invented as counties.
NON_MUNICIPAL_PREFIXES = frozenset({"21", "22", "23", "99"})

# A CharField always has a max_length; the field API types it as optional.
NAME_MAX_LENGTH = cast(int, Organisation._meta.get_field("name").max_length)
POPULATION_MAX = 2**31 - 1  # what a PositiveIntegerField holds on every supported database
MAX_REPORTED_PROBLEMS = 25
# The whole-number columns of the registry CSV and the values they may take.
INTEGER_COLUMNS = {
    "population": (0, POPULATION_MAX),
    "population_year": (1000, 9999),
    "centrality_class": (1, 6),
    "centrality_index": (0, 1000),
}
LANDSDEL_BY_REGION = {str(region): landsdel for landsdel, region in REGION_BY_LANDSDEL.items()}


def _landsdel(region: str | None) -> str:
    return LANDSDEL_BY_REGION[region] if region else "no landsdel"


_DIGITS = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class RegistryError(Exception):
    """A registry file could not be read or failed validation; `problems` lists every finding."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        shown = self.problems[:MAX_REPORTED_PROBLEMS]
        lines = [f"The registry was not imported; nothing was changed. Problems ({len(problems)}):"]
        lines += [f"  {problem}" for problem in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class CountyRecord:
    """A county as a source describes it. `None` means the source does not say."""

    number: str
    where: str
    name: str | None = None
    region: str | None = None
    name_official: str | None = None


@dataclass(frozen=True)
class MunicipalityRecord:
    """A municipality as a source describes it. `None` statistics mean the source lacks them."""

    number: str
    name: str
    where: str
    population: int | None = None
    population_year: int | None = None
    centrality_class: int | None = None
    centrality_index: int | None = None
    region: str | None = None
    name_official: str | None = None

    @property
    def county_number(self) -> str:
        # How Norwegian municipality numbers are built: the county's number, then two digits.
        return self.number[:2]


@dataclass
class Registry:
    """Validated content of the registry files, ready for `import_registry`."""

    format: Format
    municipalities: list[MunicipalityRecord]
    counties: dict[str, CountyRecord]
    skipped: list[str] = field(default_factory=list)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise RegistryError(self.items)


# Reading and validation (no database access) ----------------------------------------------------


def detect_format(*, path: Path, text: str) -> Format:
    """Tell KLASS JSON from registry CSV: by the extension when it says, else by the content."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "klass"
    if suffix == ".csv":
        return "csv"
    return "klass" if text.lstrip()[:1] in ("{", "[") else "csv"


def read_registry(*, path: Path, counties_path: Path | None = None) -> Registry:
    """Read and validate a registry file (and optionally a counties file) without writing.

    Raises RegistryError listing every problem found, each naming its file and line (CSV lines
    count the header as line 1) or KLASS entry. On success every municipality has a four-digit
    number, a name that is unique within the file (repeated names are disambiguated with the
    county, as SSB does: "Herøy (Nordland)"), and a county record for its first two digits.
    """
    text = _read_text(path)
    if detect_format(path=path, text=text) == "klass":
        registry = parse_klass_json(text=text, source=path.name)
    else:
        registry = parse_municipalities_csv(text=text, source=path.name)
    if counties_path is not None:
        counties = parse_counties_csv(text=_read_text(counties_path), source=counties_path.name)
        registry.counties = _merge_counties(
            referenced=registry.counties, listed=counties, source=counties_path.name
        )
    registry.municipalities = _disambiguate(
        municipalities=registry.municipalities, counties=registry.counties
    )
    return registry


def parse_municipalities_csv(*, text: str, source: str) -> Registry:
    """Parse the registry CSV (columns as in MUNICIPALITY_COLUMNS; extra columns are ignored).

    Every cell is checked; the counties come from the county columns, which must agree on every
    row of the same county. Names are returned as written (see `read_registry`). Raises
    RegistryError naming each bad line.
    """
    problems = _Problems()
    rows = _csv_rows(
        text=text,
        source=source,
        required=MUNICIPALITY_COLUMNS,
        optional=OPTIONAL_MUNICIPALITY_COLUMNS,
        problems=problems,
    )
    municipalities: list[MunicipalityRecord] = []
    counties: dict[str, CountyRecord] = {}
    first_line: dict[str, int] = {}
    for line, row in rows:
        where = f"{source}, line {line}"
        number = _municipality_number(row["number"], where=where, problems=problems)
        name = _name(row["name"], column="name", where=where, problems=problems)
        county_number = _county_number(
            row["county_number"], column="county_number", where=where, problems=problems
        )
        county_name = _name(
            row["county_name"], column="county_name", where=where, problems=problems
        )
        region = _region(row["landsdel"], where=where, problems=problems)
        population, population_year, centrality_class, centrality_index = (
            _integer(row[column], column=column, low=low, high=high, where=where, problems=problems)
            for column, (low, high) in INTEGER_COLUMNS.items()
        )
        if number and county_number and number[:2] != county_number:
            problems.add(
                where,
                f"county_number {county_number} does not match municipality number {number} "
                "(a municipality's county is its first two digits)",
            )
        if number:
            if number in first_line:
                problems.add(where, f"number {number} also appears on line {first_line[number]}")
                continue
            first_line[number] = line
        if county_number and county_name and region:
            county = counties.get(county_number)
            if county is None:
                counties[county_number] = CountyRecord(
                    number=county_number, where=where, name=county_name, region=region
                )
            elif (county.name, county.region) != (county_name, region):
                problems.add(
                    where,
                    f"county {county_number} is '{county_name}' in {row['landsdel']} here, but "
                    f"'{county.name}' in {_landsdel(county.region)} in {county.where}",
                )
        values = (region, population, population_year, centrality_class, centrality_index)
        if number is None or name is None or any(value is None for value in values):
            continue
        municipalities.append(
            MunicipalityRecord(
                number=number,
                name=name,
                where=where,
                population=population,
                population_year=population_year,
                centrality_class=centrality_class,
                centrality_index=centrality_index,
                region=region,
                name_official=row.get("name_official") or None,
            )
        )
    if not problems.items and not municipalities:
        problems.add(source, "the file has a header but no municipalities")
    problems.raise_if_any()
    return Registry(format="csv", municipalities=municipalities, counties=counties)


def parse_counties_csv(*, text: str, source: str) -> dict[str, CountyRecord]:
    """Parse a counties CSV (number, name, landsdel; name_official optional) into records by number.

    Raises RegistryError naming each bad line: a number that is not two digits, an empty name,
    an unknown landsdel, a number listed twice.
    """
    problems = _Problems()
    rows = _csv_rows(
        text=text,
        source=source,
        required=COUNTY_COLUMNS,
        optional=OPTIONAL_COUNTY_COLUMNS,
        problems=problems,
    )
    counties: dict[str, CountyRecord] = {}
    for line, row in rows:
        where = f"{source}, line {line}"
        number = _county_number(row["number"], column="number", where=where, problems=problems)
        name = _name(row["name"], column="name", where=where, problems=problems)
        region = _region(row["landsdel"], where=where, problems=problems)
        if number is None or name is None or region is None:
            continue
        if number in counties:
            problems.add(where, f"number {number} also appears on {counties[number].where}")
            continue
        counties[number] = CountyRecord(
            number=number,
            where=where,
            name=name,
            region=region,
            name_official=row.get("name_official") or None,
        )
    if not problems.items and not counties:
        problems.add(source, "the file has a header but no counties")
    problems.raise_if_any()
    return counties


# (index, code, name, where, valid to): one entry of KLASS's codes list, checked.
_KlassEntry = tuple[int, str, str, str, str | None]


def _klass_entry(
    index: int, entry: object, *, source: str, problems: _Problems
) -> _KlassEntry | None:
    """One entry of the codes list, checked; None (with its problems added) if it is bad."""
    where = f"{source}, entry {index}"
    if not isinstance(entry, dict):
        problems.add(where, "expected an object with code and name")
        return None
    code, name = entry.get("code"), entry.get("name")
    if isinstance(code, str):
        where = f"{where} (code {code!r})"
    valid_to = entry.get("validToInRequestedRange")
    ok = True
    if not isinstance(code, str):
        problems.add(where, 'code must be a string of four digits, like "0301"')
        ok = False
    elif _municipality_number(code, where=where, problems=problems) is None:
        ok = False
    if not isinstance(name, str) or not name.strip():
        problems.add(where, "name is missing or empty")
        ok = False
    elif len(name.strip()) > NAME_MAX_LENGTH:
        problems.add(where, f"name is longer than {NAME_MAX_LENGTH} characters")
        ok = False
    if valid_to is not None and not (isinstance(valid_to, str) and _ISO_DATE.fullmatch(valid_to)):
        problems.add(where, f"validToInRequestedRange {valid_to!r} is not a date (yyyy-mm-dd)")
        ok = False
    # `ok` implies both are strings; the isinstance checks say so to the type checker.
    if ok and isinstance(code, str) and isinstance(name, str):
        return (index, code, name.strip(), where, valid_to)
    return None


def parse_klass_json(*, text: str, source: str) -> Registry:
    """Parse KLASS's answer for classification 131 (`codes` or `codesAt`, JSON).

    Only codes valid at the end of the requested range are kept: the `codes` endpoint also lists
    codes that ended inside the range, and a code twice when its name changed. Areas that are not
    municipalities (NON_MUNICIPAL_PREFIXES) are left out and listed in `skipped`. The records carry
    number and name only; each county is referenced by number, without name or region. Raises
    RegistryError for invalid JSON (naming its line and column), a missing `codes` list, bad
    entries (naming the entry) and a code that is current twice.
    """
    problems = _Problems()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(
            f"{source}, line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}"
        )
        problems.raise_if_any()
    if not isinstance(document, dict) or not isinstance(document.get("codes"), list):
        problems.add(
            source,
            'expected a JSON object with a "codes" list, as KLASS returns from '
            "/classifications/131/codes or /codesAt",
        )
        problems.raise_if_any()
    entries: list[_KlassEntry] = []
    for index, entry in enumerate(document["codes"], start=1):
        checked = _klass_entry(index, entry, source=source, problems=problems)
        if checked is not None:
            entries.append(checked)
    if not problems.items and not entries:
        problems.add(source, "the codes list is empty")
    problems.raise_if_any()

    # A code still valid has no end date, or (when the request named `to`) ends at the range's end.
    ends = {valid_to for *_, valid_to in entries}
    current_end = None if None in ends else max(end for end in ends if end is not None)
    municipalities: list[MunicipalityRecord] = []
    counties: dict[str, CountyRecord] = {}
    seen: dict[str, int] = {}
    skipped: list[str] = []
    for index, code, name, where, valid_to in entries:
        if valid_to != current_end:
            continue
        if code in seen:
            problems.add(where, f"code {code} is valid twice (also entry {seen[code]})")
            continue
        seen[code] = index
        if code[:2] in NON_MUNICIPAL_PREFIXES:
            skipped.append(f"{code} {name}")
            continue
        municipalities.append(MunicipalityRecord(number=code, name=name, where=where))
        counties.setdefault(code[:2], CountyRecord(number=code[:2], where=where))
    problems.raise_if_any()
    return Registry(
        format="klass", municipalities=municipalities, counties=counties, skipped=skipped
    )


def _merge_counties(
    *, referenced: dict[str, CountyRecord], listed: dict[str, CountyRecord], source: str
) -> dict[str, CountyRecord]:
    # The counties file is the authority on counties, so the municipality file may only refer to
    # counties it lists, and where both name a county they must agree: silently preferring one
    # would hide a mix of registry vintages.
    problems = _Problems()
    for number, county in referenced.items():
        other = listed.get(number)
        if other is None:
            problems.add(county.where, f"county {number} is not in {source}")
            continue
        if county.name is not None and county.name != other.name:
            problems.add(
                county.where,
                f"county {number} is '{county.name}' here but '{other.name}' in {other.where}",
            )
        if county.region is not None and county.region != other.region:
            problems.add(
                county.where,
                f"county {number} is in {_landsdel(county.region)} here but in "
                f"{_landsdel(other.region)} in {other.where}",
            )
    problems.raise_if_any()
    return dict(listed)


def _disambiguate(
    *, municipalities: list[MunicipalityRecord], counties: dict[str, CountyRecord]
) -> list[MunicipalityRecord]:
    # SSB's way: "Herøy (Møre og Romsdal)" and "Herøy (Nordland)". Only names that repeat within
    # the file are qualified, so a file with one Sande keeps it plain.
    problems = _Problems()
    counts: dict[str, int] = {}
    for municipality in municipalities:
        counts[municipality.name] = counts.get(municipality.name, 0) + 1
    result: list[MunicipalityRecord] = []
    first_with_name: dict[str, MunicipalityRecord] = {}
    for municipality in municipalities:
        name = municipality.name
        if counts[name] > 1:
            county = counties[municipality.county_number]
            name = f"{name} ({county.name or 'fylke ' + county.number})"
        if name in first_with_name:
            problems.add(
                municipality.where,
                f"name '{name}' is also used by municipality {first_with_name[name].number}",
            )
        elif len(name) > NAME_MAX_LENGTH:
            problems.add(municipality.where, f"name is longer than {NAME_MAX_LENGTH} characters")
        first_with_name.setdefault(name, municipality)
        result.append(replace(municipality, name=name))
    problems.raise_if_any()
    return result


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistryError([f"{path}: cannot read the file ({exc.strerror or exc})"]) from exc
    try:
        # utf-8-sig: spreadsheet programs like to start a UTF-8 file with a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RegistryError(
            [f"{path.name}, line {line}: not UTF-8 text (save the file as UTF-8)"]
        ) from exc


def _csv_rows(
    *,
    text: str,
    source: str,
    required: Sequence[str],
    optional: Sequence[str],
    problems: _Problems,
) -> list[tuple[int, dict[str, str]]]:
    """The data rows as (line, values by column), after checking the header and field counts."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        problems.add(f"{source}, line 1", "the file is empty; expected a header row")
        problems.raise_if_any()
    except csv.Error as exc:
        problems.add(f"{source}, line 1", f"not readable as CSV: {exc}")
        problems.raise_if_any()
    missing = [column for column in required if column not in header]
    if missing:
        hint = (
            " (the file seems to use ';' between columns; expected ',')"
            if ";" in text[:500]
            else ""
        )
        problems.add(
            f"{source}, line 1",
            f"missing column(s): {', '.join(missing)}; expected {', '.join(required)}{hint}",
        )
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if repeated:
        problems.add(f"{source}, line 1", f"column(s) named twice: {', '.join(repeated)}")
    problems.raise_if_any()
    wanted = [*required, *(column for column in optional if column in header)]
    position = {column: header.index(column) for column in wanted}
    rows: list[tuple[int, dict[str, str]]] = []
    previous_end = reader.line_num
    while True:
        # A quoted field may span lines: a record starts on the line after the previous one ended.
        line = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(f"{source}, line {reader.line_num}", f"not readable as CSV: {exc}")
            break
        previous_end = reader.line_num
        if not cells:
            continue
        if len(cells) != len(header):
            problems.add(
                f"{source}, line {line}",
                f"has {len(cells)} fields, but the header has {len(header)}",
            )
            continue
        rows.append((line, {column: cells[index].strip() for column, index in position.items()}))
    return rows


def _municipality_number(value: str, *, where: str, problems: _Problems) -> str | None:
    value = value.strip()
    if len(value) == 4 and _DIGITS.fullmatch(value):
        return value
    hint = ""
    if _DIGITS.fullmatch(value) and len(value) < 4:
        hint = " (a leading zero lost, perhaps by a spreadsheet?)"
    problems.add(where, f"number {value!r} is not a four-digit municipality number{hint}")
    return None


def _county_number(value: str, *, column: str, where: str, problems: _Problems) -> str | None:
    if len(value) == 2 and _DIGITS.fullmatch(value):
        return value
    hint = " (a leading zero lost, perhaps by a spreadsheet?)" if _DIGITS.fullmatch(value) else ""
    problems.add(where, f"{column} {value!r} is not a two-digit county number{hint}")
    return None


def _name(value: str, *, column: str, where: str, problems: _Problems) -> str | None:
    if not value:
        problems.add(where, f"{column} is empty")
        return None
    if len(value) > NAME_MAX_LENGTH:
        problems.add(where, f"{column} is longer than {NAME_MAX_LENGTH} characters")
        return None
    return value


def _region(value: str, *, where: str, problems: _Problems) -> str | None:
    region = REGION_BY_LANDSDEL.get(value)
    if region is None:
        known = ", ".join(REGION_BY_LANDSDEL)
        problems.add(where, f"landsdel {value!r} is not one of: {known}")
        return None
    return str(region)


def _integer(
    value: str, *, column: str, low: int, high: int, where: str, problems: _Problems
) -> int | None:
    if not value:
        problems.add(where, f"{column} is empty")
        return None
    if not _DIGITS.fullmatch(value):
        problems.add(where, f"{column} {value!r} is not a whole number")
        return None
    number = int(value)
    if not low <= number <= high:
        problems.add(where, f"{column} {number} is not between {low} and {high}")
        return None
    return number
