"""The change feed, `GET /api/v1/changes/?since=<cursor>&limit=<n>`: a client that starts with
no cursor and follows `next_cursor` ends with exactly the server's published data.

The first part runs on SQLite and PostgreSQL: full and incremental sync, archiving as delete
(for the case and its adoptions), coming back as upsert, pending edits, withdrawn adoptions and
everything a public representation shows of other rows (source case, derived case, adoption
count, organisation names). The second part needs real parallel transactions (PostgreSQL): a
transaction that commits after a later one must not be skipped, and a soak test with several
writers and a syncing client at the same time.

Every test commits for real (`transaction=True`): on PostgreSQL the feed hands out only what
committed transactions wrote.
"""

import datetime
import random
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from cases import services
from cases.models import MODERATORS_GROUP, Adoption, Case, CaseRevision, Change, Membership
from cases.vocabularies import CaseStatus, MembershipRole, Region
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs parallel transactions that commit out of order; SQLite has one writer at a "
    "time. Run with DATABASE_URL=postgres://...",
)


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
        self.objects: dict[str, dict[int, dict]] = {"case": {}, "adoption": {}}
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

    def everything(path):
        found = {}
        response = client.get(path, {"page_size": 200})
        while True:
            assert response.status_code == 200, response.content
            body = response.json()
            found.update({item["id"]: item for item in body["results"]})
            if not body["next"]:
                return found
            response = client.get(body["next"])

    return {"case": everything("/api/v1/cases/"), "adoption": everything("/api/v1/adoptions/")}


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


# --- Full and incremental sync (SQLite and PostgreSQL) --------------------------------------


def test_full_sync_gives_exactly_the_published_data(published):
    copy = Copy()
    seen = copy.drain()
    state = server()
    assert copy.objects == state
    assert set(state["case"]) == {published["kiosk"].pk, published["sengevakt"].pk}
    assert len(state["adoption"]) == 2
    # The draft was never public: the feed does not name it (tests/test_change_feed_private.py).
    assert copy.entries_for(seen, "case", published["draft"].pk) == []
    # A page holds at most one entry per object: the object as it is now.
    keys = [(e["kind"], e["id"]) for e in seen]
    assert len(keys) == len(set(keys))


def test_a_feed_entry_carries_the_object_as_the_api_shows_it(published):
    copy = Copy()
    copy.drain()
    kiosk = published["kiosk"]
    detail = APIClient().get(f"/api/v1/cases/{kiosk.pk}/").json()
    assert copy.objects["case"][kiosk.pk] == detail
    assert detail["adoption_count"] == 2
    adoption = Adoption.objects.filter(case=kiosk).first()
    assert copy.objects["adoption"][adoption.pk] == (
        APIClient().get(f"/api/v1/adoptions/{adoption.pk}/").json()
    )


def test_small_pages_give_the_same_copy(published):
    big, small = Copy(), Copy()
    big.drain()
    small.drain(limit=1)
    assert small.objects == big.objects == server()
    assert small.pages > big.pages


def test_has_more_and_the_cursor(published):
    copy = Copy()
    first = copy.read(limit=2)
    assert first["has_more"] is True
    assert len(first["results"]) <= 2
    assert first["next_cursor"] == first["results"][-1]["cursor"]
    copy.drain()
    # Caught up: nothing new, the cursor stays where it is.
    cursor = copy.cursor
    again = copy.read()
    assert again == {"results": [], "next_cursor": cursor, "has_more": False}


def test_incremental_sync_brings_only_what_changed(world, published):
    copy = Copy()
    copy.drain()
    before = copy.cursor

    skilt = publish(world, "Gjøvik", "Digitale skilt i sentrum")
    adoption = adopt(world, skilt, "Hamar", channel="conference")
    seen = copy.drain()
    assert copy.cursor != before
    assert copy.objects == server()
    assert copy.entries_for(seen, "case", skilt.pk)[-1] == "upsert"
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["upsert"]
    assert copy.objects["case"][skilt.pk]["adoption_count"] == 1
    # Nothing about the cases that did not change.
    assert not copy.entries_for(seen, "case", published["sengevakt"].pk)

    assert copy.drain() == []


