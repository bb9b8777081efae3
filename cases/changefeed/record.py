"""Writing the change feed's log (reading it is cases/changefeed/read.py).

Every save of a case, an adoption or an organisation appends entries in the same transaction:
the object itself, and every other public object whose representation depends on what changed (and
removes those objects' earlier entries, which the new ones make redundant: see _compact).
The feed renders an object as it is when a client reads the entry, so an entry only has to
say *which* object to look at again. What depends on what:

- a case's representation: its own row, terms and partners; its owner organisation (with the
  owner's municipality and county); whether its source case is published (`source_case`);
  how many alive adoptions it has (`adoption_count`);
- an adoption's: its own row; whether its case is published (an adoption is public only with
  its case); its organisation; whether its derived case is published (`derived_case`).

So a case that enters or leaves the public view also writes entries for its adoptions, for the
cases that name it as their source and for the adoptions that name it as derived case; an
adoption that is recorded or withdrawn writes one for its case (the count); an organisation
whose name, number, kind, place or existence changes writes them for the cases and adoptions
that show it. Dependants are written whatever their status: one that is being published in a
concurrent transaction gets its own entry too, and the later of the two renders the final state.
A public dependant's `updated_at` moves with its entry (`touched`) where a case enters or
leaves the public view or its partners change: what its representation shows changed, and
clients that sync by the lists' `updated_since` (or ask with `If-Modified-Since`) must read it
again as the feed's readers do. Only public rows: an unpublished case's `updated_at` is part of
the version its reviewers approve. Not for an organisation's rename, which would update (and
lock) every case and record showing it from the admin's request: the feed names those.

The handlers below catch every save, so no write path can forget the feed; writes that bypass
`save()` (queryset `.update()`) must write entries themselves.
"""

import secrets
import string
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .. import caching
from ..models import Adoption, Case, Change, FeedEpoch, Organisation
from ..vocabularies import CaseStatus

# What an organisation shows of itself in a case's or adoption's representation, and what
# decides whether its adoptions are public.
SHOWN_ORGANISATION_FIELDS = ("name", "kind", "number", "municipality_id", "county_id", "deleted_at")
# What the organisations list shows of an organisation (the API's OrganisationSerializer; its
# county as number and name, which a county's own save changes for all in it).
LISTED_ORGANISATION_FIELDS = (
    *SHOWN_ORGANISATION_FIELDS,
    "slug",
    "parent_id",
    "region",
    "size_class",
    "centrality_class",
    "population",
)


def _txid():
    if connection.vendor == "postgresql":
        return RawSQL("pg_current_xact_id()::text::bigint", [])
    return 0


# The public rows of each kind of entry (what the API's lists show).
def _public_rows(kind: str) -> Any:
    rows: dict[str, Any] = {
        Change.Kind.CASE: Case.objects.published,
        Change.Kind.ADOPTION: Adoption.objects.public,
        Change.Kind.ORGANISATION: Organisation.objects.all,
    }
    return rows[kind]()


@transaction.atomic
def record(kind: str, ids, *, reuse_only: bool = False, touched: bool = False) -> None:
    """Append feed entries for objects of one kind, stamped with the writing transaction.
    `reuse_only`: of cases, only their reuse changed (what cases/caching.py makes fresh).
    `touched`: the objects were not written themselves but show what was (dependants): the
    public ones get `updated_at` now.

    Atomic, so that called outside a transaction all entries still carry the id of the one
    transaction that writes them (an entry must never carry the id of a finished transaction).
    """
    ids = sorted(set(ids))
    if not ids:
        return
    # bulk_create cannot take an expression per row; read the id once, it is the same for all.
    first = Change.objects.create(kind=kind, object_id=ids[0], txid=_txid())
    Change.objects.bulk_create([Change(kind=kind, object_id=pk, txid=first.txid) for pk in ids[1:]])
    _compact(kind, ids, first.txid, first.pk)
    if touched:
        now = timezone.now()
        for start in range(0, len(ids), 500):
            _public_rows(kind).filter(pk__in=ids[start : start + 500]).update(updated_at=now)
    # What shows these objects is kept fresh from the same single place.
    caching.changed(kind, ids, reuse_only=reuse_only)


# The entries of the same objects before the new ones in feed order, which are not locked by
# another writer (one that is deleting them too: if it rolls back they simply stay).
COMPACT_SQL = """
DELETE FROM cases_change WHERE id IN (
    SELECT id FROM cases_change
    WHERE kind = %s AND object_id = ANY(%s) AND (txid, id) < (%s, %s)
    FOR UPDATE SKIP LOCKED
)"""


