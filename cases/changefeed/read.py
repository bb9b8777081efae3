"""Reading the change feed's log (writing it is cases/changefeed/record.py).

How no change is ever skipped
-----------------------------
Every write of a case or an adoption appends a Change row in its own transaction (see
cases/changefeed/record.py). A row's id comes from a sequence when it is inserted, not when its
transaction commits, so ids alone are not commit order: with transaction A holding id 11 still
open and B's id 12 already committed, a reader that hands out 12 and moves its cursor past it
would never see 11. On PostgreSQL each row therefore also carries its writer's transaction id
(`pg_current_xact_id()`), and the feed:

  1. orders entries by (txid, id), and the cursor is that pair;
  2. hands out only entries whose txid is below the horizon of the reader's snapshot: the
     oldest transaction still running when the snapshot was taken (its xmin), or the first
     id not yet given out (its xmax) when none is. Every transaction below the horizon has
     finished, so no entry can still appear below it, while every transaction that is running
     or yet to start has a txid at or above it and so sorts after anything already handed out.
     Transactions of other databases on the same server cannot write this log, so they are
     left out of the horizon (see HORIZON_SQL); otherwise a long batch job in another database
     would hold the feed back.

An entry says only *which* object changed; the object is rendered as it is when the entry is
read (`upsert` if it is public now, `delete` if not). Two writers of the same object may
therefore appear in either order without harm: the later read always shows the later state.
A long-running transaction delays the feed (entries wait below the horizon); it never makes
the feed skip. SQLite has one writer at a time, so there ids already are commit order.

After a restore
---------------
The transaction ids in the log are those of the server that wrote them. Restored into another
PostgreSQL cluster (pg_dump, pg_restore), the log keeps ids far above the new server's counter:
every old entry lies above the horizon (a full sync sees nothing) and every new one sorts below
the cursors clients hold (they never see it). The feed detects this, a committed entry at or
above the snapshot's xmax (no transaction of this server can have written it), and refuses to
serve (FeedBroken) rather than serve wrong data. `manage.py after_restore` repairs it by starting
a new epoch (cases/changefeed/record.py, start_epoch): the old entries are rebased below every
transaction to come, and the cursors handed out from then on name the epoch. A cursor of
another epoch, or of none once there is one, points into a history this database no longer
has (what was written after the backup is gone), so it is refused (CursorGone) and the client
syncs again from the start.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _


class InvalidCursor(ValueError):
    """A `since` that this feed never handed out."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CursorGone(Exception):
    """A cursor from another epoch: from before the database was restored."""


class FeedBroken(Exception):
    """The log holds entries from another server's transactions (a restore not followed by
    `after_restore`): the feed would skip or hide changes, so it serves nothing."""


# An epoch's key, as cursors carry it (see FeedEpoch): letters only, so that a cursor with an
# epoch is never mistaken for one without.
EPOCH_KEY = re.compile(r"[a-z]{8}")


@dataclass(frozen=True)
class Cursor:
    txid: int = -1
    id: int = 0
    # The epoch the cursor belongs to; "" before the feed was ever restarted.
    epoch: str = ""

    def __str__(self):
        position = f"{self.txid}.{self.id}"
        return f"{self.epoch}.{position}" if self.epoch else position

    @classmethod
    def parse(cls, raw: str | None) -> "Cursor | None":
        """The cursor `raw` names; None for no cursor (a full sync from the start)."""
        if raw in (None, ""):
            return None
        parts = raw.split(".")
        epoch = ""
        if len(parts) == 3 and EPOCH_KEY.fullmatch(parts[0]):
            epoch = parts.pop(0)
        try:
            txid, pk = parts
            cursor = cls(int(txid), int(pk), epoch)
        except ValueError:
            raise InvalidCursor(
                _("Not a cursor from this feed. Start without one to sync all.")
            ) from None
        if not (-1 <= cursor.txid < 2**63 and 0 <= cursor.id < 2**63):
            raise InvalidCursor(_("Not a cursor from this feed."))
        return cursor


@dataclass(frozen=True)
class FeedState:
    # The current epoch's key ("" when the feed has never been restarted).
    epoch: str
    # Whether the log holds an entry that no transaction of this server can have written.
    ahead: bool


# The horizon of one read (PostgreSQL), computed in the same statement, so from the same
# snapshot, as the entries: the oldest transaction that was still running when the snapshot was
# taken (or, with none, the snapshot's xmax, the first id not yet given out), leaving out those
# that provably belong to another database on the same server: pg_stat_activity names the
# database of every backend and the transaction id it holds, and a backend never changes
# database, so such a transaction cannot write this database's log. Anything not proven foreign
# (a prepared transaction, a backend that just ended) counts as ours and only delays the feed.
# pg_stat_activity shows datid and backend_xid to every role. backend_xid is a 32-bit xid and
# the snapshot's are 64-bit (epoch and xid): running transactions are less than 2^31 apart, so
# the low 32 bits identify them.
HORIZON_SQL = """
WITH snapshot AS (SELECT pg_current_snapshot() AS s),
foreign_xids AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL
      AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
),
horizon AS (
    SELECT COALESCE(
        (SELECT min(running::text::bigint) FROM pg_snapshot_xip(snapshot.s) AS running
         WHERE running::text::bigint %% 4294967296 NOT IN (SELECT xid FROM foreign_xids)),
        pg_snapshot_xmax(snapshot.s)::text::bigint
    ) AS xid
    FROM snapshot
)"""


