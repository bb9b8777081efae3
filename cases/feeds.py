"""Atom feeds of newly published cases: all of them, or those matching any search (the search
page's filters, from the query string: /saker/feed/?q=robot&sector=health-care follows the
search /saker/?q=robot&sector=health-care).

A feed is paged as RFC 5005 describes: the first page has the newest cases, and `first`,
`previous`, `next` and `last` links lead through the older ones (`?page=2`, ...), so a reader
that missed more than a page can catch up.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import caching, markdown
from .filters import CaseFilter
from .models import Case

FEED_SIZE = 50
# Parameters of the search page that do not choose cases: a feed is always newest first.
NOT_FILTERS = ("page", "ordering")


@dataclass
class FeedQuery:
    filterset: CaseFilter
    query_string: str
    page: int
    pages: int
    # RFC 5005's links to the other pages, as the feed generator takes them.
    links: dict[str, str] = field(default_factory=dict)

    def url(self, page: int) -> str:
        """The address of one page of this feed (the first has no page number)."""
        params = self.query_string + ("&" if self.query_string else "")
        params += urlencode({"page": page}) if page > 1 else ""
        return reverse("feed-cases") + (f"?{params.rstrip('&')}" if params.rstrip("&") else "")


class PagedAtomFeed(Atom1Feed):
    """Atom with RFC 5005's paging links on the feed."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for relation in ("first", "previous", "next", "last"):
            href = self.feed.get(f"{relation}_link")
            if href:
                handler.addQuickElement("link", "", {"rel": relation, "href": href})


def _page_number(value: str | None) -> int:
    """The page asked for; anything but a positive number is the first page."""
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        return 1


class CaseFeed(Feed):
    feed_type = PagedAtomFeed
    # Kept whole for anonymous readers until a published case changes (cases/caching.py).
    cache_scopes = staticmethod(lambda request: [caching.LISTS])

    def get_object(self, request, *args, **kwargs):
        # The feed's "object" is the search, from the query string. Unknown filter values are
        # left out, as on the search page, rather than emptying the feed.
        filterset, _problems = CaseFilter.lenient(
            request.GET,
            queryset=Case.objects.published()
            .select_related("organisation")
            .prefetch_related("terms"),
        )
        params = filterset.data.copy() if filterset.is_bound else request.GET.copy()
        for name in NOT_FILTERS:
            params.pop(name, None)
        pages = max(1, -(-filterset.qs.count() // FEED_SIZE))
        query = FeedQuery(
            filterset=filterset,
            query_string=params.urlencode(),
            page=min(_page_number(request.GET.get("page")), pages),
            pages=pages,
        )
        neighbours = {"first": 1, "last": pages}
        if query.page > 1:
            neighbours["previous"] = query.page - 1
        if query.page < pages:
            neighbours["next"] = query.page + 1
        query.links = {
            f"{relation}_link": request.build_absolute_uri(query.url(page))
            for relation, page in neighbours.items()
        }
        return query

    def title(self, obj: FeedQuery):
        if obj.filterset.query:
            return _("New cases matching “%s”") % obj.filterset.query.text
        if obj.query_string:
            return _("New cases matching a search")
        return _("New innovation cases")

    def link(self, obj: FeedQuery):
        """The search page showing the same cases."""
        return reverse("case-list") + (f"?{obj.query_string}" if obj.query_string else "")

    def feed_url(self, obj: FeedQuery):
        return obj.url(obj.page)

    def feed_extra_kwargs(self, obj: FeedQuery):
        return obj.links

    def subtitle(self, obj: FeedQuery):
        return _(
            "Innovation cases published by Norwegian municipalities and county municipalities."
        )

    def items(self, obj: FeedQuery):
        start = (obj.page - 1) * FEED_SIZE
        return obj.filterset.qs.order_by("-published_at", "-pk")[start : start + FEED_SIZE]

    def item_title(self, case):
        return case.title

    def item_description(self, case):
        return case.summary or markdown.to_text(case.problem)[:500]

    def item_link(self, case):
        return case.get_absolute_url()

    def item_author_name(self, case):
        return case.organisation.name

    def item_pubdate(self, case):
        return case.published_at

    def item_updateddate(self, case):
        return case.updated_at

    def item_categories(self, case):
        return case.sector_labels