def test_archiving_a_case_deletes_it_and_its_adoptions(world, published):
    copy = Copy()
    copy.drain()
    kiosk = published["kiosk"]
    adoption_ids = set(Adoption.objects.filter(case=kiosk).values_list("pk", flat=True))
    assert adoption_ids <= set(copy.objects["adoption"])

    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Erstattet.")
    seen = copy.drain()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["delete"]
    for pk in adoption_ids:
        assert copy.entries_for(seen, "adoption", pk) == ["delete"]
    assert kiosk.pk not in copy.objects["case"]
    assert not adoption_ids & set(copy.objects["adoption"])
    assert copy.objects == server()


def test_a_case_that_returns_comes_back_with_its_adoptions(world, published):
    kiosk = published["kiosk"]
    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Pause.")
    copy = Copy()
    copy.drain()
    assert kiosk.pk not in copy.objects["case"]

    services.case_restore(actor=world["people"]["Hamar"], case=kiosk)
    seen = copy.drain()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    adoption_ids = set(Adoption.objects.filter(case=kiosk).values_list("pk", flat=True))
    assert len(adoption_ids) == 2
    for pk in adoption_ids:
        assert copy.entries_for(seen, "adoption", pk) == ["upsert"]
    assert copy.objects == server()


def test_a_pending_edit_is_not_in_the_feed_until_approved(world, published):
    copy = Copy()
    copy.drain()
    sengevakt = published["sengevakt"]
    services.case_update(
        actor=world["people"]["Lillehammer"],
        case=sengevakt,
        data={"title": "Sensorbasert nattevakt i omsorgsboliger"},
    )
    assert copy.drain() == []
    assert copy.objects["case"][sengevakt.pk]["title"] == "Sensorbasert nattevakt"

    revision = CaseRevision.objects.get(case=sengevakt, status=CaseRevision.Status.PENDING)
    factories.approve_edit(world["people"]["moderator"], revision)
    seen = copy.drain()
    assert copy.entries_for(seen, "case", sengevakt.pk) == ["upsert"]
    assert copy.objects["case"][sengevakt.pk]["title"] == (
        "Sensorbasert nattevakt i omsorgsboliger"
    )
    assert copy.objects == server()


def test_withdrawing_an_adoption_deletes_it_and_updates_the_count(world, published):
    copy = Copy()
    copy.drain()
    kiosk = published["kiosk"]
    adoption = Adoption.objects.get(case=kiosk, organisation=world["organisations"]["Gjøvik"])
    services.adoption_withdraw(actor=world["people"]["Gjøvik"], adoption=adoption)
    seen = copy.drain()
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["delete"]
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    assert copy.objects["case"][kiosk.pk]["adoption_count"] == 1
    assert copy.objects == server()


def test_changing_an_adoption_is_an_upsert(world, published):
    copy = Copy()
    copy.drain()
    adoption = Adoption.objects.get(
        case=published["kiosk"], organisation=world["organisations"]["Lillehammer"]
    )
    services.adoption_update(
        actor=world["people"]["Lillehammer"],
        adoption=adoption,
        status="discontinued",
        note="Lagt ned etter ett år.",
    )
    services.adoption_confirm(actor=world["people"]["Hamar"], adoption=adoption)
    seen = copy.drain()
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["upsert"]
    shown = copy.objects["adoption"][adoption.pk]
    assert (shown["status"], shown["note"], shown["confirmed"]) == (
        "discontinued",
        "Lagt ned etter ett år.",
        True,
    )
    assert copy.objects == server()


def test_a_case_follows_its_source_case_out_of_and_into_view(world, published):
    """`source_case` is named only while the source is published."""
    kiosk = published["kiosk"]
    # Gjøvik copied the kiosk (its adoption exists already: it becomes the derived one).
    copycat = publish(
        world, "Gjøvik", "Innbyggerkiosk på biblioteket", origin="copied", source_case=kiosk.pk
    )
    copy = Copy()
    copy.drain()
    assert copy.objects["case"][copycat.pk]["source_case"] == kiosk.pk
    derived = Adoption.objects.get(case=kiosk, organisation=world["organisations"]["Gjøvik"])
    assert copy.objects["adoption"][derived.pk]["derived_case"] == copycat.pk

    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Utgått.")
    copy.drain()
    assert copy.objects["case"][copycat.pk]["source_case"] is None
    assert copy.objects == server()

    kiosk.refresh_from_db()
    kiosk.status = CaseStatus.PUBLISHED
    kiosk.save()
    copy.drain()
    assert copy.objects["case"][copycat.pk]["source_case"] == kiosk.pk
    assert copy.objects == server()


