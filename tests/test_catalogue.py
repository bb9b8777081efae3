"""Open data for the national data catalogue: /katalog in DCAT-AP-NO 2, and every published case
as RDF at its own address.

The catalogue is validated with pyshacl against Digdir's shapes of DCAT-AP-NO (the shared data
folder beside the repository, see its SOURCES.md) with no violations; content negotiation gives
Turtle, JSON-LD or RDF/XML; hidden cases are 404 in RDF as on their page; and the catalogue's
queries do not grow with the number of cases.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pyshacl import validate
from rdflib import RDF, SH, SKOS, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS, FOAF

from cases.catalogue import DATA_THEME, STATISTICS_TABLES, case_graph, catalogue_graph
from cases.links import site_url
from cases.models import Case
from cases.statistics.caching import diffusion
from cases.statistics.tables import build_tables
from cases.vocabularies import CaseStatus
from tests import factories
from tests.conftest import person

pytestmark = pytest.mark.django_db

SHAPES = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "data"
    / "dcat-ap-no"
    / "DCAT-AP-NO-shacl_shapes_2.00.ttl"
)
NLOD_EU = URIRef("http://publications.europa.eu/resource/authority/licence/NLOD_2_0")


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def violations(data: Graph, severity=SH.Violation) -> list[str]:
    """What the shapes find in `data` of this severity, as readable lines."""
    _conforms, report, _text = validate(data, shacl_graph=shapes(), inference="none")
    return [
        f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
        f"{report.value(result, SH.resultMessage)}"
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(result, SH.resultSeverity) == severity
    ]


def demo_world():
    """A few organisations and published cases with reuse, as the demo has them, and a case
    of every hidden kind."""
    county = factories.CountyFactory(name="Vestland")
    bergen = factories.MunicipalityFactory(parent=county, name="Bergen")
    voss = factories.MunicipalityFactory(parent=county, name="Voss")
    school = factories.UnitFactory(parent=voss, name="Voss skule")
    xray = factories.CaseFactory(
        title="Mobilt røntgen",
        slug="mobilt-rontgen",
        organisation=bergen,
        published=True,
        days_ago=30,
        sectors=["health-care"],
        innovation_types=["service"],
        tags=["røntgen"],
        partners=[voss],
        adopters=[voss, school],
    )
    factories.CaseFactory(
        title="Vandreboka",
        slug="vandreboka",
        organisation=school,
        published=True,
        days_ago=5,
        sectors=["education", "planning"],
        innovation_types=["process"],
        source_case=xray,
        origin="adapted",
    )
    hidden = {
        status: factories.CaseFactory(slug=f"skjult-{status}", status=status, organisation=voss)
        for status in (
            CaseStatus.DRAFT,
            CaseStatus.SUBMITTED,
            CaseStatus.CHANGES_REQUESTED,
            CaseStatus.ARCHIVED,
        )
    }
    return xray, hidden


def test_the_catalogue_conforms_to_dcat_ap_no():
    demo_world()
    graph = catalogue_graph()
    assert violations(graph) == []
    # Nor anything the shapes only warn about.
    assert violations(graph, SH.Warning) == []
    catalogue = URIRef(site_url("/katalog"))
    assert (catalogue, RDF.type, ns.DCAT.Catalog) in graph
    datasets = set(graph.objects(catalogue, ns.DCAT.dataset))
    assert len(datasets) == 3
    publisher = URIRef(settings.CATALOGUE_PUBLISHER_URI)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    for dataset in datasets:
        assert (dataset, DCTERMS.publisher, publisher) in graph
        assert {t.language for t in graph.objects(dataset, DCTERMS.title)} == {"nb", "en"}
        assert {t.language for t in graph.objects(dataset, DCTERMS.description)} == {"nb", "en"}
        assert (dataset, DCTERMS.license, NLOD_EU) in graph
        assert graph.value(dataset, ns.DCAT.contactPoint) is not None
        for theme in graph.objects(dataset, ns.DCAT.theme):
            assert str(theme).startswith(str(DATA_THEME))
            assert (theme, RDF.type, SKOS.Concept) in graph
        distributions = set(graph.objects(dataset, ns.DCAT.distribution))
        assert distributions
        # Every dataset can be downloaded whole: the snapshot (cases, reuse) or CSV (statistics).
        downloads = {
            str(url) for d in distributions for url in graph.objects(d, ns.DCAT.downloadURL)
        }
        assert downloads
    snapshot = settings.SNAPSHOT_URL + "innovasjonsdeling-siste.zip"
    all_downloads = {str(url) for url in graph.objects(None, ns.DCAT.downloadURL)}
    assert snapshot in all_downloads
    assert site_url("/statistikk/origin.csv") in all_downloads
    api = graph.value(catalogue, ns.DCAT.service)
    assert graph.value(api, ns.DCAT.endpointURL) == URIRef(site_url("/api/v1/"))
    # The licence setting: its own address on the catalogue, and beside the EU concept.
    assert (catalogue, DCTERMS.license, URIRef("https://data.norge.no/nlod/no/2.0")) in graph
    assert graph.value(NLOD_EU, DCTERMS.title) == Literal(
        "Norsk lisens for offentlige data (NLOD) 2.0", lang="nb"
    )


def test_an_empty_site_still_conforms():
    assert violations(catalogue_graph()) == []


def test_the_shapes_find_what_is_missing():
    """A guard for the check itself: a catalogue without titles and publishers fails it."""
    graph = catalogue_graph()
    graph.remove((None, DCTERMS.title, None))
    graph.remove((None, DCTERMS.publisher, None))
    found = violations(graph)
    assert any("dct:title" in line for line in found)
    assert any("dct:publisher" in line for line in found)


def test_the_catalogue_names_the_publisher_from_settings(settings, client):
    settings.CATALOGUE_PUBLISHER_URI = (
        "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/123456789"
    )
    settings.CATALOGUE_PUBLISHER_NAME = "Eksempelkommune"
    settings.CATALOGUE_PUBLISHER_ID = "123456789"
    graph = Graph().parse(data=client.get("/katalog").content, format="turtle")
    publisher = URIRef(settings.CATALOGUE_PUBLISHER_URI)
    assert graph.value(publisher, FOAF.name) == Literal("Eksempelkommune", lang="nb")
    assert graph.value(publisher, DCTERMS.identifier) == Literal("123456789")
    assert violations(graph) == []


@pytest.mark.parametrize(
    ("accept", "query", "expected", "parse_as"),
    [
        (None, {}, "text/turtle", "turtle"),
        ("*/*", {}, "text/turtle", "turtle"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", {}, "text/turtle", "turtle"),
        ("text/turtle", {}, "text/turtle", "turtle"),
        ("application/ld+json", {}, "application/ld+json", "json-ld"),
        ("application/rdf+xml", {}, "application/rdf+xml", "xml"),
        ("application/rdf+xml;q=0.5, application/ld+json", {}, "application/ld+json", "json-ld"),
        ("text/turtle", {"format": "jsonld"}, "application/ld+json", "json-ld"),
        (None, {"format": "rdf"}, "application/rdf+xml", "xml"),
        (None, {"format": "ttl"}, "text/turtle", "turtle"),
    ],
)
def test_the_catalogue_negotiates_its_format(client, accept, query, expected, parse_as):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client.get("/katalog", query, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == f"{expected}; charset=utf-8"
    assert "Accept" in response["Vary"]
    graph = Graph().parse(data=response.content, format=parse_as)
    assert (URIRef(site_url("/katalog")), RDF.type, ns.DCAT.Catalog) in graph


def test_the_catalogue_is_read_only(client):
    assert client.post("/katalog").status_code == 405


def test_the_catalogues_queries_do_not_grow_with_the_cases(client, django_assert_num_queries):
    """The data version, then the first and last dates of cases and of reuse; one query when
    the dates are cached."""
    factories.CaseFactory(published=True, adopters=1)
    with django_assert_num_queries(3):
        assert client.get("/katalog").status_code == 200
    for _ in range(6):
        factories.CaseFactory(published=True, adopters=2, sectors=["transport"])
    with django_assert_num_queries(3):
        assert client.get("/katalog").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/katalog").status_code == 200


def case_rdf(client, slug, accept="text/turtle"):
    return client.get(reverse("case-detail", kwargs={"slug": slug}), HTTP_ACCEPT=accept)


def test_a_case_is_a_resource_of_its_own(client):
    xray, _hidden = demo_world()
    response = case_rdf(client, "mobilt-rontgen")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response["Vary"]
    graph = Graph().parse(data=response.content, format="turtle")
    uri = URIRef(site_url("/saker/mobilt-rontgen/"))
    assert (uri, RDF.type, ns.DCAT.Resource) in graph
    assert graph.value(uri, DCTERMS.title) == Literal("Mobilt røntgen", lang="nb")
    publisher = graph.value(uri, DCTERMS.publisher)
    assert publisher == URIRef(site_url(xray.organisation.get_absolute_url()))
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal("Bergen", lang="nb")
    assert set(graph.objects(uri, ns.DCAT.theme)) == {DATA_THEME.HEAL, DATA_THEME.GOVE}
    keywords = set(graph.objects(uri, ns.DCAT.keyword))
    assert Literal("røntgen", lang="nb") in keywords
    assert Literal("Helse og omsorg", lang="nb") in keywords
    assert Literal("Health and care", lang="en") in keywords
    assert graph.value(uri, DCTERMS.issued) is not None
    assert graph.value(uri, DCTERMS.modified) is not None
    assert violations(graph) == []

    derived = Graph().parse(data=case_rdf(client, "vandreboka").content, format="turtle")
    assert derived.value(URIRef(site_url("/saker/vandreboka/")), DCTERMS.source) == uri


def test_a_case_in_json_ld_and_the_page_by_default(client):
    demo_world()
    response = case_rdf(client, "mobilt-rontgen", "application/ld+json")
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    json.loads(response.content)
    Graph().parse(data=response.content, format="json-ld")
    for accept in (None, "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json"):
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        page = client.get("/saker/mobilt-rontgen/", **headers)
        assert page.status_code == 200
        assert page["Content-Type"].startswith("text/html")
        assert "Accept" in page["Vary"]
    assert (
        '<link rel="alternate" type="text/turtle" href="/saker/mobilt-rontgen/?format=ttl">'
        in page.content.decode()
    )
    by_parameter = client.get("/saker/mobilt-rontgen/", {"format": "ttl"})
    assert by_parameter["Content-Type"] == "text/turtle; charset=utf-8"


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_hidden_cases_are_404_in_rdf(client, accept):
    _xray, hidden = demo_world()
    for case in hidden.values():
        assert case_rdf(client, case.slug, accept).status_code == 404
    assert case_rdf(client, "finnes-ikke", accept).status_code == 404
    # Not even its owner's members get RDF of a case that is not published.
    draft = hidden[CaseStatus.DRAFT]
    client.force_login(person(draft.organisation))
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert case_rdf(client, draft.slug, accept).status_code == 404


def test_the_case_graph_reads_what_the_page_loaded(django_assert_num_queries):
    xray, _hidden = demo_world()
    case = (
        Case.objects.select_related("organisation", "source_case")
        .prefetch_related("terms", "partners")
        .get(pk=xray.pk)
    )
    with django_assert_num_queries(0):
        case_graph(case)


def test_the_licence_is_named_in_the_footer_the_api_schema_and_the_catalogue(client, settings):
    page = client.get("/").content.decode()
    assert 'href="https://data.norge.no/nlod/no/2.0" rel="license"' in page
    assert "Norsk lisens for offentlige data (NLOD) 2.0" in page
    assert 'href="/katalog"' in page
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert schema["info"]["license"] == {
        "name": "Norsk lisens for offentlige data (NLOD) 2.0",
        "url": "https://data.norge.no/nlod/no/2.0",
    }
    settings.DATA_LICENCE = {
        "uri": "https://creativecommons.org/licenses/by/4.0/",
        "name": "CC BY 4.0",
        "authority_uri": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
    }
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in client.get("/").content.decode()
    graph = Graph().parse(data=client.get("/katalog").content, format="turtle")
    catalogue = URIRef(site_url("/katalog"))
    assert graph.value(catalogue, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    cc_by = URIRef("http://publications.europa.eu/resource/authority/licence/CC_BY_4_0")
    assert {graph.value(d, DCTERMS.license) for d in graph.objects(catalogue, ns.DCAT.dataset)} == {
        cc_by
    }
    assert violations(graph) == []


def test_every_csv_the_catalogue_names_is_served(client):
    """The statistics' CSV distributions name tables the dashboard has."""
    demo_world()
    assert set(STATISTICS_TABLES) <= set(build_tables(diffusion(filters={})))
    response = client.get(reverse("stats-csv", kwargs={"table": "origin"}))
    assert response.status_code == 200


def test_the_workbook_the_catalogue_names_is_served_as_excel(client):
    demo_world()
    graph = catalogue_graph()
    workbook = site_url(reverse("stats-xlsx-all"))
    distribution = next(graph.subjects(ns.DCAT.downloadURL, URIRef(workbook)))
    media_type = next(graph.objects(distribution, ns.DCAT.mediaType))
    assert str(media_type).endswith("spreadsheetml.sheet")
    response = client.get(reverse("stats-xlsx-all"))
    assert response.status_code == 200
    assert response["Content-Type"] == str(media_type).rsplit("media-types/", 1)[1]
