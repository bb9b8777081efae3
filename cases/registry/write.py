"""Writing a validated `Registry` into organisations: counties and municipalities created or
updated in one transaction, matched by number, with slugs given once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from ..models import Organisation
from ..services.organisations import refresh_descendants
from ..text import norwegian_slug
from ..vocabularies import OrganisationKind
from .read import CountyRecord, Format, MunicipalityRecord, Registry


@dataclass
class Tally:
    """What an import did to one kind of organisation, as "number name" labels (updated ones
    followed by the changed fields in parentheses)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of `import_registry`."""

    municipalities: Tally
    counties: Tally
    units_refreshed: int
    # Alive municipalities the file does not mention (merged away, or a partial file).
    not_in_file: list[str]
    skipped: list[str]


_COUNTY_FIELDS = ("name", "region")
_MUNICIPALITY_FIELDS = (
    "name",
    "parent_id",
    "population",
    "population_year",
    "centrality_class",
    "centrality_index",
    "region",
    "size_class",
    "county_id",
)
# A county created from KLASS alone has no name in the source. Organisation names are Norwegian
# data (not interface text); a later import with names replaces this one.
PLACEHOLDER_COUNTY_NAME = "Fylke {number}"


def import_registry(*, registry: Registry) -> ImportReport:
    """Create or update counties and municipalities from a validated registry, in one transaction.

    Organisations are matched by (kind, number), soft-deleted ones included (they keep their
    deletion), so a second run updates and never duplicates. Only what the source carries is
    written: a KLASS import leaves population, centrality and region alone. Names, parents and
    statistics go through Organisation.save(), so derived geography (size class, municipality and
    county pointers) stays right; units below a changed municipality or county are refreshed the
    same way. Slugs are given once, at creation, and never change, since they are in URLs.
    """
    with transaction.atomic():
        county_tally, counties, changed_counties = _import_counties(registry=registry)
        municipality_tally, changed_municipalities = _import_municipalities(
            registry=registry, counties=counties
        )
        units_refreshed = refresh_descendants(roots=[*changed_counties, *changed_municipalities])
    numbers = [municipality.number for municipality in registry.municipalities]
    not_in_file = [
        f"{number} {name}"
        for number, name in Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .exclude(number__in=numbers)
        .order_by("number")
        .values_list("number", "name")
    ]
    return ImportReport(
        municipalities=municipality_tally,
        counties=county_tally,
        units_refreshed=units_refreshed,
        not_in_file=not_in_file,
        skipped=list(registry.skipped),
    )


def registry_slug(name: str) -> str:
    """The slug a registry organisation is created with: ASCII, Norwegian letters spelled out."""
    return norwegian_slug(name)


def _import_counties(
    *, registry: Registry
) -> tuple[Tally, dict[str, Organisation], list[Organisation]]:
    tally = Tally()
    records = [registry.counties[number] for number in sorted(registry.counties)]
    existing = {
        county.number: county
        for county in Organisation.all_objects.filter(
            kind=OrganisationKind.COUNTY, number__in=[record.number for record in records]
        )
    }
    new = [record for record in records if record.number not in existing]
    slugs = _SlugBook(candidates=[(record.number, _county_slugs(record)) for record in new])
    counties: dict[str, Organisation] = {}
    changed: list[Organisation] = []
    for record in records:
        county = existing.get(record.number)
        if county is None:
            name = record.name or PLACEHOLDER_COUNTY_NAME.format(number=record.number)
            county = Organisation(
                kind=OrganisationKind.COUNTY,
                number=record.number,
                name=name,
                slug=slugs.claim(record.number),
                region=record.region or "",
            )
            county.save()
            tally.created.append(f"{county.number} {county.name}")
        else:
            before = _values(county, _COUNTY_FIELDS)
            if record.name is not None:
                county.name = record.name
            if record.region is not None:
                county.region = record.region
            differences = _differences(before, _values(county, _COUNTY_FIELDS), _COUNTY_FIELDS)
            if differences or county.county_id != county.pk:
                county.save()
                tally.updated.append(_updated_label(county, differences))
                changed.append(county)
            else:
                tally.unchanged.append(f"{county.number} {county.name}")
        counties[record.number] = county
    return tally, counties, changed


def _import_municipalities(
    *, registry: Registry, counties: dict[str, Organisation]
) -> tuple[Tally, list[Organisation]]:
    tally = Tally()
    records = registry.municipalities
    existing = {
        municipality.number: municipality
        for municipality in Organisation.all_objects.filter(
            kind=OrganisationKind.MUNICIPALITY,
            number__in=[record.number for record in records],
        )
    }
    new = [record for record in records if record.number not in existing]
    slugs = _SlugBook(candidates=[(record.number, _municipality_slugs(record)) for record in new])
    changed: list[Organisation] = []
    for record in records:
        county = counties[record.county_number]
        municipality = existing.get(record.number)
        if municipality is None:
            municipality = Organisation(
                kind=OrganisationKind.MUNICIPALITY,
                number=record.number,
                name=record.name,
                slug=slugs.claim(record.number),
            )
            _apply(municipality, record=record, county=county, source_format=registry.format)
            municipality.save()
            tally.created.append(f"{municipality.number} {municipality.name}")
            continue
        before = _values(municipality, _MUNICIPALITY_FIELDS)
        _apply(municipality, record=record, county=county, source_format=registry.format)
        municipality.derive_geography()
        after = _values(municipality, _MUNICIPALITY_FIELDS)
        differences = _differences(before, after, _MUNICIPALITY_FIELDS)
        if differences or municipality.municipality_id != municipality.pk:
            municipality.save()
            tally.updated.append(_updated_label(municipality, differences))
            changed.append(municipality)
        else:
            tally.unchanged.append(f"{municipality.number} {municipality.name}")
    return tally, changed


def _apply(
    municipality: Organisation,
    *,
    record: MunicipalityRecord,
    county: Organisation,
    source_format: Format,
) -> None:
    municipality.parent = county
    if source_format == "klass":
        # KLASS joins a municipality's official names ("Rana - Raane"); keep the Norwegian one a
        # registry CSV gave, so a KLASS refresh does not rename municipalities back and forth.
        parts = [part.strip() for part in record.name.split(" - ")]
        if municipality.pk is None or municipality.name not in parts:
            municipality.name = record.name
    else:
        municipality.name = record.name
    for attribute in ("population", "population_year", "centrality_class", "centrality_index"):
        value = getattr(record, attribute)
        if value is not None:
            setattr(municipality, attribute, value)
    if record.region is not None:
        municipality.region = record.region


def _values(organisation: Organisation, attributes: Iterable[str]) -> tuple:
    return tuple(getattr(organisation, attribute) for attribute in attributes)


def _differences(before: tuple, after: tuple, attributes: Sequence[str]) -> list[str]:
    return [name for name, old, new in zip(attributes, before, after, strict=True) if old != new]


def _updated_label(organisation: Organisation, differences: list[str]) -> str:
    # The self-pointer repair has no field of its own worth naming to an operator.
    detail = (
        f" ({', '.join(name.removesuffix('_id') for name in differences)})" if differences else ""
    )
    return f"{organisation.number} {organisation.name}{detail}"


def _municipality_slugs(record: MunicipalityRecord) -> list[str]:
    base = registry_slug(record.name) or "kommune"
    return [base, f"{base}-{record.number}"]


def _county_slugs(record: CountyRecord) -> list[str]:
    # "-fylkeskommune" keeps counties clear of municipalities of the same name (Oslo is both).
    if not record.name:
        return [f"fylkeskommune-{record.number}"]
    base = f"{registry_slug(record.name)}-fylkeskommune"
    return [base, f"{base}-{record.number}"]


class _SlugBook:
    """Hands out unique slugs for new organisations, checking the database once for the lot."""

    def __init__(self, *, candidates: list[tuple[str, list[str]]]):
        self._candidates = dict(candidates)
        everything = [slug for _, slugs in candidates for slug in slugs]
        self._checked = set(everything)
        self._taken = set(
            Organisation.all_objects.filter(slug__in=everything).values_list("slug", flat=True)
        )

    def claim(self, key: str) -> str:
        options = self._candidates[key]
        for slug in options:
            if self._free(slug):
                return self._take(slug)
        counter = 2
        while not self._free(f"{options[-1]}-{counter}"):
            counter += 1
        return self._take(f"{options[-1]}-{counter}")

    def _free(self, slug: str) -> bool:
        if slug in self._taken:
            return False
        if slug in self._checked:
            return True
        return not Organisation.all_objects.filter(slug=slug).exists()

    def _take(self, slug: str) -> str:
        self._taken.add(slug)
        return slug
