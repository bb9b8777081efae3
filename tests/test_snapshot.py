"""The nightly bulk snapshot: a dated zip of everything public, as JSON and CSV, with checksums.

Only public data goes in (published cases, the reuse records of those, organisations), the
JSON is what the API gives, the CSV has the same rows, and every checksum holds: the zip's own
in `<zip>.sha256` and each member's in `SHA256SUMS`, in the format `sha256sum --check` reads.
"""

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.catalogue import SNAPSHOT_LATEST
from cases.vocabularies import CaseStatus
from tests import factories

pytestmark = pytest.mark.django_db


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def world():
    voss = factories.MunicipalityFactory(name="=Voss")
    published = factories.CaseFactory(
        title="Mobilt røntgen",
        slug="mobilt-rontgen",
        published=True,
        sectors=["health-care"],
        tags=["røntgen", "eldre"],
        adopters=[voss],
    )
    archived = factories.CaseFactory(
        title="Skjult arkivert", published=True, status=CaseStatus.ARCHIVED, adopters=1
    )
    draft = factories.CaseFactory(title="Skjult utkast", status=CaseStatus.DRAFT)
    return published, archived, draft, voss


def test_the_snapshot_holds_everything_public_with_checksums(tmp_path, settings):
    settings.SITE_URL = "https://innovasjon.example.no"
    published, _archived, _draft, voss = world()
    out = io.StringIO()
    call_command("export_snapshot", directory=str(tmp_path), stdout=out)

    name = f"innovasjonsdeling-{timezone.localdate().isoformat()}.zip"
    data = (tmp_path / name).read_bytes()
    assert (tmp_path / f"{name}.sha256").read_text() == f"{sha256(data)}  {name}\n"
    assert (tmp_path / SNAPSHOT_LATEST).read_bytes() == data
    assert (tmp_path / f"{SNAPSHOT_LATEST}.sha256").read_text() == (
        f"{sha256(data)}  {SNAPSHOT_LATEST}\n"
    )
    assert name in out.getvalue()

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert set(members) == {
        "cases.json",
        "cases.csv",
        "adoptions.json",
        "adoptions.csv",
        "organisations.json",
        "organisations.csv",
        "metadata.json",
        "SHA256SUMS",
    }
    sums = dict(reversed(line.split("  ")) for line in members["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(members) - {"SHA256SUMS"}
    for member, digest in sums.items():
        assert sha256(members[member]) == digest, member

    cases = json.loads(members["cases.json"])
    assert [case["id"] for case in cases] == [published.pk]
    case = cases[0]
    assert case["title"] == "Mobilt røntgen"
    assert case["url"] == "https://innovasjon.example.no/saker/mobilt-rontgen/"
    assert case["tags"] == ["eldre", "røntgen"]
    adoptions = json.loads(members["adoptions.json"])
    assert [(a["case"], a["organisation"]["id"]) for a in adoptions] == [(published.pk, voss.pk)]
    organisations = json.loads(members["organisations.json"])
    assert voss.pk in {o["id"] for o in organisations}
    assert published.organisation_id in {o["id"] for o in organisations}
    everything = b"".join(members.values()).decode()
    assert "Skjult" not in everything

    rows = list(csv.DictReader(io.StringIO(members["cases.csv"].decode())))
    assert [row["id"] for row in rows] == [str(published.pk)]
    assert rows[0]["tags"] == "eldre|røntgen"
    assert rows[0]["organisation.name"] == published.organisation.name
    adoption_rows = list(csv.DictReader(io.StringIO(members["adoptions.csv"].decode())))
    # A name that a spreadsheet would run as a formula stays text.
    assert adoption_rows[0]["organisation.name"] == "'=Voss"
    organisation_rows = list(csv.DictReader(io.StringIO(members["organisations.csv"].decode())))
    assert len(organisation_rows) == len(organisations)

    metadata = json.loads(members["metadata.json"])
    assert metadata["counts"] == {
        "cases": 1,
        "adoptions": 1,
        "organisations": len(organisations),
    }
    assert metadata["licence"]["uri"] == "https://data.norge.no/nlod/no/2.0"


def test_old_snapshots_are_pruned(tmp_path):
    for days in range(1, 4):
        day = (timezone.localdate() - timedelta(days=days)).isoformat()
        (tmp_path / f"innovasjonsdeling-{day}.zip").write_bytes(b"old")
        (tmp_path / f"innovasjonsdeling-{day}.zip.sha256").write_text("old")
    call_command("export_snapshot", directory=str(tmp_path), keep=2, stdout=io.StringIO())
    kept = sorted(p.name for p in tmp_path.glob("innovasjonsdeling-*.zip"))
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert kept == [
        f"innovasjonsdeling-{yesterday}.zip",
        f"innovasjonsdeling-{timezone.localdate().isoformat()}.zip",
        SNAPSHOT_LATEST,
    ]
    assert not list(tmp_path.glob(".*"))
    assert len(list(tmp_path.glob("*.sha256"))) == 3


def test_the_snapshot_goes_to_the_setting_by_default(tmp_path, settings):
    settings.SNAPSHOT_DIR = tmp_path / "apne-data"
    call_command("export_snapshot", stdout=io.StringIO())
    assert (tmp_path / "apne-data" / SNAPSHOT_LATEST).exists()


def test_the_site_serves_the_snapshot_where_the_catalogue_points(client, tmp_path, settings):
    settings.SNAPSHOT_DIR = tmp_path
    factories.CaseFactory(published=True)
    assert client.get("/apne-data/innovasjonsdeling-siste.zip").status_code == 404
    call_command("export_snapshot", stdout=io.StringIO())
    response = client.get("/apne-data/innovasjonsdeling-siste.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    checksum = client.get("/apne-data/innovasjonsdeling-siste.zip.sha256")
    assert b"".join(checksum.streaming_content).decode().split()[0] == sha256(data)
    dated = f"/apne-data/innovasjonsdeling-{timezone.localdate().isoformat()}.zip"
    assert client.get(dated).status_code == 200
    (tmp_path / "hemmelig.txt").write_text("x")
    for name in ("hemmelig.txt", "..%2Fsettings.py", ".innovasjonsdeling-siste.zip.tmp"):
        assert client.get(f"/apne-data/{name}").status_code == 404
    # The catalogue's snapshot distributions point to this address by default.
    assert urlsplit(settings.SNAPSHOT_URL + SNAPSHOT_LATEST).path == (
        "/apne-data/innovasjonsdeling-siste.zip"
    )
