"""The change feed after a restore (issue 13, item 17): a database restored into another
PostgreSQL cluster keeps the old cluster's transaction ids in its change log, far above the new
cluster's counter, and the feed then showed nothing to a full sync and no new write to a client
that kept its cursor.

A restored log is simulated here by moving every entry's transaction id far above anything the
server has given out, as pg_restore into a young cluster leaves it (`.ci/restore-check` does a
real restore into a fresh cluster). On SQLite, whose entries all carry 0, any other id comes
from another server as well. Then: the feed refuses to serve (503) and the health check says
why; `after_restore` starts a new epoch, after which a full sync gives an exact copy, new writes
reach an incremental sync, and every cursor from before it is answered 410 Gone.
"""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from cases import services
from cases.changefeed import read, record
from cases.models import MODERATORS_GROUP, Change, FeedEpoch, Membership
from cases.vocabularies import MembershipRole
from tests import factories
from tests.change_feed_helpers import Copy, complete, server

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL's transaction ids. Run with DATABASE_URL=postgres://...",
)

# Far above any transaction id this server has given out: a log written by another cluster.
ELSEWHERE = 2**40


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    county = factories.CountyFactory()
    owner = factories.MunicipalityFactory(parent=county)
    adopter = factories.MunicipalityFactory(parent=county)
    people = {}
    for name, organisation in (("owner", owner), ("adopter", adopter)):
        people[name] = factories.UserFactory()
        Membership.objects.create(
            user=people[name], organisation=organisation, role=MembershipRole.EDITOR
        )
    people["moderator"] = factories.UserFactory()
    people["moderator"].groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return {"owner": owner, "adopter": adopter, "people": people}


def publish(world, title):
    author = world["people"]["owner"]
    case = services.case_create(actor=author, organisation=world["owner"], data=complete(title))
    case = services.case_submit(actor=author, case=case)
    return services.case_approve(
        actor=world["people"]["moderator"], case=case, reviewed_version=services.case_version(case)
    )


def adopt(world, case):
    return services.adoption_record(
        actor=world["people"]["adopter"],
        case=case,
        organisation=world["adopter"],
        mode="adapted",
        channel="network",
    )


def restored_elsewhere():
    """The log as a restore into a younger cluster leaves it."""
    Change.objects.update(txid=ELSEWHERE)


def feed(since=None, **params):
    if since is not None:
        params["since"] = since
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/changes/", params)


def health():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/helse/")


def after_restore() -> str:
    out = io.StringIO()
    call_command("after_restore", stdout=out)
    return out.getvalue()


# --- Detection ------------------------------------------------------------------------------


def test_the_health_check_is_ok_for_a_consistent_feed(world):
    publish(world, "Digital innbyggerkiosk")
    response = health()
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "change_feed": {"ok": True}},
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_log_from_another_server_pauses_the_feed_instead_of_serving_nothing(world):
    adopt(world, publish(world, "Digital innbyggerkiosk"))
    held = Copy()
    held.sync()
    restored_elsewhere()

    for since in (None, held.cursor):
        response = feed(since)
        assert response.status_code == 503
        assert response["Retry-After"] == "60"
        assert "manage.py after_restore" in response.json()["detail"]
    response = health()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["change_feed"]["ok"] is False
    assert "after_restore" in body["checks"]["change_feed"]["detail"]


def test_new_writes_after_the_restore_do_not_hide_the_broken_log(world):
    publish(world, "Digital innbyggerkiosk")
    restored_elsewhere()
    publish(world, "Sensorbasert nattevakt")  # written with this server's own, lower ids
    assert feed().status_code == 503
    assert health().status_code == 503


@postgresql_only
def test_the_horizon_is_this_servers_own(world):
    """On PostgreSQL the test is the snapshot's xmax, the first transaction id the server has
    not given out: an entry below it is this server's and served; one above cannot have been
    written here (the margin is for other databases' transactions meanwhile)."""
    publish(world, "Digital innbyggerkiosk")
    with connection.cursor() as db:
        db.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
        (xmax,) = db.fetchone()
    Change.objects.update(txid=xmax - 1)
    assert read.state().ahead is False
    assert feed().status_code == 200
    Change.objects.update(txid=xmax + 1_000_000)
    assert read.state().ahead is True
    assert feed().status_code == 503


# --- A new epoch ----------------------------------------------------------------------------


