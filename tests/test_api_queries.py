"""The API's read paths at scale: the list of cases, one case and a page of the change feed are
built from plain rows (render_cases and render_adoptions in cases/api/serializers.py, the only
way a case or an adoption is read) in a fixed number of queries, whatever the page holds. What
they build has the fields the schema (CaseSerializer, AdoptionSerializer) states, in its order,
and the compaction of the feed's log (cases/changefeed/record.py, migration 0006) keeps an
object's last entry.
"""

import datetime
import importlib

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.api.serializers import (
    AdoptionSerializer,
    CaseSerializer,
    LinkSerializer,
    OrganisationRefSerializer,
    PartnerSerializer,
    PlaceSerializer,
    render_adoptions,
    render_cases,
)
from cases.models import Adoption, Case, CaseTerm, Change, Organisation
from cases.vocabularies import CaseStatus, OrganisationKind, Origin, Region
from tests import factories
from tests.api_helpers import invalid

pytestmark = pytest.mark.django_db

OSLO = datetime.timezone(datetime.timedelta(hours=2))


@pytest.fixture
def world():
    """Cases and adoptions that use every branch of the representations."""
    vestland = factories.CountyFactory(
        name="Vestland", number="46", slug="vestland", region=Region.VESTLANDET
    )
    trondelag = factories.CountyFactory(
        name="Trøndelag", number="50", slug="trondelag", region=Region.TRONDELAG
    )
    bergen = factories.MunicipalityFactory(
        name="Bergen", number="4601", slug="bergen", parent=vestland
    )
    voss = factories.MunicipalityFactory(name="Voss", number="4621", slug="voss", parent=vestland)
    trondheim = factories.MunicipalityFactory(
        name="Trondheim", number="5001", slug="trondheim", parent=trondelag
    )
    sykehjem = factories.UnitFactory(name="Fyllingsdalen sykehjem", slug="fy", parent=bergen)
    # Outside any municipality: no place in its representation.
    sintef = factories.UnitFactory(
        kind=OrganisationKind.RESEARCH, name="SINTEF Digital", slug="sintef", parent=None
    )
    gone = factories.UnitFactory(name="Nedlagt etat", slug="nedlagt", parent=bergen)

    source = factories.CaseFactory(
        organisation=sintef, published=True, title="Kilden", slug="kilden", origin=Origin.FIRST
    )
    archived_source = factories.CaseFactory(
        organisation=voss,
        title="Arkivert kilde",
        slug="arkivert-kilde",
        status=CaseStatus.ARCHIVED,
        published_at=timezone.now(),
    )
    full = factories.CaseFactory(
        organisation=sykehjem,
        published=True,
        title="Mobilt røntgen",
        slug="mobilt-rontgen",
        summary="Røntgen på sykehjemmet.",
        results="Færre turer til sykehuset.",
        reuse_guide="Krever en bil.",
        contact="Kari",
        workplace_type="nursing-home",
        stage="in-use",
        origin=Origin.COPIED,
        source_case=source,
        links=[
            {"url": "https://bergen.kommune.no/rontgen", "title": "Om tjenesten"},
            {"url": "https://bergen.kommune.no/rapport"},  # no title: shown as ""
            {"url": "https://bergen.kommune.no/x", "title": "X", "note": "not shown"},
        ],
        created_at=datetime.datetime(2024, 1, 5, 9, 30, 15, 123456, tzinfo=OSLO),
        updated_at=datetime.datetime(2025, 7, 1, 23, 59, tzinfo=datetime.UTC),
        published_at=datetime.datetime(2025, 1, 31, 0, 0, tzinfo=OSLO),
        sectors=["technical", "health-care"],
        innovation_types=["service", "product"],
        benefits=["quality", "efficiency"],
        tags=["røntgen", "bil", "Velferd"],
        partners=[voss, sintef, gone, trondheim],
    )
    Organisation.all_objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    hidden_source = factories.CaseFactory(
        organisation=trondheim,
        published=True,
        title="Kilden er arkivert",
        slug="kilden-er-arkivert",
        origin=Origin.ADAPTED,
        source_case=archived_source,
    )
    odd_links = factories.CaseFactory(
        organisation=bergen,
        published=True,
        title="Rare lenker",
        slug="rare-lenker",
        links=[{"url": 5, "title": "Fem"}],
    )
    null_title = factories.CaseFactory(
        organisation=voss,
        published=True,
        title="Lenke uten tittel",
        slug="lenke",
        links=[{"url": "https://x.no", "title": None}],
    )
    derived = factories.CaseFactory(
        organisation=voss,
        published=True,
        title="Vår variant",
        slug="var-variant",
        origin=Origin.ADAPTED,
    )
    draft = factories.CaseFactory(organisation=trondheim, title="Utkast", slug="utkast")
    adoptions = [
        factories.AdoptionFactory(
            case=full, organisation=voss, derived_case=derived, confirmed=True, note="Tilpasset."
        ),
        factories.AdoptionFactory(
            case=full, organisation=trondheim, derived_case=draft, adopted_on=None
        ),
        factories.AdoptionFactory(case=source, organisation=bergen),
    ]
    # Reuse recorded just now moved `updated_at`; this world has it recorded before then.
    Case.all_objects.filter(pk=full.pk).update(updated_at=full.updated_at)
    return {
        "cases": [full, source, hidden_source, odd_links, null_title, derived],
        "adoptions": adoptions,
        "draft": draft,
        "archived": archived_source,
    }