def test_an_adoption_follows_its_derived_case(world, published):
    """`derived_case` is named only while the adopter's own case is published."""
    sengevakt = published["sengevakt"]
    own = services.case_create(
        actor=world["people"]["Hamar"],
        organisation=world["organisations"]["Hamar"],
        data=complete("Nattevakt med sensorer i Hamar"),
    )
    adoption = adopt(world, sengevakt, "Hamar", derived_case=own.pk)
    copy = Copy()
    copy.drain()
    assert copy.objects["adoption"][adoption.pk]["derived_case"] is None

    services.case_submit(actor=world["people"]["Hamar"], case=own)
    factories.approve_case(world["people"]["moderator"], own)
    copy.drain()
    assert copy.objects["adoption"][adoption.pk]["derived_case"] == own.pk
    assert copy.objects == server()


def test_renaming_an_organisation_reaches_its_cases_and_adoptions(world, published):
    copy = Copy()
    copy.drain()
    hamar = world["organisations"]["Hamar"]
    hamar.name = "Hamar kommune"
    hamar.save()
    county = world["county"]
    county.name = "Innlandet fylkeskommune"
    county.save()
    seen = copy.drain()
    assert copy.entries_for(seen, "case", published["kiosk"].pk) == ["upsert"]
    assert copy.objects["case"][published["kiosk"].pk]["organisation"]["name"] == "Hamar kommune"
    for case in copy.objects["case"].values():
        assert case["organisation"]["county"]["name"] == "Innlandet fylkeskommune"
    for adoption in copy.objects["adoption"].values():
        assert adoption["organisation"]["county"]["name"] == "Innlandet fylkeskommune"
    assert copy.objects == server()
    # Saving without a visible change writes nothing.
    hamar.save()
    assert copy.drain() == []


def test_partners_shown_on_a_case(world, published):
    copy = Copy()
    copy.drain()
    sengevakt = published["sengevakt"]
    sengevakt.partners.add(world["organisations"]["Hamar"])
    copy.drain()
    assert [p["name"] for p in copy.objects["case"][sengevakt.pk]["partners"]] == ["Hamar"]
    world["organisations"]["Hamar"].partner_cases.clear()
    copy.drain()
    assert copy.objects["case"][sengevakt.pk]["partners"] == []
    assert copy.objects == server()


def test_deleting_rows_outright_is_a_delete(world, published):
    """Only an administrator deletes rows; the feed still tells."""
    copy = Copy()
    copy.drain()
    adoption = Adoption.objects.filter(case=published["kiosk"]).first()
    pk = adoption.pk
    adoption.delete()
    seen = copy.drain()
    assert copy.entries_for(seen, "adoption", pk) == ["delete"]
    assert copy.objects["case"][published["kiosk"].pk]["adoption_count"] == 1
    assert copy.objects == server()


def test_a_write_that_rolls_back_leaves_nothing_behind(world, published):
    copy = Copy()
    copy.drain()
    before = Change.objects.count()
    # The service and the failure after it share the transaction the request would have.
    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        services.case_archive(
            actor=world["people"]["Hamar"], case=published["kiosk"], reason="Feil."
        )
        raise RuntimeError("the request failed after the service")
    assert Change.objects.count() == before
    assert copy.drain() == []
    assert copy.objects == server()


def test_entries_written_outside_a_transaction_share_one_transaction_id(world, published):
    """An entry must carry the id of the transaction that writes it, also in autocommit."""
    from cases.changefeed import record as changes

    changes.record(Change.Kind.CASE, [published["kiosk"].pk, published["sengevakt"].pk])
    written = list(Change.objects.order_by("-id").values_list("txid", flat=True)[:2])
    assert written[0] == written[1]


