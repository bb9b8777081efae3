"""What the API tests share: the field names DESIGN.md promises, a small country of
organisations, cases in every state with their reuse, the people who work on them, and
clients that read and write as one of them (test_api_reads.py, test_api_writes.py)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import MODERATORS_GROUP, Case, Membership
from cases.vocabularies import (
    AdoptionMode,
    CaseStatus,
    Channel,
    MembershipRole,
    OrganisationKind,
    Origin,
    Region,
)
from tests import factories

# The field names DESIGN.md promises, in its order, with the contact person after the free text.
CASE_FIELDS = [
    "id", "slug", "url", "title", "summary", "problem", "solution", "results", "reuse_guide",
    "contact", "contact_person", "organisation", "partners", "sectors", "innovation_types", "workplace_type",
    "stage", "benefits", "tags", "links", "origin", "source_case", "source_description",
    "status", "adoption_count", "question_count", "created_at", "updated_at", "published_at",
]  # fmt: skip
CASE_ORGANISATION_FIELDS = ["id", "name", "kind", "number", "municipality", "county"]
ADOPTION_FIELDS = [
    "id", "case", "organisation", "mode", "channel", "adopted_on", "status", "note",
    "derived_case", "confirmed", "created_at", "updated_at",
]  # fmt: skip
ORGANISATION_FIELDS = [
    "id", "name", "slug", "kind", "number", "parent", "county", "region", "size_class",
    "centrality_class", "population",
]  # fmt: skip
PAGE_FIELDS = ["count", "next", "previous", "results"]

OSLO = datetime.timezone(datetime.timedelta(hours=1))

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "instance"}


def problem(response, status: int, code: str | None = None) -> dict:
    """The answer is an RFC 9457 problem with this status (and `code`, if given): its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert PROBLEM_FIELDS <= set(body) <= PROBLEM_FIELDS | {"errors"}, body
    assert body["status"] == status
    assert body["type"] == f"tag:innovasjonsdeling.no,2026:problem:{body['code']}"
    assert body["title"], body
    assert body["detail"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def field_messages(body: dict) -> dict[str | None, list[str]]:
    """A problem's field errors as messages by field (`None`: the input as a whole)."""
    found: dict[str | None, list[str]] = {}
    for error in body.get("errors", []):
        assert set(error) == {"field", "code", "message"}, error
        found.setdefault(error["field"], []).append(error["message"])
    return found


def invalid(response) -> dict[str | None, list[str]]:
    """A 400 problem for invalid input: its messages by top-level field (`links.0.url` under
    `links`)."""
    found: dict[str | None, list[str]] = {}
    for field, messages in field_messages(problem(response, 400, "invalid")).items():
        found.setdefault(field.split(".")[0] if field else None, []).extend(messages)
    return found


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttling counts requests in the cache; every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


def iso(value: datetime.datetime) -> str:
    """A datetime as the API writes it (local time, Europe/Oslo)."""
    return timezone.localtime(value).isoformat()


def at(day: str, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=OSLO)


def moderator_group():
    return Group.objects.get_or_create(name=MODERATORS_GROUP)[0]


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = services.api_token_create(user=user, name="Intranett-synk")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def all_pages(client, path, params=None) -> list[dict]:
    """Every result of a paged list, following `next`."""
    results = []
    response = client.get(path, {**(params or {}), "page_size": 200})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        if not body["next"]:
            return results
        response = client.get(body["next"])


def ids(results) -> list[int]:
    return [item["id"] for item in results]


@pytest.fixture
def place():
    """Two counties, three municipalities, a nursing home and a research institute."""
    vestland = factories.CountyFactory(
        name="Vestland", number="46", slug="vestland", region=Region.VESTLANDET
    )
    trondelag = factories.CountyFactory(
        name="Trøndelag", number="50", slug="trondelag", region=Region.TRONDELAG
    )
    bergen = factories.MunicipalityFactory(
        name="Bergen",
        number="4601",
        slug="bergen",
        parent=vestland,
        population=291_000,
        centrality_class=1,
    )
    voss = factories.MunicipalityFactory(
        name="Voss", number="4621", slug="voss", parent=vestland, population=16_000
    )
    trondheim = factories.MunicipalityFactory(
        name="Trondheim",
        number="5001",
        slug="trondheim",
        parent=trondelag,
        population=214_000,
        centrality_class=1,
    )
    sykehjem = factories.UnitFactory(
        name="Fyllingsdalen sykehjem", slug="fyllingsdalen-sykehjem", parent=bergen
    )
    sintef = factories.UnitFactory(
        kind=OrganisationKind.RESEARCH, name="SINTEF Digital", slug="sintef-digital", parent=None
    )
    return {
        "vestland": vestland,
        "trondelag": trondelag,
        "bergen": bergen,
        "voss": voss,
        "trondheim": trondheim,
        "sykehjem": sykehjem,
        "sintef": sintef,
    }


@pytest.fixture
def cases(place):
    """Five published cases with distinct facets, and one case in each other state."""
    rontgen = factories.CaseFactory(
        organisation=place["sykehjem"],
        published=True,
        title="Mobilt røntgen på sykehjemmet",
        slug="mobilt-rontgen",
        published_at=at("2025-03-01"),
        updated_at=at("2025-06-01"),
        sectors=["health-care"],
        innovation_types=["service"],
        workplace_type="nursing-home",
        stage="in-use",
        origin=Origin.FIRST,
    )
    vandreboka = factories.CaseFactory(
        organisation=place["voss"],
        published=True,
        title="Vandreboka for lærlinger",
        slug="vandreboka",
        published_at=at("2025-01-10"),
        updated_at=at("2025-01-10"),
        sectors=["education"],
        innovation_types=["process", "communication"],
        workplace_type="upper-secondary",
        stage="evaluated",
        origin=Origin.ADAPTED,
        source_description="Et dansk opplegg for lærlinger",
    )
    robot = factories.CaseFactory(
        organisation=place["trondheim"],
        published=True,
        title="Multidoserobot i hjemmetjenesten",
        slug="multidoserobot",
        published_at=at("2025-05-20"),
        updated_at=at("2025-05-20"),
        sectors=["health-care", "technical"],
        innovation_types=["product"],
        workplace_type="home-care",
        stage="pilot",
        origin=Origin.COPIED,
        source_case=rontgen,
    )
    turnus = factories.CaseFactory(
        organisation=place["bergen"],
        published=True,
        title="Ny turnusordning",
        slug="ny-turnusordning",
        published_at=at("2024-11-05"),
        updated_at=at("2025-08-15"),
        sectors=["administration"],
        innovation_types=["process"],
        stage="idea",
    )
    klasserom = factories.CaseFactory(
        organisation=place["trondheim"],
        published=True,
        title="Omvendt undervisning",
        slug="omvendt-undervisning",
        published_at=at("2025-02-14"),
        updated_at=at("2025-02-14"),
        sectors=["education"],
        innovation_types=["service"],
        workplace_type="primary-school",
        stage="development",
    )
    hidden = {
        status: factories.CaseFactory(
            organisation=place["bergen"],
            title=f"Usynlig ({status})",
            slug=f"usynlig-{status}",
            status=status,
        )
        for status in (
            CaseStatus.DRAFT,
            CaseStatus.SUBMITTED,
            CaseStatus.CHANGES_REQUESTED,
            CaseStatus.ARCHIVED,
        )
    }
    deleted = factories.CaseFactory(
        organisation=place["bergen"], published=True, title="Slettet sak", slug="slettet"
    )
    Case.all_objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    # Reuse: Bergen and Voss reused the X-ray service, Trondheim reused Vandreboka.
    for organisation, mode, channel, day in (
        (place["bergen"], AdoptionMode.COPIED, Channel.NETWORK, "2025-04-01"),
        (place["voss"], AdoptionMode.ADAPTED, Channel.CONFERENCE, "2025-05-01"),
    ):
        factories.AdoptionFactory(
            case=rontgen,
            organisation=organisation,
            mode=mode,
            channel=channel,
            adopted_on=datetime.date.fromisoformat(day),
        )
    factories.AdoptionFactory(
        case=vandreboka,
        organisation=place["trondheim"],
        mode=AdoptionMode.ADAPTED,
        channel=Channel.PLATFORM,
        adopted_on=datetime.date(2025, 2, 1),
    )
    # Recording reuse just now moved the reused cases' `updated_at`: give them back the times
    # this world declares, as if the reuse had been recorded then.
    for case in (rontgen, vandreboka):
        Case.all_objects.filter(pk=case.pk).update(updated_at=case.updated_at)
    return {
        "rontgen": rontgen,
        "vandreboka": vandreboka,
        "robot": robot,
        "turnus": turnus,
        "klasserom": klasserom,
        "hidden": hidden,
        "deleted": deleted,
    }


@pytest.fixture
def people(place):
    """An editor and a member of Bergen, an editor of Trondheim, and a moderator."""
    editor = factories.UserFactory(email="kari.nordmann@bergen.kommune.no")
    Membership.objects.create(user=editor, organisation=place["bergen"], role=MembershipRole.EDITOR)
    member = factories.UserFactory(email="ola.hansen@bergen.kommune.no")
    Membership.objects.create(user=member, organisation=place["bergen"])
    trondheim = factories.UserFactory(email="ingrid.berg@trondheim.kommune.no")
    Membership.objects.create(
        user=trondheim, organisation=place["trondheim"], role=MembershipRole.EDITOR
    )
    moderator = factories.UserFactory(email="moderator@ks.no")
    moderator.groups.add(moderator_group())
    return {"editor": editor, "member": member, "trondheim": trondheim, "moderator": moderator}
