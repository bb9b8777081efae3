"""`manage.py build_map`: the municipality and county boundaries as the small TopoJSON the maps
draw (static/maps/norge-2024.topo.json).

Reads Kartverket's 2024 boundaries (GeoJSON, WGS84) as the shared data holds them, checks them
(357 distinct four-digit numbers, the counties their first two digits name all in the county
file, polygons only), keeps each municipality's number and name, and hands them to
`build_map.cjs` (topojson-server and topojson-simplify, the npm dev dependencies) to simplify,
quantise and merge into counties. The result carries Kartverket's attribution and licence in
its `metadata`. The same input gives the same bytes: nothing depends on the clock, the input's
order or the machine.
"""

import json
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

GEO = settings.BASE_DIR.parent / "shared" / "data" / "geo"
DEFAULT_MUNICIPALITIES = GEO / "municipalities-2024-S.geojson"
DEFAULT_COUNTIES = GEO / "counties-2024-S.geojson"
DEFAULT_OUTPUT = settings.BASE_DIR / "static" / "maps" / "norge-2024.topo.json"
SCRIPT = Path(__file__).with_suffix(".cjs")

# A country map some hundred pixels wide needs a fraction of the points: a fifth of them, on a
# grid of 100,000 steps each way (some 10 m at Norway's latitudes), keeps every municipality
# recognisable and the file some 160 KB.
KEEP = 0.2
QUANTIZATION = 100_000
MAX_BYTES = 400_000
EXPECTED_MUNICIPALITIES = 357

METADATA = {
    "title": "Norges kommuner og fylker 2024 (forenklet)",
    "attribution": "© Kartverket",
    "license": "CC BY 4.0",
    "license_url": "https://creativecommons.org/licenses/by/4.0/",
    "source": (
        "Kartverket, Administrative enheter kommuner og fylker 2024 "
        "(Basisdata_0000_Norge_25833_Kommuner), forenklet"
    ),
    "objects": {
        "municipalities": "id: kommunenummer, properties.name: kommunenavn",
        "counties": "id: fylkesnummer, properties.name: fylkesnavn",
    },
    "simplification": {"keep": KEEP, "quantization": QUANTIZATION},
}


class BoundaryError(Exception):
    """The boundary files cannot be made into a map; the message says why."""


def _features(path: Path, what: str) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BoundaryError(f"No {what} file at {path}.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"The {what} file {path} is not readable GeoJSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryError(f"The {what} file {path} is not a GeoJSON FeatureCollection.")
    features = data.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise BoundaryError(f"The {what} file {path} has no list of features.")
    return features


def _property(feature: dict, names: tuple[str, ...], what: str, index: int) -> str:
    properties = feature.get("properties") or {}
    for name in names:
        value = properties.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise BoundaryError(f"{what} feature {index + 1} has no {' or '.join(names)}.")


def read_municipalities(path: Path) -> list[dict]:
    """The municipalities as GeoJSON features with only `id` (number) and `properties.name`,
    sorted by number."""
    features = []
    seen: set[str] = set()
    for index, feature in enumerate(_features(path, "municipality")):
        number = _property(feature, ("kommunenummer",), "Municipality", index)
        name = _property(feature, ("kommunenavn", "name"), "Municipality", index)
        if not (len(number) == 4 and number.isdigit()):
            raise BoundaryError(f"Municipality number {number!r} does not have four digits.")
        if number in seen:
            raise BoundaryError(f"Municipality {number} appears twice.")
        seen.add(number)
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise BoundaryError(f"Municipality {number} has no polygon.")
        features.append(
            {
                "type": "Feature",
                "id": number,
                "properties": {"name": name},
                "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]},
            }
        )
    if len(features) != EXPECTED_MUNICIPALITIES:
        raise BoundaryError(
            f"Expected {EXPECTED_MUNICIPALITIES} municipalities (the 2024 structure), "
            f"found {len(features)}."
        )
    return sorted(features, key=lambda feature: feature["id"])


def read_counties(path: Path) -> list[dict]:
    """The counties' numbers and names, sorted by number."""
    counties = {}
    for index, feature in enumerate(_features(path, "county")):
        number = _property(feature, ("fylkesnummer",), "County", index)
        name = _property(feature, ("fylkesnavn", "name"), "County", index)
        if not (len(number) == 2 and number.isdigit()):
            raise BoundaryError(f"County number {number!r} does not have two digits.")
        if number in counties:
            raise BoundaryError(f"County {number} appears twice.")
        counties[number] = name
    return [{"number": number, "name": counties[number]} for number in sorted(counties)]


def build_topology(*, municipalities_path: Path, counties_path: Path) -> bytes:
    """The TopoJSON of the boundaries, as the bytes of the file (see the module docstring)."""
    municipalities = read_municipalities(municipalities_path)
    counties = read_counties(counties_path)
    named = {county["number"] for county in counties}
    used = {feature["id"][:2] for feature in municipalities}
    if used != named:
        missing = ", ".join(sorted(used - named)) or "none"
        empty = ", ".join(sorted(named - used)) or "none"
        raise BoundaryError(
            "The county file does not match the municipalities: counties without a county "
            f"boundary: {missing}; counties without municipalities: {empty}."
        )
    node = shutil.which("node")
    if node is None:
        raise BoundaryError(
            "Node.js is needed to build the map: install it (apt-get install nodejs)."
        )
    payload = {
        "municipalities": {"type": "FeatureCollection", "features": municipalities},
        "counties": counties,
        "metadata": METADATA,
        "keep": KEEP,
        "quantization": QUANTIZATION,
    }
    result = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(payload).encode(),
        capture_output=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        if "Cannot find module" in message:
            message = "The npm dev dependencies are missing: run `npm install`. " + message
        raise BoundaryError(f"Building the topology failed: {message}")
    topology = json.loads(result.stdout)
    drawn = {g["id"] for g in topology["objects"]["municipalities"]["geometries"] if g.get("arcs")}
    if len(drawn) != EXPECTED_MUNICIPALITIES:
        raise BoundaryError("The simplification left some municipality without a shape.")
    return result.stdout + b"\n"


class Command(BaseCommand):
    help = (
        "Build the maps' TopoJSON (municipalities and counties, simplified, with Kartverket's "
        "attribution) from Kartverket's 2024 boundaries. The same input gives the same file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--municipalities",
            type=Path,
            default=DEFAULT_MUNICIPALITIES,
            metavar="PATH",
            help=f"Municipality boundaries, GeoJSON (default {DEFAULT_MUNICIPALITIES}).",
        )
        parser.add_argument(
            "--counties",
            type=Path,
            default=DEFAULT_COUNTIES,
            metavar="PATH",
            help=f"County boundaries, GeoJSON (default {DEFAULT_COUNTIES}).",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=DEFAULT_OUTPUT,
            metavar="PATH",
            help=f"Where to write the TopoJSON (default {DEFAULT_OUTPUT}).",
        )

    def handle(self, *args, **options):
        try:
            content = build_topology(
                municipalities_path=options["municipalities"], counties_path=options["counties"]
            )
        except BoundaryError as exc:
            raise CommandError(str(exc)) from exc
        if len(content) > MAX_BYTES:
            raise CommandError(
                f"The map would be {len(content):,} bytes, more than {MAX_BYTES:,}: "
                "simplify more (KEEP) before committing it."
            )
        output = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(content):,} bytes)."))
