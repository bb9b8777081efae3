"""The change feed's entries."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Change(models.Model):
    """One entry of the change feed: "something about this case or adoption may have changed".

    Written in the same transaction as the change. The feed renders the object as it is when a
    client reads the entry, so an entry needs no payload; see cases/api/changes.py for how the
    feed orders entries so that none is ever skipped.
    """

    class Kind(models.TextChoices):
        CASE = "case", "case"
        ADOPTION = "adoption", "adoption"

    kind = models.CharField(max_length=10, choices=Kind.choices)
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