# --- Compacting the log (SQLite and PostgreSQL) ---------------------------------------------


def entries_per_object() -> dict[tuple[str, int], int]:
    counted: dict[tuple[str, int], int] = {}
    for kind, pk in Change.objects.values_list("kind", "object_id"):
        counted[(kind, pk)] = counted.get((kind, pk), 0) + 1
    return counted


def edit_and_approve(world, case: Case, owner: str, title: str) -> None:
    services.case_update(actor=world["people"][owner], case=case, data={"title": title})
    revision = CaseRevision.objects.get(case=case, status=CaseRevision.Status.PENDING)
    factories.approve_edit(world["people"]["moderator"], revision)


def test_the_log_keeps_one_entry_per_object(world, published):
    """A later entry of the same object makes an earlier one redundant: the log grows with the
    number of objects, not with the number of writes, and so does a full sync."""
    kiosk = published["kiosk"]
    for n in range(3):
        edit_and_approve(world, kiosk, "Hamar", f"Innbyggerkiosk {n}")
    world["organisations"]["Hamar"].name = "Hamar kommune"
    world["organisations"]["Hamar"].save()
    counted = entries_per_object()
    assert set(counted.values()) == {1}
    assert ("case", kiosk.pk) in counted
    copy = Copy()
    seen = copy.drain()
    assert copy.objects == server()
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]


def test_a_client_with_an_old_cursor_gets_every_change_after_it(world, published):
    """Entries that were before the client's cursor, between it and the end, and that were
    removed after the client read them: the client still ends with the server's data."""
    kiosk, sengevakt = published["kiosk"], published["sengevakt"]
    old = Copy()
    old.drain()
    edit_and_approve(world, kiosk, "Hamar", "Ny innbyggerkiosk")
    services.case_archive(actor=world["people"]["Lillehammer"], case=sengevakt, reason="Slutt.")
    edit_and_approve(world, kiosk, "Hamar", "Enda nyere innbyggerkiosk")
    adoption = Adoption.objects.get(case=kiosk, organisation=world["organisations"]["Gjøvik"])
    services.adoption_withdraw(actor=world["people"]["Gjøvik"], adoption=adoption)
    seen = old.drain()
    assert old.objects == server()
    assert old.objects["case"][kiosk.pk]["title"] == "Enda nyere innbyggerkiosk"
    assert old.objects["case"][kiosk.pk]["adoption_count"] == 1
    assert old.entries_for(seen, "case", sengevakt.pk) == ["delete"]
    assert old.entries_for(seen, "adoption", adoption.pk) == ["delete"]


def test_a_client_in_the_middle_of_a_sync_loses_nothing(world, published):
    """Writes land both before and after the cursor of a client that has read part of the log:
    entries it has read are removed, entries it has not read move to the end."""
    copy = Copy()
    copy.read(limit=2)
    assert copy.read(limit=2)["has_more"] is True
    kiosk, sengevakt = published["kiosk"], published["sengevakt"]
    edit_and_approve(world, kiosk, "Hamar", "Kiosk i rådhuset")
    edit_and_approve(world, sengevakt, "Lillehammer", "Nattevakt med sensorer")
    services.case_submit(actor=world["people"]["Gjøvik"], case=published["draft"])
    factories.approve_case(world["people"]["moderator"], published["draft"])
    adopt(world, published["draft"], "Hamar")
    copy.drain(limit=2)
    assert copy.objects == server()
    assert copy.objects["case"][published["draft"].pk]["adoption_count"] == 1


