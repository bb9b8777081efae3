"""The platform's open data described in DCAT-AP-NO 2, the profile data.norge.no harvests.

`catalogue_graph` is the catalogue at /katalog: three datasets (the published cases, their
reuse records and the diffusion statistics), the REST API as a data service, and distributions
for the API, the statistics' CSV downloads and the nightly bulk snapshot. `case_graph` describes
one published case as a resource of its own. Both only read, and name every address by
SITE_URL, never by the host a request named.

DCAT-AP-NO's shapes check controlled vocabularies by what the data says of them (`skos:inScheme`)
and classes by `rdf:type`, without looking anything up; so every theme, licence, format,
language and frequency used here is stated with its type and its vocabulary.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from . import selectors
from .links import site_url
from .models import Case
from .vocabularies import InnovationType, Sector

EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(EU + "data-theme/")
FILE_TYPE = Namespace(EU + "file-type/")
LANGUAGE = Namespace(EU + "language/")
FREQUENCY = Namespace(EU + "frequency/")
ACCESS_RIGHT = Namespace(EU + "access-right/")
COUNTRY = Namespace(EU + "country/")
IANA = Namespace("https://www.iana.org/assignments/media-types/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

# The EU data themes (their labels in bokmål and English) this site's data falls under.
THEME_LABELS = {
    "GOVE": ("Forvaltning og offentlig sektor", "Government and public sector"),
    "SOCI": ("Befolkning og samfunn", "Population and society"),
    "HEAL": ("Helse", "Health"),
    "EDUC": ("Utdanning, kultur og sport", "Education, culture and sport"),
    "TRAN": ("Transport", "Transport"),
    "ENVI": ("Miljø", "Environment"),
    "REGI": ("Regioner og byer", "Regions and cities"),
    "ECON": ("Økonomi og finans", "Economy and finance"),
}
# A case's sectors as data themes; every case is about the public sector.
SECTOR_THEMES = {
    Sector.HEALTH_CARE: "HEAL",
    Sector.EDUCATION: "EDUC",
    Sector.TRANSPORT: "TRAN",
    Sector.CULTURE: "EDUC",
    Sector.TECHNICAL: "ENVI",
    Sector.WELFARE: "SOCI",
    Sector.PLANNING: "REGI",
    Sector.ADMINISTRATION: "GOVE",
}
FORMATS = {
    # code in the EU file-type vocabulary: (IANA media type, label)
    "JSON": ("application/json", "JSON"),
    "CSV": ("text/csv", "CSV"),
    "ZIP": ("application/zip", "ZIP"),
    "XLSX": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
}

# The dashboard's tables offered as CSV downloads (/statistikk/<slug>.csv), with their titles.
STATISTICS_TABLES = {
    "comparison": ("Undersøkelser og plattformen side om side", "Surveys and the platform"),
    "origin": ("Opphavet til de publiserte sakene", "Origin of the published cases"),
    "adopters-per-case": ("Saker etter antall gjenbrukere", "Cases by number of adopters"),
    "spreaders": ("Organisasjoner som eier publiserte saker", "Organisations owning cases"),
    "channels": ("Gjenbruk etter kanal", "Adoptions by channel"),
    "adoption-modes": ("Gjenbruk etter måte", "Adoptions by mode"),
    "breakdown-sector": ("Etter sektor", "By sector"),
    "breakdown-region": ("Etter landsdel", "By region"),
    "breakdown-county": ("Etter fylke", "By county"),
    "monthly": ("Nye saker og gjenbruk per måned", "New cases and adoptions per month"),
    "top-spreaders": ("Spredningsagenter", "Organisations whose cases most others reused"),
}

SNAPSHOT_LATEST = "innovasjonsdeling-siste.zip"

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"
# Media type: rdflib's name of the format.
SERIALISATIONS = {TURTLE: "turtle", JSON_LD: "json-ld", RDF_XML: "xml"}
# What `?format=` may name.
FORMAT_PARAMETERS = {"ttl": TURTLE, "jsonld": JSON_LD, "rdf": RDF_XML}


def serialise(graph: Graph, media_type: str) -> str:
    return graph.serialize(format=SERIALISATIONS[media_type])


def _graph() -> Graph:
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    graph.bind("skos", SKOS)
    return graph


def _texts(graph: Graph, subject, predicate, nb: str, en: str) -> None:
    graph.add((subject, predicate, Literal(nb, lang="nb")))
    graph.add((subject, predicate, Literal(en, lang="en")))


def _concept(graph: Graph, concept: URIRef, scheme: str, *labels: tuple[str, str]) -> URIRef:
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, URIRef(EU + scheme)))
    for text, language in labels:
        graph.add((concept, SKOS.prefLabel, Literal(text, lang=language)))
    return concept


def _theme(graph: Graph, code: str) -> URIRef:
    nb, en = THEME_LABELS[code]
    return _concept(graph, DATA_THEME[code], "data-theme", (nb, "nb"), (en, "en"))


def _language(graph: Graph, code: str) -> URIRef:
    concept = _concept(graph, LANGUAGE[code], "language")
    graph.add((concept, RDF.type, DCTERMS.LinguisticSystem))
    return concept


def _licence(graph: Graph) -> URIRef:
    """The data's licence as DCAT-AP-NO wants it on datasets and distributions: the concept
    of the EU licence vocabulary, pointing to the licence's own address."""
    licence = settings.DATA_LICENCE
    concept = _concept(
        graph,
        URIRef(licence.get("authority_uri") or licence["uri"]),
        "licence",
        (licence["name"], "nb"),
    )
    graph.add((concept, RDF.type, DCTERMS.LicenseDocument))
    graph.add((concept, DCTERMS.title, Literal(licence["name"], lang="nb")))
    if concept != URIRef(licence["uri"]):
        graph.add((concept, RDFS.seeAlso, URIRef(licence["uri"])))
    return concept


