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
"""

from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext as _


class InvalidCursor(ValueError):
    """A `since` that this feed never handed out."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Cursor:
    txid: int = -1
    id: int = 0

    def __str__(self):
        return f"{self.txid}.{self.id}"

    @classmethod
    def parse(cls, raw: str | None) -> "Cursor":
        if raw in (None, ""):
            return cls()
        try:
            txid, pk = raw.split(".")
            cursor = cls(int(txid), int(pk))
        except ValueError:
            raise InvalidCursor(
                _("Not a cursor from this feed. Start without one to sync all.")
            ) from None
        if not (-1 <= cursor.txid < 2**63 and 0 <= cursor.id < 2**63):
            raise InvalidCursor(_("Not a cursor from this feed."))
        return cursor


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


def entries(cursor: Cursor, limit: int) -> list[tuple[int, int, str, int]]:
    """(id, txid, kind, object_id) after the cursor, below the horizon, in feed order."""
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            db.execute(
                f"{HORIZON_SQL} SELECT id, txid, kind, object_id FROM cases_change "
                "WHERE (txid, id) > (%s, %s) AND txid < (SELECT xid FROM horizon) "
                "ORDER BY txid, id LIMIT %s",
                [cursor.txid, cursor.id, limit],
            )
        else:
            db.execute(
                "SELECT id, txid, kind, object_id FROM cases_change "
                "WHERE (txid, id) > (%s, %s) ORDER BY txid, id LIMIT %s",
                [cursor.txid, cursor.id, limit],
            )
        return db.fetchall()


def latest_per_object(rows) -> list[tuple[str, int, Cursor]]:
    """(kind, object id, cursor) of the last entry per object among `rows`, in feed order:
    within one page only the last entry of an object matters, since it is rendered as it is
    when read."""
    last: dict[tuple[str, int], tuple[int, int]] = {}
    for pk, txid, kind, object_id in rows:
        last[(kind, object_id)] = (txid, pk)
    return [
        (kind, object_id, Cursor(txid, pk))
        for (kind, object_id), (txid, pk) in sorted(last.items(), key=lambda item: item[1])
    ]