def test_a_deletion_stays_in_the_log(world, published):
    """An object's last entry is never removed, so a client that had the object learns that
    it left the public view, however much is written after."""
    kiosk = published["kiosk"]
    adoption_ids = set(Adoption.objects.filter(case=kiosk).values_list("pk", flat=True))
    early = Copy()
    early.drain()
    services.case_archive(actor=world["people"]["Hamar"], case=kiosk, reason="Erstattet.")
    gone = publish(world, "Gjøvik", "Kortvarig sak")
    later = Copy()
    later.drain()
    gone_pk = gone.pk
    assert gone_pk in later.objects["case"]
    gone.delete()  # an administrator deletes the row
    for n in range(3):
        edit_and_approve(world, published["sengevakt"], "Lillehammer", f"Nattevakt {n}")
    assert entries_per_object()[("case", kiosk.pk)] == 1
    assert entries_per_object()[("case", gone_pk)] == 1

    seen = early.drain()
    assert early.entries_for(seen, "case", kiosk.pk) == ["delete"]
    for pk in adoption_ids:
        assert early.entries_for(seen, "adoption", pk) == ["delete"]
    assert later.entries_for(later.drain(), "case", gone_pk) == ["delete"]
    assert early.objects == later.objects == server()
    assert kiosk.pk not in early.objects["case"]
    assert gone_pk not in later.objects["case"]
    # A client that starts now is told too (and ignores what it never had).
    fresh = Copy()
    assert fresh.entries_for(fresh.drain(), "case", gone_pk) == ["delete"]
    assert fresh.objects == server()


# --- Transactions that commit out of order (PostgreSQL) -------------------------------------


class Held(threading.Thread):
    """Runs `work` in a transaction on its own connection: takes a transaction id at once,
    writes when told to (`go_on`) and commits only when released."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work = work
        self.begun = threading.Event()
        self.written = threading.Event()
        self.go_on = threading.Event()
        self.release = threading.Event()
        self.error = None
        self.txid = None

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as db:
                    db.execute("SELECT pg_current_xact_id()::text::bigint")
                    self.txid = db.fetchone()[0]
                self.begun.set()
                assert self.go_on.wait(10)
                self.work()
                self.written.set()
                assert self.release.wait(10)
        except Exception as error:  # reported by the test
            self.error = error
            self.written.set()
        finally:
            connection.close()

    def write(self):
        """Let it write, and wait until it has (it stays open)."""
        self.go_on.set()
        assert self.written.wait(10)
        assert self.error is None, self.error

    def commit(self):
        self.go_on.set()
        self.release.set()
        self.join(10)
        assert not self.is_alive()
        assert self.error is None, self.error


def read_until(copy: Copy, wanted, timeout: float = 10) -> list[dict]:
    """Read the feed until `wanted(seen)` holds or time runs out."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        seen += copy.sync()
        if wanted(seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.05)


def entry_ids(txid: int) -> list[int]:
    return sorted(Change.objects.filter(txid=txid).values_list("id", flat=True))


@postgresql_only
def test_a_transaction_that_commits_late_is_not_skipped(world, published):
    """T1 writes first (lower entry ids) but commits last; T2 writes later (higher ids) and
    commits first. While T1 is open the reader hands out nothing after its cursor, not even
    T2's committed entries, and does not move its cursor; after T1 commits it gets both."""
    copy = Copy()
    copy.drain()
    cursor_before = copy.cursor
    kiosk, sengevakt = published["kiosk"], published["sengevakt"]

    def rename_kiosk():
        services.case_update(
            actor=world["people"]["Hamar"], case=kiosk, data={"title": "Ny innbyggerkiosk"}
        )
        revision = CaseRevision.objects.get(case=kiosk, status=CaseRevision.Status.PENDING)
        factories.approve_edit(world["people"]["moderator"], revision)

    t1 = Held(lambda: adopt(world, sengevakt, "Gjøvik"))
    t1.start()
    assert t1.begun.wait(10)
    t1.write()
    t2 = Held(rename_kiosk)
    t2.start()
    t2.commit()  # T2 is committed while T1 is still open
    assert entry_ids(t1.txid) == []  # T1's entries are not visible to anyone yet
    assert entry_ids(t2.txid)

    held_back = copy.sync()
    assert held_back == []
    assert copy.cursor == cursor_before
    assert copy.objects["case"][kiosk.pk]["title"] == "Digital innbyggerkiosk"

    t1.commit()
    seen = read_until(copy, lambda seen: bool(copy.entries_for(seen, "case", kiosk.pk)))
    assert t1.txid < t2.txid
    assert entry_ids(t1.txid)[0] < entry_ids(t2.txid)[0]
    adoption = Adoption.objects.get(case=sengevakt, organisation=world["organisations"]["Gjøvik"])
    assert copy.entries_for(seen, "adoption", adoption.pk) == ["upsert"]
    assert copy.entries_for(seen, "case", sengevakt.pk) == ["upsert"]
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    assert copy.objects["case"][kiosk.pk]["title"] == "Ny innbyggerkiosk"
    assert copy.objects["case"][sengevakt.pk]["adoption_count"] == 1
    assert copy.objects == server()


