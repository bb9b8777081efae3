"""Write the nightly bulk snapshot of everything public: `export_snapshot [--directory DIR]`.

A dated zip (`innovasjonsdeling-YYYY-MM-DD.zip`) in SNAPSHOT_DIR holds the published cases,
their reuse records and the organisations, each as JSON (exactly as the REST API gives them)
and as CSV, with `metadata.json` (licence, time, counts) and `SHA256SUMS` for its files. Beside
it `<zip>.sha256` holds the zip's own checksum, and `innovasjonsdeling-siste.zip` (with its
`.sha256`) is a copy of the newest, the address the catalogue at /katalog points to. Files are
written under a temporary name and renamed, so a web server never serves half a file. Snapshots
older than the newest `--keep` are removed. Run it from cron or a systemd timer (README).
"""

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases import spreadsheet
from cases.api.serializers import OrganisationSerializer, render_adoptions, render_cases, with_ids
from cases.catalogue import SNAPSHOT_LATEST
from cases.links import site_url
from cases.models import Adoption, Case, Organisation

PREFIX = "innovasjonsdeling-"
CHUNK = 1000

# The CSV files' columns: a dotted path into the API's JSON of one object. Lists of codes are
# joined with "|"; lists of objects (partners, links) are their JSON.
CASE_COLUMNS = [
    "id", "slug", "url", "title", "summary", "problem", "solution", "results", "reuse_guide",
    "contact", "contact_person.name", "contact_person.role", "contact_person.email",
    "contact_person.phone", "organisation.id", "organisation.name", "organisation.kind",
    "organisation.number", "organisation.municipality.number",
    "organisation.municipality.name", "organisation.county.number", "organisation.county.name",
    "partners", "sectors", "innovation_types", "workplace_type", "stage", "benefits", "tags",
    "links", "origin", "source_case", "source_description", "status", "adoption_count",
    "created_at", "updated_at", "published_at",
]  # fmt: skip
ADOPTION_COLUMNS = [
    "id", "case", "organisation.id", "organisation.name", "organisation.kind",
    "organisation.number", "organisation.municipality.number",
    "organisation.municipality.name", "organisation.county.number", "organisation.county.name",
    "mode", "channel", "adopted_on", "status", "note", "derived_case", "confirmed",
    "created_at", "updated_at",
]  # fmt: skip
ORGANISATION_COLUMNS = [
    "id", "name", "slug", "kind", "number", "parent", "county.number", "county.name", "region",
    "size_class", "centrality_class", "population",
]  # fmt: skip