def fields(serializer_class) -> list[str]:
    """The fields the schema states, in order."""
    return list(serializer_class().fields)


def test_a_case_reads_as_the_contract_says(world):
    full, source, hidden_source, odd_links, null_title, _derived = world["cases"]
    sykehjem = full.organisation
    by_name = {o.name: o.pk for o in Organisation.all_objects.all()}
    request = RequestFactory().get("/api/v1/cases/")
    shown = render_cases(Case.objects.published(), request)
    assert set(shown) == {case.pk for case in world["cases"]}
    assert shown[full.pk] == {
        "id": full.pk,
        "slug": "mobilt-rontgen",
        "url": "http://testserver/saker/mobilt-rontgen/",
        "title": "Mobilt røntgen",
        "summary": "Røntgen på sykehjemmet.",
        "problem": "Problemet vi løste.",
        "solution": "Slik løste vi det.",
        "results": "Færre turer til sykehuset.",
        "reuse_guide": "Krever en bil.",
        "contact": "Kari",
        "contact_person": None,
        "organisation": {
            "id": sykehjem.pk,
            "name": "Fyllingsdalen sykehjem",
            "kind": "unit",
            "number": "",
            "municipality": {"number": "4601", "name": "Bergen"},
            "county": {"number": "46", "name": "Vestland"},
        },
        # Not deleted ones, by name.
        "partners": [
            {
                "id": by_name["SINTEF Digital"],
                "name": "SINTEF Digital",
                "kind": "research",
                "number": "",
            },
            {
                "id": by_name["Trondheim"],
                "name": "Trondheim",
                "kind": "municipality",
                "number": "5001",
            },
            {"id": by_name["Voss"], "name": "Voss", "kind": "municipality", "number": "4621"},
        ],
        "sectors": ["health-care", "technical"],
        "innovation_types": ["product", "service"],
        "workplace_type": "nursing-home",
        "stage": "in-use",
        "benefits": ["efficiency", "quality"],
        "tags": ["Velferd", "bil", "røntgen"],
        "links": [
            {"url": "https://bergen.kommune.no/rontgen", "title": "Om tjenesten"},
            {"url": "https://bergen.kommune.no/rapport", "title": ""},
            {"url": "https://bergen.kommune.no/x", "title": "X"},
        ],
        "origin": "copied",
        "source_case": source.pk,
        "source_description": "",
        "status": "published",
        "adoption_count": 2,
        "question_count": 0,
        # In the current time zone (Europe/Oslo here), as DRF writes date-times.
        "created_at": "2024-01-05T08:30:15.123456+01:00",
        "updated_at": "2025-07-02T01:59:00+02:00",
        "published_at": "2025-01-30T23:00:00+01:00",
    }
    assert shown[source.pk]["organisation"]["municipality"] is None
    assert shown[source.pk]["organisation"]["county"] is None
    assert shown[hidden_source.pk]["source_case"] is None  # the source is archived
    # Links of another shape go through LinkSerializer.
    assert shown[odd_links.pk]["links"] == [{"url": "5", "title": "Fem"}]
    assert shown[null_title.pk]["links"] == [{"url": "https://x.no", "title": None}]


def test_a_case_has_the_schemas_fields_in_its_order(world):
    shown = render_cases(Case.objects.published(), None)[world["cases"][0].pk]
    assert list(shown) == fields(CaseSerializer)
    assert list(shown["organisation"]) == fields(OrganisationRefSerializer)
    assert list(shown["organisation"]["county"]) == fields(PlaceSerializer)
    assert {tuple(partner) for partner in shown["partners"]} == {tuple(fields(PartnerSerializer))}
    assert {tuple(link) for link in shown["links"]} == {tuple(fields(LinkSerializer))}


