"""`manage.py build_map`: the committed map is what the command makes of the shared boundaries,
byte for byte, and bad boundary files are refused with a message and no file."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cases.management.commands import build_map

# The repository sits beside ../shared, locally and in CI.
GEO = Path(__file__).resolve().parents[2] / "shared" / "data" / "geo"
MUNICIPALITIES = GEO / "municipalities-2024-S.geojson"
COUNTIES = GEO / "counties-2024-S.geojson"
COMMITTED = settings.BASE_DIR / "static" / "maps" / "norge-2024.topo.json"
TOPOJSON_SERVER = settings.BASE_DIR / "node_modules" / "topojson-server"


def _why_not_buildable() -> str | None:
    if not (MUNICIPALITIES.exists() and COUNTIES.exists()):
        return f"the shared boundaries are not at {GEO} (the repository sits beside ../shared)"
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not TOPOJSON_SERVER.exists():
        return "the npm dev dependencies are not installed (run npm install)"
    return None


needs_boundaries = pytest.mark.skipif(
    _why_not_buildable() is not None, reason=f"Map not built: {_why_not_buildable()}"
)


def build(tmp_path: Path, **paths: Path) -> Path:
    output = tmp_path / "map.topo.json"
    arguments = {"municipalities": MUNICIPALITIES, "counties": COUNTIES, **paths}
    call_command(
        "build_map",
        f"--municipalities={arguments['municipalities']}",
        f"--counties={arguments['counties']}",
        f"--output={output}",
        stdout=StringIO(),
    )
    return output


@needs_boundaries
def test_the_committed_map_is_what_the_command_builds(tmp_path):
    built = build(tmp_path)
    assert built.read_bytes() == COMMITTED.read_bytes(), (
        "static/maps/norge-2024.topo.json differs from what build_map makes of the shared "
        "boundaries: run `manage.py build_map` and commit the file"
    )


def test_the_committed_map_has_every_municipality_and_county_and_its_attribution():
    topology = json.loads(COMMITTED.read_text(encoding="utf-8"))
    municipalities = topology["objects"]["municipalities"]["geometries"]
    counties = topology["objects"]["counties"]["geometries"]
    assert len({g["id"] for g in municipalities if g["arcs"]}) == 357
    assert all(g["properties"]["name"] for g in municipalities)
    assert sorted(g["id"] for g in counties) == [
        "03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56",
    ]  # fmt: skip
    assert topology["metadata"]["attribution"] == "© Kartverket"
    assert topology["metadata"]["license"] == "CC BY 4.0"
    assert COMMITTED.stat().st_size < build_map.MAX_BYTES


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@needs_boundaries
def test_a_missing_municipality_is_refused_and_nothing_is_written(tmp_path):
    data = json.loads(MUNICIPALITIES.read_text(encoding="utf-8"))
    data["features"] = data["features"][1:]
    short = _write(tmp_path, "short.geojson", data)
    with pytest.raises(
        CommandError, match=r"Expected 357 municipalities \(the 2024 structure\), found 356"
    ):
        build(tmp_path, municipalities=short)
    assert not (tmp_path / "map.topo.json").exists()


@needs_boundaries
def test_a_county_file_that_does_not_match_is_refused(tmp_path):
    data = json.loads(COUNTIES.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f["properties"]["fylkesnummer"] != "03"]
    counties = _write(tmp_path, "counties.geojson", data)
    with pytest.raises(CommandError, match="counties without a county boundary: 03"):
        build(tmp_path, counties=counties)


def test_files_that_are_not_boundaries_are_refused(tmp_path):
    not_json = tmp_path / "broken.geojson"
    not_json.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="not readable GeoJSON"):
        build(tmp_path, municipalities=not_json)
    with pytest.raises(CommandError, match="No municipality file"):
        build(tmp_path, municipalities=tmp_path / "nowhere.geojson")
    wrong = _write(tmp_path, "wrong.geojson", {"type": "Feature"})
    with pytest.raises(CommandError, match="not a GeoJSON FeatureCollection"):
        build(tmp_path, municipalities=wrong)
    assert not (tmp_path / "map.topo.json").exists()
