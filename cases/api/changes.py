"""The change feed as the API serves it: `GET /api/v1/changes/?since=<cursor>&limit=<n>`.

How the log is written and read without skipping anything: cases/changefeed/.
"""

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
from ..models import Adoption, Case, Change
from .exceptions import CursorExpired, FeedUnavailable
from .serializers import render_adoptions, render_cases, with_ids

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


def public_cases():
    """Published cases with everything CaseSerializer reads, for rendering them one model
    instance at a time. The list, the detail and the feed use render_cases instead."""
    return (
        Case.objects.published()
        .select_related(
            "organisation",
            "organisation__municipality",
            "organisation__county",
            "source_case",
        )
        .prefetch_related("terms", "partners")
    )


def public_adoptions():
    return Adoption.objects.public().select_related(
        "organisation", "organisation__municipality", "organisation__county", "derived_case"
    )


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
    request = context.get("request")
    found: dict[str, dict] = {Change.Kind.CASE: {}, Change.Kind.ADOPTION: {}}
    if case_ids:
        found[Change.Kind.CASE] = render_cases(
            with_ids(Case.objects.published(), case_ids), request
        )
    if adoption_ids:
        found[Change.Kind.ADOPTION] = render_adoptions(
            with_ids(Adoption.objects.public(), adoption_ids)
        )
    results = []
    for kind, object_id, entry_cursor in latest:
        shown = found.get(kind, {}).get(object_id)
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
