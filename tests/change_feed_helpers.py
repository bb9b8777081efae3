"""What the change feed tests share: a client's copy of the published data kept in sync
through the feed only, the server's data to compare it with, and three municipalities that
publish and adopt (test_change_feed_contract.py, test_change_feed_concurrency.py, and the
feed's privacy and restore tests)."""

import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from cases import services
from cases.models import MODERATORS_GROUP, Adoption, Case, CaseRevision, Change, Membership
from cases.vocabularies import MembershipRole, Region
from tests import factories
from tests.api_helpers import all_pages


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def complete(title: str, **extra) -> dict:
    return {
        "title": title,
        "summary": f"Kort om {title.lower()}.",
        "problem": "Mange timer gikk med til manuelt arbeid.",
        "solution": "Vi tok i bruk en ny arbeidsmåte.",
        "sectors": ["health-care"],
        "innovation_types": ["service"],
        "stage": "in-use",
        "origin": "first",
        **extra,
    }


class Copy:
    """A client's copy of the published data, kept in sync through the feed only."""

    def __init__(self, client: APIClient | None = None):
        self.client = client or APIClient()
        self.cursor: str | None = None
        self.objects: dict[str, dict[int, dict]] = {"case": {}, "adoption": {}, "organisation": {}}
        self.pages = 0

    def read(self, limit: int = 100) -> dict:
        """One page of the feed, applied."""
        params = {"limit": limit}
        if self.cursor is not None:
            params["since"] = self.cursor
        response = self.client.get("/api/v1/changes/", params)
        assert response.status_code == 200, response.content
        body = response.json()
        for entry in body["results"]:
            copy = self.objects[entry["kind"]]
            if entry["action"] == "upsert":
                assert entry["object"]["id"] == entry["id"]
                copy[entry["id"]] = entry["object"]
            else:
                assert entry["object"] is None
                copy.pop(entry["id"], None)
        self.cursor = body["next_cursor"]
        self.pages += 1
        return body

    def sync(self, limit: int = 100) -> list[dict]:
        """Follow `next_cursor` until `has_more` is false; the entries seen."""
        seen = []
        while True:
            body = self.read(limit)
            seen += body["results"]
            if not body["has_more"]:
                return seen

    def caught_up(self) -> bool:
        """Whether the cursor has passed the last entry in the log (the log, not the feed)."""
        last = Change.objects.order_by("-txid", "-id").values_list("txid", "id").first()
        if last is None:
            return True
        txid, pk = (int(part) for part in (self.cursor or "-1.0").split("."))
        return (txid, pk) >= last

    def drain(self, limit: int = 100, timeout: float = 20) -> list[dict]:
        """Sync until the whole log is read. On PostgreSQL a transaction of this database
        that is still running holds the feed back; after the writers have finished, the
        horizon passes everything, so this ends."""
        seen = self.sync(limit)
        deadline = time.monotonic() + timeout
        while not self.caught_up():
            assert time.monotonic() < deadline, "the feed did not catch up with the log"
            time.sleep(0.05)
            seen += self.sync(limit)
        return seen

    def entries_for(self, seen, kind, pk) -> list[str]:
        return [e["action"] for e in seen if e["kind"] == kind and e["id"] == pk]


def server(client: APIClient | None = None) -> dict[str, dict[int, dict]]:
    """The server's published data, as its lists show it."""
    client = client or APIClient()
    return {
        kind: {item["id"]: item for item in all_pages(client, path)}
        for kind, path in (
            ("case", "/api/v1/cases/"),
            ("adoption", "/api/v1/adoptions/"),
            ("organisation", "/api/v1/organisations/"),
        )
    }


@pytest.fixture
def world(db):
    """Three municipalities in Innlandet with an editor each, and a moderator."""
    innlandet = factories.CountyFactory(
        name="Innlandet", number="34", slug="innlandet", region=Region.INNLANDET
    )
    people = {}
    organisations = {}
    for name, number in (("Hamar", "3403"), ("Lillehammer", "3405"), ("Gjøvik", "3407")):
        organisation = factories.MunicipalityFactory(
            name=name, number=number, slug=name.lower().replace("ø", "o"), parent=innlandet
        )
        user = factories.UserFactory(email=f"redaktor@{organisation.slug}.kommune.no")
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.EDITOR)
        organisations[name] = organisation
        people[name] = user
    moderator = factories.UserFactory(email="moderator@ks.no")
    moderator.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    people["moderator"] = moderator
    return {"organisations": organisations, "people": people, "county": innlandet}


def publish(world, owner: str, title: str, **extra) -> Case:
    author = world["people"][owner]
    case = services.case_create(
        actor=author, organisation=world["organisations"][owner], data=complete(title, **extra)
    )
    services.case_submit(actor=author, case=case)
    return factories.approve_case(world["people"]["moderator"], case)


def adopt(world, case: Case, adopter: str, **extra) -> Adoption:
    return services.adoption_record(
        actor=world["people"][adopter],
        case=case,
        organisation=world["organisations"][adopter],
        mode=extra.pop("mode", "adapted"),
        channel=extra.pop("channel", "network"),
        **extra,
    )


@pytest.fixture
def published(world):
    """Two published cases, one adopted twice, and a draft."""
    kiosk = publish(world, "Hamar", "Digital innbyggerkiosk")
    sengevakt = publish(world, "Lillehammer", "Sensorbasert nattevakt")
    adopt(world, kiosk, "Lillehammer")
    adopt(world, kiosk, "Gjøvik", mode="copied", channel="platform")
    draft = services.case_create(
        actor=world["people"]["Gjøvik"],
        organisation=world["organisations"]["Gjøvik"],
        data=complete("Utkast om skyss"),
    )
    return {"kiosk": kiosk, "sengevakt": sengevakt, "draft": draft}


def entries_per_object() -> dict[tuple[str, int], int]:
    counted: dict[tuple[str, int], int] = {}
    for kind, pk in Change.objects.values_list("kind", "object_id"):
        counted[(kind, pk)] = counted.get((kind, pk), 0) + 1
    return counted


def edit_and_approve(world, case: Case, owner: str, title: str, **data) -> None:
    services.case_update(actor=world["people"][owner], case=case, data={"title": title, **data})
    revision = CaseRevision.objects.get(case=case, status=CaseRevision.Status.PENDING)
    factories.approve_edit(world["people"]["moderator"], revision)