def test_cases_render_in_another_time_zone_and_without_a_request(world):
    with timezone.override("UTC"):
        shown = render_cases(Case.objects.published(), None)
    full = shown[world["cases"][0].pk]
    assert full["created_at"] == "2024-01-05T07:30:15.123456Z"
    assert full["updated_at"] == "2025-07-01T23:59:00Z"
    assert full["url"] == "/saker/mobilt-rontgen/"


def test_an_adoption_reads_as_the_contract_says(world):
    named, unnamed, _other = world["adoptions"]
    shown = render_adoptions(Adoption.objects.public())
    assert set(shown) == {adoption.pk for adoption in world["adoptions"]}
    voss = named.organisation
    assert shown[named.pk] == {
        "id": named.pk,
        "case": world["cases"][0].pk,
        "organisation": {
            "id": voss.pk,
            "name": "Voss",
            "kind": "municipality",
            "number": "4621",
            "municipality": {"number": "4621", "name": "Voss"},
            "county": {"number": "46", "name": "Vestland"},
        },
        "mode": "adapted",
        "channel": "network",
        "adopted_on": named.adopted_on.isoformat(),
        "status": "in-use",
        "note": "Tilpasset.",
        "derived_case": named.derived_case_id,
        "confirmed": True,
        "created_at": timezone.localtime(named.created_at).isoformat(),
        "updated_at": timezone.localtime(named.updated_at).isoformat(),
    }
    assert list(shown[named.pk]) == fields(AdoptionSerializer)
    assert shown[unnamed.pk]["derived_case"] is None  # a draft is never named
    assert shown[unnamed.pk]["adopted_on"] is None


def test_the_serializers_read_through_the_renderer(world):
    """One case or a list of them, and the same for adoptions: the renderer's output, in the
    order given, in its fixed number of queries."""
    request = RequestFactory().get("/api/v1/cases/")
    cases = render_cases(Case.objects.published(), request)
    full = world["cases"][0]
    assert CaseSerializer(full, context={"request": request}).data == cases[full.pk]
    ordered = Case.objects.published().order_by("title")
    with CaptureQueriesContext(connection) as captured:
        listed = CaseSerializer(ordered, many=True, context={"request": request}).data
    assert listed == [cases[case.pk] for case in ordered]
    assert len(captured) == 4  # the ids, then render_cases's three
    adoptions = render_adoptions(Adoption.objects.public())
    named = world["adoptions"][0]
    assert AdoptionSerializer(named).data == adoptions[named.pk]
    newest_first = list(Adoption.objects.public().order_by("-pk"))
    assert AdoptionSerializer(newest_first, many=True).data == [
        adoptions[adoption.pk] for adoption in newest_first
    ]


# The feed hands out only what committed transactions wrote (PostgreSQL): these commit.
@pytest.mark.django_db(transaction=True)
def test_the_api_shows_what_the_renderer_builds(world):
    """The list, the detail, the feed and the adoptions, through HTTP."""
    client = APIClient()
    cases = render_cases(Case.objects.published(), RequestFactory().get("/"))
    adoptions = render_adoptions(Adoption.objects.public())
    listed = client.get("/api/v1/cases/", {"page_size": 200}).json()["results"]
    assert {case["id"]: case for case in listed} == cases
    for pk, case in cases.items():
        assert client.get(f"/api/v1/cases/{pk}/").json() == case
    feed = client.get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    shown = {(e["kind"], e["id"]): e["object"] for e in feed if e["action"] == "upsert"}
    assert {pk: shown[("case", pk)] for pk in cases} == cases
    assert {pk: shown[("adoption", pk)] for pk in adoptions} == adoptions
    assert ("case", world["draft"].pk) not in shown
    listed = client.get("/api/v1/adoptions/").json()["results"]
    assert {adoption["id"]: adoption for adoption in listed} == adoptions
    for pk, adoption in adoptions.items():
        assert client.get(f"/api/v1/adoptions/{pk}/").json() == adoption
    full = world["cases"][0]
    of_full = client.get(f"/api/v1/cases/{full.pk}/adoptions/").json()
    assert {a["id"]: a for a in of_full} == {
        pk: adoption for pk, adoption in adoptions.items() if adoption["case"] == full.pk
    }


