"""The change feed as the API serves it: `GET /api/v1/changes/?since=<cursor>&limit=<n>`.

How the log is written and read without skipping anything: cases/changefeed/.
"""

from django.db.models import Value
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from ..changefeed.read import (
    Cursor,
    CursorGone,
    FeedBroken,
    InvalidCursor,
    entries,
    latest_per_object,
)
from ..models import Adoption, Case, Change, Organisation
from .exceptions import CursorExpired, FeedUnavailable
from .serializers import OrganisationSerializer, render_adoptions, render_cases, with_ids

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def parse_limit(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": [_("A whole number from 1 to %d.") % MAX_LIMIT]})
    return limit


def never_public(case_ids, adoption_ids) -> set[tuple[str, int]]:
    """Of these objects that are not public now, the ones that never were: cases never
    published (`published_at` is set once, when a case is first published, and kept) and
    adoptions of such cases (an adoption is recorded only of a published case, so one of a
    case published once was public). A client cannot have them and must not learn of them.
    A row deleted outright is not among them: only a case published once keeps its entries
    when deleted (see changefeed.record.case_deleted). One query, none when both are empty.
    """
    never_published = [
        (case_ids, Case.all_objects.filter(published_at__isnull=True), Change.Kind.CASE),
        (
            adoption_ids,
            Adoption.all_objects.filter(case__published_at__isnull=True),
            Change.Kind.ADOPTION,
        ),
    ]
    parts = [
        rows.filter(pk__in=ids).annotate(kind=Value(kind)).order_by().values_list("kind", "pk")
        for ids, rows, kind in never_published
        if ids
    ]
    if not parts:
        return set()
    query = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    return {(str(kind), pk) for kind, pk in query}


def read(*, since: str | None, limit: int, context: dict) -> dict:
    """One page of the feed: entries, the cursor to continue from, and whether more are ready."""
    try:
        cursor = Cursor.parse(since)
    except InvalidCursor as error:
        raise ValidationError({"since": [error.message]}) from None
    try:
        epoch, rows = entries(cursor, limit)
    except CursorGone:
        raise CursorExpired() from None
    except FeedBroken:
        raise FeedUnavailable() from None
    latest = latest_per_object(rows, epoch)
    case_ids = [oid for kind, oid, _cursor in latest if kind == Change.Kind.CASE]
    adoption_ids = [oid for kind, oid, _cursor in latest if kind == Change.Kind.ADOPTION]
    organisation_ids = [oid for kind, oid, _cursor in latest if kind == Change.Kind.ORGANISATION]
    request = context.get("request")
    found: dict[str, dict] = {
        Change.Kind.CASE: {},
        Change.Kind.ADOPTION: {},
        Change.Kind.ORGANISATION: {},
    }
    if case_ids:
        found[Change.Kind.CASE] = render_cases(
            with_ids(Case.objects.published(), case_ids), request
        )
    if adoption_ids:
        found[Change.Kind.ADOPTION] = render_adoptions(
            with_ids(Adoption.objects.public(), adoption_ids)
        )
    if organisation_ids:
        # Every organisation is public while it exists, as the organisations list shows.
        organisations = Organisation.objects.filter(pk__in=organisation_ids).select_related(
            "county"
        )
        found[Change.Kind.ORGANISATION] = {
            organisation.pk: OrganisationSerializer(organisation).data
            for organisation in organisations
        }
    hidden = never_public(
        [oid for oid in case_ids if oid not in found[Change.Kind.CASE]],
        [oid for oid in adoption_ids if oid not in found[Change.Kind.ADOPTION]],
    )
    results = []
    for kind, object_id, entry_cursor in latest:
        shown = found.get(kind, {}).get(object_id)
        if shown is None and (kind, object_id) in hidden:
            continue  # never public: the cursor moves past it, and nothing is said
        results.append(
            {
                "cursor": str(entry_cursor),
                "kind": kind,
                "id": object_id,
                "action": "upsert" if shown is not None else "delete",
                "object": shown,
            }
        )
    if rows:
        next_cursor = Cursor(rows[-1][1], rows[-1][0], epoch)
    else:
        # Where the client already was (the start, without a cursor), in the current epoch.
        start = cursor or Cursor()
        next_cursor = Cursor(start.txid, start.id, epoch)
    return {"results": results, "next_cursor": str(next_cursor), "has_more": len(rows) == limit}
