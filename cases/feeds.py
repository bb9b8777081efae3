"""Atom feeds of newly published cases: all of them, or those matching any search (the search
page's filters, from the query string: /saker/feed/?q=robot&sector=health-care follows the
search /saker/?q=robot&sector=health-care)."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import markdown
from .filters import CaseFilter
from .models import Case

FEED_SIZE = 50
# Parameters of the search page that do not choose cases: a feed is always newest first.
NOT_FILTERS = ("page", "ordering")


@dataclass
class FeedQuery:
    filterset: CaseFilter
    query_string: str


class CaseFeed(Feed):
    feed_type = Atom1Feed

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
        return FeedQuery(filterset=filterset, query_string=params.urlencode())

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
        return reverse("feed-cases") + (f"?{obj.query_string}" if obj.query_string else "")

    def subtitle(self, obj: FeedQuery):
        return _(
            "Innovation cases published by Norwegian municipalities and county municipalities."
        )

    def items(self, obj: FeedQuery):
        return obj.filterset.qs.order_by("-published_at", "-pk")[:FEED_SIZE]

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