def test_the_list_is_in_order_and_pages_through_every_case(world):
    client = APIClient()
    seen = []
    response = client.get("/api/v1/cases/", {"page_size": 2, "ordering": "title"})
    while True:
        body = response.json()
        assert body["count"] == len(world["cases"])
        seen += [case["title"] for case in body["results"]]
        if not body["next"]:
            break
        response = client.get(body["next"])
    assert seen == sorted(case.title for case in world["cases"])


def test_the_county_filter_takes_alternatives_and_refuses_unknown_counties(world):
    client = APIClient()

    def listed(county):
        response = client.get("/api/v1/cases/", {"county": county})
        assert response.status_code == 200, response.content
        return {case["id"] for case in response.json()["results"]}

    full, _source, hidden_source, odd_links, null_title, derived = world["cases"]
    assert listed("46") == {full.pk, odd_links.pk, null_title.pk, derived.pk}
    assert listed(["46", "50"]) == {
        full.pk,
        odd_links.pk,
        null_title.pk,
        derived.pk,
        hidden_source.pk,
    }
    response = client.get("/api/v1/cases/", {"county": "99"})
    assert "46" in invalid(response)["county"][0]


# --- Queries per request --------------------------------------------------------------------


def add_cases(world, n: int) -> None:
    owner = world["cases"][0].organisation
    partners = list(Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY))
    for i in range(n):
        factories.CaseFactory(
            organisation=owner,
            published=True,
            title=f"Flere saker {Case.all_objects.count()} {i}",
            slug=f"flere-{Case.all_objects.count()}",
            source_case=world["cases"][1],
            links=[{"url": f"https://x.no/{i}", "title": "x"}],
            sectors=["education"],
            tags=[f"tag{i}"],
            partners=partners[: 1 + i % 3],
            adopters=[partners[i % len(partners)]],
        )


def queries(path: str, params=None) -> int:
    client = APIClient()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
        assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/cases/", {}),
        ("/api/v1/cases/", {"page_size": 200, "ordering": "-adoption_count"}),
        ("/api/v1/cases/", {"sector": "education", "county": "46"}),
    ],
)
def test_queries_per_page_do_not_grow_with_the_page(world, path, params):
    add_cases(world, 2)
    few = queries(path, params)
    add_cases(world, 25)
    assert queries(path, params) == few
    assert few <= 7


def test_a_case_is_read_in_a_fixed_number_of_queries(world):
    full = world["cases"][0]
    before = queries(f"/api/v1/cases/{full.pk}/")
    full.partners.add(*Organisation.objects.filter(kind=OrganisationKind.COUNTY))
    factories.add_terms(full, CaseTerm.Vocabulary.TAG, ["en", "to", "tre"])
    assert queries(f"/api/v1/cases/{full.pk}/") == before <= 6


@pytest.mark.django_db(transaction=True)
def test_a_feed_page_is_seven_queries_whatever_it_holds(world):
    # The entries, then the cases with their owners, terms and partners, then the adoptions,
    # then the organisations, then (the page names objects that are not public now) which of
    # those never were.
    add_cases(world, 2)
    few = APIClient().get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    assert queries("/api/v1/changes/", {"limit": 1000}) == 7
    add_cases(world, 25)
    many = APIClient().get("/api/v1/changes/", {"limit": 1000}).json()["results"]
    assert len(many) >= len(few) + 50
    assert queries("/api/v1/changes/", {"limit": 1000}) == 7


# --- Compacting the log (migration 0006) ----------------------------------------------------


def test_the_migration_keeps_each_objects_last_entry_in_feed_order(db):
    compact = importlib.import_module("cases.migrations.0006_api_indexes").COMPACT
    Change.objects.all().delete()
    rows = [
        # (kind, object, txid): ids follow the order of the list.
        ("case", 1, 10),
        ("case", 1, 12),
        ("case", 1, 11),  # a later id of an earlier transaction: before the one above
        ("case", 2, 10),
        ("adoption", 1, 9),  # the same number, another kind: its own object
        ("adoption", 3, 10),
        ("adoption", 3, 10),
    ]
    created = Change.objects.bulk_create(
        [Change(kind=kind, object_id=pk, txid=txid) for kind, pk, txid in rows]
    )
    with connection.cursor() as db_cursor:
        db_cursor.execute(compact)
    kept = set(Change.objects.values_list("pk", flat=True))
    assert kept == {created[1].pk, created[3].pk, created[4].pk, created[6].pk}
