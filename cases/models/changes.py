"""The change feed's entries."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    """One entry of the change feed: "something about this case, adoption or organisation may
    have changed".

    Written in the same transaction as the change. The feed renders the object as it is when a
    client reads the entry, so an entry needs no payload; see cases/api/changes.py for how the
    feed orders entries so that none is ever skipped.
    """

    class Kind(models.TextChoices):
        CASE = "case", "case"
        ADOPTION = "adoption", "adoption"
        ORGANISATION = "organisation", "organisation"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # The writing transaction's id on PostgreSQL (pg_current_xact_id()); 0 on SQLite, which has
    # one writer at a time so that ids already follow commit order.
    txid = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["txid", "id"], name="change_feed_order"),
            # An object's earlier entries, which a new one makes redundant (cases/changefeed/record.py).
            models.Index(fields=["kind", "object_id"], name="change_feed_object"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"


class FeedEpoch(models.Model):
    """A new start of the change feed, after the database was restored (`after_restore`).

    A restore brings the log's entries along with the transaction ids of the server that wrote
    them, which mean nothing on the server the database now lives on; and whatever a client
    synced after the backup was taken is not in the restored data. So a restored database starts
    a new epoch: its entries are rebased below every transaction id to come, and the cursors the
    feed hands out name the epoch, so that one from before it is refused (410) and the client
    syncs again from the start. No row: the feed has never been restarted, and its cursors name
    no epoch.
    """

    # Random, never a counter: restoring the same backup twice must not bring an old epoch back.
    key = models.CharField(max_length=16, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    # The transaction that started it (pg_current_xact_id(); 0 on SQLite).
    txid = models.BigIntegerField(default=0)
    # How many entries it found in the log and how many of them it rebased.
    entries = models.BigIntegerField(default=0)
    rebased = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("change feed epoch")
        verbose_name_plural = _("change feed epochs")

    def __str__(self):
        return f"{self.key} ({self.started_at:%Y-%m-%d %H:%M})"