def test_after_restore_makes_a_full_sync_an_exact_copy_and_new_writes_reach_it(world):
    kiosk = publish(world, "Digital innbyggerkiosk")
    adopt(world, kiosk)
    publish(world, "Sensorbasert nattevakt")
    restored_elsewhere()
    publish(world, "Vandreboka")  # a write between the restore and the command

    entries = Change.objects.count()
    foreign = Change.objects.exclude(txid=0).count()  # on SQLite only the restored ones

    output = after_restore()
    epoch = FeedEpoch.objects.get()
    assert "the feed was paused (503)" in output
    assert f"Started change feed epoch {epoch.key}: {foreign} of {entries} log entries" in output
    assert (epoch.rebased, epoch.entries) == (foreign, entries)
    assert set(Change.objects.values_list("txid", flat=True)) == {0}
    assert health().status_code == 200

    copy = Copy()
    copy.sync(limit=2)
    assert copy.objects == server()
    assert len(copy.objects["case"]) == 3
    assert copy.cursor.startswith(f"{epoch.key}.")

    later = publish(world, "Multidoserobot")
    adopt(world, later)
    seen = copy.sync()
    assert {(e["kind"], e["id"]) for e in seen} >= {("case", later.pk)}
    assert copy.objects == server()


def test_cursors_from_before_the_epoch_are_gone(world):
    publish(world, "Digital innbyggerkiosk")
    before = Copy()
    before.sync()
    assert "." in before.cursor
    assert before.cursor.count(".") == 1
    after_restore()

    response = feed(before.cursor)
    assert response.status_code == 410
    detail = response.json()["detail"]
    assert "restored" in detail
    assert "without since" in detail
    norwegian = APIClient().get("/api/v1/changes/", {"since": before.cursor}).json()["detail"]
    assert "gjenopprettet" in norwegian
    # Every kind of old cursor, also one from the very start of the feed.
    for since in ("-1.0", "0.0", "99999.12"):
        assert feed(since).status_code == 410
    assert feed().status_code == 200


def test_a_second_restore_retires_the_first_epochs_cursors(world):
    publish(world, "Digital innbyggerkiosk")
    after_restore()
    first = Copy()
    first.sync()
    assert feed(first.cursor).status_code == 200
    after_restore()
    assert feed(first.cursor).status_code == 410
    second = Copy()
    second.sync()
    assert second.objects == server()
    assert feed(second.cursor).status_code == 200


def test_a_cursor_of_an_epoch_this_database_never_had_is_gone(world):
    """Restoring an older backup again: a cursor of the epoch that the first restore started
    points into a history the database does not have."""
    publish(world, "Digital innbyggerkiosk")
    assert feed("qwertyui.0.1").status_code == 410
    after_restore()
    assert feed("qwertyui.0.1").status_code == 410


def test_an_empty_feed_hands_out_a_cursor_of_the_current_epoch(db):
    epoch = record.start_epoch()
    body = feed().json()
    assert body == {"results": [], "next_cursor": f"{epoch.key}.-1.0", "has_more": False}
    assert feed(body["next_cursor"]).json()["next_cursor"] == body["next_cursor"]


def test_the_old_entries_keep_being_replaced_by_new_ones(world):
    """A rebased entry sorts before every new one, so the next write of the object replaces
    it: the log stays one entry per object."""
    kiosk = publish(world, "Digital innbyggerkiosk")
    restored_elsewhere()
    after_restore()
    services.case_archive(actor=world["people"]["owner"], case=kiosk, reason="Avsluttet.")
    assert Change.objects.filter(kind="case", object_id=kiosk.pk).count() == 1
    copy = Copy()
    copy.sync()
    assert copy.objects == server()
    assert copy.objects["case"] == copy.objects["adoption"] == {}


def test_the_epoch_costs_no_query_of_its_own(world, django_assert_num_queries):
    """The epoch and the broken-log check are read in the statement that reads the entries."""
    after_restore()
    with django_assert_num_queries(1):
        read.entries(None, 10)


@pytest.mark.parametrize("cursor", ["abcdefg.0.1", "ABCDEFGH.0.1", "abcdefgh.0", "abcdefgh.x.1"])
def test_malformed_cursors_with_an_epoch_are_400(world, cursor):
    assert feed(cursor).status_code == 400


@postgresql_only
@pytest.mark.django_db(transaction=False)
def test_the_readers_own_uncommitted_entries_are_not_from_another_server(world):
    """Inside one transaction (as this test runs) the entries just written carry an id above
    the snapshot's xmax: the transaction's own, which is no sign of a restore."""
    publish(world, "Digital innbyggerkiosk")
    assert read.state().ahead is False
    Change.objects.create(kind="case", object_id=1, txid=ELSEWHERE)
    assert read.state().ahead is True
