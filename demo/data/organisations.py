"""The demo's organisations: real counties, municipalities, workplaces and partners."""

from cases.vocabularies import EmployeeBand, OrganisationKind, Region, WorkplaceType

from .records import Spec

# ------------------------------------------------------------------------------------------
# Organisations. `slug` is also the key the other modules use to name an organisation.
# Counties and municipalities are named and slugged as `load_municipalities` names and slugs
# them, with the registry's figures, so the database is the same whichever command runs first.
# ------------------------------------------------------------------------------------------

# The 15 counties of the 2024 structure: county municipalities (fylkeskommuner), and also the
# county every municipality lies in. Oslo is both a county and a municipality.
# number, name, slug, region (landsdel)
_COUNTY_ROWS = [
    ("03", "Oslo", "oslo-fylkeskommune", Region.OSLO_VIKEN),
    ("11", "Rogaland", "rogaland-fylkeskommune", Region.VESTLANDET),
    ("15", "Møre og Romsdal", "more-og-romsdal-fylkeskommune", Region.VESTLANDET),
    ("18", "Nordland", "nordland-fylkeskommune", Region.NORD_NORGE),
    ("31", "Østfold", "ostfold-fylkeskommune", Region.OSLO_VIKEN),
    ("32", "Akershus", "akershus-fylkeskommune", Region.OSLO_VIKEN),
    ("33", "Buskerud", "buskerud-fylkeskommune", Region.OSLO_VIKEN),
    ("34", "Innlandet", "innlandet-fylkeskommune", Region.INNLANDET),
    ("39", "Vestfold", "vestfold-fylkeskommune", Region.AGDER_SOR_OSTLANDET),
    ("40", "Telemark", "telemark-fylkeskommune", Region.AGDER_SOR_OSTLANDET),
    ("42", "Agder", "agder-fylkeskommune", Region.AGDER_SOR_OSTLANDET),
    ("46", "Vestland", "vestland-fylkeskommune", Region.VESTLANDET),
    ("50", "Trøndelag", "trondelag-fylkeskommune", Region.TRONDELAG),
    ("55", "Troms", "troms-fylkeskommune", Region.NORD_NORGE),
    ("56", "Finnmark", "finnmark-fylkeskommune", Region.NORD_NORGE),
]
COUNTIES: list[Spec] = [
    {"number": number, "name": name, "slug": slug, "region": region}
    for number, name, slug, region in _COUNTY_ROWS
]

# number, name, slug, county, population (1 January 2026), SSB centrality class and index (2024)
_MUNICIPALITY_ROWS = [
    ("0301", "Oslo", "oslo", "oslo-fylkeskommune", 728714, 1, 1000),
    ("4601", "Bergen", "bergen", "vestland-fylkeskommune", 294860, 2, 895),
    ("5001", "Trondheim", "trondheim", "trondelag-fylkeskommune", 218460, 2, 885),
    ("1103", "Stavanger", "stavanger", "rogaland-fylkeskommune", 151669, 2, 890),
    ("4204", "Kristiansand", "kristiansand", "agder-fylkeskommune", 119287, 3, 832),
    ("5501", "Tromsø", "tromso", "troms-fylkeskommune", 79943, 3, 803),
    ("1508", "Ålesund", "alesund", "more-og-romsdal-fylkeskommune", 59663, 3, 800),
    ("1804", "Bodø", "bodo", "nordland-fylkeskommune", 53638, 3, 793),
    ("3405", "Lillehammer", "lillehammer", "innlandet-fylkeskommune", 29669, 3, 818),
    ("5037", "Levanger", "levanger", "trondelag-fylkeskommune", 20807, 4, 752),
    ("4621", "Voss", "voss", "vestland-fylkeskommune", 16438, 4, 720),
    ("1816", "Vevelstad", "vevelstad", "nordland-fylkeskommune", 477, 6, 373),
    ("1856", "Røst", "rost", "nordland-fylkeskommune", 471, 6, 366),
    ("1151", "Utsira", "utsira", "rogaland-fylkeskommune", 219, 6, 293),
]
_MUNICIPALITY_EXTRA: dict[str, Spec] = {
    "oslo": {"email_domains": ["oslo.kommune.no"], "website": "https://www.oslo.kommune.no/"},
    "bergen": {
        "email_domains": ["bergen.kommune.no"],
        "website": "https://www.bergen.kommune.no/",
    },
    "trondheim": {"website": "https://www.trondheim.kommune.no/"},
}
_REGION_OF_COUNTY = {county["slug"]: county["region"] for county in COUNTIES}

# Large, medium and small; central and remote; every region.
MUNICIPALITIES: list[Spec] = [
    {
        "number": number,
        "name": name,
        "slug": slug,
        "county": county,
        "population": population,
        "population_year": 2026,
        "centrality_class": centrality_class,
        "centrality_index": centrality_index,
        "region": _REGION_OF_COUNTY[county],
        **_MUNICIPALITY_EXTRA.get(slug, {}),
    }
    for number, name, slug, county, population, centrality_class, centrality_index in (
        _MUNICIPALITY_ROWS
    )
]

# Workplaces inside a municipality, and organisations that are neither municipality nor county.
OTHER_ORGANISATIONS: list[Spec] = [
    {
        "slug": "tasen-helsehus",
        "name": "Tåsen helsehus",
        "kind": OrganisationKind.UNIT,
        "parent": "oslo",
        "workplace_type": WorkplaceType.NURSING_HOME,
        "employee_band": EmployeeBand.B100,
    },
    {
        "slug": "charlottenlund-ungdomsskole",
        "name": "Charlottenlund ungdomsskole",
        "kind": OrganisationKind.UNIT,
        "parent": "trondheim",
        "workplace_type": WorkplaceType.PRIMARY_SCHOOL,
        "employee_band": EmployeeBand.B50_99,
    },
    {
        "slug": "hjemmetjenesten-i-bodo",
        "name": "Hjemmetjenesten i Bodø",
        "kind": OrganisationKind.UNIT,
        "parent": "bodo",
        "workplace_type": WorkplaceType.HOME_CARE,
        "employee_band": EmployeeBand.B100,
    },
    {
        "slug": "oslo-universitetssykehus",
        "name": "Oslo universitetssykehus HF",
        "kind": OrganisationKind.STATE_AGENCY,
        "website": "https://oslo-universitetssykehus.no/",
    },
    {
        "slug": "sintef",
        "name": "SINTEF",
        "kind": OrganisationKind.RESEARCH,
        "website": "https://www.sintef.no/",
    },
    {
        "slug": "ntnu",
        "name": "NTNU – Norges teknisk-naturvitenskapelige universitet",
        "kind": OrganisationKind.RESEARCH,
        "website": "https://www.ntnu.no/",
    },
    {
        "slug": "evondos",
        "name": "Evondos",
        "kind": OrganisationKind.COMPANY,
        "website": "https://www.evondos.com/",
    },
]