# The current epoch, and whether the log is ahead of the server: an entry at or above the
# snapshot's xmax (one past the newest transaction that had finished when it was taken). Every
# entry a snapshot sees was committed by a transaction that finished before it, so below xmax,
# or was written by the reading transaction itself, whose id may be above (it is left out; the
# function assigns no id to a transaction that has none). Any other was written by another
# server. The newest entries come first in the index on (txid, id), so this reads a few rows.
STATE_SQL = """
state AS (
    SELECT
        (SELECT key FROM cases_feedepoch ORDER BY id DESC LIMIT 1) AS epoch,
        COALESCE(
            (SELECT max(txid) FROM cases_change
             WHERE txid <> COALESCE(pg_current_xact_id_if_assigned()::text::bigint, -1))
                >= (SELECT pg_snapshot_xmax(snapshot.s)::text::bigint FROM snapshot),
            false
        ) AS ahead
)"""

# SQLite: this server writes every entry with transaction id 0 (record.py); any other came
# from another server, in an import of its data.
SQLITE_STATE_SQL = """
state AS (
    SELECT
        (SELECT key FROM cases_feedepoch ORDER BY id DESC LIMIT 1) AS epoch,
        COALESCE((SELECT max(txid) FROM cases_change) <> 0, 0) AS ahead
)"""


def state() -> FeedState:
    """Whether the feed can be served, and its epoch, in one query (for the health check; a
    read of the feed learns the same from `entries`)."""
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            db.execute(
                f"WITH snapshot AS (SELECT pg_current_snapshot() AS s), {STATE_SQL} "
                "SELECT epoch, ahead FROM state"
            )
        else:
            db.execute(f"WITH {SQLITE_STATE_SQL} SELECT epoch, ahead FROM state")
        epoch, ahead = db.fetchone()
    return FeedState(epoch or "", bool(ahead))


def entries(cursor: Cursor | None, limit: int) -> tuple[str, list[tuple[int, int, str, int]]]:
    """The current epoch, and (id, txid, kind, object_id) after the cursor, below the horizon,
    in feed order.

    Refuses a broken log (FeedBroken) and a cursor of another epoch (CursorGone). The state is
    read in the same statement as the entries, from the same snapshot: a page is never served
    from a log that the statement saw broken or of another epoch.
    """
    position = cursor or Cursor()
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            db.execute(
                f"{HORIZON_SQL}, {STATE_SQL} "
                "SELECT state.epoch, state.ahead, page.id, page.txid, page.kind, page.object_id "
                "FROM state LEFT JOIN ("
                "SELECT id, txid, kind, object_id FROM cases_change "
                "WHERE (txid, id) > (%s, %s) AND txid < (SELECT xid FROM horizon) "
                "ORDER BY txid, id LIMIT %s"
                ") AS page ON true ORDER BY page.txid, page.id",
                [position.txid, position.id, limit],
            )
        else:
            db.execute(
                f"WITH {SQLITE_STATE_SQL} "
                "SELECT state.epoch, state.ahead, page.id, page.txid, page.kind, page.object_id "
                "FROM state LEFT JOIN ("
                "SELECT id, txid, kind, object_id FROM cases_change "
                "WHERE (txid, id) > (%s, %s) ORDER BY txid, id LIMIT %s"
                ") AS page ON 1 ORDER BY page.txid, page.id",
                [position.txid, position.id, limit],
            )
        rows = db.fetchall()
    epoch, ahead = rows[0][0] or "", bool(rows[0][1])
    if ahead:
        raise FeedBroken()
    if cursor is not None and cursor.epoch != epoch:
        raise CursorGone()
    return epoch, [
        (pk, txid, kind, object_id)
        for _epoch, _ahead, pk, txid, kind, object_id in rows
        if pk is not None
    ]


def latest_per_object(rows, epoch: str = "") -> list[tuple[str, int, Cursor]]:
    """(kind, object id, cursor) of the last entry per object among `rows`, in feed order:
    within one page only the last entry of an object matters, since it is rendered as it is
    when read."""
    last: dict[tuple[str, int], tuple[int, int]] = {}
    for pk, txid, kind, object_id in rows:
        last[(kind, object_id)] = (txid, pk)
    return [
        (kind, object_id, Cursor(txid, pk, epoch))
        for (kind, object_id), (txid, pk) in sorted(last.items(), key=lambda item: item[1])
    ]