@postgresql_only
def test_an_earlier_transaction_id_with_later_entries_is_not_skipped(world, published):
    """What breaks a feed ordered by entry id: T2 takes its transaction id first, T1 writes its
    entries (lower ids) next, then T2 writes (higher ids) and commits while T1 is open. The
    reader hands out T2's entries at once (their transaction id is below T1's, the oldest
    still running), moves its cursor to them, and after T1 commits still gets T1's entries,
    whose ids are below that cursor's."""
    copy = Copy()
    copy.drain()
    kiosk, sengevakt = published["kiosk"], published["sengevakt"]
    gjovik = world["organisations"]["Gjøvik"]
    withdrawn = Adoption.objects.get(case=kiosk, organisation=gjovik)

    t2 = Held(
        lambda: services.case_archive(
            actor=world["people"]["Lillehammer"], case=sengevakt, reason="Avsluttet prosjekt."
        )
    )
    t1 = Held(
        lambda: services.adoption_withdraw(actor=world["people"]["Gjøvik"], adoption=withdrawn)
    )
    t2.start()
    assert t2.begun.wait(10)  # T2 has its transaction id
    t1.start()
    assert t1.begun.wait(10)
    t1.write()  # T1's entries: lower ids, a higher transaction id, not committed
    t2.commit()  # T2 writes higher ids and commits
    assert t2.txid < t1.txid

    seen = read_until(copy, lambda seen: bool(copy.entries_for(seen, "case", sengevakt.pk)))
    assert copy.entries_for(seen, "case", sengevakt.pk) == ["delete"]
    assert not copy.entries_for(seen, "adoption", withdrawn.pk)  # T1's: not handed out yet
    assert copy.cursor.startswith(f"{t2.txid}.")
    assert copy.read() == {"results": [], "next_cursor": copy.cursor, "has_more": False}

    t1.commit()
    seen = read_until(copy, lambda seen: bool(copy.entries_for(seen, "adoption", withdrawn.pk)))
    # By id alone, T1's entries were already behind the cursor.
    assert entry_ids(t1.txid)[-1] < entry_ids(t2.txid)[0]
    assert copy.entries_for(seen, "adoption", withdrawn.pk) == ["delete"]
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    assert copy.objects["case"][kiosk.pk]["adoption_count"] == 1
    assert copy.objects == server()


@postgresql_only
def test_compacting_does_not_wait_for_another_writer_of_the_same_object(world, published):
    """T1 has written an entry for the kiosk (and so holds the old one, to delete it) and is
    still open. T2 writes the kiosk too: it leaves the held entry alone instead of waiting
    for T1, and the feed is complete whether T1 commits or not."""
    from cases.changefeed import record as changes

    kiosk = published["kiosk"]
    copy = Copy()
    copy.drain()
    t1 = Held(lambda: changes.record(Change.Kind.CASE, [kiosk.pk]))
    t1.start()
    assert t1.begun.wait(10)
    t1.write()
    with transaction.atomic():
        with connection.cursor() as db:
            db.execute("SET LOCAL lock_timeout = '2s'")
        edit_and_approve(world, kiosk, "Hamar", "Kiosk uten venting")
    t1.commit()
    seen = read_until(copy, lambda seen: bool(copy.entries_for(seen, "case", kiosk.pk)))
    assert copy.entries_for(seen, "case", kiosk.pk) == ["upsert"]
    assert copy.objects["case"][kiosk.pk]["title"] == "Kiosk uten venting"
    assert copy.objects == server()
    # T2 could not remove T1's entry (it was not committed); the next write does.
    assert entries_per_object()[("case", kiosk.pk)] == 2
    edit_and_approve(world, kiosk, "Hamar", "Kiosk igjen")
    assert entries_per_object()[("case", kiosk.pk)] == 1
    copy.drain()
    assert copy.objects == server()


