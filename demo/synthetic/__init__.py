"""Synthetic data for load tests and benchmarks: realistic, deterministic and bulk-inserted.

`generate()` (and `manage.py generate_synthetic`) fills an empty database with

- the counties and municipalities of a registry file, loaded through `cases.registry` exactly as
  `load_municipalities` loads them, and the workplaces (units) of every municipality and county
  in numbers that follow the population: schools, kindergartens, nursing homes, home care ...;
  a few research institutions, state agencies and companies to be partners;
- `cases` published cases, owned by units, municipalities and counties, in the proportions of
  KS' innovation barometer: origin about 10 % first of its kind, 51 % adapted, 32 % copied, 7 %
  unknown (more first-of-kind in larger workplaces), more innovation in larger workplaces and in
  medium-sized, medium-central municipalities; sectors, innovation types, stages, benefits and
  tags that fit the workplace; Norwegian text built from topics, so that full-text search,
  stemming ("sykehjemmene") and trigram matching have real words to work on;
- `adoptions` reuse records with a long tail (most reused cases a few times, a few by hundreds),
  mostly by workplaces of the same kind and often in the same county, through the barometer's
  channels (networks first), dated over ten years along S-shaped (Bass) diffusion curves; a share
  of the adapted and copied cases name their platform source, and their adoption says so;
- spread activities for about four in ten of the organisations that own cases;
- one history entry per case and the change feed's entries for every case and adoption (bulk
  inserts send no signals, so they are written here, stamped with the loading transaction), and
  each case's adoption counters (`adoption_count`, `first_adopted_on`), counted once at the end.

Everything comes from the seed: the same seed and registry give the same rows (organisations'
`created_at` aside, which records when the rows were loaded). Dates lie between START and END,
fixed, so the data do not depend on the day they are generated.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction

from cases import registry
from cases.models import (
    Adoption,
    Case,
    CaseEvent,
    CaseTerm,
    Change,
    Organisation,
    SpreadActivity,
    refresh_adoption_counters,
)
from cases.text import norwegian_slug
from cases.vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    Benefit,
    CaseStatus,
    Channel,
    EmployeeBand,
    InnovationType,
    OrganisationKind,
    Origin,
    Sector,
    SizeClass,
    SpreadKind,
    Stage,
    WorkplaceType,
)

TIME_ZONE = ZoneInfo("Europe/Oslo")
START = dt.date(2016, 1, 1)
END = dt.date(2025, 12, 31)
SPAN_DAYS = (END - START).days
BATCH = 5000

# Platform uptake: publications per month follow a logistic ramp (years after START).
UPTAKE_MIDPOINT = 4.0
UPTAKE_SCALE = 1.2
# Share of adapted and copied cases that name a published case of the platform as their source.
PLATFORM_SOURCE_SHARE = 0.25
# Share of adoptions by an organisation in the owner's own county.
LOCAL_SHARE = 0.35
# No case is adopted by more than this share of the organisations that could adopt it.
MAX_REACH = 0.85
# Popularity: lognormal spread (sigma); the long tail of reuse comes from here.
POPULARITY_SIGMA = 1.45


@dataclass
class Report:
    """What `generate` wrote, and how long each phase took (seconds)."""

    counties: int = 0
    municipalities: int = 0
    units: int = 0
    other_organisations: int = 0
    cases: int = 0
    terms: int = 0
    partners: int = 0
    adoptions: int = 0
    spread_activities: int = 0
    events: int = 0
    changes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class SyntheticError(Exception):
    """The request cannot be fulfilled (the database is not empty, too many adoptions ...)."""


# Vocabulary of the generated world ---------------------------------------------------------------
# The tables are keyed by the choices' values: model fields hold them as plain strings.

WT = WorkplaceType
# Workplace nouns: indefinite, definite singular, indefinite plural, the people it serves.
WORKPLACE_WORDS: dict[str, tuple[str, str, str, str]] = {
    WT.PRIMARY_SCHOOL: ("skole", "skolen", "skoler", "elevene"),
    WT.UPPER_SECONDARY: ("videregående skole", "skolen", "videregående skoler", "elevene"),
    WT.KINDERGARTEN: ("barnehage", "barnehagen", "barnehager", "barna"),
    WT.NURSING_HOME: ("sykehjem", "sykehjemmet", "sykehjem", "beboerne"),
    WT.HOME_CARE: ("hjemmetjeneste", "hjemmetjenesten", "hjemmetjenester", "brukerne"),
    WT.HEALTH_CENTRE: ("helsestasjon", "helsestasjonen", "helsestasjoner", "familiene"),
    WT.CHILD_WELFARE: ("barneverntjeneste", "barneverntjenesten", "barneverntjenester", "barna"),
    WT.WELFARE_OFFICE: ("NAV-kontor", "NAV-kontoret", "NAV-kontorer", "brukerne"),
    WT.CULTURE: ("kulturhus", "kulturhuset", "kulturhus", "innbyggerne"),
    WT.TECHNICAL: ("driftsavdeling", "driftsavdelingen", "driftsavdelinger", "innbyggerne"),
    WT.ADMINISTRATION: ("rådhus", "rådhuset", "kommuner", "innbyggerne"),
    WT.OTHER: ("tjeneste", "tjenesten", "tjenester", "innbyggerne"),
}

# The sectors a workplace's cases belong to (primary sector, weighted).
WORKPLACE_SECTORS: dict[str, list[tuple[str, float]]] = {
    WT.PRIMARY_SCHOOL: [(Sector.EDUCATION, 1.0)],
    WT.UPPER_SECONDARY: [(Sector.EDUCATION, 1.0)],
    WT.KINDERGARTEN: [(Sector.EDUCATION, 1.0)],
    WT.NURSING_HOME: [(Sector.HEALTH_CARE, 1.0)],
    WT.HOME_CARE: [(Sector.HEALTH_CARE, 1.0)],
    WT.HEALTH_CENTRE: [(Sector.HEALTH_CARE, 0.8), (Sector.EDUCATION, 0.2)],
    WT.CHILD_WELFARE: [(Sector.WELFARE, 0.6), (Sector.EDUCATION, 0.4)],
    WT.WELFARE_OFFICE: [(Sector.WELFARE, 1.0)],
    WT.CULTURE: [(Sector.CULTURE, 1.0)],
    WT.TECHNICAL: [(Sector.TECHNICAL, 0.7), (Sector.TRANSPORT, 0.3)],
    WT.ADMINISTRATION: [(Sector.ADMINISTRATION, 0.6), (Sector.PLANNING, 0.4)],
    WT.OTHER: [(sector, 1.0) for sector in Sector.values],
}
# What a municipality or county writes about when it owns a case itself.
OWN_WORKPLACE_TYPES = [
    (WT.ADMINISTRATION, 0.40),
    (WT.TECHNICAL, 0.16),
    (WT.OTHER, 0.08),
    (WT.HOME_CARE, 0.08),
    (WT.NURSING_HOME, 0.06),
    (WT.PRIMARY_SCHOOL, 0.06),
    (WT.WELFARE_OFFICE, 0.05),
    (WT.CULTURE, 0.05),
    (WT.CHILD_WELFARE, 0.03),
    (WT.KINDERGARTEN, 0.03),
]
COUNTY_WORKPLACE_TYPES = [
    (WT.UPPER_SECONDARY, 0.45),
    (WT.ADMINISTRATION, 0.25),
    (WT.TECHNICAL, 0.15),
    (WT.CULTURE, 0.10),
    (WT.OTHER, 0.05),
]

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

# "More innovation in larger workplaces and in medium-sized, medium-central municipalities."
BAND_ACTIVITY: dict[str, float] = {
    EmployeeBand.B1_19: 0.6,
    EmployeeBand.B20_49: 1.0,
    EmployeeBand.B50_99: 1.5,
    EmployeeBand.B100: 2.2,
}
SIZE_ACTIVITY: dict[str, float] = {
    SizeClass.SMALL: 0.85,
    SizeClass.MEDIUM: 1.3,
    SizeClass.LARGE: 1.0,
    "": 1.0,
}
CENTRALITY_ACTIVITY = {1: 0.9, 2: 1.0, 3: 1.2, 4: 1.2, 5: 1.0, 6: 0.8, None: 1.0}
MUNICIPALITY_ACTIVITY = 6.0  # a municipality's own (administration-wide) cases
COUNTY_ACTIVITY = 12.0

# The barometer's line: ~10 % first, 51 % adapted, 32 % copied, 7 % unknown; the first-of-kind
# share grows with the workplace.
FIRST_BY_BAND = {
    EmployeeBand.B1_19: 0.07,
    EmployeeBand.B20_49: 0.09,
    EmployeeBand.B50_99: 0.115,
    EmployeeBand.B100: 0.15,
    "": 0.10,
}
COPIED_SHARE_OF_REUSE = 32 / 83
UNKNOWN_SHARE = 0.07

STAGES = [
    (Stage.IDEA, 0.04),
    (Stage.DEVELOPMENT, 0.08),
    (Stage.PILOT, 0.18),
    (Stage.IN_USE, 0.45),
    (Stage.EVALUATED, 0.18),
    (Stage.DISCONTINUED, 0.07),
]
INNOVATION_TYPES = [
    (InnovationType.SERVICE, 0.38),
    (InnovationType.PROCESS, 0.37),
    (InnovationType.COMMUNICATION, 0.13),
    (InnovationType.PRODUCT, 0.12),
]
BENEFITS = [
    (Benefit.QUALITY, 0.30),
    (Benefit.EFFICIENCY, 0.25),
    (Benefit.AVOIDED_COSTS, 0.12),
    (Benefit.STAFF, 0.15),
    (Benefit.CITIZEN_INFLUENCE, 0.12),
    (Benefit.BUSINESS, 0.06),
]
# How often a case is reused, relative to others (service innovations spread most).
TYPE_POPULARITY = {
    InnovationType.SERVICE: 1.4,
    InnovationType.PROCESS: 1.0,
    InnovationType.COMMUNICATION: 0.9,
    InnovationType.PRODUCT: 0.8,
}
ORIGIN_POPULARITY = {Origin.FIRST: 2.0, Origin.ADAPTED: 1.0, Origin.COPIED: 0.6, "unknown": 0.8}
STAGE_POPULARITY = {
    Stage.IDEA: 0.15,
    Stage.DEVELOPMENT: 0.35,
    Stage.PILOT: 0.8,
    Stage.IN_USE: 1.2,
    Stage.EVALUATED: 1.4,
    Stage.DISCONTINUED: 0.5,
}

# Channels: networks first (the barometer); close by, networks and direct contact weigh more.
CHANNELS = list(Channel.values)
CHANNEL_WEIGHTS_FAR: dict[str, float] = {
    Channel.NETWORK: 0.25,
    Channel.CONFERENCE: 0.22,
    Channel.PLATFORM: 0.18,
    Channel.DIRECT: 0.12,
    Channel.SUPPLIER: 0.10,
    Channel.RESEARCH: 0.04,
    Channel.MEDIA: 0.06,
    Channel.OTHER: 0.03,
}
CHANNEL_WEIGHTS_NEAR: dict[str, float] = {
    Channel.NETWORK: 0.42,
    Channel.CONFERENCE: 0.10,
    Channel.PLATFORM: 0.08,
    Channel.DIRECT: 0.28,
    Channel.SUPPLIER: 0.05,
    Channel.RESEARCH: 0.02,
    Channel.MEDIA: 0.03,
    Channel.OTHER: 0.02,
}
SPREAD_KINDS = [
    (SpreadKind.NETWORK_MEETING, Channel.NETWORK, 0.40),
    (SpreadKind.CONFERENCE, Channel.CONFERENCE, 0.30),
    (SpreadKind.VISIT, Channel.DIRECT, 0.15),
    (SpreadKind.ARTICLE, Channel.MEDIA, 0.10),
    (SpreadKind.OTHER, Channel.OTHER, 0.05),
]
# Of the organisations owning cases, about four in ten spread actively (more the larger they are).
SPREAD_SHARE = {
    EmployeeBand.B1_19: 0.31,
    EmployeeBand.B20_49: 0.39,
    EmployeeBand.B50_99: 0.49,
    EmployeeBand.B100: 0.59,
    "municipality": 0.55,
    "county": 0.65,
}

# Topics: title, the thing itself in running text, tags. Derived cases keep their source's topic.
TOPICS: dict[str, list[tuple[str, str, list[str]]]] = {
    Sector.HEALTH_CARE: [
        ("Mobil røntgen på sykehjem", "mobil røntgen", ["røntgen", "sykehjem", "ambulant"]),
        ("Multidoserobot", "multidoserobot", ["medisinrobot", "legemidler", "velferdsteknologi"]),
        ("Digitalt tilsyn om natten", "digitalt tilsyn", ["digitalt tilsyn", "velferdsteknologi"]),
        ("Hverdagsrehabilitering", "hverdagsrehabilitering", ["rehabilitering", "mestring"]),
        (
            "Elektroniske medisindispensere",
            "elektroniske medisindispensere",
            ["medisindispenser", "velferdsteknologi", "legemidler"],
        ),
        ("Sensorer som varsler fall", "fallsensorer", ["sensor", "fall", "velferdsteknologi"]),
        ("Heltidskultur med langvakter", "langvakter", ["heltidskultur", "turnus"]),
        ("Videokonsultasjon med fastlegen", "videokonsultasjon", ["video", "samhandling"]),
        ("Demensteam som kommer hjem", "demensteam", ["demens", "pårørende", "ambulant"]),
        ("Ernæringskartlegging for eldre", "ernæringskartlegging", ["ernæring", "eldre"]),
        (
            "Avstandsoppfølging av kronisk syke",
            "avstandsoppfølging",
            ["avstandsoppfølging", "velferdsteknologi", "kols"],
        ),
        ("Digital legemiddelgjennomgang", "legemiddelgjennomgang", ["legemidler", "sykehjem"]),
        ("Aktivitetsvenn for eldre", "aktivitetsvenner", ["frivillighet", "eldre", "aktivitet"]),
        ("Nøkkelfrie dørlåser", "elektroniske dørlåser", ["e-lås", "velferdsteknologi"]),
        ("Sykehjemsplass etter døgnrytme", "døgnrytmelys", ["lys", "søvn", "sykehjem"]),
    ],
    Sector.EDUCATION: [
        ("Vekslingsmodellen", "vekslingsmodellen", ["fagopplæring", "lærling", "yrkesfag"]),
        ("Vandreboka for lærlinger", "Vandreboka", ["lærling", "fagbrev", "yrkesfag"]),
        ("Omvendt undervisning", "omvendt undervisning", ["flipped classroom", "video"]),
        ("Tidlig innsats i lesing", "tidlig innsats i lesing", ["lesing", "tidlig innsats"]),
        ("Uteskole hver uke", "uteskole", ["uteskole", "friluftsliv"]),
        ("Leksehjelp på biblioteket", "leksehjelp", ["leksehjelp", "bibliotek", "inkludering"]),
        ("Språkkartlegging i barnehagen", "språkkartlegging", ["språk", "barnehage"]),
        ("Digital vurdering for læring", "digital vurdering", ["vurdering", "digitalisering"]),
        ("Mobilfri skoledag", "mobilfri skoledag", ["skolemiljø", "mobil"]),
        ("Trivselsledere i friminuttet", "trivselsledere", ["trivsel", "skolemiljø", "mobbing"]),
        ("Tverrfaglig team i skolen", "tverrfaglige team", ["tverrfaglig", "skolehelse"]),
        ("Programmering i matematikk", "programmering", ["programmering", "matematikk"]),
        ("Barnehagebibliotek", "barnehagebibliotek", ["lesing", "barnehage", "bibliotek"]),
        ("Overgang fra barnehage til skole", "overgangsrutiner", ["overgang", "barnehage"]),
    ],
    Sector.TRANSPORT: [
        ("Bestillingstransport i distriktet", "bestillingstransport", ["kollektivtransport"]),
        ("Trygg skolevei", "trygg skolevei", ["trafikksikkerhet", "skolevei"]),
        ("Bildeling for ansatte", "bildeling", ["bildeling", "elbil", "klima"]),
        ("Sykkelparkering med lading", "sykkelparkering", ["sykkel", "klima", "mobilitet"]),
        ("Digital skoleskyss", "digital skoleskyss", ["skoleskyss", "digitalisering"]),
        ("Smart vinterdrift av veier", "smart vinterdrift", ["vinterdrift", "sensor", "vei"]),
        ("Ladepunkter for tjenestebiler", "ladepunkter", ["elbil", "lading", "klima"]),
    ],
    Sector.CULTURE: [
        ("Meråpent bibliotek", "meråpent bibliotek", ["bibliotek", "meråpent"]),
        ("Kulturskole for alle", "kulturskole", ["kulturskole", "inkludering", "barn og unge"]),
        (
            "Den kulturelle spaserstokken",
            "den kulturelle spaserstokken",
            ["eldre", "kultur", "konserter"],
        ),
        ("Frivilligsentral på nett", "digital frivilligsentral", ["frivillighet"]),
        ("Ungdomsklubb med medvirkning", "ungdomsklubben", ["ungdom", "medvirkning", "fritid"]),
        ("Fritidskortet", "fritidskort", ["fritid", "inkludering", "barn og unge"]),
        ("Digitalt lokalhistorisk arkiv", "lokalhistorisk arkiv", ["lokalhistorie", "arkiv"]),
    ],
    Sector.TECHNICAL: [
        ("Digitale vannmålere", "digitale vannmålere", ["vannmåler", "vann og avløp", "sensor"]),
        ("Lekkasjesøk med sensorer", "lekkasjesøk", ["lekkasje", "vann og avløp", "sensor"]),
        ("Smarte avfallsbeholdere", "smarte avfallsbeholdere", ["avfall", "renovasjon"]),
        ("Droner i byggesaksbehandling", "droner", ["drone", "byggesak", "kartlegging"]),
        ("Styrt gatelys", "styrt gatelys", ["gatelys", "energisparing", "klima"]),
        ("Ombrukslager for møbler", "ombrukslager", ["ombruk", "sirkulærøkonomi", "klima"]),
        ("Klimabudsjett", "klimabudsjett", ["klima", "budsjett", "bærekraft"]),
        ("Overvannshåndtering med regnbed", "regnbed", ["overvann", "klimatilpasning"]),
        ("Energistyring i kommunale bygg", "energistyring", ["energi", "bygg", "klima"]),
    ],
    Sector.WELFARE: [
        ("Ungdomsgaranti", "ungdomsgarantien", ["ungdom", "arbeid", "nav"]),
        ("Housing First", "Housing First", ["bolig", "rus", "psykisk helse"]),
        ("Økonomisk rådgivning for barnefamilier", "økonomisk rådgivning", ["økonomi"]),
        ("Los for unge utenfor skole og arbeid", "los-ordningen", ["los", "ungdom", "frafall"]),
        ("Arbeidstrening i kommunale virksomheter", "arbeidstrening", ["arbeid", "inkludering"]),
        ("Digital søknad om sosialhjelp", "digital søknad", ["sosialhjelp", "selvbetjening"]),
        ("Familiekoordinator", "familiekoordinator", ["familie", "koordinering"]),
        ("Leie til eie", "leie til eie", ["bolig", "startlån", "boligsosialt arbeid"]),
    ],
    Sector.PLANNING: [
        ("Digital byggesak", "digital byggesak", ["byggesak", "digitalisering"]),
        ("Medvirkning med digitale kart", "digitale medvirkningskart", ["medvirkning", "kart"]),
        ("Midlertidige tiltak i sentrum", "midlertidige tiltak", ["stedsutvikling", "byrom"]),
        ("Gründerhus i sentrum", "gründerhus", ["næringsutvikling", "gründer"]),
        ("Arealregnskap", "arealregnskap", ["areal", "natur", "planlegging"]),
        ("Næringsvennlig kommune", "næringsvennlig saksbehandling", ["næringsliv", "service"]),
        ("Innbyggerpanel", "innbyggerpanel", ["medvirkning", "innbyggerdialog"]),
    ],
    Sector.ADMINISTRATION: [
        ("Chatbot for innbyggerspørsmål", "chatbot", ["chatbot", "kunstig intelligens"]),
        (
            "Robotisert prosessautomatisering",
            "robotisert prosessautomatisering",
            ["rpa", "automatisering", "økonomi"],
        ),
        ("Klarspråk i vedtaksbrev", "klarspråk", ["klarspråk", "kommunikasjon", "vedtak"]),
        ("Tjenestedesign i kommunen", "tjenestedesign", ["tjenestedesign", "brukerinvolvering"]),
        ("Digital post til innbyggere", "digital post", ["digital post", "kommunikasjon"]),
        ("Felles anskaffelser i regionen", "felles anskaffelser", ["anskaffelser", "innkjøp"]),
        ("Lederutvikling med innovasjon", "lederutvikling", ["ledelse", "innovasjon"]),
        ("Sak og arkiv i skyen", "skybasert sak og arkiv", ["arkiv", "informasjonssikkerhet"]),
        ("Innovasjonsverksted for ansatte", "innovasjonsverksted", ["innovasjon", "kompetanse"]),
    ],
}
COMMON_TAGS = [
    "digitalisering",
    "samskaping",
    "tjenestedesign",
    "brukermedvirkning",
    "interkommunalt samarbeid",
    "bærekraft",
    "kompetanse",
    "kvalitet",
    "effektivisering",
    "frivillighet",
]
TITLE_ANGLES = [
    "slik gjorde vi det",
    "fra pilot til drift",
    "en modell for små kommuner",
    "erfaringer etter første år",
    "bedre tjenester med samme ressurser",
    "sammen med innbyggerne",
]
PAINS: dict[str, list[str]] = {
    Sector.HEALTH_CARE: [
        "mange manuelle rutiner rundt legemidler",
        "lange ventetider og unødvendige innleggelser",
        "høyt sykefravær og mange små stillinger",
        "dobbeltregistrering i fagsystemet",
        "mye kjøring mellom brukerne",
        "uro og fall om natten",
    ],
    Sector.EDUCATION: [
        "frafall og lav motivasjon",
        "uro i klasserommet",
        "svake leseferdigheter på de laveste trinnene",
        "lite tid til hver enkelt elev",
        "få læreplasser i nærområdet",
        "krevende overganger mellom skoleslagene",
    ],
    Sector.TRANSPORT: [
        "lange reiser og få avganger",
        "farlige kryssinger på skoleveien",
        "høye utgifter til drivstoff",
        "tomme busser utenfor rushtiden",
    ],
    Sector.CULTURE: [
        "korte åpningstider",
        "lav deltakelse blant barn og unge",
        "få møteplasser for eldre",
        "lange ventelister i kulturskolen",
    ],
    Sector.TECHNICAL: [
        "store vanntap i ledningsnettet",
        "høyt energiforbruk i byggene",
        "unødvendig tømming av avfallsbeholdere",
        "tidkrevende befaringer",
        "oversvømmelser ved kraftig regn",
    ],
    Sector.WELFARE: [
        "mange unge uten arbeid eller skoleplass",
        "gjeld og dårlig økonomi i barnefamilier",
        "lange saksbehandlingstider",
        "at brukerne måtte forholde seg til mange ulike tjenester",
        "ustabile boforhold",
    ],
    Sector.PLANNING: [
        "lange saksbehandlingstider i byggesaker",
        "lite medvirkning fra innbyggerne",
        "tomme lokaler i sentrum",
        "uklare regler for næringslivet",
    ],
    Sector.ADMINISTRATION: [
        "mange like henvendelser til servicetorget",
        "tungvinte manuelle rutiner i økonomiavdelingen",
        "brev som innbyggerne ikke forsto",
        "dyre og fragmenterte innkjøp",
        "lite rom for nye ideer i hverdagen",
    ],
}
SUMMARY_OPENINGS = [
    "{Thing} på {def} i {{place}}.",
    "Slik tok {def} i {{place}} i bruk {thing}.",
    "I {{place}} har {def} innført {thing}.",
    "{Thing} gir {users} et bedre tilbud.",
]
PROBLEM_SENTENCES = [
    "På {def} brukte de ansatte mye tid på {pain}.",
    "{Users} merket at {pain} gikk ut over tjenesten de fikk.",
    "Kommunen så at {pain} ga økte kostnader og mindre tid til det viktigste arbeidet.",
    "Flere {plur} i {county} hadde den samme utfordringen: {pain}.",
    "Tilbakemeldinger fra {users} viste at {pain} var det største problemet.",
    "Med flere eldre og færre hender i årene som kommer, kunne vi ikke fortsette som før.",
    "Rutinene var laget for en annen tid, og mye av arbeidet ble gjort på papir.",
    "Ansatte ønsket seg bedre verktøy og mer tid sammen med {users}.",
]
SOLUTION_SENTENCES = [
    "Vi innførte {thing} på {def}, først som en utprøving i én avdeling.",
    "Løsningen ble utviklet sammen med {users}, de ansatte og tillitsvalgte.",
    "Etter en kartlegging av behovene valgte vi {thing} fordi det var enkelt å ta i bruk.",
    "Arbeidet ble organisert som et prosjekt med en egen prosjektleder og en styringsgruppe.",
    "Vi hentet erfaringer fra andre kommuner før vi bestemte oss.",
    "{Thing} er nå en fast del av tjenesten på {def}.",
    "Løsningen er koblet til fagsystemet, slik at ingen trenger å registrere to ganger.",
]
SOLUTION_STEPS = [
    "Ansatte fikk opplæring i nye rutiner.",
    "Vi laget en kort veileder for hvordan {thing} brukes.",
    "Tillitsvalgte og verneombud var med fra starten.",
    "Løsningen ble prøvd ut i tre måneder før den ble tatt i bruk overalt.",
    "Vi evaluerte underveis og justerte arbeidsflyten.",
    "{Users} ble spurt om hva som fungerte og hva som kunne bli bedre.",
    "Innkjøpet ble gjort gjennom en felles avtale med nabokommunene.",
    "Elektroniske skjemaer erstattet papir og telefon.",
]
RESULT_SENTENCES = [
    "Etter {months} måneder var tidsbruken redusert med {pct} prosent.",
    "{Users} er mer fornøyde, og de ansatte opplever hverdagen som mindre stressende.",
    "Evalueringen viste færre avvik og bedre kvalitet på tjenesten.",
    "Sykefraværet gikk ned med {small} prosentpoeng det første året.",
    "Gevinsten er beregnet til om lag {money} kroner i året.",
    "Flere {plur} i regionen har vist interesse for å ta i bruk {thing}.",
]
RESULT_POINTS = [
    "Mindre tid på administrasjon og mer tid til {users}.",
    "Færre henvendelser og klager.",
    "Bedre oversikt for ledere og ansatte.",
    "Lavere kostnader til transport og vikarer.",
    "Høyere tilfredshet i brukerundersøkelsen.",
]
PREREQUISITES = [
    "en leder som prioriterer arbeidet og setter av tid til opplæring",
    "avtale med leverandør og en avklart databehandleravtale",
    "et fagsystem som kan utveksle data med løsningen",
    "ansatte som får være med på å forme arbeidsflyten",
    "en prosjektleder i minst halv stilling det første året",
]
COSTS = [
    "om lag {money} kroner i innkjøp og {small} ukeverk til innføring",
    "lisenser på noen få tusen kroner i måneden",
    "mest arbeidstid; utstyret er rimelig",
    "en engangskostnad til utstyr og opplæring, deretter lave driftskostnader",
]
ADAPTATIONS = [
    "rutinene må tilpasses størrelsen på tjenesten",
    "kommunikasjonen til innbyggerne bør lages lokalt",
    "integrasjonen mot fagsystemet avhenger av leverandør",
    "turnus og bemanning må planlegges på nytt",
]
PITFALLS = [
    "undervurder ikke tiden det tar å endre vaner",
    "involver tillitsvalgte tidlig",
    "sørg for at personvernet er vurdert før oppstart",
    "husk at gevinsten ofte kommer et annet sted enn kostnaden",
    "start i liten skala og utvid når rutinene sitter",
]
EXTRA_SENTENCES = [
    "Det digitale verktøyet gjør det lett å følge med på utviklingen.",
    "Vi bruker en digital løsning som alle ansatte har tilgang til.",
    "Tjenesten er digital og krever lite opplæring.",
    "Prosjektet fikk skjønnsmidler fra Statsforvalteren.",
    "Arbeidet er en del av kommunens strategi for innovasjon.",
]
# Words few cases contain: what a "rare word" search looks for.
RARE_SENTENCES = [
    "Løsningen ble også tilpasset familier som driver med reindrift.",
    "Vi samarbeidet med skredvarslingen om beredskapen.",
    "Ideen kom fra en fiskeoppdretter i nabokommunen.",
    "Et fyrtårnprosjekt i kystkommunene var inspirasjonen.",
]
RARE_SHARE = 0.002
OUTSIDE_SOURCES = [
    "En lignende løsning i Danmark",
    "En modell fra Sverige",
    "Et prosjekt i Finland",
    "En artikkel i et fagtidsskrift",
    "Et innlegg på KS' innovasjonskonferanse",
    "En leverandør som viste løsningen på en messe",
    "Et forskningsprosjekt ved et universitet",
]
AUDIENCES = ["nettverket", "ledergruppen", "fagmiljøet", "nabokommunene", "KS"]
ADOPTION_NOTES = [
    "Vi tok i bruk løsningen nesten uendret.",
    "Vi tilpasset rutinene til en mindre tjeneste.",
    "Vi brukte en annen leverandør, men samme arbeidsform.",
    "Opplæringsmateriellet ble oversatt og tilpasset.",
    "Vi startet med én avdeling og har utvidet etter hvert.",
]
FIRST_NAMES = [
    "Anne", "Ingrid", "Kari", "Marit", "Liv", "Hilde", "Silje", "Ida", "Nora", "Sara",
    "Ole", "Lars", "Per", "Jon", "Kjetil", "Morten", "Thomas", "Espen", "Jonas", "Emil",
    "Aisha", "Ahmed", "Elin", "Tone", "Geir", "Nils", "Randi", "Sigrid", "Håkon", "Øystein",
]  # fmt: skip
LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Lund",
    "Sørensen", "Bakken", "Moen", "Strand", "Solberg", "Rønning", "Aas",
]  # fmt: skip
ROLES = ["rådgiver", "enhetsleder", "prosjektleder", "fagleder", "avdelingsleder", "spesialist"]
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


# Small helpers ---------------------------------------------------------------------------------


def _weighted(rnd: random.Random, pairs):
    """One value of [(value, weight), ...]."""
    values = [value for value, _weight in pairs]
    weights = [weight for _value, weight in pairs]
    return rnd.choices(values, weights=weights, k=1)[0]


def _moment(day: dt.date, rnd: random.Random) -> dt.datetime:
    """A time during a working day on `day`, Norwegian time."""
    minutes = rnd.randrange(8 * 60, 16 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=TIME_ZONE)


def _day(offset_days: float) -> dt.date:
    return START + dt.timedelta(days=int(min(max(offset_days, 0), SPAN_DAYS)))


def _unused_slug(base: str, taken: set[str], counters: dict[str, int]) -> str:
    base = base or "organisasjon"
    slug, n = base, counters.get(base, 1)
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    counters[base] = n
    taken.add(slug)
    return slug


@dataclass
class _Org:
    """What the generator needs to know about an organisation, kept outside the ORM."""

    pk: int
    name: str
    kind: str
    slug: str
    county_id: int | None
    municipality_name: str = ""
    county_name: str = ""
    workplace_type: str = ""
    employee_band: str = ""
    size_class: str = ""
    centrality_class: int | None = None


# Phases ------------------------------------------------------------------------------------------


def _load_registry(municipalities: Path, counties: Path | None) -> tuple[int, int]:
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


def _organisations(rnd: random.Random, numbers: list[str]) -> dict:
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
            slug=_unused_slug(slug_base, taken, counters),
            parent=parent,
            workplace_type=workplace_type,
            employee_band=rnd.choices(BANDS, weights=bands, k=1)[0],
        )
        # The parent chain is in memory (select_related), so deriving costs no query.
        organisation.derive_geography()
        units.append(organisation)

    county_population: dict[int, int] = {}
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

    county_names = {county.pk: county.name for county in counties}
    by_pk = {m.pk: m for m in municipalities}

    def record(o: Organisation) -> _Org:
        municipality = by_pk.get(o.municipality_id)
        return _Org(
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


def _owner_weight(org: _Org) -> float:
    size = SIZE_ACTIVITY.get(org.size_class, 1.0)
    centrality = CENTRALITY_ACTIVITY.get(org.centrality_class, 1.0)
    if org.kind == OrganisationKind.MUNICIPALITY:
        return MUNICIPALITY_ACTIVITY * size * centrality
    if org.kind == OrganisationKind.COUNTY:
        return COUNTY_ACTIVITY
    return BAND_ACTIVITY.get(org.employee_band, 1.0) * size * centrality


def _origin(rnd: random.Random, owner: _Org) -> str:
    if rnd.random() < UNKNOWN_SHARE:
        return Origin.UNKNOWN
    first = FIRST_BY_BAND.get(owner.employee_band, FIRST_BY_BAND[""]) / (1 - UNKNOWN_SHARE)
    if rnd.random() < first:
        return Origin.FIRST
    return Origin.COPIED if rnd.random() < COPIED_SHARE_OF_REUSE else Origin.ADAPTED


def _publication_offsets(np_rng: np.random.Generator, n: int) -> np.ndarray:
    """Days after START, sorted. The platform's uptake: publications per month rise along a
    logistic curve and level off, so the cumulative number of cases bends upwards and then
    grows steadily (inverse sampling of that density over a grid)."""
    grid = np.linspace(0.0, SPAN_DAYS / 365.25, 4001)
    # The integral of the logistic ramp: s * log(1 + e^((t - mid) / s)).
    cumulative = UPTAKE_SCALE * np.logaddexp(0.0, (grid - UPTAKE_MIDPOINT) / UPTAKE_SCALE)
    cumulative -= cumulative[0]
    years = np.interp(np_rng.uniform(0, cumulative[-1], size=n), cumulative, grid)
    return np.sort(np.clip(years * 365.25, 0, SPAN_DAYS - 30))


@dataclass
class _CaseFacts:
    """Per case, in publication order: what the later phases need."""

    ids: list[int] = field(default_factory=list)
    owners: list[_Org] = field(default_factory=list)
    published: list[dt.datetime] = field(default_factory=list)
    offsets: list[float] = field(default_factory=list)
    workplace_types: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    # (source case index, derived case index, mode) for cases that name a platform source
    derived: list[tuple[int, int, str]] = field(default_factory=list)


class _Rows:
    """Rows of one table, written in batches without building model instances.

    PostgreSQL: COPY ... FROM STDIN (text format), the fastest way in. Other databases: one
    executemany of INSERTs per batch, each value prepared by its model field as Django would.
    Columns left out take the field's default; the generated search_vector is never written.
    """

    def __init__(self, model, *, batch: int = 20000, with_id: bool = False):
        self.table = model._meta.db_table
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not f.generated and (with_id or not f.primary_key)
        ]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.rows: list[tuple] = []
        self.batch = batch
        self.count = 0

    def add(self, **values) -> None:
        defaults = self.defaults
        self.rows.append(
            tuple(
                values[f.attname] if f.attname in values else defaults[f.attname]
                for f in self.fields
            )
        )
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                text = "".join(
                    "\t".join(_copy_text(value) for value in row) + "\n" for row in self.rows
                )
                _copy(cursor, f"COPY {self.table} ({columns}) FROM STDIN", text)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({columns}) VALUES ({placeholders})",
                    [
                        [
                            f.get_db_prep_save(v, connection)
                            for f, v in zip(self.fields, row, strict=True)
                        ]
                        for row in self.rows
                    ],
                )
        self.count += len(self.rows)
        self.rows = []


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value.__class__ is str:
        if "\\" in value:
            value = value.replace("\\", "\\\\")
        return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        return _copy_text(json.dumps(value, ensure_ascii=False))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _copy(cursor, sql: str, text: str) -> None:
    raw = cursor.cursor
    if hasattr(raw, "copy_expert"):  # psycopg2
        raw.copy_expert(sql, io.StringIO(text))
    else:  # psycopg 3
        with raw.copy(sql) as copy:
            copy.write(text)


def _reserve_ids(model, count: int) -> int:
    """The first of `count` consecutive ids nobody else will be given; rows are written with
    their ids, so the cases' ids are known without reading them back."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = cursor.fetchone()[0]
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
            )
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def _case_text(rnd: random.Random, *, topic, sector: str, workplace_type: str, owner: _Org):
    """Title, summary and the long texts of one case, in Norwegian."""
    title_base, thing, _tags = topic
    indefinite, definite, plural, users = WORKPLACE_WORDS[workplace_type]
    place = owner.municipality_name or owner.county_name or owner.name
    words = {
        "def": definite,
        "plur": plural,
        "users": users,
        "Users": users[:1].upper() + users[1:],
        "thing": thing,
        "Thing": thing[:1].upper() + thing[1:],
        "county": owner.county_name or "fylket",
        "pain": rnd.choice(PAINS[sector]),
        "months": rnd.choice([3, 6, 9, 12, 18]),
        "pct": rnd.choice([10, 15, 20, 25, 30, 40]),
        "small": rnd.choice([2, 3, 4, 5]),
        "money": rnd.choice(["200 000", "500 000", "1 million", "2 millioner", "150 000"]),
    }

    def fill(template: str) -> str:
        words["pain"] = rnd.choice(PAINS[sector])
        return template.format(**words)

    shape = rnd.random()
    if shape < 0.35:
        title = title_base
    elif shape < 0.7:
        title = f"{title_base} i {place}"
    elif shape < 0.85:
        title = f"{title_base}: {rnd.choice(TITLE_ANGLES)}"
    else:
        title = f"{title_base} på {definite}" if " " not in indefinite else title_base
    summary = (
        fill(rnd.choice(SUMMARY_OPENINGS)).format(place=place)
        + " "
        + fill(rnd.choice(SOLUTION_SENTENCES[:3] + RESULT_SENTENCES[:3]))
    )
    problem = " ".join(fill(s) for s in rnd.sample(PROBLEM_SENTENCES, k=rnd.randint(2, 3)))
    if rnd.random() < 0.5:
        problem += "\n\n" + fill(rnd.choice(PROBLEM_SENTENCES))
    solution = " ".join(fill(s) for s in rnd.sample(SOLUTION_SENTENCES, k=rnd.randint(2, 3)))
    steps = rnd.sample(SOLUTION_STEPS, k=rnd.randint(2, 4))
    solution += "\n\n" + "\n".join(f"- {fill(step)}" for step in steps)
    if rnd.random() < 0.35:
        solution += "\n\n" + rnd.choice(EXTRA_SENTENCES)
    if rnd.random() < RARE_SHARE:
        solution += " " + rnd.choice(RARE_SENTENCES)
    results = " ".join(fill(s) for s in rnd.sample(RESULT_SENTENCES, k=rnd.randint(1, 3)))
    if rnd.random() < 0.6:
        points = rnd.sample(RESULT_POINTS, k=rnd.randint(2, 3))
        results += "\n\n" + "\n".join(f"- {fill(point)}" for point in points)
    reuse_guide = (
        f"**Forutsetninger:** {rnd.choice(PREREQUISITES)}.\n\n"
        f"**Kostnad:** {fill(rnd.choice(COSTS))}.\n\n"
        f"**Må tilpasses:** {rnd.choice(ADAPTATIONS)}.\n\n"
        f"**Fallgruver:** {rnd.choice(PITFALLS)}."
    )
    first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
    email = f"{norwegian_slug(first)}.{norwegian_slug(last)}"
    contact = f"{first} {last}, {rnd.choice(ROLES)}, {owner.name} – {email}@kommune.example"
    return title[:200], summary[:600], problem, solution, results, reuse_guide, contact


