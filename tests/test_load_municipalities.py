"""The registry import: `manage.py load_municipalities` over the shared data and KLASS JSON."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases import registry
from cases.models import Organisation
from cases.vocabularies import OrganisationKind
from tests import factories

pytestmark = pytest.mark.django_db

# The repository sits beside ../shared, locally and in CI.
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MUNICIPALITIES_CSV = DATA / "municipalities.csv"
COUNTIES_CSV = DATA / "counties.csv"
LAST_LINE = 358  # 357 municipalities after the header line


def load(path: Path, *, counties: Path | None = None, verbosity: int = 1) -> str:
    """Run the command and return what it printed."""
    out = StringIO()
    args = [str(path)] + (["--counties", str(counties)] if counties else [])
    call_command("load_municipalities", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


def load_registry() -> str:
    """The full import of the shared data, which most tests start from."""
    return load(MUNICIPALITIES_CSV, counties=COUNTIES_CSV)


def rows() -> list[tuple]:
    """Every organisation with every column, to compare the database before and after."""
    fields = [f.attname for f in Organisation._meta.concrete_fields]
    return list(Organisation.all_objects.order_by("pk").values_list(*fields))


def municipalities():
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)


def counties():
    return Organisation.objects.filter(kind=OrganisationKind.COUNTY)


def csv_lines() -> list[str]:
    return MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_cell(line: str, column: str, value: str) -> str:
    """The CSV line with one cell replaced (the shared file has no quoted cells)."""
    cells = line.split(",")
    cells[csv_lines()[0].split(",").index(column)] = value
    return ",".join(cells)


def test_imports_357_municipalities_in_15_counties():
    out = load_registry()

    assert (
        "Municipalities: 357 created, 0 updated, 0 unchanged. "
        "Counties: 15 created, 0 updated, 0 unchanged." in out
    )
    assert municipalities().count() == 357
    assert counties().count() == 15
    assert set(municipalities().values_list("county__number", flat=True)) == set(
        counties().values_list("number", flat=True)
    )
    for m in municipalities().select_related("county", "parent"):
        assert m.county_id == m.parent_id, m.number
        assert m.county.number == m.number[:2], m.number
        assert m.municipality_id == m.pk, m.number
        assert m.region, m.number
        assert m.region == m.county.region, m.number
        assert m.population, m.number
        assert m.population_year == 2026, m.number
        assert m.centrality_class in range(1, 7), m.number
        assert m.centrality_index is not None, m.number
        assert m.size_class, m.number
    for county in counties():
        assert county.county_id == county.pk
        assert county.region

    oslo = municipalities().get(number="0301")
    assert (oslo.name, oslo.slug, oslo.centrality_class, oslo.region) == (
        "Oslo",
        "oslo",
        1,
        "oslo-viken",
    )
    assert oslo.population == 728714
    assert oslo.size_class == "large"
    assert counties().get(number="03").slug == "oslo-fylkeskommune"
    assert municipalities().get(number="3201").slug == "baerum"

    names = dict(municipalities().values_list("number", "name"))
    assert names["1515"] == "Herøy (Møre og Romsdal)"
    assert names["1818"] == "Herøy (Nordland)"
    assert names["3114"] == "Våler (Østfold)"
    assert names["3419"] == "Våler (Innlandet)"
    assert names["1514"] == "Sande"  # only one Sande in the file, so no county added
    assert municipalities().get(number="1818").slug == "heroy-nordland"


def test_second_run_changes_nothing():
    load_registry()
    before = rows()

    out = load_registry()

    assert (
        "Municipalities: 0 created, 0 updated, 357 unchanged. "
        "Counties: 0 created, 0 updated, 15 unchanged." in out
    )
    assert rows() == before


def test_changed_population_updates_the_municipality_and_its_units(tmp_path):
    load_registry()
    oslo = municipalities().get(number="0301")
    unit = factories.UnitFactory(parent=oslo)
    nested = factories.UnitFactory(parent=unit)
    assert (unit.size_class, nested.size_class, nested.centrality_class) == ("large", "large", 1)
    lines = csv_lines()
    assert lines[1].startswith("0301,")
    lines[1] = with_cell(with_cell(lines[1], "population", "4321"), "centrality_class", "2")

    out = load(write(tmp_path, "changed.csv", lines), counties=COUNTIES_CSV, verbosity=2)

    assert "Updated municipality 0301 Oslo (population, centrality_class, size_class)" in out
    assert "Municipalities: 0 created, 1 updated, 356 unchanged." in out
    assert "Units refreshed: 2." in out
    oslo.refresh_from_db()
    assert (oslo.population, oslo.size_class, oslo.centrality_class) == (4321, "small", 2)
    for organisation in (unit, nested):
        organisation.refresh_from_db()
        assert (organisation.size_class, organisation.centrality_class) == ("small", 2)
        assert organisation.municipality_id == oslo.pk
    assert municipalities().count() == 357


def test_counties_come_from_the_municipality_file_alone():
    out = load(MUNICIPALITIES_CSV)

    assert "Counties: 15 created" in out
    assert dict(counties().values_list("number", "name"))["55"] == "Troms"


def test_a_failure_while_writing_leaves_nothing_behind(monkeypatch):
    factories.MunicipalityFactory(number="0301", name="Oslo", population=1)
    before = rows()

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(registry.write, "refresh_descendants", fail)
    with pytest.raises(RuntimeError):
        load_registry()

    assert rows() == before


def _drop_population(lines: list[str]) -> list[str]:
    index = lines[0].split(",").index("population")
    return [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]


def _set(line_number: int, column: str, value: str):
    def mutate(lines: list[str]) -> list[str]:
        lines[line_number - 1] = with_cell(lines[line_number - 1], column, value)
        return lines

    return mutate


def _duplicate_first_row(lines: list[str]) -> list[str]:
    lines[-1] = lines[1]
    return lines


def _short_last_row(lines: list[str]) -> list[str]:
    lines[-1] = ",".join(lines[-1].split(",")[:-2])
    return lines


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(_drop_population, ["line 1:", "missing column(s): population"], id="column"),
        pytest.param(_set(2, "number", "301"), ["line 2:", "'301'", "leading zero"], id="short"),
        pytest.param(_set(2, "number", "03x1"), ["line 2:", "'03x1'", "four-digit"], id="letter"),
        pytest.param(
            _set(LAST_LINE, "population", "12k"),
            [f"line {LAST_LINE}:", "population '12k' is not a whole number"],
            id="population",
        ),
        pytest.param(
            _set(LAST_LINE, "population", "1.5"), [f"line {LAST_LINE}:", "'1.5'"], id="decimal"
        ),
        pytest.param(
            _set(LAST_LINE, "centrality_class", "7"),
            [f"line {LAST_LINE}:", "centrality_class 7 is not between 1 and 6"],
            id="centrality-7",
        ),
        pytest.param(
            _set(40, "centrality_class", "0"),
            ["line 40:", "centrality_class 0"],
            id="centrality-0",
        ),
        pytest.param(
            _set(LAST_LINE, "landsdel", "Vestlandt"),
            [f"line {LAST_LINE}:", "landsdel 'Vestlandt'"],
            id="landsdel",
        ),
        pytest.param(
            _duplicate_first_row,
            [f"line {LAST_LINE}:", "number 0301 also appears on line 2"],
            id="duplicate",
        ),
        pytest.param(
            _short_last_row,
            [f"line {LAST_LINE}:", "has 9 fields, but the header has 11"],
            id="cells",
        ),
        pytest.param(
            _set(2, "county_number", "11"),
            ["line 2:", "county_number 11 does not match municipality number 0301"],
            id="county",
        ),
    ],
)
def test_malformed_csv_is_rejected_and_changes_nothing(tmp_path, mutate, expected):
    factories.MunicipalityFactory(number="0301", name="Oslo", population=1)
    before = rows()
    path = write(tmp_path, "municipalities.csv", mutate(csv_lines()))

    with pytest.raises(CommandError) as error:
        load(path, counties=COUNTIES_CSV)

    for text in expected:
        assert text in str(error.value)
    assert "municipalities.csv, line" in str(error.value)
    assert rows() == before


def test_several_problems_are_reported_together(tmp_path):
    lines = csv_lines()
    lines[1] = with_cell(lines[1], "number", "301")
    lines[-1] = with_cell(lines[-1], "population", "")

    with pytest.raises(CommandError) as error:
        load(write(tmp_path, "municipalities.csv", lines))

    message = str(error.value)
    assert "Problems (2)" in message
    assert "line 2: number '301'" in message
    assert f"line {LAST_LINE}: population is empty" in message
    assert municipalities().count() == 0


def county_lines() -> list[str]:
    return COUNTIES_CSV.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            county_lines()[:-1],
            "municipalities.csv, line 341: county 56 is not in counties.csv",
            id="missing-county",
        ),
        pytest.param(
            [*county_lines(), "3,Nowhere,Nowhere,Innlandet"],
            "counties.csv, line 17: number '3' is not a two-digit county number",
            id="number",
        ),
        pytest.param(
            [*county_lines(), "34,Innlandet,Innlandet,Innlandet"],
            "counties.csv, line 17: number 34 also appears on counties.csv, line 9",
            id="duplicate",
        ),
        pytest.param(
            [line.replace(",Vestlandet", ",Oslo og Viken") for line in county_lines()],
            "county 11 is in Vestlandet here but in Oslo og Viken in counties.csv, line 3",
            id="disagrees",
        ),
    ],
)
def test_malformed_counties_are_rejected(tmp_path, lines, expected):
    with pytest.raises(CommandError) as error:
        load(MUNICIPALITIES_CSV, counties=write(tmp_path, "counties.csv", lines))

    assert expected in str(error.value)
    assert Organisation.all_objects.count() == 0


# What KLASS answers for /classifications/131/codes?from=2020-01-01 (a handful of its codes):
# codes that ended inside the range and a renamed code appear beside the current ones.
KLASS_CODES = {
    "codes": [
        {
            "code": "0301",
            "parentCode": None,
            "level": "1",
            "name": "Oslo",
            "shortName": "",
            "presentationName": "",
            "validFrom": None,
            "validTo": None,
            "validFromInRequestedRange": "2020-01-01",
            "validToInRequestedRange": "2026-01-01",
            "notes": "",
        },
        {
            "code": "0301",
            "parentCode": None,
            "level": "1",
            "name": "Oslo - Oslove",
            "validFromInRequestedRange": "2026-01-01",
            "validToInRequestedRange": None,
        },
        {"code": "1507", "level": "1", "name": "Ålesund", "validToInRequestedRange": "2024-01-01"},
        {"code": "1508", "level": "1", "name": "Ålesund", "validToInRequestedRange": None},
        {"code": "1818", "level": "1", "name": "Herøy (Nordland)", "validToInRequestedRange": None},
        {"code": "4601", "level": "1", "name": "Bergen", "validToInRequestedRange": None},
        {"code": "5501", "level": "1", "name": "Tromsø", "validToInRequestedRange": None},
        {"code": "9999", "level": "1", "name": "Uoppgitt", "validToInRequestedRange": None},
    ]
}


def write_klass(tmp_path: Path, document, name: str = "klass-131.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    return path


def test_klass_codes_import_numbers_and_names(tmp_path):
    path = write_klass(tmp_path, KLASS_CODES)

    out = load(path, counties=COUNTIES_CSV, verbosity=2)

    assert "Municipalities: 5 created, 0 updated, 0 unchanged." in out
    assert "Counties: 15 created" in out  # the counties file lists them all
    assert "Skipped 9999 Uoppgitt: not a municipality" in out
    names = dict(municipalities().values_list("number", "name"))
    assert names == {
        "0301": "Oslo - Oslove",
        "1508": "Ålesund",
        "1818": "Herøy (Nordland)",
        "4601": "Bergen",
        "5501": "Tromsø",
    }
    bergen = municipalities().select_related("county").get(number="4601")
    assert (bergen.county.number, bergen.county.name, bergen.region) == (
        "46",
        "Vestland",
        "vestlandet",
    )
    assert bergen.population is None
    assert bergen.centrality_class is None
    assert bergen.size_class == ""

    again = load(path, counties=COUNTIES_CSV)
    assert "Municipalities: 0 created, 0 updated, 5 unchanged." in again


def test_klass_without_counties_creates_bare_counties(tmp_path):
    # No extension that tells: the content does.
    out = load(write_klass(tmp_path, KLASS_CODES, name="klass-131.txt"))

    assert "Counties: 5 created" in out
    county = counties().get(number="46")
    assert (county.name, county.slug, county.region) == ("Fylke 46", "fylkeskommune-46", "")
    assert municipalities().get(number="4601").county == county


def test_klass_leaves_statistics_and_the_norwegian_name_alone(tmp_path):
    load_registry()
    before = municipalities().values("number", "name", "population", "centrality_class", "region")
    before = {row["number"]: row for row in before}

    out = load(write_klass(tmp_path, KLASS_CODES))

    assert "Municipalities: 0 created, 0 updated, 5 unchanged." in out
    assert "352 municipalities in the database are not in the file" in out
    oslo = municipalities().get(number="0301")
    # "Oslo - Oslove" joins Oslo's official names; the registry's Norwegian name stays.
    assert oslo.name == "Oslo"
    assert {
        "number": oslo.number,
        "name": oslo.name,
        "population": oslo.population,
        "centrality_class": oslo.centrality_class,
        "region": oslo.region,
    } == before["0301"]


def test_klass_renames_when_the_name_really_changed(tmp_path):
    load_registry()
    document = {"codes": [{"code": "4601", "name": "Bjørgvin", "validToInRequestedRange": None}]}

    out = load(write_klass(tmp_path, document), verbosity=2)

    assert "Updated municipality 4601 Bjørgvin" in out
    bergen = municipalities().get(number="4601")
    assert (bergen.name, bergen.slug, bergen.population) == ("Bjørgvin", "bergen", 294860)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param('{"codes": [\n  {"code": "0301",', "line 2, column", id="truncated"),
        pytest.param("{'codes': []}", "not valid JSON", id="quotes"),
        pytest.param('{"kodes": []}', 'expected a JSON object with a "codes" list', id="shape"),
        pytest.param('{"codes": []}', "the codes list is empty", id="empty"),
        pytest.param(
            '{"codes": [{"code": "0301", "name": "Oslo"}, {"code": "301", "name": "Oslo"}]}',
            "entry 2 (code '301'): number '301' is not a four-digit",
            id="number",
        ),
        pytest.param(
            '{"codes": [{"code": 301, "name": "Oslo"}]}', "entry 1: code must be a string", id="int"
        ),
        pytest.param(
            '{"codes": [{"code": "0301", "name": ""}]}', "name is missing or empty", id="name"
        ),
        pytest.param(
            '{"codes": [{"code": "0301", "name": "Oslo"}, {"code": "0301", "name": "Oslo"}]}',
            "code 0301 is valid twice (also entry 1)",
            id="duplicate",
        ),
    ],
)
def test_malformed_klass_json_is_rejected(tmp_path, content, expected):
    factories.MunicipalityFactory(number="0301", name="Oslo", population=1)
    before = rows()

    with pytest.raises(CommandError) as error:
        load(write_klass(tmp_path, content))

    assert expected in str(error.value)
    assert "klass-131.json" in str(error.value)
    assert rows() == before


def test_unreadable_files_are_reported(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        load(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("number,name\n0301,Tromsø\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin1.csv, line 2: not UTF-8"):
        load(latin1)
    semicolons = write(tmp_path, "semi.csv", [line.replace(",", ";") for line in csv_lines()])
    with pytest.raises(CommandError, match="seems to use ';'"):
        load(semicolons)