def _compact(kind: str, ids: list[int], txid: int, first_id: int) -> None:
    """Delete the entries that the ones just written make redundant.

    An object's entry only says "look at this object again", and the feed shows the object as
    it is when the entry is read. So an earlier entry of the same object is redundant once a
    later one (in feed order: txid, then id) exists, for every client: one whose cursor is
    before the earlier entry reads the later one instead, and one that has read the earlier
    entry reads the later one too. The new entries become visible together with the deletion,
    when this transaction commits, and no client's cursor can be past them by then: the feed
    hands out nothing at or above a running transaction's id. An object's last entry always
    stays, so a client that had the object still learns that it left the public view. This
    keeps the log, and with it a full sync, as long as the number of objects rather than the
    number of writes.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as db:
            db.execute(COMPACT_SQL, [kind, ids, txid, first_id])
        return
    earlier = Q(txid__lt=txid) | Q(txid=txid, id__lt=first_id)
    for start in range(0, len(ids), 500):
        Change.objects.filter(earlier, kind=kind, object_id__in=ids[start : start + 500]).delete()


@transaction.atomic
def start_epoch() -> FeedEpoch:
    """Start the feed anew on this server: after a restore, or an import, of a database whose
    log another server wrote (see "After a restore" in cases/changefeed/read.py).

    Every entry already in the log is committed, so all of them are rebased to transaction id
    0: below every transaction id this server will give out, and so below the horizon and
    before every entry to come, in their order by id; the next write of an object still
    replaces its entry (its id is higher). The new epoch's random key goes into every cursor
    from now on, so cursors from before it are refused and their clients sync again from the
    start. Writers of the log wait while this runs (the table is locked against writes; the feed
    can still be read and serves the old state until this commits).
    """
    txid = 0
    with connection.cursor() as db:
        if connection.vendor == "postgresql":
            db.execute("LOCK TABLE cases_change IN EXCLUSIVE MODE")
            db.execute("SELECT pg_current_xact_id()::text::bigint")
            txid = db.fetchone()[0]
        # On SQLite every entry this server writes has 0 already; others come from elsewhere.
        db.execute("UPDATE cases_change SET txid = 0 WHERE txid <> 0")
        rebased = db.rowcount
    while True:
        key = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
        if not FeedEpoch.objects.filter(key=key).exists():
            break
    return FeedEpoch.objects.create(
        key=key, txid=txid, entries=Change.objects.count(), rebased=rebased
    )


def _is_public(status, deleted_at) -> bool:
    return status == CaseStatus.PUBLISHED and deleted_at is None


def case_saving(sender, instance: Case, raw=False, **kwargs):
    """Remember whether the case was public before this save (see case_saved)."""
    if raw or instance.pk is None:
        instance._feed_was_public = False
        instance._feed_old_source = None
        return
    before = (
        Case.all_objects.filter(pk=instance.pk)
        .values_list("status", "deleted_at", "source_case_id")
        .first()
    )
    instance._feed_was_public = before is not None and _is_public(*before[:2])
    instance._feed_old_source = before[2] if before is not None else None


def _share_lock_organisations(ids) -> None:
    """Hold the organisations' rows (FOR SHARE) until the transaction ends.

    An organisation's rename (an UPDATE) waits for this transaction, and this one for the
    rename: whichever commits last sees the other's rows, so its entries render the final
    name. Without it a case created while its owner is renamed could keep the old name.
    """
    ids = sorted({pk for pk in ids if pk})
    if ids and connection.vendor == "postgresql":
        with connection.cursor() as db:
            db.execute(
                "SELECT 1 FROM cases_organisation WHERE id = ANY(%s) ORDER BY id FOR SHARE",
                [ids],
            )


def case_saved(sender, instance: Case, created=False, raw=False, **kwargs):
    if raw:
        # loaddata: an import of export_data brings the log's own entries along (and sets
        # the partners next, which case_partners_changed must then leave alone too).
        instance._feed_loading = True
        return
    record(Change.Kind.CASE, [instance.pk])
    old_source = getattr(instance, "_feed_old_source", None)
    if old_source != instance.source_case_id:
        # It left its old source's family, whose pages show it.
        caching.source_changed(old_source)
    _share_lock_organisations([instance.organisation_id])
    was_public = getattr(instance, "_feed_was_public", False)
    if was_public == instance.is_published:
        return
    # It entered or left the public view, and with it everything that shows it.
    record(
        Change.Kind.ADOPTION,
        Adoption.all_objects.filter(Q(case_id=instance.pk) | Q(derived_case_id=instance.pk))
        .order_by()
        .values_list("pk", flat=True),
        touched=True,
    )
    record(
        Change.Kind.CASE,
        Case.all_objects.filter(source_case_id=instance.pk).order_by().values_list("pk", flat=True),
        touched=True,
    )


def case_deleted(sender, instance: Case, **kwargs):
    if instance.published_at is None:
        # Never public: no client can have it, and none may learn that it existed. Its
        # entries go with the row (the feed leaves out those of rows still there).
        Change.objects.filter(kind=Change.Kind.CASE, object_id=instance.pk).delete()
        return
    record(Change.Kind.CASE, [instance.pk])


def case_partners_changed(sender, instance, action, pk_set=None, reverse=False, **kwargs):
    """Partners shown on a case. Entries render after the commit, so recording before a clear
    (while its rows can still be found) is as good as after."""
    if not reverse:
        if getattr(instance, "_feed_loading", False):
            return
        if action in ("post_add", "post_remove", "post_clear"):
            # The case itself is saved with its partners (apply_content), updated_at too.
            record(Change.Kind.CASE, [instance.pk])
        if action in ("post_add", "post_remove"):
            caching.partners_changed(pk_set or [])
        elif action == "pre_clear":
            caching.partners_changed(instance.partners.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        record(Change.Kind.CASE, pk_set or [], touched=True)
        caching.partners_changed([instance.pk])
    elif action == "pre_clear":
        # organisation.partner_cases.clear(): every case that had it as partner.
        record(Change.Kind.CASE, instance.partner_cases.values_list("pk", flat=True), touched=True)
        caching.partners_changed([instance.pk])


def adoption_saving(sender, instance: Adoption, raw=False, **kwargs):
    """Remember whether the adoption was alive before this save (None: it is new)."""
    instance._feed_was_alive = None
    if raw or instance.pk is None:
        return
    before = Adoption.all_objects.filter(pk=instance.pk).values_list("deleted_at", flat=True)
    for deleted_at in before:
        instance._feed_was_alive = deleted_at is None


def adoption_saved(sender, instance: Adoption, created=False, raw=False, **kwargs):
    if raw:
        return
    record(Change.Kind.ADOPTION, [instance.pk])
    _share_lock_organisations([instance.organisation_id])
    was_alive = getattr(instance, "_feed_was_alive", None)
    if was_alive is None or was_alive != (instance.deleted_at is None):
        # Recorded or withdrawn: its case's adoption count changed.
        record(Change.Kind.CASE, [instance.case_id], reuse_only=True)


def adoption_deleted(sender, instance: Adoption, **kwargs):
    record(Change.Kind.ADOPTION, [instance.pk])
    record(Change.Kind.CASE, [instance.case_id], reuse_only=True)


def organisation_saving(sender, instance: Organisation, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._feed_listed_before = None
        return
    instance._feed_listed_before = (
        Organisation.all_objects.filter(pk=instance.pk)
        .values_list(*LISTED_ORGANISATION_FIELDS)
        .first()
    )


def organisation_saved(sender, instance: Organisation, created=False, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_feed_listed_before", None)
    now = tuple(getattr(instance, field) for field in LISTED_ORGANISATION_FIELDS)
    if created or before is None:
        record(Change.Kind.ORGANISATION, [instance.pk])
        return
    if tuple(before) == now:
        return
    record(Change.Kind.ORGANISATION, [instance.pk])
    shown = len(SHOWN_ORGANISATION_FIELDS)
    if tuple(before[:shown]) != now[:shown]:
        _organisation_shown_differently(instance.pk)


def organisation_deleting(sender, instance: Organisation, **kwargs):
    # Cases that name it as a partner lose it (the partner rows go with it).
    _organisation_shown_differently(instance.pk)
    record(Change.Kind.ORGANISATION, [instance.pk])


def _organisation_shown_differently(pk: int) -> None:
    """Entries for every case and adoption whose representation shows this organisation:
    as owner or adopter, as the owner's or adopter's municipality or county, or as partner."""
    shown_in = Q(pk=pk) | Q(municipality_id=pk) | Q(county_id=pk)
    organisations = Organisation.all_objects.filter(shown_in).values("pk")
    # A county's name and number are in each listed organisation of it.
    record(
        Change.Kind.ORGANISATION,
        Organisation.all_objects.filter(county_id=pk).exclude(pk=pk).values_list("pk", flat=True),
    )
    record(
        Change.Kind.CASE,
        Case.all_objects.filter(Q(organisation__in=organisations) | Q(partners=pk))
        .order_by()
        .values_list("pk", flat=True)
        .distinct(),
    )
    record(
        Change.Kind.ADOPTION,
        Adoption.all_objects.filter(organisation__in=organisations)
        .order_by()
        .values_list("pk", flat=True),
    )


def connect() -> None:
    pre_save.connect(case_saving, sender=Case, dispatch_uid="change-feed-case-before")
    post_save.connect(case_saved, sender=Case, dispatch_uid="change-feed-case")
    post_delete.connect(case_deleted, sender=Case, dispatch_uid="change-feed-case-deleted")
    m2m_changed.connect(
        case_partners_changed, sender=Case.partners.through, dispatch_uid="change-feed-partners"
    )
    pre_save.connect(adoption_saving, sender=Adoption, dispatch_uid="change-feed-adoption-before")
    post_save.connect(adoption_saved, sender=Adoption, dispatch_uid="change-feed-adoption")
    post_delete.connect(
        adoption_deleted, sender=Adoption, dispatch_uid="change-feed-adoption-deleted"
    )
    pre_save.connect(
        organisation_saving, sender=Organisation, dispatch_uid="change-feed-organisation-before"
    )
    post_save.connect(
        organisation_saved, sender=Organisation, dispatch_uid="change-feed-organisation"
    )
    pre_delete.connect(
        organisation_deleting, sender=Organisation, dispatch_uid="change-feed-organisation-gone"
    )