def _cases(
    rnd: random.Random,
    np_rng: np.random.Generator,
    *,
    n: int,
    max_derived: int,
    orgs: dict,
    report: Report,
) -> _CaseFacts:
    owners: list[_Org] = orgs["municipalities"] + orgs["counties"] + orgs["units"]
    owner_weights = [_owner_weight(o) for o in owners]
    partner_pool = orgs["others"]
    municipalities = orgs["municipalities"]
    municipalities_by_county: dict[int | None, list[_Org]] = {}
    for municipality in municipalities:
        municipalities_by_county.setdefault(municipality.county_id, []).append(municipality)

    offsets = _publication_offsets(np_rng, n)
    base_popularity = np_rng.lognormal(0.0, POPULARITY_SIGMA, size=n)
    chosen_owners = rnd.choices(owners, weights=owner_weights, k=n)

    facts = _CaseFacts()
    # Per sector: published case indexes and cumulative popularity, to pick platform sources.
    sources: dict[str, tuple[list[int], list[float]]] = {s: ([], []) for s in Sector.values}
    topics_of: list[tuple[str, int]] = []
    taken_pairs: set[tuple[int, int]] = set()  # (source case index, adopting organisation)
    slugs: set[str] = set(Case.all_objects.values_list("slug", flat=True))
    slug_counters: dict[str, int] = {}

    first_id = _reserve_ids(Case, n)
    cases_out = _Rows(Case, batch=BATCH, with_id=True)
    terms_out = _Rows(CaseTerm)
    partners_out = _Rows(Case.partners.through)
    events_out = _Rows(CaseEvent)

    for i in range(n):
        owner = chosen_owners[i]
        if owner.kind == OrganisationKind.UNIT:
            workplace_type = owner.workplace_type
        elif owner.kind == OrganisationKind.COUNTY:
            workplace_type = _weighted(rnd, COUNTY_WORKPLACE_TYPES)
        else:
            workplace_type = _weighted(rnd, OWN_WORKPLACE_TYPES)
        sector = _weighted(rnd, WORKPLACE_SECTORS[workplace_type])
        origin = _origin(rnd, owner)
        stage = _weighted(rnd, STAGES)
        innovation_types = [_weighted(rnd, INNOVATION_TYPES)]
        if rnd.random() < 0.3:
            innovation_types.append(_weighted(rnd, INNOVATION_TYPES))
        sectors = [sector]
        if rnd.random() < 0.25:
            sectors.append(rnd.choice(Sector.values))
        benefits = [_weighted(rnd, BENEFITS) for _ in range(rnd.randint(1, 3))]

        # A platform source: an earlier case of the same sector, the popular ones more likely.
        source_index = None
        source_description = ""
        if origin in (Origin.ADAPTED, Origin.COPIED):
            indexes, cumulative = sources[sector]
            if (
                indexes
                and len(facts.derived) < max_derived
                and rnd.random() < PLATFORM_SOURCE_SHARE
            ):
                candidate = indexes[
                    min(
                        bisect.bisect_right(cumulative, rnd.random() * cumulative[-1]),
                        len(indexes) - 1,
                    )
                ]
                source_owner = facts.owners[candidate]
                if source_owner.pk != owner.pk and (candidate, owner.pk) not in taken_pairs:
                    source_index = candidate
                    taken_pairs.add((candidate, owner.pk))
                    facts.derived.append((candidate, i, origin))
            if source_index is None and rnd.random() < 0.45:
                source_description = rnd.choice(OUTSIDE_SOURCES) + "."
        if source_index is not None:
            topic_sector, topic_number = topics_of[source_index]
        else:
            topic_sector, topic_number = sector, rnd.randrange(len(TOPICS[sector]))
        topic = TOPICS[topic_sector][topic_number]
        topics_of.append((topic_sector, topic_number))

        tags = list(dict.fromkeys([*rnd.sample(topic[2], k=min(len(topic[2]), 2))]))
        for _ in range(rnd.randint(0, 2)):
            tag = rnd.choice(COMMON_TAGS)
            if tag not in tags:
                tags.append(tag)
        tags.sort()
        partners: list[_Org] = []
        if rnd.random() < 0.25:
            for _ in range(rnd.randint(1, 2)):
                if rnd.random() < 0.6:
                    partner = rnd.choice(partner_pool)
                else:
                    neighbours = municipalities_by_county.get(owner.county_id) or municipalities
                    partner = rnd.choice(neighbours)
                if partner.pk != owner.pk and partner not in partners:
                    partners.append(partner)
        partners.sort(key=lambda p: p.pk)

        title, summary, problem, solution, results, reuse_guide, contact = _case_text(
            rnd, topic=topic, sector=topic_sector, workplace_type=workplace_type, owner=owner
        )
        offset = float(offsets[i])
        published = _moment(_day(offset), rnd)
        created = published - dt.timedelta(days=rnd.randint(7, 90), hours=rnd.randint(0, 5))
        submitted = published - dt.timedelta(days=rnd.randint(1, 6), hours=rnd.randint(0, 5))
        updated = published
        if rnd.random() < 0.3:
            later = min(SPAN_DAYS, offset + rnd.randint(1, 400))
            updated = max(published, _moment(_day(later), rnd))
        base = norwegian_slug(title) or "sak"
        slug = _unused_slug(base, slugs, slug_counters)
        links = []
        if rnd.random() < 0.2:
            links = [{"url": f"https://{slug}.kommune.example/", "title": "Mer om prosjektet"}]

        case_id = first_id + i
        facts.ids.append(case_id)
        # Foreign keys are checked at commit (deferred), so a source in the same batch is fine.
        cases_out.add(
            id=case_id,
            title=title,
            slug=slug,
            summary=summary,
            problem=problem,
            solution=solution,
            results=results,
            reuse_guide=reuse_guide,
            contact=contact,
            organisation_id=owner.pk,
            workplace_type=workplace_type,
            stage=stage,
            links=links,
            origin=origin,
            source_case_id=first_id + source_index if source_index is not None else None,
            source_description=source_description,
            status=CaseStatus.PUBLISHED,
            search_extra=" ".join([*tags, owner.name, *(p.name for p in partners)]),
            created_at=created,
            updated_at=updated,
            submitted_at=submitted,
            published_at=published,
        )
        for vocabulary, codes in (
            (CaseTerm.Vocabulary.SECTOR, sectors),
            (CaseTerm.Vocabulary.INNOVATION_TYPE, innovation_types),
            (CaseTerm.Vocabulary.BENEFIT, benefits),
            (CaseTerm.Vocabulary.TAG, tags),
        ):
            for code in sorted(set(codes)):
                terms_out.add(case_id=case_id, vocabulary=vocabulary, code=code)
        for partner in partners:
            partners_out.add(case_id=case_id, organisation_id=partner.pk)
        events_out.add(
            case_id=case_id,
            kind=CaseEvent.Kind.APPROVED,
            from_status=CaseStatus.SUBMITTED,
            to_status=CaseStatus.PUBLISHED,
            created_at=published,
        )

        age_years = (SPAN_DAYS - offset) / 365.25
        weight = (
            float(base_popularity[i])
            * TYPE_POPULARITY[innovation_types[0]]
            * ORIGIN_POPULARITY.get(origin, 1.0)
            * STAGE_POPULARITY[stage]
            * min(1.0, (age_years + 0.25) / 3.0)
        )
        facts.owners.append(owner)
        facts.published.append(published)
        facts.offsets.append(offset)
        facts.workplace_types.append(workplace_type)
        facts.origins.append(origin)
        facts.weights.append(weight)
        indexes, cumulative = sources[sector]
        indexes.append(i)
        cumulative.append((cumulative[-1] if cumulative else 0.0) + weight)

    for out in (cases_out, terms_out, partners_out, events_out):
        out.flush()
    report.cases = cases_out.count
    report.terms = terms_out.count
    report.partners = partners_out.count
    report.events = events_out.count
    return facts