def _date(value: datetime) -> Literal:
    return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def _catalogue_uri() -> URIRef:
    return URIRef(site_url(reverse("catalogue")))


def _publisher(graph: Graph) -> URIRef:
    publisher = URIRef(settings.CATALOGUE_PUBLISHER_URI)
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(settings.CATALOGUE_PUBLISHER_NAME, lang="nb")))
    if settings.CATALOGUE_PUBLISHER_ID:
        graph.add((publisher, DCTERMS.identifier, Literal(settings.CATALOGUE_PUBLISHER_ID)))
    return publisher


def _contact_point(graph: Graph) -> URIRef:
    contact = URIRef(f"{_catalogue_uri()}#kontakt")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(settings.CATALOGUE_PUBLISHER_NAME)))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{settings.CATALOGUE_CONTACT_EMAIL}")))
    graph.add((contact, VCARD.hasURL, URIRef(site_url("/"))))
    return contact


class _Catalogue:
    """The graph of /katalog, built up one part at a time."""

    def __init__(self) -> None:
        self.graph = graph = _graph()
        self.uri = _catalogue_uri()
        self.publisher = _publisher(graph)
        self.contact = _contact_point(graph)
        self.licence = _licence(graph)
        self.norwegian = _language(graph, "NOB")
        self.public = _concept(graph, ACCESS_RIGHT["PUBLIC"], "access-right", ("Allmenn", "nb"))
        graph.add((self.public, RDF.type, DCTERMS.RightsStatement))
        self.continuous = _concept(graph, FREQUENCY["CONT"], "frequency", ("Kontinuerlig", "nb"))
        graph.add((self.continuous, RDF.type, DCTERMS.Frequency))
        self.norway = _concept(graph, COUNTRY["NOR"], "country", ("Norge", "nb"))
        graph.add((self.norway, RDF.type, DCTERMS.Location))
        self.formats = {}
        for code, (_media_type, label) in FORMATS.items():
            concept = _concept(graph, FILE_TYPE[code], "file-type", (label, "en"))
            graph.add((concept, RDF.type, DCTERMS.MediaTypeOrExtent))
            self.formats[code] = concept
        self.api = URIRef(f"{self.uri}#api")

    def part(self, name: str) -> URIRef:
        return URIRef(f"{self.uri}#{name}")

    def describe_catalogue(self, datasets: list[URIRef], modified: datetime | None) -> None:
        g, uri = self.graph, self.uri
        g.add((uri, RDF.type, DCAT.Catalog))
        _texts(
            g,
            uri,
            DCTERMS.title,
            "Innovasjonsdeling: åpne data",
            "Innovasjonsdeling: open data",
        )
        _texts(
            g,
            uri,
            DCTERMS.description,
            "Innovasjonssaker som norske kommuner og fylkeskommuner har delt, hvem som har "
            "gjenbrukt dem, og statistikk over hvordan innovasjoner spres.",
            "Innovation cases shared by Norwegian municipalities and county municipalities, "
            "who reused them, and statistics of how innovations spread.",
        )
        g.add((uri, DCTERMS.identifier, Literal(str(uri))))
        g.add((uri, DCTERMS.publisher, self.publisher))
        g.add((uri, DCTERMS.license, URIRef(settings.DATA_LICENCE["uri"])))
        g.add((uri, DCTERMS.language, self.norwegian))
        g.add((uri, DCTERMS.language, _language(g, "ENG")))
        g.add((uri, FOAF.homepage, URIRef(site_url("/"))))
        g.add((uri, DCAT.contactPoint, self.contact))
        if modified:
            g.add((uri, DCTERMS.modified, _date(modified)))
        for dataset in datasets:
            g.add((uri, DCAT.dataset, dataset))
        g.add((uri, DCAT.service, self.api))

    def describe_api(self, datasets: list[URIRef]) -> None:
        g, api = self.graph, self.api
        g.add((api, RDF.type, DCAT.DataService))
        _texts(g, api, DCTERMS.title, "Innovasjonsdelings REST-API", "Innovasjonsdeling REST API")
        _texts(
            g,
            api,
            DCTERMS.description,
            "JSON-API for publiserte saker, gjenbruk, organisasjoner, kodelister og statistikk, "
            "med en endringsstrøm for synkronisering. Lesing krever ingen konto.",
            "JSON API for published cases, reuse, organisations, code lists and statistics, "
            "with a change feed for syncing. Reading needs no account.",
        )
        g.add((api, DCTERMS.identifier, Literal(str(api))))
        g.add((api, DCAT.endpointURL, URIRef(site_url("/api/v1/"))))
        g.add((api, DCAT.endpointDescription, URIRef(site_url(reverse("api-schema")))))
        g.add((api, DCAT.landingPage, URIRef(site_url(reverse("api-docs")))))
        g.add((api, DCTERMS.publisher, self.publisher))
        g.add((api, DCAT.contactPoint, self.contact))
        g.add((api, DCTERMS.license, self.licence))
        g.add((api, DCTERMS.accessRights, self.public))
        g.add((api, DCTERMS.format, self.formats["JSON"]))
        g.add((api, DCAT.theme, _theme(g, "GOVE")))
        for dataset in datasets:
            g.add((api, DCAT.servesDataset, dataset))

    def describe_dataset(
        self,
        dataset: URIRef,
        *,
        title: tuple[str, str],
        description: tuple[str, str],
        keywords: list[tuple[str, str]],
        themes: list[str],
        landing_page: str,
        issued: datetime | None,
        modified: datetime | None,
        frequency: URIRef,
    ) -> None:
        g = self.graph
        g.add((dataset, RDF.type, DCAT.Dataset))
        _texts(g, dataset, DCTERMS.title, *title)
        _texts(g, dataset, DCTERMS.description, *description)
        g.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
        g.add((dataset, DCTERMS.publisher, self.publisher))
        g.add((dataset, DCAT.contactPoint, self.contact))
        g.add((dataset, DCTERMS.license, self.licence))
        g.add((dataset, DCTERMS.accessRights, self.public))
        g.add((dataset, DCTERMS.accrualPeriodicity, frequency))
        g.add((dataset, DCTERMS.language, self.norwegian))
        g.add((dataset, DCTERMS.spatial, self.norway))
        g.add((dataset, DCAT.landingPage, URIRef(site_url(landing_page))))
        for code in themes:
            g.add((dataset, DCAT.theme, _theme(g, code)))
        for nb, en in keywords:
            _texts(g, dataset, DCAT.keyword, nb, en)
        if issued:
            g.add((dataset, DCTERMS.issued, _date(issued)))
        if modified:
            g.add((dataset, DCTERMS.modified, _date(modified)))

    def distribution(
        self,
        dataset: URIRef,
        name: str,
        *,
        title: tuple[str, str],
        description: tuple[str, str],
        access_url: str,
        file_type: str,
        download_url: str | None = None,
        via_api: bool = False,
    ) -> URIRef:
        g = self.graph
        distribution = self.part(name)
        g.add((dataset, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        _texts(g, distribution, DCTERMS.title, *title)
        _texts(g, distribution, DCTERMS.description, *description)
        g.add((distribution, DCAT.accessURL, URIRef(access_url)))
        if download_url:
            g.add((distribution, DCAT.downloadURL, URIRef(download_url)))
        g.add((distribution, DCTERMS.format, self.formats[file_type]))
        g.add((distribution, DCAT.mediaType, IANA[FORMATS[file_type][0]]))
        g.add((distribution, DCTERMS.license, self.licence))
        g.add((distribution, DCTERMS.accessRights, self.public))
        if via_api:
            g.add((distribution, DCAT.accessService, self.api))
        return distribution

    def snapshot(self, dataset: URIRef, name: str, files: str) -> None:
        """The nightly zip (see `export_snapshot`), in which this dataset is `files`.json and
        `files`.csv."""
        base = settings.SNAPSHOT_URL
        if not base.endswith("/"):
            base += "/"
        self.distribution(
            dataset,
            name,
            title=("Nattlig uttrekk (zip)", "Nightly snapshot (zip)"),
            description=(
                "Alt som er offentlig, som JSON og CSV med SHA-256-sjekksummer, laget hver natt; "
                f"dette datasettet er {files}.json og {files}.csv.",
                "Everything public as JSON and CSV with SHA-256 checksums, made every night; "
                f"this dataset is {files}.json and {files}.csv.",
            ),
            access_url=base + SNAPSHOT_LATEST,
            download_url=base + SNAPSHOT_LATEST,
            file_type="ZIP",
        )


def catalogue_graph() -> Graph:
    """The DCAT-AP-NO catalogue of everything the site publishes. Its queries do not depend
    on the amount of data (see selectors.open_data_dates)."""
    dates = selectors.open_data_dates()
    c = _Catalogue()
    cases, reuse, statistics = c.part("saker"), c.part("gjenbruk"), c.part("statistikk")
    datasets = [cases, reuse, statistics]
    modified = max(
        (d for d in (dates["cases_modified"], dates["adoptions_modified"]) if d), default=None
    )
    c.describe_catalogue(datasets, modified)
    c.describe_api(datasets)

    c.describe_dataset(
        cases,
        title=("Innovasjonssaker fra kommuner", "Innovation cases from municipalities"),
        description=(
            "Publiserte innovasjonssaker fra norske kommuner, fylkeskommuner og deres "
            "virksomheter: problem, løsning, resultater, hva gjenbruk krever, sektor, "
            "innovasjonstype, fase og opphav.",
            "Published innovation cases of Norwegian municipalities, county municipalities "
            "and their workplaces: problem, solution, results, what reuse takes, sector, "
            "innovation type, stage and origin.",
        ),
        keywords=[("innovasjon", "innovation"), ("kommune", "municipality")],
        themes=["GOVE", "SOCI"],
        landing_page=reverse("case-list"),
        issued=dates["cases_issued"],
        modified=dates["cases_modified"],
        frequency=c.continuous,
    )
    c.distribution(
        cases,
        "saker-api",
        title=("Saker i REST-API-et", "Cases in the REST API"),
        description=(
            "Publiserte saker som JSON, med filtre og endringsstrøm.",
            "Published cases as JSON, with filters and a change feed.",
        ),
        access_url=site_url("/api/v1/cases/"),
        file_type="JSON",
        via_api=True,
    )
    c.snapshot(cases, "saker-uttrekk", "cases")

    c.describe_dataset(
        reuse,
        title=("Gjenbruk av innovasjonssaker", "Reuse of innovation cases"),
        description=(
            "Hvilke organisasjoner som har kopiert eller tilpasset hvilke publiserte saker, "
            "når, gjennom hvilken kanal og med hvilken status.",
            "Which organisations copied or adapted which published cases, when, through "
            "which channel and with which status.",
        ),
        keywords=[("gjenbruk", "reuse"), ("spredning", "diffusion")],
        themes=["GOVE", "SOCI"],
        landing_page=reverse("case-list"),
        issued=dates["adoptions_issued"],
        modified=dates["adoptions_modified"],
        frequency=c.continuous,
    )
    c.distribution(
        reuse,
        "gjenbruk-api",
        title=("Gjenbruk i REST-API-et", "Reuse records in the REST API"),
        description=(
            "Gjenbruk av publiserte saker som JSON.",
            "Reuse records of published cases as JSON.",
        ),
        access_url=site_url("/api/v1/adoptions/"),
        file_type="JSON",
        via_api=True,
    )
    c.snapshot(reuse, "gjenbruk-uttrekk", "adoptions")

    c.describe_dataset(
        statistics,
        title=("Spredningsstatistikk for innovasjoner", "Diffusion statistics of innovations"),
        description=(
            "Hvor mange saker som er gjenbrukt, av hvem, hvor raskt og gjennom hvilke kanaler, "
            "fordelt på sektor, innovasjonstype, størrelse, sentralitet, landsdel og fylke.",
            "How many cases were reused, by whom, how fast and through which channels, by "
            "sector, innovation type, size, centrality, region and county.",
        ),
        keywords=[("statistikk", "statistics"), ("spredning", "diffusion")],
        themes=["GOVE", "SOCI", "REGI"],
        landing_page=reverse("stats-dashboard"),
        issued=dates["cases_issued"],
        modified=modified,
        frequency=c.continuous,
    )
    c.distribution(
        statistics,
        "statistikk-api",
        title=("Statistikken i REST-API-et", "The statistics in the REST API"),
        description=(
            "Alle tallene som JSON, med de samme filtrene som statistikksiden.",
            "Every figure as JSON, with the same filters as the statistics page.",
        ),
        access_url=site_url(reverse("api-stats-diffusion")),
        file_type="JSON",
        via_api=True,
    )
    for slug, (nb, en) in STATISTICS_TABLES.items():
        url = site_url(reverse("stats-csv", kwargs={"table": slug}))
        c.distribution(
            statistics,
            f"statistikk-{slug}",
            title=(f"{nb} (CSV)", f"{en} (CSV)"),
            description=(
                "En tabell fra statistikksiden som CSV; filtrene tas som parametere.",
                "A table of the statistics page as CSV; its filters are query parameters.",
            ),
            access_url=url,
            download_url=url,
            file_type="CSV",
        )
    workbook = site_url(reverse("stats-xlsx-all"))
    c.distribution(
        statistics,
        "statistikk-xlsx",
        title=("Alle tabellene (Excel)", "All tables (Excel)"),
        description=(
            "Statistikksidens tabeller i én arbeidsbok, ett ark per tabell og et ark som "
            "forklarer kolonnene; filtrene tas som parametere.",
            "The statistics page's tables in one workbook, a sheet per table and one that "
            "explains the columns; its filters are query parameters.",
        ),
        access_url=workbook,
        download_url=workbook,
        file_type="XLSX",
    )
    return c.graph


def _labels(choices, code: str) -> tuple[str, str]:
    labels = []
    for language in ("nb", "en"):
        with translation.override(language):
            labels.append(str(choices(code).label))
    return labels[0], labels[1]


def case_graph(case: Case) -> Graph:
    """One published case as a DCAT resource: what it is, who published it, its themes and
    keywords, its dates, and the case it was based on when that is public. Reads only what
    the case page has loaded (owner, source case, terms and partners)."""
    graph = _graph()
    uri = URIRef(site_url(case.get_absolute_url()))
    graph.add((uri, RDF.type, DCAT.Resource))
    graph.add((uri, DCTERMS.identifier, Literal(str(uri))))
    graph.add((uri, DCTERMS.title, Literal(case.title, lang="nb")))
    if case.summary:
        graph.add((uri, DCTERMS.description, Literal(case.summary, lang="nb")))
    graph.add((uri, DCAT.landingPage, uri))
    graph.add((uri, DCTERMS.language, _language(graph, "NOB")))
    graph.add((uri, DCTERMS.license, _licence(graph)))
    graph.add((uri, DCTERMS.isPartOf, URIRef(f"{_catalogue_uri()}#saker")))

    def organisation(node) -> URIRef:
        agent = URIRef(site_url(node.get_absolute_url()))
        graph.add((agent, RDF.type, FOAF.Agent))
        graph.add((agent, RDF.type, FOAF.Organization))
        graph.add((agent, FOAF.name, Literal(node.name, lang="nb")))
        return agent

    graph.add((uri, DCTERMS.publisher, organisation(case.organisation)))
    for partner in case.partners.all():
        graph.add((uri, DCTERMS.contributor, organisation(partner)))
    themes = {"GOVE"} | {SECTOR_THEMES[Sector(code)] for code in case.sectors}
    for code in sorted(themes):
        graph.add((uri, DCAT.theme, _theme(graph, code)))
    for code in case.sectors:
        _texts(graph, uri, DCAT.keyword, *_labels(Sector, code))
    for code in case.innovation_types:
        _texts(graph, uri, DCAT.keyword, *_labels(InnovationType, code))
    for tag in case.tags:
        graph.add((uri, DCAT.keyword, Literal(tag, lang="nb")))
    if case.published_at:
        graph.add((uri, DCTERMS.issued, _date(case.published_at)))
    graph.add((uri, DCTERMS.modified, _date(case.updated_at)))
    source = case.source_case
    if source is not None and source.is_published:
        graph.add((uri, DCTERMS.source, URIRef(site_url(source.get_absolute_url()))))
    return graph
