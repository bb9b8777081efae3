"""The change feed with real parallel transactions (PostgreSQL): a transaction that commits
after a later one must not be skipped, a writer does not wait for another writer of the same
object, and a soak test with several writers and a syncing client at the same time.

Every test commits for real (`transaction=True`): on PostgreSQL the feed hands out only what
committed transactions wrote. What a client gets on one connection at a time is in
test_change_feed_contract.py.
"""

import datetime
import random
import threading
import time

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from cases import services
from cases.models import Adoption, Case, CaseRevision, Change, Membership
from cases.vocabularies import CaseStatus, MembershipRole
from tests import change_feed_helpers, factories
from tests.change_feed_helpers import (
    Copy,
    _fresh_throttle_counts,  # noqa: F401 - an autouse fixture
    adopt,
    complete,
    edit_and_approve,
    entries_per_object,
    server,
)

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs parallel transactions that commit out of order; SQLite has one writer at a "
    "time. Run with DATABASE_URL=postgres://...",
)


# Three municipalities with an editor each and a moderator, and what they have published
# (tests/change_feed_helpers.py).
world = change_feed_helpers.world
published = change_feed_helpers.published


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