def _bass_offsets(np_rng: np.random.Generator, available_years: np.ndarray) -> np.ndarray:
    """Years after publication: draws from a Bass adoption-time distribution, truncated to what
    is available, so that every case's cumulative adoptions rise along an S-curve."""
    size = len(available_years)
    p = np_rng.uniform(0.02, 0.08, size=size)
    q = np_rng.uniform(0.6, 1.6, size=size)
    decay = np.exp(-(p + q) * available_years)
    reachable = (1 - decay) / (1 + (q / p) * decay)
    u = np_rng.uniform(0, 1, size=size) * reachable
    return -np.log((1 - u) / (1 + u * q / p)) / (p + q)


def _adoptions(
    rnd: random.Random,
    np_rng: np.random.Generator,
    *,
    m: int,
    facts: _CaseFacts,
    orgs: dict,
    report: Report,
) -> None:
    n = len(facts.ids)
    # Who can adopt: units, municipalities and counties. Bigger and medium-sized ones more.
    adopters: list[_Org] = orgs["units"] + orgs["municipalities"] + orgs["counties"]
    adopter_pk = np.array([o.pk for o in adopters], dtype=np.int64)
    position_of = {o.pk: k for k, o in enumerate(adopters)}
    adopter_weight = np.array(
        [
            BAND_ACTIVITY.get(o.employee_band, 1.5) * SIZE_ACTIVITY.get(o.size_class, 1.0)
            for o in adopters
        ]
    )
    county_ids = sorted({o.county_id for o in adopters if o.county_id is not None})
    county_code: dict[int | None, int] = {pk: k + 1 for k, pk in enumerate(county_ids)}
    adopter_county = np.array([county_code.get(o.county_id, 0) for o in adopters])
    workplace_types = list(WT.values)
    type_code = {wt: k for k, wt in enumerate(workplace_types)}
    adopter_type = np.array(
        [type_code[o.workplace_type] if o.workplace_type else -1 for o in adopters]
    )
    # A pool per (workplace type, county or 0 for the whole country): workplaces of the same
    # kind plus every municipality and county (they adopt on behalf of their services).
    pools: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def pool(type_index: int, county: int) -> tuple[np.ndarray, np.ndarray]:
        key = (type_index, county)
        if key not in pools:
            mask = (adopter_type == type_index) | (adopter_type == -1)
            if county:
                mask &= adopter_county == county
            members = np.flatnonzero(mask)
            pools[key] = (members, np.cumsum(adopter_weight[members]))
        return pools[key]

    case_type = np.array([type_code[wt] for wt in facts.workplace_types])
    owner_position = np.array([position_of.get(o.pk, -1) for o in facts.owners])
    owner_county = np.array([county_code.get(o.county_id, 0) for o in facts.owners])

    # Adoptions that published derived cases record: fixed first.
    derived_case = np.array([d[0] for d in facts.derived], dtype=np.int64)
    derived_org = np.array([owner_position[d[1]] for d in facts.derived], dtype=np.int64)
    derived_count = np.bincount(derived_case, minlength=n) if len(derived_case) else np.zeros(n)

    capacity = np.array([int(len(pool(t, 0)[0]) * MAX_REACH) for t in range(len(workplace_types))])[
        case_type
    ] - derived_count.astype(np.int64)
    capacity = np.maximum(capacity, 0)
    regular = m - len(facts.derived)
    if regular > capacity.sum():
        raise SyntheticError(
            f"{m} adoptions do not fit {n} cases (at most about {int(capacity.sum())}): "
            "ask for fewer adoptions or more cases."
        )
    # The long tail: adoptions shared out in proportion to popularity, capped per case.
    weights = np.array(facts.weights)
    counts = np.zeros(n, dtype=np.int64)
    remaining = regular
    while remaining > 0:
        open_ = counts < capacity
        share = np.where(open_, weights, 0.0)
        extra = np_rng.multinomial(remaining, share / share.sum())
        counts = np.minimum(counts + extra, capacity)
        remaining = regular - int(counts.sum())

    # Sampling adopters: vectorised draws per pool, duplicates and own cases redrawn.
    slot_case = np.repeat(np.arange(n), counts)
    local = (np_rng.random(len(slot_case)) < LOCAL_SHARE) & (owner_county[slot_case] > 0)
    slot_county = np.where(local, owner_county[slot_case], 0)
    width = len(adopters) + 1
    taken = np.sort(derived_case * width + derived_org)
    chosen_case: list[np.ndarray] = []
    chosen_org: list[np.ndarray] = []
    chosen_local: list[np.ndarray] = []
    pending = np.arange(len(slot_case))
    for attempt in range(40):
        if len(pending) == 0:
            break
        if attempt >= 3:
            slot_county[pending] = 0  # no room close by: look further away
        draw = np.empty(len(pending), dtype=np.int64)
        keys = case_type[slot_case[pending]] * 1000 + slot_county[pending]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
        for group in np.split(order, bounds):
            if len(group) == 0:
                continue
            key = int(keys[group[0]])
            members, cumulative = pool(key // 1000, key % 1000)
            u = np_rng.random(len(group)) * cumulative[-1]
            draw[group] = members[np.minimum(np.searchsorted(cumulative, u), len(members) - 1)]
        cases = slot_case[pending]
        codes = cases * width + draw
        ok = draw != owner_position[cases]
        ok &= ~np.isin(codes, taken, assume_unique=False)
        # Within this round, the first draw of a pair wins.
        _unique, first = np.unique(codes, return_index=True)
        firsts = np.zeros(len(codes), dtype=bool)
        firsts[first] = True
        ok &= firsts
        chosen_case.append(cases[ok])
        chosen_org.append(draw[ok])
        chosen_local.append(slot_county[pending][ok] > 0)
        taken = np.union1d(taken, codes[ok])
        pending = pending[~ok]
    if len(pending):
        # Cases close to their cap: fill exactly from what is left.
        for case in np.unique(slot_case[pending]):
            need = int((slot_case[pending] == case).sum())
            members, _cumulative = pool(int(case_type[case]), 0)
            used = set((taken[(taken // width) == case] % width).tolist())
            free = np.array(
                [k for k in members.tolist() if k not in used and k != owner_position[case]]
            )
            pick = np_rng.choice(free, size=min(need, len(free)), replace=False)
            chosen_case.append(np.full(len(pick), case))
            chosen_org.append(pick)
            chosen_local.append(np.zeros(len(pick), dtype=bool))
            taken = np.union1d(taken, case * width + pick)
    regular_case = np.concatenate(chosen_case) if chosen_case else np.zeros(0, dtype=np.int64)
    regular_org = np.concatenate(chosen_org) if chosen_org else np.zeros(0, dtype=np.int64)
    regular_local = np.concatenate(chosen_local) if chosen_local else np.zeros(0, dtype=bool)
    size = len(regular_case)

    # Dates: publication plus a Bass-distributed delay, before END.
    published_offset = np.array(facts.offsets)
    available = (SPAN_DAYS - published_offset[regular_case]) / 365.25
    delay_days = _bass_offsets(np_rng, np.maximum(available, 1 / 365.25)) * 365.25
    adopted_offset = np.minimum(published_offset[regular_case] + 1 + delay_days, SPAN_DAYS)
    near = np.array([CHANNEL_WEIGHTS_NEAR[c] for c in CHANNELS])
    far = np.array([CHANNEL_WEIGHTS_FAR[c] for c in CHANNELS])
    channel = np.where(
        regular_local,
        np.searchsorted(np.cumsum(near), np_rng.random(size) * near.sum()),
        np.searchsorted(np.cumsum(far), np_rng.random(size) * far.sum()),
    )
    channel = np.minimum(channel, len(CHANNELS) - 1)
    copied = np_rng.random(size) < COPIED_SHARE_OF_REUSE
    status_draw = np_rng.random(size)
    confirmed = np_rng.random(size) < 0.55
    record_delay = np_rng.integers(0, 45, size=size)
    note_draw = np_rng.random(size)

    rows = []  # (created offset, case index, adopter position, fields)
    for k in range(size):
        case = int(regular_case[k])
        adopted = _day(float(adopted_offset[k]))
        recent = (END - adopted).days < 365
        if status_draw[k] < (0.25 if recent else 0.02):
            status = AdoptionStatus.PLANNED
        elif status_draw[k] > 0.88:
            status = AdoptionStatus.DISCONTINUED
        else:
            status = AdoptionStatus.IN_USE
        rows.append(
            (
                min(float(adopted_offset[k]) + int(record_delay[k]), SPAN_DAYS),
                case,
                int(regular_org[k]),
                {
                    "mode": AdoptionMode.COPIED if copied[k] else AdoptionMode.ADAPTED,
                    "channel": CHANNELS[int(channel[k])],
                    "adopted_on": adopted,
                    "status": status,
                    "note": rnd.choice(ADOPTION_NOTES) if note_draw[k] < 0.3 else "",
                    "confirmed": bool(confirmed[k]),
                    "derived": None,
                },
            )
        )
    for source, derived, origin in facts.derived:
        adopted = _day(
            max(facts.offsets[source] + 1, facts.offsets[derived] - rnd.randint(20, 200))
        )
        rows.append(
            (
                facts.offsets[derived],
                source,
                int(owner_position[derived]),
                {
                    "mode": AdoptionMode.COPIED
                    if origin == Origin.COPIED
                    else AdoptionMode.ADAPTED,
                    "channel": _weighted(rnd, list(CHANNEL_WEIGHTS_FAR.items())),
                    "adopted_on": adopted,
                    "status": AdoptionStatus.IN_USE,
                    "note": "",
                    "confirmed": True,
                    "derived": facts.ids[derived],
                },
            )
        )
    # Recorded in time order, so ids (and the change feed) follow the calendar.
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    out = _Rows(Adoption)
    for created_offset, case, position, values in rows:
        created = _moment(_day(created_offset), rnd)
        created = max(created, facts.published[case] + dt.timedelta(hours=1))
        out.add(
            case_id=facts.ids[case],
            organisation_id=int(adopter_pk[position]),
            source_organisation_id=facts.owners[case].pk,
            mode=values["mode"],
            channel=values["channel"],
            adopted_on=values["adopted_on"],
            status=values["status"],
            note=values["note"],
            derived_case_id=values["derived"],
            confirmed=values["confirmed"],
            confirmed_at=created + dt.timedelta(days=3) if values["confirmed"] else None,
            created_at=created,
            updated_at=created,
        )
    out.flush()
    report.adoptions = out.count


def _spread(rnd: random.Random, facts: _CaseFacts, report: Report) -> None:
    """Spread activities for about four in ten of the organisations that own cases."""
    cases_of: dict[int, list[int]] = {}
    for index, owner in enumerate(facts.owners):
        cases_of.setdefault(owner.pk, []).append(index)
    owners = {owner.pk: owner for owner in facts.owners}
    out = _Rows(SpreadActivity)
    for pk in sorted(cases_of):
        owner = owners[pk]
        key = owner.employee_band or owner.kind
        if rnd.random() >= SPREAD_SHARE.get(key, 0.4):
            continue
        for _ in range(rnd.choice([1, 1, 1, 2, 2, 3, 4])):
            index = rnd.choice(cases_of[pk])
            kind, channel, _weight = rnd.choices(
                SPREAD_KINDS, weights=[w for *_kc, w in SPREAD_KINDS], k=1
            )[0]
            day = _day(facts.offsets[index] + rnd.randint(10, 700))
            audience = rnd.choice(AUDIENCES)
            out.add(
                organisation_id=pk,
                case_id=facts.ids[index],
                kind=kind,
                channel=channel,
                occurred_on=day,
                description=f"Presentasjon av saken for {audience}.",
                created_at=_moment(day, rnd),
            )
    out.flush()
    report.spread_activities = out.count


def _changes(txid: int, report: Report) -> None:
    """The change feed's entries for every case and adoption, stamped with this transaction:
    what the post_save handlers of cases/changes.py would have written, in one statement per
    kind (bulk inserts send no signals)."""
    change = Change._meta.db_table
    before = Change.objects.count()
    with connection.cursor() as cursor:
        for kind, model in ((Change.Kind.CASE, Case), (Change.Kind.ADOPTION, Adoption)):
            cursor.execute(
                f"INSERT INTO {change} (kind, object_id, txid, created_at) "
                f"SELECT %s, id, %s, updated_at FROM {model._meta.db_table} ORDER BY id",
                [kind, txid],
            )
    report.changes = Change.objects.count() - before


# Tables the load writes in bulk. On PostgreSQL their secondary (non-unique) indexes and their
# foreign keys are dropped for the load and made again afterwards: building an index once and
# checking a foreign key with one join are several times faster than doing both row by row
# (PostgreSQL's manual, "Populating a Database"). Unique indexes stay, and check as rows arrive.
BULK_TABLES = [
    Case._meta.db_table,
    CaseTerm._meta.db_table,
    Case.partners.through._meta.db_table,
    CaseEvent._meta.db_table,
    Adoption._meta.db_table,
    SpreadActivity._meta.db_table,
    Change._meta.db_table,
]


def _drop_for_load() -> list[str]:
    """Drop the bulk tables' non-unique indexes and foreign keys; return the statements that
    make them again. Inside the load's transaction, so a failure brings them back with the
    rollback."""
    with connection.cursor() as cursor:
        # Checks still pending (the organisations just written) would block the ALTER TABLEs.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT index.relname, pg_get_indexdef(index.oid) FROM pg_index "
            "JOIN pg_class index ON index.oid = pg_index.indexrelid "
            "JOIN pg_class tbl ON tbl.oid = pg_index.indrelid "
            "WHERE tbl.relname = ANY(%s) AND NOT pg_index.indisunique "
            "AND NOT pg_index.indisprimary ORDER BY index.relname",
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT tbl.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class tbl ON tbl.oid = con.conrelid "
            "WHERE con.contype = 'f' AND tbl.relname = ANY(%s) ORDER BY tbl.relname, con.conname",
            [BULK_TABLES],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in foreign_keys
    ]


def _restore_after_load(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        # PostgreSQL builds no index on a table with deferred checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def generate(
    *,
    cases: int,
    adoptions: int,
    seed: int,
    municipalities: Path,
    counties: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Fill an empty database (no cases) with synthetic data; see the module docstring.

    Runs in one transaction: a failure leaves nothing behind. Raises SyntheticError when the
    database already holds cases, or when the adoptions cannot fit the cases.
    """
    if cases < 1 or adoptions < 0:
        raise SyntheticError("Ask for at least one case and no negative number of adoptions.")
    if Case.all_objects.exists():
        raise SyntheticError(
            "The database already holds cases; synthetic data go into an empty database "
            "(create one, migrate it, then run this command)."
        )
    report = Report()
    say = progress or (lambda message: None)
    rnd = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        report.seconds[name] = round(now - clock, 2)
        say(f"{name}: {report.seconds[name]:.1f} s")
        clock = now

    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        report.counties, report.municipalities = _load_registry(municipalities, counties)
        numbers = list(
            Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
            .order_by("number")
            .values_list("number", flat=True)
        )
        orgs = _organisations(rnd, numbers)
        report.units = len(orgs["units"])
        report.other_organisations = orgs["new_others"]
        lap("organisations")
        dropped = _drop_for_load() if postgresql else []
        facts = _cases(rnd, np_rng, n=cases, max_derived=adoptions, orgs=orgs, report=report)
        lap("cases")
        txid = 0
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_current_xact_id()::text::bigint")
                txid = cursor.fetchone()[0]
        _adoptions(rnd, np_rng, m=adoptions, facts=facts, orgs=orgs, report=report)
        # Bulk inserts go around Adoption.save, which keeps the cases' counters.
        refresh_adoption_counters()
        lap("adoptions")
        _spread(rnd, facts, report)
        lap("spread activities")
        _changes(txid, report)
        lap("change feed")
        if dropped:
            _restore_after_load(dropped)
            lap("indexes and foreign keys")
    if postgresql:
        with connection.cursor() as cursor:
            for model in (Organisation, Case, CaseTerm, Adoption, Change, SpreadActivity):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        lap("analyze")
    return report
