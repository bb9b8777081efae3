"""The registry's counties and municipalities, their workplaces (units), and partners."""

from __future__ import annotations

import random
from pathlib import Path

from cases import registry
from cases.models import Organisation
from cases.text import norwegian_slug
from cases.vocabularies import EmployeeBand, OrganisationKind

from .common import BATCH, WT, Org, SyntheticError, unused_slug

# Units per municipality: (workplace type, inhabitants per unit, employee bands weighted).
BANDS = (EmployeeBand.B1_19, EmployeeBand.B20_49, EmployeeBand.B50_99, EmployeeBand.B100)
UNIT_PLAN = [
    (WT.PRIMARY_SCHOOL, 3500, (0.15, 0.45, 0.30, 0.10)),
    (WT.KINDERGARTEN, 2500, (0.55, 0.40, 0.05, 0.0)),
    (WT.NURSING_HOME, 9000, (0.10, 0.30, 0.35, 0.25)),
    (WT.HOME_CARE, 25000, (0.05, 0.25, 0.35, 0.35)),
    (WT.HEALTH_CENTRE, 30000, (0.55, 0.35, 0.10, 0.0)),
    (WT.CHILD_WELFARE, 0, (0.50, 0.35, 0.10, 0.05)),
    (WT.WELFARE_OFFICE, 0, (0.45, 0.35, 0.15, 0.05)),
    (WT.CULTURE, 60000, (0.60, 0.30, 0.10, 0.0)),
    (WT.TECHNICAL, 0, (0.30, 0.40, 0.20, 0.10)),
]
UPPER_SECONDARY_PER = 13000
UPPER_SECONDARY_BANDS = (0.0, 0.15, 0.45, 0.40)

PLACES = [
    "Solbakken", "Haugen", "Lia", "Nordby", "Sentrum", "Fjellheim", "Strand", "Eikeli",
    "Bjørkly", "Furuly", "Granli", "Kirkebakken", "Lund", "Moen", "Nes", "Skogly", "Tangen",
    "Vik", "Åsen", "Bakke", "Dalen", "Engen", "Holt", "Myra", "Sletta", "Berg", "Øvre Vollen",
    "Nedre Eiker", "Rosendal", "Solsiden",
]  # fmt: skip
UNIT_NAMES: dict[str, list[str]] = {
    WT.PRIMARY_SCHOOL: ["{place} skole", "{place} barneskole", "{place} ungdomsskole"],
    WT.KINDERGARTEN: ["{place} barnehage", "{place} naturbarnehage", "{place} barnehage"],
    WT.NURSING_HOME: ["{place} sykehjem", "{place} omsorgssenter", "{place} helsehus"],
    WT.HOME_CARE: ["Hjemmetjenesten i {municipality}", "Hjemmetjenesten {place}"],
    WT.HEALTH_CENTRE: ["Helsestasjonen i {municipality}", "{place} helsestasjon"],
    WT.CHILD_WELFARE: ["Barneverntjenesten i {municipality}"],
    WT.WELFARE_OFFICE: ["NAV {municipality}"],
    WT.CULTURE: ["{municipality} bibliotek", "{municipality} kulturskole", "{place} kulturhus"],
    WT.TECHNICAL: ["Teknisk drift i {municipality}"],
    WT.UPPER_SECONDARY: ["{place} videregående skole"],
}
OTHER_ORGANISATIONS = [
    (OrganisationKind.RESEARCH, "SINTEF"),
    (OrganisationKind.RESEARCH, "NTNU"),
    (OrganisationKind.RESEARCH, "Universitetet i Oslo"),
    (OrganisationKind.RESEARCH, "Universitetet i Bergen"),
    (OrganisationKind.RESEARCH, "UiT Norges arktiske universitet"),
    (OrganisationKind.RESEARCH, "OsloMet – storbyuniversitetet"),
    (OrganisationKind.RESEARCH, "Høgskulen på Vestlandet"),
    (OrganisationKind.RESEARCH, "Nord universitet"),
    (OrganisationKind.RESEARCH, "Universitetet i Agder"),
    (OrganisationKind.RESEARCH, "NORCE"),
    (OrganisationKind.RESEARCH, "Nordlandsforskning"),
    (OrganisationKind.RESEARCH, "Senter for omsorgsforskning"),
    (OrganisationKind.STATE_AGENCY, "KS"),
    (OrganisationKind.STATE_AGENCY, "Digitaliseringsdirektoratet"),
    (OrganisationKind.STATE_AGENCY, "Helsedirektoratet"),
    (OrganisationKind.STATE_AGENCY, "Utdanningsdirektoratet"),
    (OrganisationKind.STATE_AGENCY, "Arbeids- og velferdsdirektoratet"),
    (OrganisationKind.STATE_AGENCY, "Statens vegvesen"),
    (OrganisationKind.STATE_AGENCY, "Husbanken"),
    (OrganisationKind.COMPANY, "Nordlys Velferdsteknologi AS"),
    (OrganisationKind.COMPANY, "Fjordkode AS"),
    (OrganisationKind.COMPANY, "Trygg Hjemme AS"),
    (OrganisationKind.COMPANY, "Bølge Tjenestedesign AS"),
    (OrganisationKind.COMPANY, "Skyfri Data AS"),
    (OrganisationKind.COMPANY, "Vannvokter AS"),
    (OrganisationKind.COMPANY, "Grønn Drift AS"),
    (OrganisationKind.COMPANY, "Læringsløype AS"),
]


