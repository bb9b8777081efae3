"""Reading the REST API as DESIGN.md's contract describes it: every endpoint, every filter and
sort order, the page shape, and the fields of every representation, exactly.

Writing is in test_api_writes.py. Permissions cell by cell are in test_api_permissions.py,
protection (throttling, ETags, errors) in test_api_protection.py and the change feed in
test_change_feed_contract.py.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Adoption, Case, CaseTerm
from cases.vocabularies import VOCABULARIES, CaseStatus
from tests import api_helpers, factories
from tests.api_helpers import (
    ADOPTION_FIELDS,
    CASE_FIELDS,
    CASE_ORGANISATION_FIELDS,
    ORGANISATION_FIELDS,
    PAGE_FIELDS,
    _fresh_throttle_counts,  # noqa: F401 - an autouse fixture
    all_pages,
    client_for,
    ids,
    invalid,
    iso,
    problem,
)

pytestmark = pytest.mark.django_db

# The API tests' organisations, cases in every state and people (tests/api_helpers.py).
place = api_helpers.place
cases = api_helpers.cases
people = api_helpers.people


# --- The list of cases ----------------------------------------------------------------------


def test_list_has_the_page_shape_and_only_published_cases(cases):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == PAGE_FIELDS
    assert body["count"] == 5
    assert body["next"] is None
    assert body["previous"] is None
    published = {cases[name].pk for name in ("rontgen", "vandreboka", "robot", "turnus")}
    assert published | {cases["klasserom"].pk} == set(ids(body["results"]))
    assert all(item["status"] == "published" for item in body["results"])


def test_default_order_is_newest_published_first(cases):
    body = APIClient().get("/api/v1/cases/").json()
    assert ids(body["results"]) == [
        cases[name].pk for name in ("robot", "rontgen", "klasserom", "vandreboka", "turnus")
    ]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("-published_at", ["robot", "rontgen", "klasserom", "vandreboka", "turnus"]),
        ("published_at", ["turnus", "vandreboka", "klasserom", "rontgen", "robot"]),
        ("title", ["rontgen", "robot", "turnus", "klasserom", "vandreboka"]),
        ("-updated_at", ["turnus", "rontgen", "robot", "klasserom", "vandreboka"]),
    ],
)
def test_orderings(cases, ordering, expected):
    body = APIClient().get("/api/v1/cases/", {"ordering": ordering}).json()
    assert ids(body["results"]) == [cases[name].pk for name in expected]


def test_ordering_by_adoption_count_breaks_ties_by_id(cases):
    body = APIClient().get("/api/v1/cases/", {"ordering": "-adoption_count"}).json()
    counts = [(item["adoption_count"], item["id"]) for item in body["results"]]
    assert counts[0] == (2, cases["rontgen"].pk)
    assert counts[1] == (1, cases["vandreboka"].pk)
    # The three without adoptions follow, newest id first, so pages are stable.
    assert counts[2:] == sorted(counts[2:], reverse=True)
    assert {count for count, _id in counts[2:]} == {0}


def test_pages_follow_next_and_previous_without_repeats(cases):
    client = APIClient()
    first = client.get("/api/v1/cases/", {"page_size": 2, "ordering": "title"}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/cases/?")
    assert "page=2" in first["next"]
    assert "page_size=2" in first["next"]
    assert "ordering=title" in first["next"]
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert third["next"] is None
    assert second["previous"]
    assert third["previous"]
    seen = ids(first["results"]) + ids(second["results"]) + ids(third["results"])
    assert len(seen) == len(set(seen)) == 5
    back = client.get(second["previous"]).json()
    assert ids(back["results"]) == ids(first["results"])


def test_page_size_defaults_to_50_and_goes_up_to_200(place):
    for n in range(205):
        factories.CaseFactory(
            organisation=place["bergen"], published=True, title=f"Sak {n}", slug=f"sak-{n}"
        )
    client = APIClient()
    assert len(client.get("/api/v1/cases/").json()["results"]) == 50
    assert len(client.get("/api/v1/cases/", {"page_size": 200}).json()["results"]) == 200
    assert client.get("/api/v1/cases/", {"page_size": 201}).status_code == 400
    everything = all_pages(client, "/api/v1/cases/")
    assert len(everything) == len(set(ids(everything))) == 205


def test_list_queries_do_not_grow_with_the_page(place):
    """Intended to prevent an N+1: terms, partners and places are fetched once per page."""

    def count_queries() -> int:
        client = APIClient()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/cases/").status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            factories.CaseFactory(
                organisation=place["sykehjem"],
                published=True,
                title=f"Velferdsteknologi {i}",
                slug=f"velferd-{place['sykehjem'].pk}-{Case.all_objects.count()}",
                sectors=["health-care"],
                tags=["velferd"],
                partners=[place["sintef"]],
                adopters=[place["voss"]],
            )

    add(2)
    few = count_queries()
    add(10)
    assert count_queries() == few


# --- Filters --------------------------------------------------------------------------------


def listed(params) -> set[int]:
    response = APIClient().get("/api/v1/cases/", params)
    assert response.status_code == 200, response.content
    return set(ids(response.json()["results"]))


def pks(cases, *names) -> set[int]:
    return {cases[name].pk for name in names}


def test_filter_q_searches_the_text(cases):
    assert listed({"q": "røntgen"}) == pks(cases, "rontgen")
    assert listed({"q": "lærlinger"}) == pks(cases, "vandreboka")
    assert listed({"q": "finnes ikke noe sted"}) == set()


def test_filter_sector_and_innovation_type_are_alternatives_within_and_combined(cases):
    assert listed({"sector": "health-care"}) == pks(cases, "rontgen", "robot")
    assert listed({"sector": ["education", "technical"]}) == pks(
        cases, "vandreboka", "klasserom", "robot"
    )
    assert listed({"innovation_type": "process"}) == pks(cases, "vandreboka", "turnus")
    assert listed({"sector": "education", "innovation_type": "service"}) == pks(cases, "klasserom")


def test_filter_workplace_type_origin_and_stage(cases):
    assert listed({"workplace_type": "nursing-home"}) == pks(cases, "rontgen")
    assert listed({"workplace_type": ["home-care", "primary-school"]}) == pks(
        cases, "robot", "klasserom"
    )
    assert listed({"origin": "first"}) == pks(cases, "rontgen")
    assert listed({"origin": ["adapted", "copied"]}) == pks(cases, "vandreboka", "robot")
    assert listed({"origin": "unknown"}) == pks(cases, "turnus", "klasserom")
    assert listed({"stage": "pilot"}) == pks(cases, "robot")
    assert listed({"stage": ["idea", "evaluated"]}) == pks(cases, "turnus", "vandreboka")


def test_filter_county_municipality_and_organisation(cases, place):
    # A unit's case belongs to its municipality and county.
    assert listed({"county": "46"}) == pks(cases, "rontgen", "vandreboka", "turnus")
    assert listed({"county": ["46", "50"]}) == pks(
        cases, "rontgen", "vandreboka", "turnus", "robot", "klasserom"
    )
    assert listed({"municipality": "4601"}) == pks(cases, "rontgen", "turnus")
    assert listed({"municipality": "5001"}) == pks(cases, "robot", "klasserom")
    assert listed({"organisation": place["sykehjem"].pk}) == pks(cases, "rontgen")
    assert listed({"organisation": place["bergen"].pk}) == pks(cases, "turnus")


def test_filter_reused_is_a_boolean_and_refuses_anything_else(cases):
    reused = pks(cases, "rontgen", "vandreboka")
    everything = pks(cases, "rontgen", "vandreboka", "robot", "turnus", "klasserom")
    for value in ("true", "True", "1"):
        assert listed({"reused": value}) == reused, value
    for value in ("false", "False", "0"):
        assert listed({"reused": value}) == everything - reused, value
    assert listed({"reused": ""}) == everything
    for language, message in (("en", "Enter true or false."), ("nb", "Skriv true eller false.")):
        response = APIClient().get(
            "/api/v1/cases/", {"reused": "maybe"}, HTTP_ACCEPT_LANGUAGE=language
        )
        assert invalid(response) == {"reused": [message]}


def test_filter_updated_since(cases):
    assert listed({"updated_since": "2025-05-20T00:00:00+02:00"}) == pks(
        cases, "rontgen", "robot", "turnus"
    )
    assert listed({"updated_since": "2025-07-01T00:00:00Z"}) == pks(cases, "turnus")
    assert listed({"updated_since": "2030-01-01T00:00:00Z"}) == set()


def test_filters_combine_with_ordering_and_pages(cases):
    body = (
        APIClient()
        .get(
            "/api/v1/cases/",
            {"county": "46", "ordering": "published_at", "page_size": 1, "page": 2},
        )
        .json()
    )
    assert body["count"] == 3
    assert ids(body["results"]) == [cases["vandreboka"].pk]


# --- One case -------------------------------------------------------------------------------


def test_a_case_has_exactly_the_fields_of_the_contract(cases, place):
    robot = cases["robot"]
    robot.summary = "En robot pakker multidose i hjemmetjenesten."
    robot.reuse_guide = "Krever avtale med apotek. Kostnad om lag 400 000 kroner."
    robot.contact = "Ingrid Berg, ingrid.berg@trondheim.kommune.no"
    robot.results = "Færre feil i medisineringen."
    robot.links = [{"url": "https://www.trondheim.kommune.no/robot", "title": "Om roboten"}]
    robot.save()
    factories.add_terms(robot, CaseTerm.Vocabulary.BENEFIT, ["quality", "efficiency"])
    factories.add_terms(robot, CaseTerm.Vocabulary.TAG, ["velferdsteknologi", "legemidler"])
    robot.partners.set([place["sintef"]])
    factories.AdoptionFactory(case=robot, organisation=place["voss"])
    robot.refresh_from_db()

    response = APIClient().get(f"/api/v1/cases/{robot.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == CASE_FIELDS
    assert body == {
        "id": robot.pk,
        "slug": "multidoserobot",
        "url": "http://testserver/saker/multidoserobot/",
        "title": "Multidoserobot i hjemmetjenesten",
        "summary": "En robot pakker multidose i hjemmetjenesten.",
        "problem": "Problemet vi løste.",
        "solution": "Slik løste vi det.",
        "results": "Færre feil i medisineringen.",
        "reuse_guide": "Krever avtale med apotek. Kostnad om lag 400 000 kroner.",
        "contact": "Ingrid Berg, ingrid.berg@trondheim.kommune.no",
        "contact_person": None,
        "organisation": {
            "id": place["trondheim"].pk,
            "name": "Trondheim",
            "kind": "municipality",
            "number": "5001",
            "municipality": {"number": "5001", "name": "Trondheim"},
            "county": {"number": "50", "name": "Trøndelag"},
        },
        "partners": [
            {"id": place["sintef"].pk, "name": "SINTEF Digital", "kind": "research", "number": ""}
        ],
        "sectors": ["health-care", "technical"],
        "innovation_types": ["product"],
        "workplace_type": "home-care",
        "stage": "pilot",
        "benefits": ["efficiency", "quality"],
        "tags": ["legemidler", "velferdsteknologi"],
        "links": [{"url": "https://www.trondheim.kommune.no/robot", "title": "Om roboten"}],
        "origin": "copied",
        "source_case": cases["rontgen"].pk,
        "source_description": "",
        "status": "published",
        "adoption_count": 1,
        "question_count": 0,
        "created_at": iso(robot.created_at),
        "updated_at": iso(robot.updated_at),
        "published_at": iso(robot.published_at),
    }


def test_a_units_case_names_its_municipality_and_county(cases, place):
    body = APIClient().get(f"/api/v1/cases/{cases['rontgen'].pk}/").json()
    assert list(body["organisation"]) == CASE_ORGANISATION_FIELDS
    assert body["organisation"] == {
        "id": place["sykehjem"].pk,
        "name": "Fyllingsdalen sykehjem",
        "kind": "unit",
        "number": "",
        "municipality": {"number": "4601", "name": "Bergen"},
        "county": {"number": "46", "name": "Vestland"},
    }
    assert body["adoption_count"] == 2
    assert body["source_case"] is None


def test_a_source_case_that_is_not_public_is_not_named(cases):
    cases["rontgen"].status = CaseStatus.ARCHIVED
    cases["rontgen"].save()
    body = APIClient().get(f"/api/v1/cases/{cases['robot'].pk}/").json()
    assert body["source_case"] is None


def test_unpublished_cases_are_hidden_from_outsiders_and_shown_to_their_organisation(cases, people):
    anonymous, outsider = APIClient(), client_for(people["trondheim"])
    member, moderator = client_for(people["member"]), client_for(people["moderator"])
    for case in cases["hidden"].values():
        path = f"/api/v1/cases/{case.pk}/"
        assert anonymous.get(path).status_code == 404
        assert outsider.get(path).status_code == 404
        assert member.get(path).json()["status"] == case.status
        assert moderator.get(path).status_code == 200
    for client in (anonymous, member, moderator):
        assert client.get(f"/api/v1/cases/{cases['deleted'].pk}/").status_code == 404
    # The list is the public one for everybody.
    assert {item["status"] for item in all_pages(member, "/api/v1/cases/")} == {"published"}


def test_unknown_case_is_404_json():
    response = APIClient().get("/api/v1/cases/987654/")
    problem(response, 404, "not_found")


# --- Adoptions ------------------------------------------------------------------------------


def test_a_cases_adoptions(cases, place):
    response = APIClient().get(f"/api/v1/cases/{cases['rontgen'].pk}/adoptions/")
    assert response.status_code == 200
    body = response.json()
    assert [item["organisation"]["name"] for item in body] == ["Bergen", "Voss"]
    assert all(list(item) == ADOPTION_FIELDS for item in body)
    assert APIClient().get(f"/api/v1/cases/{cases['turnus'].pk}/adoptions/").json() == []
    hidden = cases["hidden"][CaseStatus.DRAFT]
    assert APIClient().get(f"/api/v1/cases/{hidden.pk}/adoptions/").status_code == 404


def test_an_adoption_has_exactly_the_fields_of_the_contract(cases, place):
    adoption = Adoption.objects.get(case=cases["vandreboka"])
    body = APIClient().get(f"/api/v1/adoptions/{adoption.pk}/").json()
    assert body == {
        "id": adoption.pk,
        "case": cases["vandreboka"].pk,
        "organisation": {
            "id": place["trondheim"].pk,
            "name": "Trondheim",
            "kind": "municipality",
            "number": "5001",
            "municipality": {"number": "5001", "name": "Trondheim"},
            "county": {"number": "50", "name": "Trøndelag"},
        },
        "mode": "adapted",
        "channel": "platform",
        "adopted_on": "2025-02-01",
        "status": "in-use",
        "note": "",
        "derived_case": None,
        "confirmed": False,
        "created_at": iso(adoption.created_at),
        "updated_at": iso(adoption.updated_at),
    }


def test_adoptions_list_has_only_public_ones(cases, place):
    hidden = cases["hidden"][CaseStatus.ARCHIVED]
    factories.AdoptionFactory(case=hidden, organisation=place["voss"])
    withdrawn = factories.AdoptionFactory(case=cases["turnus"], organisation=place["voss"])
    Adoption.all_objects.filter(pk=withdrawn.pk).update(deleted_at=timezone.now())
    body = APIClient().get("/api/v1/adoptions/").json()
    assert list(body) == PAGE_FIELDS
    assert body["count"] == 3
    assert {item["case"] for item in body["results"]} == pks(cases, "rontgen", "vandreboka")
    assert APIClient().get(f"/api/v1/adoptions/{withdrawn.pk}/").status_code == 404


def adopted(params) -> set[tuple[int, str]]:
    response = APIClient().get("/api/v1/adoptions/", params)
    assert response.status_code == 200, response.content
    return {(item["case"], item["organisation"]["name"]) for item in response.json()["results"]}


def test_adoption_filters(cases, place):
    rontgen, vandreboka = cases["rontgen"].pk, cases["vandreboka"].pk
    assert adopted({"case": rontgen}) == {(rontgen, "Bergen"), (rontgen, "Voss")}
    assert adopted({"organisation": place["trondheim"].pk}) == {(vandreboka, "Trondheim")}
    assert adopted({"mode": "copied"}) == {(rontgen, "Bergen")}
    assert adopted({"mode": ["copied", "adapted"]}) == adopted({})
    assert adopted({"channel": "conference"}) == {(rontgen, "Voss")}
    assert adopted({"channel": ["platform", "network"]}) == {
        (rontgen, "Bergen"),
        (vandreboka, "Trondheim"),
    }
    Adoption.objects.filter(organisation=place["voss"]).update(
        updated_at=timezone.now() + datetime.timedelta(days=1)
    )
    since = (timezone.now() + datetime.timedelta(hours=12)).isoformat()
    assert adopted({"updated_since": since}) == {(rontgen, "Voss")}


def test_adoptions_are_newest_first(cases, place):
    newest = Adoption.objects.get(case=cases["vandreboka"])
    newest.updated_at = timezone.now() + datetime.timedelta(minutes=5)
    newest.save()
    body = APIClient().get("/api/v1/adoptions/").json()
    assert body["results"][0]["id"] == newest.pk


# --- Organisations, vocabularies, statistics ------------------------------------------------


def test_organisations_have_exactly_the_fields_of_the_contract(place):
    body = APIClient().get("/api/v1/organisations/", {"page_size": 200}).json()
    assert list(body) == PAGE_FIELDS
    by_slug = {item["slug"]: item for item in body["results"]}
    assert all(list(item) == ORGANISATION_FIELDS for item in body["results"])
    assert by_slug["bergen"] == {
        "id": place["bergen"].pk,
        "name": "Bergen",
        "slug": "bergen",
        "kind": "municipality",
        "number": "4601",
        "parent": place["vestland"].pk,
        "county": {"number": "46", "name": "Vestland"},
        "region": "vestlandet",
        "size_class": "large",
        "centrality_class": 1,
        "population": 291_000,
    }
    assert by_slug["voss"]["size_class"] == "medium"
    assert by_slug["fyllingsdalen-sykehjem"] == {
        "id": place["sykehjem"].pk,
        "name": "Fyllingsdalen sykehjem",
        "slug": "fyllingsdalen-sykehjem",
        "kind": "unit",
        "number": "",
        "parent": place["bergen"].pk,
        "county": {"number": "46", "name": "Vestland"},
        "region": "vestlandet",
        "size_class": "large",
        "centrality_class": 1,
        "population": None,
    }
    assert by_slug["vestland"]["county"] == {"number": "46", "name": "Vestland"}
    assert by_slug["sintef-digital"]["county"] is None


def organisations(params) -> set[str]:
    response = APIClient().get("/api/v1/organisations/", params)
    assert response.status_code == 200, response.content
    return {item["slug"] for item in response.json()["results"]}


def test_organisation_filters(place):
    assert organisations({"kind": "county"}) == {"vestland", "trondelag"}
    assert organisations({"kind": ["unit", "research"]}) == {
        "fyllingsdalen-sykehjem",
        "sintef-digital",
    }
    assert organisations({"number": "4621"}) == {"voss"}
    assert organisations({"county": "50"}) == {"trondelag", "trondheim"}
    assert organisations({"region": "vestlandet"}) == {
        "vestland",
        "bergen",
        "voss",
        "fyllingsdalen-sykehjem",
    }
    assert organisations({"q": "SYKEHJEM"}) == {"fyllingsdalen-sykehjem"}
    assert organisations({"q": "trond", "kind": "municipality"}) == {"trondheim"}


def test_one_organisation(place):
    response = APIClient().get(f"/api/v1/organisations/{place['trondheim'].pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Trondheim"
    assert APIClient().get("/api/v1/organisations/987654/").status_code == 404


def test_vocabularies_list_every_code_with_nb_and_en_labels(db):
    body = APIClient().get("/api/v1/vocabularies/").json()
    assert set(body) == set(VOCABULARIES)
    for name, choices in VOCABULARIES.items():
        # Codes are typed as objects carry them: integers for integer vocabularies.
        assert [entry["code"] for entry in body[name]] == [
            v if isinstance(v, int) else str(v) for v in choices.values
        ]
        for entry in body[name]:
            assert set(entry) == {"code", "label"}
            assert set(entry["label"]) == {"nb", "en"}
    sectors = {entry["code"]: entry["label"] for entry in body["sector"]}
    assert sectors["health-care"] == {"nb": "Helse og omsorg", "en": "Health and care"}
    assert [entry["code"] for entry in body["region"]] == [
        "oslo-viken",
        "innlandet",
        "agder-sor-ostlandet",
        "vestlandet",
        "trondelag",
        "nord-norge",
    ]
    assert [entry["code"] for entry in body["size_class"]] == ["small", "medium", "large"]
    assert [entry["code"] for entry in body["centrality_class"]] == list(range(1, 7))
    innovation = {entry["code"] for entry in body["innovation_type"]}
    assert innovation == {"service", "process", "communication", "product"}


def test_diffusion_statistics(cases):
    client = APIClient()
    body = client.get("/api/v1/stats/diffusion/").json()
    assert body["cases"]["total"] == 5
    assert body["adoptions"]["total"] == 3
    education = client.get("/api/v1/stats/diffusion/", {"sector": "education"}).json()
    assert education["cases"]["total"] == 2
    assert education["adoptions"]["total"] == 1
    assert education["filters"]["sector"] == ["education"]
    vestland = client.get("/api/v1/stats/diffusion/", {"county": "46", "region": "vestlandet"})
    assert vestland.json()["cases"]["total"] == 3
    period = client.get(
        "/api/v1/stats/diffusion/",
        {"published_from": "2025-01-01", "published_to": "2025-03-31"},
    ).json()
    assert period["cases"]["total"] == 3


def test_diffusion_statistics_refuse_unknown_codes_and_bad_dates(db):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/stats/diffusion/", {"size_class": "enorm"})
    assert "small, medium, large" in invalid(response)["size_class"][0]
    response = client.get("/api/v1/stats/diffusion/", {"published_from": "i fjor"})
    assert "published_from" in invalid(response)
    response = client.get(
        "/api/v1/stats/diffusion/", {"published_from": "2025-06-01", "published_to": "2025-01-01"}
    )
    assert response.status_code == 400


# --- The change feed's shape (behaviour: test_change_feed.py) -------------------------------


@pytest.mark.django_db(transaction=True)
def test_change_feed_shape(cases):
    body = APIClient().get("/api/v1/changes/", {"limit": 3}).json()
    assert list(body) == ["results", "next_cursor", "has_more"]
    assert body["has_more"] is True
    assert len(body["results"]) <= 3
    for entry in body["results"]:
        assert list(entry) == ["cursor", "kind", "id", "action", "object"]
        assert entry["kind"] in {"case", "adoption", "organisation"}
        assert entry["action"] in {"upsert", "delete"}
    assert body["next_cursor"] == body["results"][-1]["cursor"]


def test_a_search_counts_its_matches_with_its_page(cases):
    """The page of a search and its count come from one query; every page, the last page by
    name and a page past it answer as a list without words does."""
    client = APIClient()
    found = listed({"q": "sammendrag"})
    assert len(found) >= 3
    seen = []
    for number in range(1, len(found) + 1):
        body = client.get("/api/v1/cases/", {"q": "sammendrag", "page_size": 1, "page": number})
        assert body.status_code == 200
        assert body.json()["count"] == len(found)
        seen += [case["id"] for case in body.json()["results"]]
    assert sorted(seen) == sorted(found)
    last = client.get("/api/v1/cases/", {"q": "sammendrag", "page_size": 1, "page": "last"})
    assert [case["id"] for case in last.json()["results"]] == seen[-1:]
    assert f'page={len(found)}&page_size=1&q=sammendrag>; rel="last"' in last["Link"]
    past = client.get("/api/v1/cases/", {"q": "sammendrag", "page_size": 1, "page": len(found) + 1})
    assert past.status_code == 404
    for page in ("x", 0, 10**20):
        assert client.get("/api/v1/cases/", {"q": "sammendrag", "page": page}).status_code == 404
    # Punctuation alone is no search: the whole list, counted apart.
    everything = client.get("/api/v1/cases/").json()["count"]
    assert client.get("/api/v1/cases/", {"q": "!!!"}).json()["count"] == everything
    nothing = client.get("/api/v1/cases/", {"q": "finnes ikke noe sted"})
    assert nothing.status_code == 200
    assert nothing.json()["count"] == 0
    with CaptureQueriesContext(connection) as searched:
        client.get("/api/v1/cases/", {"q": "sammendrag", "page_size": 1, "page": 2})
    with CaptureQueriesContext(connection) as listed_only:
        client.get("/api/v1/cases/", {"page_size": 1, "page": 2})
    assert len(searched) == len(listed_only) - 1