# --- Many writers and a syncing client at once (PostgreSQL) ---------------------------------

WRITERS = 4
ROUNDS = 45


class Writer(threading.Thread):
    """One organisation's editor doing random work through the services, with the moderator's
    hand for approvals, for a fixed number of rounds."""

    def __init__(self, index, organisation_id, user_id, moderator_id, others, seed):
        super().__init__(daemon=True)
        self.index = index
        self.organisation_id = organisation_id
        self.user_id, self.moderator_id = user_id, moderator_id
        self.others = others
        self.random = random.Random(seed)
        self.done: dict[str, int] = {}
        self.refused = 0
        self.error = None

    def run(self):
        try:
            from cases.models import Organisation, User

            self.user = User.objects.get(pk=self.user_id)
            self.moderator = User.objects.get(pk=self.moderator_id)
            self.organisation = Organisation.objects.get(pk=self.organisation_id)
            operations = [
                (self.create, 3),
                (self.approve, 3),
                (self.send_back, 1),
                (self.edit, 2),
                (self.archive, 1),
                (self.adopt, 4),
                (self.withdraw, 1),
                (self.change_adoption, 1),
                (self.rename, 1),
            ]
            functions = [f for f, _w in operations]
            weights = [w for _f, w in operations]
            for _round in range(ROUNDS):
                operation = self.random.choices(functions, weights)[0]
                try:
                    if operation():
                        self.done[operation.__name__] = self.done.get(operation.__name__, 0) + 1
                except (
                    services.Conflict,
                    PermissionDenied,
                    ValidationError,
                    ObjectDoesNotExist,
                    DatabaseError,  # a deadlock victim: its transaction rolled back whole
                ):
                    self.refused += 1
                # Fresh roles for the next round (memberships do not change, but be safe).
                for user in (self.user, self.moderator):
                    for attribute in ("_roles", "_is_moderator"):
                        user.__dict__.pop(attribute, None)
                time.sleep(self.random.random() * 0.004)
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            connection.close()

    def pick(self, queryset):
        ids = list(queryset.values_list("pk", flat=True)[:30])
        return queryset.model.all_objects.get(pk=self.random.choice(ids)) if ids else None

    def own(self, *statuses):
        return Case.objects.filter(organisation_id=self.organisation_id, status__in=statuses)

    def create(self):
        title = f"Sak {self.index}-{self.random.randrange(10**6)} om velferdsteknologi"
        case = services.case_create(
            actor=self.user, organisation=self.organisation, data=complete(title)
        )
        if self.random.random() < 0.8:
            services.case_submit(actor=self.user, case=case)
        return True

    def approve(self):
        case = self.pick(Case.objects.filter(status=CaseStatus.SUBMITTED))
        if case is None:
            return False
        factories.approve_case(self.moderator, case)
        return True

    def send_back(self):
        case = self.pick(Case.objects.filter(status=CaseStatus.SUBMITTED))
        if case is None:
            return False
        services.case_request_changes(actor=self.moderator, case=case, reason="Mer om kostnad.")
        return True

    def edit(self):
        case = self.pick(
            self.own(CaseStatus.DRAFT, CaseStatus.CHANGES_REQUESTED, CaseStatus.PUBLISHED)
        )
        if case is None:
            return False
        title = f"{case.title.split(' (')[0]} ({self.random.randrange(1000)})"
        result = services.case_update(actor=self.user, case=case, data={"title": title})
        if isinstance(result, CaseRevision):
            if self.random.random() < 0.7:
                factories.approve_edit(self.moderator, result)
        elif case.status != CaseStatus.PUBLISHED:
            services.case_submit(actor=self.user, case=case)
        return True

    def archive(self):
        case = self.pick(self.own(CaseStatus.PUBLISHED))
        if case is None:
            return False
        services.case_archive(actor=self.user, case=case, reason="Ikke lenger i bruk.")
        return True

    def adopt(self):
        case = self.pick(Case.objects.published().exclude(organisation_id=self.organisation_id))
        if case is None:
            return False
        services.adoption_record(
            actor=self.user,
            case=case,
            organisation=self.organisation,
            mode=self.random.choice(["adapted", "copied"]),
            channel=self.random.choice(["network", "conference", "platform", "direct"]),
            adopted_on=datetime.date(2025, 1, 1) + datetime.timedelta(self.random.randrange(300)),
        )
        return True

    def withdraw(self):
        adoption = self.pick(Adoption.objects.filter(organisation_id=self.organisation_id))
        if adoption is None:
            return False
        services.adoption_withdraw(actor=self.user, adoption=adoption)
        return True

    def change_adoption(self):
        adoption = self.pick(Adoption.objects.filter(organisation_id=self.organisation_id))
        if adoption is None:
            return False
        services.adoption_update(
            actor=self.user,
            adoption=adoption,
            status=self.random.choice(["planned", "in-use", "discontinued"]),
            note=f"Notat {self.random.randrange(1000)}",
        )
        return True

    def rename(self):
        with transaction.atomic():
            self.organisation.refresh_from_db()
            self.organisation.name = (
                f"{self.organisation.name.split(' (')[0]} ({self.random.randrange(100)})"
            )
            self.organisation.save()
        return True