def _cell(item: dict, path: str):
    value: Any = item
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, list):
        if all(isinstance(entry, str | int) for entry in value):
            return "|".join(str(entry) for entry in value)
        return json.dumps(value, ensure_ascii=False)
    return value


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def public_cases() -> Iterator[dict]:
    """Every published case as the API shows it, with the address of its page in full."""
    published = Case.objects.published()
    ids = list(published.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        rendered = render_cases(with_ids(published, chunk))
        for pk in chunk:
            if pk in rendered:
                case = rendered[pk]
                yield {**case, "url": site_url(case["url"])}


def public_adoptions() -> Iterator[dict]:
    public = Adoption.objects.public()
    ids = list(public.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        rendered = render_adoptions(with_ids(public, chunk))
        yield from (rendered[pk] for pk in chunk if pk in rendered)


def public_organisations() -> Iterator[dict]:
    organisations = Organisation.objects.select_related("county")
    ids = list(organisations.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        yield from OrganisationSerializer(
            organisations.filter(pk__in=chunk).order_by("pk"), many=True
        ).data


PARTS: list[tuple[str, Callable[[], Iterator[dict]], list[str]]] = [
    ("cases", public_cases, CASE_COLUMNS),
    ("adoptions", public_adoptions, ADOPTION_COLUMNS),
    ("organisations", public_organisations, ORGANISATION_COLUMNS),
]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _member(name: str) -> zipfile.ZipInfo:
    """A compressed member of the archive, dated now."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_part(archive: zipfile.ZipFile, name: str, items, columns) -> tuple[int, dict]:
    """`name`.json and `name`.csv in the archive, and their row count and checksums. The JSON
    is written as the objects come; the CSV waits in a temporary file meanwhile, since a zip
    takes one member at a time."""
    json_digest, csv_digest = hashlib.sha256(), hashlib.sha256()
    count = 0
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as csv_text,
        archive.open(_member(f"{name}.json"), "w") as json_file,
    ):

        def write_json(text: str) -> None:
            data = text.encode()
            json_digest.update(data)
            json_file.write(data)

        writer = spreadsheet.writer(csv_text)
        writer.writerow(columns)
        write_json("[")
        for item in items:
            write_json(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
            writer.writerow([_cell(item, path) for path in columns])
            count += 1
        write_json("\n]\n")
        json_file.close()
        csv_text.seek(0)
        with archive.open(_member(f"{name}.csv"), "w") as csv_file:
            for block in iter(lambda: csv_text.read(1 << 16), ""):
                data = block.encode()
                csv_digest.update(data)
                csv_file.write(data)
    return count, {
        f"{name}.json": json_digest.hexdigest(),
        f"{name}.csv": csv_digest.hexdigest(),
    }


class Command(BaseCommand):
    help = "Write a dated zip of everything public (JSON and CSV) with SHA-256 checksums."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", help="Where to write (default: the SNAPSHOT_DIR setting)."
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=30,
            help="How many dated snapshots to keep; older ones are removed (default 30).",
        )

    def handle(self, *args, directory=None, keep=30, **options):
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        folder = Path(directory or settings.SNAPSHOT_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        name = f"{PREFIX}{timezone.localdate(now).isoformat()}.zip"
        target = folder / name

        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".snapshot-", suffix=".zip")
        os.close(handle)
        temporary_path = Path(temporary)
        try:
            counts, checksums = {}, {}
            with zipfile.ZipFile(temporary_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for part, items, columns in PARTS:
                    counts[part], sums = _write_part(archive, part, items(), columns)
                    checksums.update(sums)
                metadata = {
                    "title": "Innovasjonsdeling: alt som er offentlig",
                    "generated_at": now.isoformat(),
                    "source": site_url("/"),
                    "catalogue": site_url("/katalog"),
                    "licence": {
                        "name": settings.DATA_LICENCE["name"],
                        "uri": settings.DATA_LICENCE["uri"],
                    },
                    "counts": counts,
                    "files": sorted([*checksums, "metadata.json"]),
                }
                metadata_bytes = json.dumps(metadata, ensure_ascii=False, indent=1).encode()
                archive.writestr(_member("metadata.json"), metadata_bytes)
                checksums["metadata.json"] = hashlib.sha256(metadata_bytes).hexdigest()
                archive.writestr(
                    _member("SHA256SUMS"),
                    "".join(f"{digest}  {file}\n" for file, digest in sorted(checksums.items())),
                )
            # Readable by the web server that serves the folder, like the files beside it.
            temporary_path.chmod(0o644)
            digest = sha256_of(temporary_path)
            os.replace(temporary_path, target)
        finally:
            temporary_path.unlink(missing_ok=True)
        self._write_checksum(target, digest)

        latest = folder / SNAPSHOT_LATEST
        copy = folder / f".{SNAPSHOT_LATEST}.tmp"
        shutil.copyfile(target, copy)
        os.replace(copy, latest)
        self._write_checksum(latest, digest)
        self._prune(folder, keep)
        self.stdout.write(
            f"{target} ({', '.join(f'{count} {part}' for part, count in counts.items())}), "
            f"sha256 {digest}"
        )

    @staticmethod
    def _write_checksum(path: Path, digest: str) -> None:
        """`<file>.sha256` in the format `sha256sum --check` reads."""
        checksum = path.with_name(path.name + ".sha256")
        temporary = path.with_name(f".{checksum.name}.tmp")
        temporary.write_text(f"{digest}  {path.name}\n")
        os.replace(temporary, checksum)

    @staticmethod
    def _prune(folder: Path, keep: int) -> None:
        dated = sorted(
            path
            for path in folder.glob(f"{PREFIX}*.zip")
            if path.name != SNAPSHOT_LATEST and path.name[len(PREFIX) : -4].count("-") == 2
        )
        for path in dated[:-keep]:
            path.unlink()
            path.with_name(path.name + ".sha256").unlink(missing_ok=True)