def load_registry(municipalities: Path, counties: Path | None) -> tuple[int, int]:
    """Counties and municipalities through `cases.registry`, as load_municipalities does."""
    if counties is None:
        beside = municipalities.with_name("counties.csv")
        counties = beside if beside.exists() else None
    try:
        data = registry.read_registry(path=municipalities, counties_path=counties)
    except registry.RegistryError as exc:
        raise SyntheticError(str(exc)) from exc
    registry.import_registry(registry=data)
    return len(data.counties), len(data.municipalities)


def write_organisations(rnd: random.Random, numbers: list[str]) -> dict:
    """Read the registry organisations, create the units and the other organisations."""
    municipalities = list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY, number__in=numbers)
        .select_related("parent")
        .order_by("number")
    )
    county_numbers = sorted({number[:2] for number in numbers})
    counties = list(
        Organisation.objects.filter(
            kind=OrganisationKind.COUNTY, number__in=county_numbers
        ).order_by("number")
    )
    taken = set(Organisation.all_objects.values_list("slug", flat=True))
    counters: dict[str, int] = {}
    units: list[Organisation] = []

    def unit(parent: Organisation, workplace_type: str, bands, municipality_name: str):
        name = rnd.choice(UNIT_NAMES[workplace_type]).format(
            place=rnd.choice(PLACES), municipality=municipality_name
        )
        slug_base = norwegian_slug(f"{name} {municipality_name}")
        if municipality_name in name:
            slug_base = norwegian_slug(name)
        organisation = Organisation(
            kind=OrganisationKind.UNIT,
            name=name,
            slug=unused_slug(slug_base, taken, counters),
            parent=parent,
            workplace_type=workplace_type,
            employee_band=rnd.choices(BANDS, weights=bands, k=1)[0],
        )
        # The parent chain is in memory (select_related), so deriving costs no query.
        organisation.derive_geography()
        units.append(organisation)

    county_population: dict[int | None, int] = {}
    for municipality in municipalities:
        population = municipality.population or 0
        county_population[municipality.parent_id] = (
            county_population.get(municipality.parent_id, 0) + population
        )
        for workplace_type, per, bands in UNIT_PLAN:
            count = 1 if per == 0 else max(1, round(population / per))
            for _ in range(count):
                unit(municipality, workplace_type, bands, municipality.name)
    for county in counties:
        count = max(2, round(county_population.get(county.pk, 0) / UPPER_SECONDARY_PER))
        for _ in range(count):
            unit(county, WT.UPPER_SECONDARY, UPPER_SECONDARY_BANDS, county.name)
    Organisation.objects.bulk_create(units, batch_size=BATCH)

    others = []
    existing = {
        o.slug: o
        for o in Organisation.all_objects.filter(
            slug__in=[norwegian_slug(name) for _kind, name in OTHER_ORGANISATIONS]
        )
    }
    new_others = []
    for kind, name in OTHER_ORGANISATIONS:
        slug = norwegian_slug(name)
        if slug in existing:
            others.append(existing[slug])
            continue
        organisation = Organisation(kind=kind, name=name, slug=slug)
        taken.add(slug)
        new_others.append(organisation)
        others.append(organisation)
    Organisation.objects.bulk_create(new_others)

    county_names: dict[int | None, str] = {county.pk: county.name for county in counties}
    by_pk: dict[int | None, Organisation] = {m.pk: m for m in municipalities}

    def record(o: Organisation) -> Org:
        municipality = by_pk.get(o.municipality_id)
        return Org(
            pk=o.pk,
            name=o.name,
            kind=o.kind,
            slug=o.slug,
            county_id=o.county_id,
            municipality_name=municipality.name if municipality else "",
            county_name=county_names.get(o.county_id, ""),
            workplace_type=o.workplace_type,
            employee_band=o.employee_band,
            size_class=o.size_class,
            centrality_class=o.centrality_class,
        )

    return {
        "municipalities": [record(m) for m in municipalities],
        "counties": [record(c) for c in counties],
        "units": [record(u) for u in units],
        "others": [record(o) for o in others],
        "new_others": len(new_others),
    }