@postgresql_only
def test_many_writers_and_a_syncing_client(world, monkeypatch):
    """Writers create, edit, submit, approve, send back and archive cases, record, change and
    withdraw adoptions and rename their organisations, in parallel, while a client syncs in a
    loop. When the writers are done and the client has read the whole log, its copy is
    exactly the server's published data."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min"}
    )
    organisations = list(world["organisations"].values())
    extra = factories.MunicipalityFactory(
        name="Ringsaker", number="3411", slug="ringsaker", parent=world["county"]
    )
    extra_editor = factories.UserFactory(email="redaktor@ringsaker.kommune.no")
    Membership.objects.create(user=extra_editor, organisation=extra, role=MembershipRole.EDITOR)
    organisations.append(extra)
    editors = [*[world["people"][o.name] for o in organisations[:3]], extra_editor]
    for organisation in organisations:
        publish_for = next(
            u for u, o in zip(editors, organisations, strict=True) if o == organisation
        )
        case = services.case_create(
            actor=publish_for,
            organisation=organisation,
            data=complete(f"Start i {organisation.name}"),
        )
        services.case_submit(actor=publish_for, case=case)
        factories.approve_case(world["people"]["moderator"], case)

    writers = [
        Writer(
            i, organisation.pk, editor.pk, world["people"]["moderator"].pk, organisations, seed=i
        )
        for i, (organisation, editor) in enumerate(zip(organisations, editors, strict=True))
    ][:WRITERS]
    stop = threading.Event()
    reader_state = {"reads_while_writing": 0, "error": None}
    copy = Copy()

    def read_in_a_loop():
        try:
            while not stop.is_set():
                body = copy.read(limit=random.choice([1, 5, 25, 100]))
                reader_state["reads_while_writing"] += 1
                if not body["has_more"]:
                    time.sleep(0.01)
        except Exception as error:  # reported by the test
            reader_state["error"] = error
        finally:
            connection.close()

    reader = threading.Thread(target=read_in_a_loop, daemon=True)
    started = time.monotonic()
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert not writer.is_alive(), "a writer did not finish"
    stop.set()
    reader.join(30)
    assert not reader.is_alive()
    elapsed = time.monotonic() - started

    for writer in writers:
        assert writer.error is None, writer.error
    assert reader_state["error"] is None, reader_state["error"]

    copy.drain()
    state = server()
    assert copy.objects == state

    done = {}
    for writer in writers:
        for name, count in writer.done.items():
            done[name] = done.get(name, 0) + count
    # The run exercised what it claims to, while the client was reading.
    for name in ("create", "approve", "archive", "adopt", "withdraw", "edit", "rename"):
        assert done.get(name, 0) > 0, (name, done)
    assert reader_state["reads_while_writing"] > 10
    assert state["case"]
    assert state["adoption"]
    assert Case.all_objects.filter(status=CaseStatus.ARCHIVED).exists()
    assert Adoption.all_objects.filter(deleted_at__isnull=False).exists()
    assert elapsed < 60
